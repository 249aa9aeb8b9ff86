#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build nf_conntrack_sipalg.ko and nf_nat_sipalg.ko for every test kernel,
# each in its own folder so the builds coexist:
#
#   tests/vm/build-modules.sh [NAME...]      (NAME: 6.1, 6.12; default both)
#
# runs, per kernel from tests/vm/kernels.sh,
#   make -C <repo> KDIR=<kdir> BUILD_DIR=$SIPALG_CACHE/build/<kver> modules
# and prints "NAME KVER BUILD_DIR" per kernel built on stdout, a PASS:/FAIL:
# line per kernel on stderr.  tests/vm/run uses .cache/build/<kver> as
# SIPALG_KO_DIR by default.  A build with a compiler warning fails.
#
# This is the only place that builds the modules for a test kernel: make
# check, make check-debug and make demo source this file and call
# sipalg_build_modules, so all of them apply the same rules.
set -u

SIPALG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# sipalg_build_modules KVER KDIR BUILD_DIR LOG
# Compile both modules for one kernel from scratch (every file again, so a
# warning shows on every run, not only on the run that first compiled the
# file), the build's output in LOG.  Prints one "PASS: modules build without
# warnings for KVER" or "FAIL: ..." line; returns 0 only for a build that
# produced both modules and no warning.
sipalg_build_modules() {
	local kver=$1 kdir=$2 bdir=$3 blog=$4 m
	mkdir -p "$bdir" "$(dirname "$blog")"
	rm -f "$bdir"/*.o "$bdir"/*.ko
	if ! make -C "$SIPALG_ROOT" KDIR="$kdir" BUILD_DIR="$bdir" modules \
		>"$blog" 2>&1; then
		echo "FAIL: modules build for $kver: $(grep -m1 -iE 'error' "$blog")"
		return 1
	fi
	if grep -qiE '(warning|error):' "$blog"; then
		echo "FAIL: modules build without warnings for $kver: $(grep -m1 -iE '(warning|error):' "$blog")"
		return 1
	fi
	for m in nf_conntrack_sipalg nf_nat_sipalg; do
		if [[ ! -s $bdir/$m.ko ]]; then
			echo "FAIL: modules build for $kver: no $m.ko in $bdir"
			return 1
		fi
	done
	echo "PASS: modules build without warnings for $kver"
}

# Run (not sourced): build for the kernels named on the command line.
build_main() {
	local cache=${SIPALG_CACHE:-$SIPALG_ROOT/.cache} kernels ret=0
	local name kver kdir bdir
	kernels=$("$SIPALG_ROOT/tests/vm/kernels.sh" "$@") || return 1
	while read -r name kver kdir _; do
		[[ -n $name ]] || continue
		bdir=$cache/build/$kver
		echo "build-modules: $name ($kver) -> $bdir" >&2
		if sipalg_build_modules "$kver" "$kdir" "$bdir" "$bdir.log" >&2; then
			echo "$name $kver $bdir"
		else
			sed 's/^/# /' "$bdir.log" | tail -n 20 >&2
			ret=1
		fi
	done <<<"$kernels"
	return "$ret"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	build_main "$@"
fi
