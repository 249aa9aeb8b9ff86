#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test layer that exists, in order of cost, each printing
# one "PASS: ..." / "FAIL: ..." / "SKIP: ..." line per check.  The closing
# line counts them: "N passed, N failed, N skipped".  Exit 0 only when
# nothing failed and at least one check ran.
#
# tests/expected.txt lists every check that must report (unit and fuzz
# programs, style tools, host tests, kernels, net tests).  One that does not
# report fails, so does a test file missing from the list; a layer or kernel
# left out prints a SKIP line, and a layer that exits 0 without a single
# PASS line fails.  With CI=true (set by the CI runner) every skip counts as
# a failure: CI must run everything.
#
# Environment:
#   SIPALG_KERNELS="6.1 6.12"   which target kernels (default: all)
#   FUZZ_SECONDS=N               per fuzz target (default 20)
#   SIPALG_SKIP="fuzz vm ..."    layers to leave out while iterating:
#                                unit fuzz style kmemleak dkms deb vm
set -u
set -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
log_dir=$top/.cache/check
mkdir -p "$log_dir"
log=$log_dir/check.log
: > "$log"
rm -f "$log_dir"/*.log.rc
expected_file=$top/tests/expected.txt
layers="unit fuzz style kmemleak dkms deb vm"

# A line of check.sh's own, on the terminal and in the log.
say() { echo "$*" | tee -a "$log"; }

# The names of one kind in tests/expected.txt.
expected() { awk -v k="$1" '$1 == k { print $2 }' "$expected_file"; }
is_expected() { expected "$1" | grep -qxF -- "$2"; }

skip() { case " ${SIPALG_SKIP:-} " in *" $1 "*) return 0 ;; esac; return 1; }
selected() {
	[ -z "${SIPALG_KERNELS:-}" ] && return 0
	case " $SIPALG_KERNELS " in *" $1 "*) return 0 ;; esac
	return 1
}
layer_log() { echo "$log_dir/$(echo "$1" | tr ' /' '__').log"; }

# Run a layer: its stdout/stderr go to the terminal and the log.  A layer
# that fails without saying which check failed, exits 0 without any PASS
# line, or skips without a SKIP line gets a line of its own here.
layer() {
	local name=$1 out rc p f s
	shift
	echo "### $name"
	out=$(layer_log "$name")
	"$@" 2>&1 | tr -d '\r' | tee "$out" | tee -a "$log"
	rc=${PIPESTATUS[0]}
	echo "$rc" > "$out.rc"
	p=$(grep -c '^PASS:' "$out") f=$(grep -c '^FAIL:' "$out")
	s=$(grep -c '^SKIP:' "$out")
	case $rc in
	0) [ "$p" -gt 0 ] || [ "$f" -gt 0 ] ||
		say "FAIL: $name: exited 0 without a PASS line" ;;
	4) [ "$s" -gt 0 ] || say "SKIP: $name: exited 4 without a SKIP line" ;;
	*) [ "$f" -gt 0 ] ||
		say "FAIL: $name: exited $rc without naming a failed check" ;;
	esac
	return 0
}

# --- the list of expected checks against the tests that exist ---------------
if [ ! -s "$expected_file" ]; then
	say "FAIL: tests/expected.txt is missing or empty"
fi
for spec in unit:tests/unit/test_*.c fuzz:tests/fuzz/fuzz_*.c \
	host:tests/host/test-*.sh net:tests/net/test-*.sh; do
	kind=${spec%%:*} glob=${spec#*:}
	ext=.${glob##*.}
	for f in $glob; do
		[ -e "$f" ] || continue
		is_expected "$kind" "$(basename "$f" "$ext")" ||
			say "FAIL: $f is not listed in tests/expected.txt"
	done
	for n in $(expected "$kind"); do
		[ -e "$(dirname "$glob")/$n$ext" ] ||
			say "FAIL: tests/expected.txt lists $kind $n: $(dirname "$glob")/$n$ext is missing"
	done
done
for w in ${SIPALG_SKIP:-}; do
	case " $layers " in *" $w "*) ;; *)
		say "FAIL: SIPALG_SKIP names '$w', not a layer ($layers)" ;;
	esac
done
for k in ${SIPALG_KERNELS:-}; do
	is_expected kernel "$k" ||
		say "FAIL: SIPALG_KERNELS names '$k', not a kernel ($(expected kernel | xargs))"
done

# --- the layers --------------------------------------------------------------
if "$top/tests/deps.sh" > "$log_dir/deps.log" 2>&1; then
	say "PASS: deps: every package the tests need is installed"
else
	say "FAIL: deps: $(tail -n 1 "$log_dir/deps.log")"
fi

skip_layer() { say "SKIP: $1: left out by SIPALG_SKIP"; }

if skip unit; then skip_layer unit
else layer "unit" make -s -C "$top/tests/unit" check
fi
if skip fuzz; then skip_layer fuzz
else layer "fuzz" make -s -C "$top/tests/fuzz" run \
	FUZZ_SECONDS="${FUZZ_SECONDS:-20}"
fi
if skip style; then skip_layer style
else layer "style" "$top/tests/style.sh"
fi
if skip kmemleak; then skip_layer kmemleak
else layer "kmemleak" "$top/tests/host/test-kmemleak.sh"
fi

# Target kernels: "NAME KVER KDIR VMLINUZ MODDIR" per line.
kernels=$log_dir/kernels.txt
if ! "$top/tests/vm/kernels.sh" > "$kernels" 2> "$log_dir/kernels.err"; then
	say "FAIL: prepare target kernels: $(tail -1 "$log_dir/kernels.err")"
	: > "$kernels"
fi
for k in $(expected kernel); do
	if ! selected "$k"; then
		say "SKIP: kernel $k: not in SIPALG_KERNELS"
	elif ! awk -v k="$k" '$1 == k { f = 1 } END { exit !f }' "$kernels"; then
		say "FAIL: kernel $k: tests/vm/kernels.sh did not prepare it"
	fi
done

# shellcheck source=vm/build-modules.sh
. "$top/tests/vm/build-modules.sh"
kdirs=()
while read -r name kver kdir _vmlinuz _moddir; do
	selected "$name" || continue
	layer "build $name" sipalg_build_modules "$kver" "$kdir" \
		"$top/.cache/build/$kver" "$log_dir/build-$kver.log"
	kdirs+=("$kdir")
done < "$kernels"

if skip dkms; then skip_layer dkms
elif [ ${#kdirs[@]} -gt 0 ]; then
	layer "dkms" "$top/tests/host/test-dkms.sh" "${kdirs[@]}"
else
	say "SKIP: dkms: no target kernel to build for"
fi
if skip deb; then skip_layer deb
else layer "deb" "$top/tests/host/test-deb.sh"
fi

if skip vm; then skip_layer vm
else
	while read -r name kver _kdir _vmlinuz _moddir; do
		selected "$name" || continue
		layer "vm $name" "$top/tests/vm/run" --kernel "$name" \
			--timeout 1500 --ko-dir "$top/.cache/build/$kver" \
			"$top/tests/net/run-all.sh"
	done < "$kernels"
fi

# --- did every expected check report? ----------------------------------------
# report KIND NAME LAYER PATTERN: the layer ran (it has a log) but no line
# matches PATTERN.
report() {
	local out
	out=$(layer_log "$3")
	[ -e "$out.rc" ] || return 0
	grep -qE "$4" "$out" || say "FAIL: $1 $2: reported nothing in layer $3"
}
for n in $(expected unit); do
	report unit "$n" unit "^(PASS|FAIL): $n-w32:"
done
for n in $(expected fuzz); do
	report fuzz "$n" fuzz "^(PASS|FAIL): fuzz ${n}[: ]"
done
for n in $(expected style); do
	report style "$n" style "^(PASS|FAIL): style: ${n}[: ]"
done
for n in $(expected host); do
	report host "$n" "${n#test-}" '^(PASS|FAIL|SKIP):'
done
for k in $(expected kernel); do
	report kernel "$k" "build $k" '^(PASS|FAIL): modules build'
	out=$(layer_log "vm $k")
	[ -e "$out.rc" ] || continue
	"$top/tests/net-report.sh" "$out" "$k" | tee -a "$log"
done

passed=$(grep -c '^PASS:' "$log")
failed=$(grep -c '^FAIL:' "$log")
skipped=$(grep -c '^SKIP:' "$log")
echo
grep '^FAIL:' "$log" | sed 's/^/  /'
if [ "${CI:-}" = true ] && [ "$skipped" -gt 0 ]; then
	# CI runs everything: a skip there is a check that did not run.
	echo "  CI=true: $skipped skipped checks count as failed:"
	grep '^SKIP:' "$log" | sed 's/^/  /'
	failed=$((failed + skipped))
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
