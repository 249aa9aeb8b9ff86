#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian source package (debian/) builds sipalg-dkms from a clean copy
# of the tree, and what the .deb ships builds with DKMS.
#
#   tree (tracked + untracked-not-ignored files) --cp--> $tmp/src/sipalg
#     dpkg-buildpackage -us -uc -b   -> $tmp/src/sipalg-dkms_<ver>_all.deb
#     debian/rules clean             -> the copy is as it was
#     dpkg-source -b                 -> $tmp/src/sipalg_<ver>.tar.xz
#   dpkg-deb -c / -x / -e the .deb   -> /usr/src/sipalg-<ver>/ holds exactly
#                                       MODULE_SOURCES + dkms.conf, versions
#                                       agree, modprobe.d file is inert
#   dkms add $tmp/root/usr/src/sipalg-<ver>; dkms build -k <kver>
#     (private mount namespace, /var/lib/dkms bound to $tmp/dkms)
#
# Runs on the build host; leaves nothing outside its temporary directory.
# The build packages (debhelper, dh-dkms, dpkg-dev, dkms) are installed by
# tests/vm/deps.sh if missing.
#
# Usage: test-deb.sh [KDIR...]   (default: Debian's 6.1 headers from
#                                 tests/vm/kernels.sh; exit 0, 1, 4 = skip)
# shellcheck disable=SC2317,SC2016  # check()/trap call functions; make --eval text
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
T=deb
ret=0
pass() { echo "PASS: $T: $*"; }
fail() { echo "FAIL: $T: $*"; ret=1; }
# check DESCRIPTION CMD...: one PASS or FAIL line for CMD's exit status.
check() {
	local what=$1; shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

if [ "${SIPALG_DEB_INNER:-}" != 1 ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: $T: needs root (package installs, a private mount namespace)"
		exit 4
	fi
	"$top/tests/vm/deps.sh" debhelper dh-dkms dpkg-dev dkms >&2 ||
		{ echo "SKIP: $T: build packages missing (debhelper dh-dkms dpkg-dev dkms)"; exit 4; }
	if ! command -v unshare >/dev/null; then
		echo "SKIP: $T: unshare missing"
		exit 4
	fi
	exec unshare -m --propagation private env SIPALG_DEB_INNER=1 "$0" "$@"
fi

tmp=$(mktemp -d)
cleanup() {
	umount /var/lib/dkms 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# --- a clean copy of the tree ----------------------------------------------
# What a clone would hold once the work tree is committed: tracked files that
# still exist plus untracked ones that are not ignored.
src=$tmp/src/sipalg
mkdir -p "$src"
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		while IFS= read -r -d '' f; do
			[ -e "$f" ] && printf '%s\0' "$f"
		done | xargs -0 cp -a --parents -t "$src")
else
	tar -C "$top" --exclude=./.cache --exclude=./.git -cf - . | tar -C "$src" -xf -
fi
(cd "$src" && find . -type f | LC_ALL=C sort) >"$tmp/files.before"

ver=$(cd "$src" && dpkg-parsechangelog -S Version)
upver=${ver%-*}
name="dpkg-buildpackage -us -uc -b ($ver)"
t0=$SECONDS
if (cd "$src" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
	pass "$name in $((SECONDS - t0))s"
else
	fail "$name: $(grep -m2 -iE 'error|failed' "$tmp/build.log" | tr '\n' ' ')"
	sed 's/^/# /' "$tmp/build.log" | tail -20
	exit 1
fi
deb=$tmp/src/sipalg-dkms_${ver}_all.deb
[ -f "$deb" ] || { fail "no $(basename "$deb") in ../: $(ls "$tmp/src")"; exit 1; }

# Everything the build left in the tree is covered by a .gitignore.
unignored() {
	local f bad=
	(cd "$src" && find . -type f | LC_ALL=C sort) >"$tmp/files.after"
	for f in $(comm -13 "$tmp/files.before" "$tmp/files.after"); do
		git -C "$top" check-ignore -q --no-index -- "${f#./}" 2>/dev/null ||
			bad="$bad ${f#./}"
	done
	[ -z "$bad" ] || { echo "# not ignored:$bad"; return 1; }
}
if git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	check "build products in the tree are all gitignored" unignored
fi

clean_tree() {
	(cd "$src" && debian/rules clean) >"$tmp/clean.log" 2>&1 || {
		sed 's/^/# /' "$tmp/clean.log" | tail -5; return 1; }
	(cd "$src" && find . -type f | LC_ALL=C sort) >"$tmp/files.clean"
	diff -u "$tmp/files.before" "$tmp/files.clean" | sed -n 's/^[+-]\.\//# left: /p'
	cmp -s "$tmp/files.before" "$tmp/files.clean"
}
check "debian/rules clean (no kernel tree needed) leaves the copy as it was" clean_tree

source_pkg() {
	(cd "$src" && dpkg-source -b .) >"$tmp/source.log" 2>&1 || {
		sed 's/^/# /' "$tmp/source.log" | tail -5; return 1; }
	! tar -tf "$tmp/src/sipalg_$ver.tar.xz" | grep -E '/(\.git|\.cache|debian/sipalg-dkms)/'
}
check "dpkg-source -b builds the source package (3.0 native)" source_pkg

# --- contents --------------------------------------------------------------
# Regular files (and links) the .deb ships, as absolute paths.
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { p = $6; sub(/^\./, "", p); print p }' |
	LC_ALL=C sort >"$tmp/contents"
usr_src=/usr/src/sipalg-$upver
mod_sources=$(make -s -C "$src" --no-print-directory KDIR=/nonexistent \
	--eval='print-sources: ; @echo $(MODULE_SOURCES)' print-sources 2>/dev/null)
for f in $mod_sources dkms.conf; do echo "$usr_src/$f"; done |
	LC_ALL=C sort >"$tmp/want"
grep "^$usr_src/" "$tmp/contents" >"$tmp/got"
exact_sources() {
	[ -n "$mod_sources" ] || { echo "# MODULE_SOURCES is empty"; return 1; }
	diff -u "$tmp/want" "$tmp/got" | sed -n 's/^\([+-]\)\//# \1 \//p'
	cmp -s "$tmp/want" "$tmp/got"
}
check "$usr_src holds exactly MODULE_SOURCES + dkms.conf ($(wc -l <"$tmp/want") files)" exact_sources

root=$tmp/root
dpkg-deb -x "$deb" "$root"
dpkg-deb -e "$deb" "$tmp/control"

h_ver=$(sed -n 's/^#define SIPALG_VERSION "\(.*\)"/\1/p' "$top/include/version.h")
c_ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$root$usr_src/dkms.conf" 2>/dev/null)
check "versions agree: changelog $upver, include/version.h $h_ver, dkms.conf $c_ver" \
	test "$upver" = "$h_ver" -a "$upver" = "$c_ver"
check "packaged dkms.conf is the tree's with @VERSION@ = $upver" \
	cmp -s <(sed "s/@VERSION@/$upver/" "$top/dkms.conf") "$root$usr_src/dkms.conf"
check "postinst registers sipalg $upver with DKMS, prerm removes it" \
	eval "grep -q '^DKMS_VERSION=$upver\$' '$tmp/control/postinst' &&
	      grep -q 'dkms remove' '$tmp/control/prerm'"
check "depends on dkms" eval "dpkg-deb -f '$deb' Depends | grep -q '\\bdkms\\b'"
inert_conf() {
	local f=$root/etc/modprobe.d/sipalg.conf
	[ -f "$f" ] && grep -qx /etc/modprobe.d/sipalg.conf "$tmp/control/conffiles" &&
		grep -q 'options nf_conntrack_sipalg' "$f" &&
		! grep -Ev '^[[:space:]]*(#|$)' "$f"
}
check "/etc/modprobe.d/sipalg.conf is a conffile with every line commented out" inert_conf
check "README.md is in /usr/share/doc/sipalg-dkms" \
	test -s "$root/usr/share/doc/sipalg-dkms/README.md.gz"

# --- DKMS builds what the package ships --------------------------------------
if [ $# -eq 0 ]; then
	k61=$("$top/tests/vm/kernels.sh" 6.1 2>"$tmp/kernels.err" | awk '{ print $3 }')
	if [ -z "$k61" ]; then
		echo "SKIP: $T: dkms build: no 6.1 headers ($(tail -1 "$tmp/kernels.err"))"
		exit $ret
	fi
	set -- "$k61"
fi
mkdir -p "$tmp/dkms" /var/lib/dkms
mount --bind "$tmp/dkms" /var/lib/dkms || { fail "cannot bind $tmp/dkms over /var/lib/dkms"; exit 1; }
if dkms add "$root$usr_src" >"$tmp/add.log" 2>&1; then
	pass "dkms add of the packaged $usr_src"
else
	fail "dkms add of the packaged $usr_src: $(tail -1 "$tmp/add.log")"
	exit 1
fi
for kdir in "$@"; do
	kdir=$(cd "$kdir" && pwd -P)
	kver=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' \
		"$kdir/include/generated/utsrelease.h")
	log=$tmp/build-$kver.log
	name="dkms build of the packaged sources for $kver"
	t0=$SECONDS
	if dkms build -m sipalg -v "$upver" -k "$kver" --kernelsourcedir "$kdir" \
		>"$log" 2>&1; then
		mods=$(ls /var/lib/dkms/sipalg/"$upver"/"$kver"/*/module/nf_conntrack_sipalg.ko* \
			/var/lib/dkms/sipalg/"$upver"/"$kver"/*/module/nf_nat_sipalg.ko* 2>/dev/null)
		if [ "$(echo "$mods" | grep -c .)" -ne 2 ]; then
			fail "$name: modules missing: $mods"
		else
			pass "$name in $((SECONDS - t0))s"
			for m in $mods; do
				v=$(modinfo -F version "$m" 2>/dev/null)
				check "$(basename "${m%%.ko*}") reports version $upver" \
					test "$v" = "$upver"
			done
		fi
	else
		fail "$name: $(grep -m3 -iE 'error|warning' "$log" | tr '\n' ' ')"
		sed 's/^/# /' "$log" | tail -20
	fi
done
exit $ret
