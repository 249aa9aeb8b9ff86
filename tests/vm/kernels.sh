#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepare the kernels sipalg is tested on and print one line per kernel:
#
#   NAME KVER KDIR VMLINUZ MODDIR
#
#   6.1   Debian bookworm's linux-image-amd64 / linux-headers-amd64 (installed
#         on the host with tests/vm/deps.sh).
#   6.12  the newest 6.12 of bookworm-backports, fetched with apt-get download
#         through a private APT_CONFIG (the system's sources are not touched)
#         and unpacked under .cache/kernels/<kver>/.
#
# Usage: tests/vm/kernels.sh [--refresh] [NAME...]
#   --refresh   look for a newer 6.12 in bookworm-backports (otherwise a
#               prepared kernel is reused without any network access)
#   NAME...     print only these kernels (default: 6.1 6.12)
#   debug       Debian's linux-source-6.1 built with KASAN, UBSAN, lockdep
#               and kmemleak by tests/debug/build-kernel.sh (never a
#               default: the first build takes an hour; make check-debug)
#
# Each kernel is checked once by building a trivial module against KDIR;
# the result is remembered in a stamp file, so a second run is instant.
# Env: SIPALG_CACHE (default <repo>/.cache), SIPALG_MIRROR (default
# http://deb.debian.org/debian).
set -u

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${SIPALG_CACHE:-$ROOT/.cache}
KCACHE=$CACHE/kernels
MIRROR=${SIPALG_MIRROR:-http://deb.debian.org/debian}
BPO_SERIES=6.12

die() { echo "kernels.sh: $*" >&2; exit 1; }
log() { echo "kernels.sh: $*" >&2; }

refresh=
names=()
for a in "$@"; do
	case $a in
	--refresh) refresh=1 ;;
	-h|--help) sed -n '3,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	6.1|6.12|debug) names+=("$a") ;;
	*) die "unknown argument '$a'" ;;
	esac
done
((${#names[@]})) || names=(6.1 6.12)

mkdir -p "$KCACHE" || die "cannot create $KCACHE"
# Serialise concurrent callers (make check, build-modules.sh, run ...).
exec 9>"$KCACHE/.lock"
flock 9

"$ROOT/tests/vm/deps.sh" >&2 || die "missing packages (tests/vm/deps.sh failed)"

# Build a trivial module against $1 once per kernel; remember success.
check_kdir() {
	local kver=$1 kdir=$2 stamp=$KCACHE/.hello-ok-$1 tmp out
	[[ -e $stamp ]] && return 0
	tmp=$(mktemp -d) || return 1
	cat >"$tmp/hello.c" <<-'EOF'
	// SPDX-License-Identifier: GPL-2.0
	#include <linux/module.h>
	static int __init hello_init(void) { return 0; }
	static void __exit hello_exit(void) { }
	module_init(hello_init);
	module_exit(hello_exit);
	MODULE_LICENSE("GPL");
	EOF
	echo 'obj-m := hello.o' >"$tmp/Kbuild"
	if out=$(make -C "$kdir" M="$tmp" modules 2>&1) && [[ -e $tmp/hello.ko ]]; then
		if grep -qi 'warning:' <<<"$out"; then
			log "$kver: hello module built with warnings:"
			grep -i 'warning:' <<<"$out" >&2
		fi
		touch "$stamp"
		rm -rf "$tmp"
		log "$kver: trivial module builds against $kdir"
		return 0
	fi
	echo "$out" >&2
	rm -rf "$tmp"
	die "$kver: a trivial module does not build against $kdir"
}

# bookworm's own kernel, the one linux-headers-amd64 points at.
kernel_61() {
	local kver
	kver=$(dpkg-query -W -f='${Depends}' linux-headers-amd64 2>/dev/null |
		grep -o 'linux-headers-[^ ,]*' | head -n1)
	kver=${kver#linux-headers-}
	if [[ -z $kver ]]; then
		# Fall back to the newest 6.1 tree in /lib/modules.
		kver=$(find /lib/modules -mindepth 1 -maxdepth 1 -name '6.1.*' \
			-printf '%f\n' 2>/dev/null | sort -V | tail -n1)
	fi
	[[ -n $kver ]] || die "6.1: no Debian 6.1 kernel found (install linux-headers-amd64)"
	local kdir=/lib/modules/$kver/build vmlinuz=/boot/vmlinuz-$kver moddir=/lib/modules/$kver
	[[ -e $kdir/Makefile ]] || die "6.1: $kdir missing (install linux-headers-$kver)"
	[[ -r $vmlinuz ]] || die "6.1: $vmlinuz missing (install linux-image-$kver)"
	check_kdir "$kver" "$kdir"
	echo "6.1 $kver $kdir $vmlinuz $moddir"
}

# A private apt configuration that only knows bookworm-backports.
bpo_apt() {
	local d=$CACHE/apt
	mkdir -p "$d"/lists/partial "$d"/archives/partial "$d"/parts "$d"/prefs
	: >"$d/status"
	echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR bookworm-backports main" \
		>"$d/sources.list"
	cat >"$d/apt.conf" <<-EOF
	Dir::Etc::SourceList "$d/sources.list";
	Dir::Etc::SourceParts "$d/parts";
	Dir::Etc::Preferences "$d/prefs/none";
	Dir::Etc::PreferencesParts "$d/prefs";
	Dir::State "$d";
	Dir::State::Lists "$d/lists";
	Dir::State::status "$d/status";
	Dir::Cache "$d";
	Dir::Cache::archives "$d/archives";
	APT::Architecture "amd64";
	APT::Sandbox::User "root";
	Acquire::Languages "none";
	EOF
	export APT_CONFIG=$d/apt.conf
}

# Fetch, unpack and fix up one backports kernel; $1 = kver, $2 = deb version.
bpo_prepare() {
	local kver=$1 ver=$2 base=${1%-amd64} dir=$KCACHE/$1 debs=$KCACHE/debs d
	log "6.12: fetching $kver ($ver) from bookworm-backports"
	rm -rf "$dir" "$dir.tmp"
	mkdir -p "$dir.tmp" "$debs"
	(cd "$debs" && apt-get download -q \
		"linux-image-$kver=$ver" "linux-headers-$kver=$ver" \
		"linux-headers-$base-common=$ver" "linux-kbuild-$base=$ver" >&2) ||
		die "6.12: apt-get download failed"
	for d in "$debs"/linux-{image-"$kver",headers-"$kver",headers-"$base"-common,kbuild-"$base"}_"${ver//:/%3a}"_*.deb; do
		[[ -e $d ]] || die "6.12: $d was not downloaded"
		dpkg -x "$d" "$dir.tmp" || die "6.12: dpkg -x $d failed"
	done
	local hdr=$dir.tmp/usr/src/linux-headers-$kver
	# The arch headers include the common ones by absolute path; make it
	# relative so the tree works wherever the cache lives.
	sed -i "s|^include /usr/src/linux-headers-$base-common/Makefile|include \$(dir \$(lastword \$(MAKEFILE_LIST)))../linux-headers-$base-common/Makefile|" \
		"$hdr/Makefile"
	grep -q '^include /' "$hdr/Makefile" && die "6.12: could not fix $hdr/Makefile"
	# Modules may live in lib/ or usr/lib/ depending on the package.
	local md=$dir.tmp/lib/modules/$kver
	[[ -d $md ]] || md=$dir.tmp/usr/lib/modules/$kver
	[[ -d $md ]] || die "6.12: no modules directory in the image package"
	ln -sfn "../../../usr/src/linux-headers-$kver" "$md/build"
	depmod -b "${md%/lib/modules/*}" "$kver" || die "6.12: depmod failed"
	mv "$dir.tmp" "$dir"
	rm -f "$debs"/*.deb
}

kernel_612() {
	local cur="" kver ver dir
	[[ -r $KCACHE/bpo-$BPO_SERIES ]] && read -r cur _ <"$KCACHE/bpo-$BPO_SERIES"
	if [[ -z $cur || -n $refresh ]]; then
		bpo_apt
		apt-get update -q >&2 || die "6.12: apt-get update (bookworm-backports) failed"
		kver=$(apt-cache dumpavail |
			sed -n "s/^Package: linux-headers-\(${BPO_SERIES//./\\.}\.[0-9]*+deb12-amd64\)$/\1/p" |
			sort -V | tail -n1)
		[[ -n $kver ]] || die "6.12: no $BPO_SERIES kernel in bookworm-backports"
		ver=$(apt-cache show "linux-headers-$kver" | sed -n 's/^Version: //p' |
			sort -V | tail -n1)
		if [[ $kver != "$cur" || ! -d $KCACHE/$kver ]]; then
			bpo_prepare "$kver" "$ver"
		fi
		echo "$kver $ver" >"$KCACHE/bpo-$BPO_SERIES"
		cur=$kver
	fi
	kver=$cur
	dir=$KCACHE/$kver
	local kdir=$dir/usr/src/linux-headers-$kver vmlinuz=$dir/boot/vmlinuz-$kver
	local moddir=$dir/lib/modules/$kver
	[[ -d $moddir ]] || moddir=$dir/usr/lib/modules/$kver
	[[ -e $kdir/Makefile && -r $vmlinuz && -d $moddir ]] ||
		die "6.12: $dir is incomplete; rerun with --refresh"
	check_kdir "$kver" "$kdir"
	echo "6.12 $kver $kdir $vmlinuz $moddir"
}

for n in "${names[@]}"; do
	case $n in
	6.1) kernel_61 ;;
	6.12) kernel_612 ;;
	debug)
		line=$("$ROOT/tests/debug/build-kernel.sh") ||
			die "debug: tests/debug/build-kernel.sh failed"
		echo "$line"
		;;
	esac
done
