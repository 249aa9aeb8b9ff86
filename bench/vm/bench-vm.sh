#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-vm: sipalg against the in-tree SIP helper and against no helper,
# inside the test VM, one boot per kernel (see bench/vm/run.sh).
#
#   bench/vm/bench-vm.sh [--kernel 6.1|6.12]... [--scale] [--no-bench]
#                        [run.sh options: --rounds R --secs S --tests LIST ...]
#
# Builds the traffic tools (bench/vm/Makefile) and our modules for each
# kernel (tests/vm/build-modules.sh; SIPALG_BENCH_NO_BUILD=1 skips that),
# runs bench/vm/run.sh in the VM and prints the table (bench/vm/table.awk).
# --scale also runs the 10,000-call scale check (run.sh scale), one more
# boot per kernel. Logs: .cache/bench-vm/<mode>-<kernel>.log.
# Default kernels: 6.1 and 6.12. Exit 1 if a run or a check failed.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/bench/vm
LOGDIR=${SIPALG_CACHE:-$ROOT/.cache}/bench-vm

kernels=() scale='' bench=1 args=()
while (($#)); do
	case $1 in
	--kernel) kernels+=("$2"); shift 2 ;;
	--kernel=*) kernels+=("${1#*=}"); shift ;;
	--scale) scale=1; shift ;;
	--no-bench) bench=; shift ;;
	-h|--help) sed -n '3,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) args+=("$1"); shift ;;
	esac
done
((${#kernels[@]})) || kernels=(6.1 6.12)

make -s -C "$HERE" >&2 || { echo "bench-vm: cannot build the traffic tools" >&2; exit 1; }
if [[ -z ${SIPALG_BENCH_NO_BUILD:-} ]]; then
	mkdir -p "$LOGDIR"
	"$ROOT/tests/vm/build-modules.sh" "${kernels[@]}" >"$LOGDIR/build.log" 2>&1 ||
		{ cat "$LOGDIR/build.log" >&2; echo "bench-vm: cannot build the modules" >&2; exit 1; }
fi
mkdir -p "$LOGDIR"

rc=0 logs=()
# boot MODE KERNEL ARGS...: one VM run of run.sh; its log joins the table.
boot() {
	local mode=$1 k=$2 log; shift 2
	log=$LOGDIR/$mode-$k.log
	echo "bench-vm: $mode on $k ($(date -u +%FT%TZ), host load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
	"$ROOT/tests/vm/run" --kernel "$k" --timeout 1200 "$HERE/run.sh" "$mode" "$@" 2>&1 |
		tee "$log" | grep --line-buffered -E '^(FAIL|PASS|# )|^run: ' >&2
	((PIPESTATUS[0] == 0)) || rc=1
	logs+=("$log")
}

for k in "${kernels[@]}"; do
	[[ -n $bench ]] && boot bench "$k" "${args[@]}"
	[[ -n $scale ]] && boot scale "$k"
done

echo "sipalg bench-vm, $(date -u +%F), $(git -C "$ROOT" describe --always --dirty 2>/dev/null)"
awk -f "$HERE/table.awk" "${logs[@]}"
exit "$rc"
