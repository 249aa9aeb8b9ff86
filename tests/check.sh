#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test layer that exists, in order of cost, each printing
# one "PASS: ..." / "FAIL: ..." / "SKIP: ..." line per check.  The closing
# line counts them: "N passed, N failed[, N skipped]".  Exit 0 only when
# nothing failed and at least one check ran.
#
# Environment:
#   SIPALG_KERNELS="6.1 6.12"   which target kernels (default: all)
#   FUZZ_SECONDS=N               per fuzz target (default 20)
#   SIPALG_SKIP="fuzz vm ..."    layers to leave out while iterating
set -u
set -o pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
log_dir=$top/.cache/check
mkdir -p "$log_dir"
log=$log_dir/check.log
: > "$log"

skip() { case " ${SIPALG_SKIP:-} " in *" $1 "*) return 0 ;; esac; return 1; }

# Run a layer: its stdout/stderr go to the terminal and the log; a layer
# that fails without saying which check failed still counts as a failure.
layer() {
	local name=$1 out rc
	shift
	echo "### $name"
	out=$log_dir/$(echo "$name" | tr ' /' '__').log
	"$@" 2>&1 | tee "$out" | tee -a "$log"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && ! grep -q '^FAIL:' "$out"; then
		echo "FAIL: $name: exited $rc without naming a failed check" |
			tee -a "$log"
	fi
	return 0
}

layer "deps" "$top/tests/deps.sh"

skip unit || layer "unit" make -s -C "$top/tests/unit" check
skip fuzz || layer "fuzz" make -s -C "$top/tests/fuzz" run \
	FUZZ_SECONDS="${FUZZ_SECONDS:-20}"

# Target kernels: "NAME KVER KDIR VMLINUZ MODDIR" per line.
kernels=$log_dir/kernels.txt
if ! "$top/tests/vm/kernels.sh" > "$kernels" 2> "$log_dir/kernels.err"; then
	echo "FAIL: prepare target kernels: $(tail -1 "$log_dir/kernels.err")" |
		tee -a "$log"
	: > "$kernels"
fi

build_one() {
	local kver=$1 kdir=$2 blog=$log_dir/build-$1.log
	local bdir=$top/.cache/build/$kver
	# Compile every file again: a warning must show on every run.
	rm -f "$bdir"/*.o "$bdir"/*.ko
	if make -C "$top" KDIR="$kdir" BUILD_DIR="$bdir" \
		modules > "$blog" 2>&1; then
		if grep -qiE '(warning|error):' "$blog"; then
			echo "FAIL: modules build without warnings for $kver: $(grep -m1 -iE '(warning|error):' "$blog")"
			return 1
		fi
		echo "PASS: modules build without warnings for $kver"
	else
		echo "FAIL: modules build for $kver: $(grep -m1 -iE 'error' "$blog")"
		return 1
	fi
}

kdirs=()
while read -r name kver kdir _vmlinuz _moddir; do
	[ -n "${SIPALG_KERNELS:-}" ] &&
		case " $SIPALG_KERNELS " in *" $name "*) ;; *) continue ;; esac
	layer "build $name" build_one "$kver" "$kdir"
	kdirs+=("$kdir")
done < "$kernels"

if ! skip dkms && [ ${#kdirs[@]} -gt 0 ]; then
	layer "dkms" "$top/tests/host/test-dkms.sh" "${kdirs[@]}"
fi

skip deb || layer "deb" "$top/tests/host/test-deb.sh"

if ! skip vm; then
	while read -r name kver _kdir _vmlinuz _moddir; do
		[ -n "${SIPALG_KERNELS:-}" ] &&
			case " $SIPALG_KERNELS " in *" $name "*) ;; *) continue ;; esac
		layer "vm $name" "$top/tests/vm/run" --kernel "$name" --timeout 1500 \
			--ko-dir "$top/.cache/build/$kver" \
			"$top/tests/net/run-all.sh"
	done < "$kernels"
fi

passed=$(grep -c '^PASS:' "$log")
failed=$(grep -c '^FAIL:' "$log")
skipped=$(grep -c '^SKIP:' "$log")
echo
grep '^FAIL:' "$log" | sed 's/^/  /'
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
