#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel's checkpatch.pl for make style, cached once: Debian ships it
# only inside linux-source-6.1 (a 140 MB tarball of the whole tree), so the
# package is fetched with apt-get download (not installed) and only the
# three files checkpatch reads are kept:
#
#   $SIPALG_CACHE/checkpatch/{checkpatch.pl,spelling.txt,const_structs.checkpatch}
#
# Prints the path of checkpatch.pl.  Called by tests/deps.sh and
# tests/style.sh; a second run does nothing.
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEST=${SIPALG_CACHE:-$ROOT/.cache}/checkpatch
PKG=linux-source-6.1
FILES=(checkpatch.pl spelling.txt const_structs.checkpatch)

die() { echo "checkpatch-fetch: $*" >&2; exit 1; }

have() {
	local f
	for f in "${FILES[@]}"; do [[ -s $DEST/$f ]] || return 1; done
}
if have; then
	echo "$DEST/checkpatch.pl"
	exit 0
fi

mkdir -p "$DEST" || die "cannot create $DEST"
tmp=$(mktemp -d) || die "mktemp failed"
trap 'rm -rf "$tmp"' EXIT
# _apt cannot write into a root-only mktemp folder.
chmod 755 "$tmp"
echo "checkpatch-fetch: downloading $PKG for scripts/checkpatch.pl" >&2
(cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$PKG" >&2) ||
	{ apt-get update -q >&2 && (cd "$tmp" && apt-get download -q -o APT::Sandbox::User=root "$PKG" >&2); } ||
	die "apt-get download $PKG failed"
deb=$(echo "$tmp"/"$PKG"_*.deb)
[[ -f $deb ]] || die "no $PKG .deb downloaded"
members=()
for f in "${FILES[@]}"; do members+=("$PKG/scripts/$f"); done
dpkg-deb --fsys-tarfile "$deb" |
	tar -xO "./usr/src/$PKG.tar.xz" |
	tar -xJ -C "$tmp" "${members[@]}" ||
	die "cannot extract scripts/ from $deb"
for f in "${FILES[@]}"; do
	cp "$tmp/$PKG/scripts/$f" "$DEST/$f" || die "cannot copy $f"
done
chmod +x "$DEST/checkpatch.pl"
dpkg-deb -f "$deb" Version >"$DEST/VERSION"
have || die "files missing in $DEST"
echo "$DEST/checkpatch.pl"
