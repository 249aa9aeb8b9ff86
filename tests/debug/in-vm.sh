#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside the debug-kernel VM (tests/debug/check-debug.sh): the whole netns
# suite, attack traffic included, then our modules unloaded and a kmemleak
# scan.  Anything KASAN, UBSAN, lockdep or DEBUG_LIST reports lands in dmesg,
# where tests/vm/run looks for it after this script.
#
#   in-vm.sh [test-NAME...]     (default: every tests/net/test-*.sh)
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KML=/sys/kernel/debug/kmemleak

if dmesg | grep -q 'KernelAddressSanitizer initialized'; then
	echo "# debug kernel $(uname -r): KASAN on"
else
	echo "FAIL: $(uname -r) is not a KASAN kernel"
	exit 1
fi
[[ -e $KML ]] && echo clear >"$KML"

# The checkers make every test several times slower than on a stock kernel;
# so is every unload and reload under load, and the sipp calls set up in
# those windows fail (21 % in the first debug run against 10 % allowed on a
# stock kernel).  This run is about what the checkers report.
export SIPALG_TEST_TIMEOUT=${SIPALG_TEST_TIMEOUT:-1500}
export SIPALG_UNLOAD_MAX_FAILED_PCT=${SIPALG_UNLOAD_MAX_FAILED_PCT:-35}
"$ROOT/tests/net/run-all.sh" "$@"
rc=$?

# Unload ours (if a test left them loaded), then look for leaks: an object
# allocated by our modules and unreferenced after they are gone.
for m in nf_nat_sipalg nf_conntrack_sipalg; do
	[[ -d /sys/module/$m ]] && rmmod "$m"
done
if [[ -e $KML ]]; then
	# kmemleak reports an object only after two scans a few seconds apart
	# (it must stay unreferenced in between).
	echo scan >"$KML"
	sleep 5
	echo scan >"$KML"
	leaks=$(grep -c '^unreferenced object' "$KML")
	ours=$(grep -A30 '^unreferenced object' "$KML" | grep -c 'sipalg')
	if ((ours)); then
		echo "FAIL: kmemleak: $ours backtraces through sipalg code ($leaks objects in all)"
		grep -B5 -A30 'sipalg' "$KML" | head -n 80
		rc=1
	else
		echo "PASS: kmemleak: no leak from sipalg code ($leaks unreferenced objects elsewhere)"
	fi
else
	echo "SKIP: kmemleak: $KML missing (debugfs not mounted or kmemleak off)"
fi
exit "$rc"
