#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug: the netns suite and the attack traffic on a debug
# kernel (Debian's linux-source-6.1 with KASAN, UBSAN, lockdep, kmemleak,
# DEBUG_LIST/OBJECTS; see build-kernel.sh), with our modules built against
# it, so they are instrumented too.  Long: the kernel's first build takes
# about an hour on 2 CPUs, the run itself 30-60 minutes under TCG.  Not
# part of make check.
#
#   tests/debug/check-debug.sh [test-NAME...]
#
# Every test's PASS:/FAIL: lines pass through.  The VM runner fails the run
# on any WARNING/BUG/KASAN/UBSAN/lockdep report in dmesg (panic_on_warn=1
# makes a WARN fatal); in-vm.sh adds kmemleak scans before and after
# unloading our modules (tests/debug/kmemleak.sh decides which leaks are
# ours, tests/host/test-kmemleak.sh tries that decision in make check).  Ends with "N passed, N failed".
# Env: SIPALG_DEBUG_TIMEOUT whole-run limit in seconds (default 7200).
set -u
set -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${SIPALG_CACHE:-$ROOT/.cache}
log_dir=$CACHE/check-debug
mkdir -p "$log_dir"
log=$log_dir/check-debug.log

t0=$SECONDS
if ! line=$("$ROOT/tests/vm/kernels.sh" debug 2>"$log_dir/kernel.err"); then
	tail -n 20 "$log_dir/kernel.err"
	echo "FAIL: debug kernel: build failed (log in $CACHE/debug-kernel/build.log)"
	echo "0 passed, 1 failed"
	exit 1
fi
read -r _ kver kdir _ <<<"$line"
grep -h 'last build took' "$log_dir/kernel.err" | sed 's/^/# /'
echo "PASS: debug kernel $kver ready ($((SECONDS - t0)) s this run)"

# shellcheck source=../vm/build-modules.sh
. "$ROOT/tests/vm/build-modules.sh"
if ! sipalg_build_modules "$kver" "$kdir" "$CACHE/build/$kver" \
	"$log_dir/build.log"; then
	grep -i -m 20 -E 'warning:|error' "$log_dir/build.log"
	echo "1 passed, 1 failed"
	exit 1
fi

# KASAN doubles the memory a packet costs; lockdep and TCG make every test
# several times slower than on the stock kernel.
SIPALG_VM_MEM=${SIPALG_VM_MEM:-2G} "$ROOT/tests/vm/run" --kernel debug \
	--timeout "${SIPALG_DEBUG_TIMEOUT:-7200}" \
	"$ROOT/tests/debug/in-vm.sh" "$@" 2>&1 | tee "$log"

pass=$(grep -c '^PASS:' "$log")
fail=$(grep -c '^FAIL:' "$log")
pass=$((pass + 2))
echo "# check-debug took $((SECONDS - t0)) s"
echo "$pass passed, $fail failed"
((fail == 0))
