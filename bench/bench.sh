#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print, per message: size, instructions of parse+SDP+plan measured with
# callgrind (deterministic: cost of 3 runs minus cost of 1, halved, so
# one-time costs such as symbol binding cancel out) and native ns/message
# (best of 5 x N iterations).
#   bench.sh <sipbench binary> <build dir> <msg>...
set -e
bin=$1; out=$2; shift 2
command -v valgrind >/dev/null 2>&1 || { echo "valgrind not found" >&2; exit 1; }

ir() {	# instructions inside bench_one() over $1 iterations of $2
	f=$out/callgrind.$(basename "$2").$1
	valgrind --tool=callgrind --callgrind-out-file="$f" \
		--toggle-collect=bench_one "$bin" -c "$1" "$2" >/dev/null 2>&1
	sed -n 's/^summary: *//p; s/^totals: *//p' "$f" | head -n 1
}

printf '%-20s %6s %12s %10s %6s\n' message bytes instr/msg ns/msg edits
for m in "$@"; do
	one=$(ir 1 "$m")
	three=$(ir 3 "$m")
	instr=$(( (three - one) / 2 ))
	set -- $("$bin" -n 200000 "$m")
	printf '%-20s %6s %12s %10s %6s\n' "$(basename "$m" .sip)" "$2" \
		"$instr" "$3" "$4"
done
