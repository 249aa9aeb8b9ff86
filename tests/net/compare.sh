#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the call scenarios (tests/net/test-call-*.sh) against our helper
# (HELPER=sipalg) and the in-tree one (HELPER=sip) and print a table of the
# behaviours whose result differs, for README's comparison.
#
#   tests/net/compare.sh [--kernel 6.1|6.12] [-v] [--all] [test-call-NAME...]
#
# On the host it boots the test VM (tests/vm/run) and runs itself there.
# Output lines start with "CMP:" (never "PASS:"/"FAIL:", which the make
# check aggregator counts); -v also prints every scenario's own output as
# "# sipalg| ..." / "# sip| ...". --all lists every behaviour, not only
# those that differ. Exit 0 once both modes ran; 1 if a mode could not run.
#
#   CMP: behaviour                                   sipalg  sip
#   CMP: call-multistream: RTP from srv reaches ...  pass    FAIL
set -u
dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

kernel=
verbose=
all=
args=()
while (($#)); do
	case $1 in
	--kernel) kernel=${2:?}; shift 2 ;;
	--kernel=*) kernel=${1#*=}; shift ;;
	-v) verbose=1; shift ;;
	--all) all=1; shift ;;
	-h|--help) sed -n '3,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) args+=("$1"); shift ;;
	esac
done

# On the host: boot the VM and come back here inside it.
if [[ -z ${SIPALG_RESULTS_DIR:-} ]]; then
	opts=()
	[[ -n $kernel ]] && opts+=(--kernel "$kernel")
	[[ -n $verbose ]] && args=(-v "${args[@]}")
	[[ -n $all ]] && args=(--all "${args[@]}")
	exec "$dir/../vm/run" "${opts[@]}" "$dir/compare.sh" "${args[@]}"
fi

tests=()
if ((${#args[@]})); then
	for t in "${args[@]}"; do tests+=("$dir/${t%.sh}.sh"); done
else
	tests=("$dir"/test-call-*.sh)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
modes=(sipalg sip)
ran=1
echo "CMP: $(uname -r): ${#tests[@]} scenarios, HELPER=sipalg vs HELPER=sip (in-tree)"
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	for h in "${modes[@]}"; do
		start=$SECONDS
		HELPER=$h timeout -k 5 "${SIPALG_TEST_TIMEOUT:-300}" bash "$t" </dev/null \
			>"$work/$name.$h" 2>&1
		rc=$?
		echo "$rc" >"$work/$name.$h.rc"
		[[ -n $verbose ]] && sed "s/^/# $h| /" "$work/$name.$h"
		echo "CMP: $name with HELPER=$h: exit $rc, $(grep -c '^PASS:' "$work/$name.$h") pass," \
			"$(grep -c '^FAIL:' "$work/$name.$h") fail, $((SECONDS - start))s"
		[[ $rc == 0 || $rc == 1 ]] || ran=0
	done
done

# One row per behaviour: "name: behaviour" from the PASS/FAIL/SKIP lines.
# A FAIL line is "FAIL: name: behaviour: why"; its key is the longest known
# behaviour it starts with, else its first two fields.
python3 - "$work" "${all:+all}" "${tests[@]}" <<'EOF'
import os
import sys

work, show_all, tests = sys.argv[1], sys.argv[2] == 'all', sys.argv[3:]
modes = ('sipalg', 'sip')
rows, order = {}, []
for t in tests:
    name = os.path.basename(t)[:-3]
    lines = {}
    for h in modes:
        try:
            lines[h] = open(os.path.join(work, '%s.%s' % (name, h)), errors='replace').read().splitlines()
        except OSError:
            lines[h] = []
    known = set()
    for h in modes:
        for ln in lines[h]:
            if ln.startswith('PASS: '):
                known.add(ln[6:])
    for h in modes:
        for ln in lines[h]:
            kind = ln[:6]
            if kind not in ('PASS: ', 'FAIL: ', 'SKIP: '):
                continue
            rest = ln[6:]
            if kind == 'FAIL: ':
                cands = [k for k in known if rest.startswith(k + ': ')]
                key = max(cands, key=len) if cands else ': '.join(rest.split(': ')[:2])
            else:
                key = rest
            if key not in rows:
                rows[key] = {}
                order.append(key)
            rows[key][h] = {'PASS: ': 'pass', 'FAIL: ': 'FAIL', 'SKIP: ': 'skip'}[kind]

width = min(max([len(k) for k in order] + [20]), 100)
diff = [k for k in order if rows[k].get('sipalg') != rows[k].get('sip')]
print('CMP:')
print('CMP: %-*s  %-6s  %s' % (width, 'behaviour', 'sipalg', 'sip'))
for k in order:
    if show_all or k in diff:
        r = rows[k]
        print('CMP: %-*s  %-6s  %s' % (width, k[:width], r.get('sipalg', '-'), r.get('sip', '-')))
print('CMP:')
both = sum(1 for k in order if rows[k].get('sipalg') == 'pass' and rows[k].get('sip') == 'pass')
print('CMP: %d behaviours, %d differ; sipalg passes %d, sip passes %d, both %d' % (
    len(order), len(diff),
    sum(1 for k in order if rows[k].get('sipalg') == 'pass'),
    sum(1 for k in order if rows[k].get('sip') == 'pass'), both))
EOF
((ran)) || { echo "CMP: some scenario neither passed nor failed (skipped or timed out)"; exit 1; }
exit 0
