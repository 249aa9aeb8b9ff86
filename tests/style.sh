#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make style: the kernel's own checkers over every C file that goes into the
# modules (the Makefile's MODULE_SOURCES, so a new file is checked without
# touching this script), zero warnings allowed:
#
#   checkpatch.pl --no-tree -f   (tests/checkpatch-fetch.sh caches it)
#   sparse, as make C=2 runs it, against each target kernel
#
# One "PASS: style: checkpatch ..." and one "PASS: style: sparse on KVER"
# line (or FAIL:, with the findings as "# " lines).  Part of make check.
#
#   tests/style.sh          kernels: $SIPALG_KERNELS, default all
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
work=$top/.cache/style
mkdir -p "$work"
ret=0

# checkpatch checks that do not apply to an out-of-tree module:
# - LINUX_VERSION_CODE: in-tree code is built for exactly the kernel it is
#   merged in; this module builds for several (6.1 and newer) and must
#   refuse the kernels it does not support.
ignore=LINUX_VERSION_CODE

# Single findings accepted where they stand, each with its reason (an
# extended regex over checkpatch's "FILE:LINE: LEVEL:TYPE:" lines):
# - sip_word: the parsers' scan word, unsigned long in the kernel and u32 in
#   the 32-bit unit build; a new integer type, which coding-style.rst
#   allows, but checkpatch cannot tell.
accepted='^include/sip_parse\.h:[0-9]+: WARNING:NEW_TYPEDEFS:'

# shellcheck disable=SC2016  # make text, not shell
sources=$(make -s -C "$top" --no-print-directory KDIR=/nonexistent \
	--eval='print-sources: ; @echo $(MODULE_SOURCES)' print-sources)
csrc=()
for f in $sources; do
	case $f in
	# written by scripts/compat-probe.sh at build time (gitignored)
	include/generated_*) ;;
	*.c|*.h) csrc+=("$f") ;;
	esac
done
if ((${#csrc[@]} == 0)); then
	echo "FAIL: style: no C sources in MODULE_SOURCES"
	exit 1
fi

# --- checkpatch --------------------------------------------------------------
if ! cp=$("$top/tests/checkpatch-fetch.sh" 2>"$work/fetch.log"); then
	echo "FAIL: style: checkpatch: $(tail -n 1 "$work/fetch.log")"
	ret=1
else
	(cd "$top" && perl "$cp" --no-tree -f --emacs --show-types \
		--ignore "$ignore" "${csrc[@]}") >"$work/checkpatch.log" 2>&1
	grep -E '^[^ ]+:[0-9]+: (ERROR|WARNING|CHECK):' "$work/checkpatch.log" |
		grep -Ev "$accepted" >"$work/checkpatch.found"
	n=$(wc -l <"$work/checkpatch.found")
	checked=$(grep -c '^total: ' "$work/checkpatch.log")
	if ((checked != ${#csrc[@]})); then
		echo "FAIL: style: checkpatch: checked $checked of ${#csrc[@]} files"
		sed 's/^/# /' "$work/checkpatch.log" | tail -n 5
		ret=1
	elif ((n)); then
		echo "FAIL: style: checkpatch: $n findings in $(cut -d: -f1 "$work/checkpatch.found" | sort -u | wc -l) of ${#csrc[@]} files"
		sed 's/^/# /' "$work/checkpatch.found"
		ret=1
	else
		echo "PASS: style: checkpatch: ${#csrc[@]} files, no findings"
	fi
fi

# --- sparse ------------------------------------------------------------------
if ! command -v sparse >/dev/null; then
	echo "FAIL: style: sparse: not installed (tests/deps.sh installs it)"
	exit 1
fi
# shellcheck disable=SC2086  # a list of names
if ! kernels=$("$top/tests/vm/kernels.sh" ${SIPALG_KERNELS:-} 2>"$work/kernels.err"); then
	echo "FAIL: style: sparse: no target kernel: $(tail -n 1 "$work/kernels.err")"
	exit 1
fi
while read -r _name kver kdir _; do
	[[ -n $kver ]] || continue
	bdir=$work/$kver
	log=$work/sparse-$kver.log
	# From scratch: C=2 checks what is compiled, and only then.
	rm -rf "$bdir"
	if ! make -C "$top" KDIR="$kdir" BUILD_DIR="$bdir" C=2 modules \
		>"$log" 2>&1; then
		echo "FAIL: style: sparse on $kver: the build failed"
		grep -m 5 -E 'error' "$log" | sed 's/^/# /'
		ret=1
		continue
	fi
	# A file Kbuild compiles by a rule of its own is not checked unless
	# that rule says so: every C file must have been seen.
	unchecked=()
	for f in "${csrc[@]}"; do
		[[ $f == *.c ]] || continue
		awk -v p="$bdir/$f" '$1 == "CHECK" && $2 == p { f = 1 }
			END { exit !f }' "$log" || unchecked+=("$f")
	done
	found=$(grep -E '(warning|error):' "$log")
	found=${found//$bdir\//}
	if ((${#unchecked[@]})); then
		echo "FAIL: style: sparse on $kver: never ran on ${unchecked[*]}"
		ret=1
	fi
	if [[ -n $found ]]; then
		echo "FAIL: style: sparse on $kver: $(grep -c . <<<"$found") warnings"
		# shellcheck disable=SC2001  # every line
		sed 's/^/# /' <<<"$found"
		ret=1
	elif ((${#unchecked[@]} == 0)); then
		echo "PASS: style: sparse on $kver: no warnings"
	fi
done <<<"$kernels"
exit "$ret"
