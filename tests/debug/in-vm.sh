#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside the debug-kernel VM (tests/debug/check-debug.sh): the whole netns
# suite, attack traffic included, then a kmemleak scan with our modules
# still loaded, their unload (which must succeed) and a second scan; a leak
# is ours when its backtrace runs through our code (tests/debug/kmemleak.sh).
# Anything KASAN, UBSAN, lockdep or DEBUG_LIST reports lands in dmesg,
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
# shellcheck source=kmemleak.sh
. "$ROOT/tests/debug/kmemleak.sh"
MODS=(nf_nat_sipalg nf_conntrack_sipalg)
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
if [[ ! -e $KML ]]; then
	# The debug kernel is built with kmemleak; without it this run
	# cannot say what it exists to say.
	echo "FAIL: kmemleak: $KML missing (kmemleak off or debugfs not mounted)"
	exit 1
fi
echo clear >"$KML"
# The sections files show 0 to a reader that may not see kernel addresses.
echo 1 >/proc/sys/kernel/kptr_restrict

# Where our code was, all along the run: the tests unload and reload the
# modules, which may land elsewhere, and a leak keeps the addresses of the
# load that allocated it.
snaps=$(mktemp)
sampler() { while :; do kml_snapshot "${MODS[@]}"; sleep 1; done >>"$snaps"; }
sampler &
sampler_pid=$!
trap 'kill "$sampler_pid" 2>/dev/null; rm -f "$snaps"' EXIT

# The checkers make every test several times slower than on a stock kernel;
# so is every unload and reload under load, and the sipp calls set up in
# those windows fail (21 % in the first debug run against 10 % allowed on a
# stock kernel).  This run is about what the checkers report.
export SIPALG_TEST_TIMEOUT=${SIPALG_TEST_TIMEOUT:-1500}
export SIPALG_UNLOAD_MAX_FAILED_PCT=${SIPALG_UNLOAD_MAX_FAILED_PCT:-35}
"$ROOT/tests/net/run-all.sh" "$@"
rc=$?

# Our modules loaded for the last look (a test may have left them out).
for m in nf_conntrack_sipalg nf_nat_sipalg; do
	[[ -d /sys/module/$m ]] && continue
	for d in $(modinfo -F depends "$SIPALG_KO_DIR/$m.ko" | tr ',' ' '); do
		[[ -d /sys/module/$d ]] || modprobe "$d"
	done
	insmod "$SIPALG_KO_DIR/$m.ko" ||
		{ echo "FAIL: kmemleak: cannot load $m for the leak scan"; rc=1; }
done
kill "$sampler_pid"
wait "$sampler_pid" 2>/dev/null
kml_snapshot "${MODS[@]}" >>"$snaps"
ranges=$(mktemp)
if ! kml_ranges "$SIPALG_KO_DIR" <"$snaps" >"$ranges"; then
	echo "FAIL: kmemleak: no code range of our modules to match leaks against"
	exit 1
fi
sed 's/^/# code: /' "$ranges"

# kmemleak reports an object only after two scans a few seconds apart (it
# must stay unreferenced in between).
kml_scan() {
	echo scan >"$KML"
	sleep 5
	echo scan >"$KML"
}
# kml_check WHEN: one PASS/FAIL line for the current report.
kml_check() {
	local out
	out=$(kml_ours "$ranges" <"$KML")
	case $? in
	0) echo "PASS: kmemleak $1: no leak from sipalg code ($(tail -n 1 <<<"$out") objects)" ;;
	1) echo "FAIL: kmemleak $1: $(tail -n 1 <<<"$out") objects leaked by sipalg code"
	   head -n 80 <<<"$out" | sed 's/^/# /'
	   rc=1 ;;
	*) echo "FAIL: kmemleak $1: cannot read the report"; rc=1 ;;
	esac
}

# Leaks while loaded (a conntrack's or expectation's data never freed),
# while the frames still resolve; then those of the unload itself.
kml_scan
kml_check "before unload"
for m in "${MODS[@]}"; do
	if ! rmmod "$m"; then
		echo "FAIL: rmmod $m after the suite"
		rc=1
	fi
done
kml_scan
kml_check "after unload"
exit "$rc"
