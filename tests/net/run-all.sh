#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every tests/net/test-*.sh (or those named) one after another in this
# boot and pass their PASS:/FAIL:/SKIP: lines through; a test that fails or
# skips without saying so gets one such line here, and so does one that
# exits 0 without a PASS line (set-up steps print "# ... set-up ok", which
# is no check). Ends with a summary and exits 1 if anything failed.
#
#   tests/vm/run --kernel 6.1 tests/net/run-all.sh [test-NAME...]
#
# Env: SIPALG_TEST_TIMEOUT seconds per test (default 300).
set -u
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

tests=()
if (($#)); then
	for t in "$@"; do tests+=("$dir/${t%.sh}.sh"); done
else
	tests=("$dir"/test-*.sh)
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
npass=0 nfail=0 nskip=0 bad=()
start=$SECONDS
echo "# run-all: $(uname -r), ${#tests[@]} tests"
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	t0=$SECONDS
	echo "# --- $name"
	timeout -k 5 "${SIPALG_TEST_TIMEOUT:-300}" bash "$t" </dev/null 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	p=$(grep -c '^PASS:' "$log") f=$(grep -c '^FAIL:' "$log") s=$(grep -c '^SKIP:' "$log")
	case $rc in
	0)
		if ((f)); then
			echo "FAIL: $name: exited 0 after FAIL lines"; ((f++))
		elif ((!p)); then
			# Only "# set-up ok" lines: nothing was verified.
			echo "FAIL: $name: exited 0 without a single behaviour check"; ((f++))
		fi ;;
	4) ((s)) || { echo "SKIP: $name: skipped"; ((s++)); } ;;
	124|137) echo "FAIL: $name: timed out"; ((f++)) ;;
	*) ((f)) || { echo "FAIL: $name: exited $rc"; ((f++)); } ;;
	esac
	((f)) && bad+=("$name")
	npass=$((npass + p)) nfail=$((nfail + f)) nskip=$((nskip + s))
	echo "# $name: exit $rc, $p pass, $f fail, $s skip, $((SECONDS - t0))s"
done
echo "# run-all: checks: $npass pass, $nfail fail, $nskip skip in ${#tests[@]} tests, $((SECONDS - start))s${bad[*]:+; failing: ${bad[*]}}"
((nfail == 0))
