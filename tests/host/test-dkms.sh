#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS: `dkms add` + `dkms build` of the tree's dkms.conf succeed for every
# target kernel and produce both modules.  Runs on the build host, inside a
# private mount namespace whose /var/lib/dkms is a throwaway folder, so it
# leaves no state outside its own temporary directory.
#
# Usage: test-dkms.sh KDIR [KDIR...]   (kselftest exit codes: 0, 1, 4 = skip)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
ret=0

if ! command -v dkms >/dev/null || ! command -v unshare >/dev/null; then
	echo "SKIP: dkms build: dkms or unshare missing"
	exit 4
fi
if [ "${SIPALG_DKMS_INNER:-}" != 1 ]; then
	exec unshare -m --propagation private env SIPALG_DKMS_INNER=1 \
		"$0" "$@"
fi

tmp=$(mktemp -d)
cleanup() { umount /var/lib/dkms 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

mkdir -p "$tmp/state" /var/lib/dkms
mount --bind "$tmp/state" /var/lib/dkms

ver=$(make -s -C "$top" -f Makefile --eval='print-ver: ; @echo $(DKMS_VERSION)' print-ver KDIR=/nonexistent 2>/dev/null)
src=$tmp/src/sipalg-$ver
make -s -C "$top" dkms-source DKMS_SRC="$src" KDIR=/nonexistent >/dev/null

if ! dkms add "$src" > "$tmp/add.log" 2>&1; then
	echo "FAIL: dkms add: $(tail -1 "$tmp/add.log")"
	exit 1
fi

for kdir in "$@"; do
	kdir=$(cd "$kdir" && pwd -P)	# dkms runs make from elsewhere
	kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' \
		"$kdir/include/generated/utsrelease.h")
	name="dkms build for $kver"
	log=$tmp/build-$kver.log
	if dkms build -m sipalg -v "$ver" -k "$kver" \
		--kernelsourcedir "$kdir" >"$log" 2>&1 &&
	   ls /var/lib/dkms/sipalg/"$ver"/"$kver"/*/module/nf_conntrack_sipalg.ko* \
	      /var/lib/dkms/sipalg/"$ver"/"$kver"/*/module/nf_nat_sipalg.ko* \
	      >/dev/null 2>&1; then
		echo "PASS: $name"
	else
		echo "FAIL: $name: $(grep -m3 -iE 'error|warning' "$log" | tr '\n' ' ')"
		sed 's/^/# /' "$log" | tail -20
		ret=1
	fi
done
exit $ret
