#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build nf_conntrack_sipalg.ko and nf_nat_sipalg.ko for every test kernel,
# each in its own folder so the builds coexist:
#
#   tests/vm/build-modules.sh [NAME...]      (NAME: 6.1, 6.12; default both)
#
# runs, per kernel from tests/vm/kernels.sh,
#   make -C <repo> KDIR=<kdir> BUILD_DIR=.cache/build/<kver> modules
# and prints "NAME KVER BUILD_DIR" per kernel built. tests/vm/run uses
# .cache/build/<kver> as SIPALG_KO_DIR by default.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${SIPALG_CACHE:-$ROOT/.cache}

kernels=$("$ROOT/tests/vm/kernels.sh" "$@") || exit 1
ret=0
while read -r name kver kdir _; do
	[[ -n $name ]] || continue
	bdir=$CACHE/build/$kver
	echo "build-modules: $name ($kver) -> $bdir" >&2
	if make -C "$ROOT" KDIR="$kdir" BUILD_DIR="$bdir" modules >&2; then
		echo "$name $kver $bdir"
	else
		echo "build-modules: FAILED for $name ($kver)" >&2
		ret=1
	fi
done <<<"$kernels"
exit "$ret"
