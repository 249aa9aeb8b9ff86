#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a debug kernel for `make check-debug`: Debian's linux-source-6.1
# with a small config (x86_64 defconfig + kvm_guest.config + what the netns
# tests need) plus KASAN, UBSAN, lockdep (PROVE_LOCKING/PROVE_RCU),
# kmemleak, DEBUG_LIST and friends.  panic_on_warn=1 and oops=panic come
# from tests/vm/run's kernel command line, so every WARN fails the run.
#
#   tests/debug/build-kernel.sh [-j N]
#
# Everything lives under .cache/debug-kernel/ (outside git):
#   src/linux-source-6.1/      unpacked tree, also the KDIR for our modules
#   root/lib/modules/<kver>/   modules_install output (MODDIR)
#   stamp-<pkgversion>-<cfg>   a finished build (a second run prints at once)
# and prints one line in tests/vm/kernels.sh's format:
#
#   debug KVER KDIR VMLINUZ MODDIR
#
# The first build takes long (KASAN + lockdep; about an hour on 2 CPUs):
# this is not part of `make check`.  Needs root for apt-get the first time.
# Env: SIPALG_CACHE (default <repo>/.cache).
set -u
set -o pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CACHE=${SIPALG_CACHE:-$ROOT/.cache}
D=$CACHE/debug-kernel
JOBS=$(nproc)
[[ ${1:-} == -j ]] && JOBS=${2:?}

die() { echo "build-kernel: $*" >&2; exit 1; }
log() { echo "build-kernel: $*" >&2; }

pkgs=(linux-source-6.1 build-essential bc bison flex libelf-dev libssl-dev
      cpio kmod xz-utils rsync)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
	log "installing ${missing[*]}"
	apt-get install -y -q "${missing[@]}" >&2 || die "apt-get install failed"
fi

pkgver=$(dpkg-query -W -f='${Version}' linux-source-6.1) || die "linux-source-6.1 is not installed"
tarball=$(find /usr/src -maxdepth 1 -name "linux-source-6.1.tar.*" | head -n1)
[[ -r $tarball ]] || die "no /usr/src/linux-source-6.1.tar.* (package linux-source-6.1)"

# The options, one per line: NAME=VALUE (y, m, n, or a string/number).
options() {
	cat <<-'EOF'
	# boot under tests/vm/run: ELF kernel through PVH, serial consoles, 9p root
	PVH=y
	SERIAL_8250=y
	SERIAL_8250_CONSOLE=y
	DEVTMPFS=y
	DEVTMPFS_MOUNT=y
	TMPFS=y
	BLK_DEV_INITRD=y
	VIRTIO_PCI=m
	NET_9P=m
	NET_9P_VIRTIO=m
	9P_FS=m
	9P_FS_POSIX_ACL=y
	MODULES=y
	MODULE_UNLOAD=y
	MODULE_SIG=n
	MODVERSIONS=n
	DEBUG_INFO_NONE=y
	DEBUG_INFO_BTF=n
	# what the netns tests use
	NET_NS=y
	VETH=m
	BRIDGE=m
	IPV6=y
	INET_DIAG=m
	INET_UDP_DIAG=m
	# test-readme-rules lays tmpfs-backed overlays over /lib/modules and /etc
	OVERLAY_FS=m
	NETFILTER=y
	NETFILTER_ADVANCED=y
	NETFILTER_NETLINK=m
	NF_CONNTRACK=m
	NF_CONNTRACK_PROCFS=y
	NF_CONNTRACK_EVENTS=y
	NF_CONNTRACK_SIP=m
	NF_CT_NETLINK=m
	NF_NAT=m
	NF_NAT_SIP=m
	NF_NAT_MASQUERADE=y
	NF_TABLES=m
	NF_TABLES_INET=y
	NF_TABLES_IPV4=y
	NF_TABLES_IPV6=y
	NFT_CT=m
	NFT_NAT=m
	NFT_MASQ=m
	NFT_COMPAT=m
	NFT_OBJREF=m
	NETFILTER_XTABLES=m
	NETFILTER_XT_TARGET_CT=m
	NETFILTER_XT_MATCH_CONNTRACK=m
	IP_NF_IPTABLES=m
	IP_NF_RAW=m
	IP_NF_FILTER=m
	IP_NF_NAT=m
	IP_NF_TARGET_MASQUERADE=m
	IP6_NF_IPTABLES=m
	IP6_NF_RAW=m
	IP6_NF_FILTER=m
	IP6_NF_NAT=m
	IP6_NF_TARGET_MASQUERADE=m
	# the checkers
	KASAN=y
	KASAN_GENERIC=y
	KASAN_INLINE=y
	KASAN_VMALLOC=y
	UBSAN=y
	UBSAN_BOUNDS=y
	UBSAN_SHIFT=y
	UBSAN_SANITIZE_ALL=y
	PROVE_LOCKING=y
	PROVE_RCU=y
	DEBUG_ATOMIC_SLEEP=y
	DEBUG_LIST=y
	DEBUG_OBJECTS=y
	DEBUG_OBJECTS_RCU_HEAD=y
	DEBUG_OBJECTS_TIMERS=y
	DEBUG_KMEMLEAK=y
	DEBUG_KMEMLEAK_AUTO_SCAN=n
	SLUB_DEBUG=y
	KFENCE=n
	PANIC_ON_OOPS=y
	SOFTLOCKUP_DETECTOR=y
	DETECT_HUNG_TASK=y
	DEBUG_FS=y
	EOF
}
cfg_hash=$( { options; echo v1; } | sha256sum | cut -c1-12)
src=$D/src/linux-source-6.1
stamp=$D/stamp-$pkgver-$cfg_hash

if [[ ! -e $stamp ]]; then
	start=$SECONDS
	mkdir -p "$D/src" || die "mkdir $D"
	if [[ ! -e $src/Makefile || ! -e $D/src/.pkgver-$pkgver ]]; then
		log "unpacking $tarball"
		rm -rf "$src" "$D"/src/.pkgver-*
		tar -C "$D/src" -xf "$tarball" || die "cannot unpack $tarball"
		touch "$D/src/.pkgver-$pkgver"
	fi
	cd "$src" || die "cd $src"
	log "configuring"
	make -s x86_64_defconfig >&2 || die "defconfig failed"
	make -s kvm_guest.config >&2 || die "kvm_guest.config failed"
	while IFS= read -r line; do
		[[ -z $line || $line == \#* ]] && continue
		name=${line%%=*} val=${line#*=}
		case $val in
		y) scripts/config --enable "$name" ;;
		m) scripts/config --module "$name" ;;
		n) scripts/config --disable "$name" ;;
		*) scripts/config --set-val "$name" "$val" ;;
		esac
	done < <(options)
	scripts/config --set-str LOCALVERSION -sipalg-debug --disable LOCALVERSION_AUTO
	make -s olddefconfig >&2 || die "olddefconfig failed"
	# olddefconfig drops what it cannot satisfy: say so instead of
	# building something else than asked for
	bad=0
	while IFS= read -r line; do
		[[ -z $line || $line == \#* ]] && continue
		name=${line%%=*} val=${line#*=}
		got=$(scripts/config --state "$name")
		case $val in
		y) [[ $got == y ]] || { log "CONFIG_$name=$got, wanted y"; bad=1; } ;;
		# built in is as good as a module (defconfig selects some)
		m) [[ $got == m || $got == y ]] || { log "CONFIG_$name=$got, wanted m"; bad=1; } ;;
		n) [[ $got == n || $got == undef ]] || { log "CONFIG_$name=$got, wanted n"; bad=1; } ;;
		esac
	done < <(options)
	((bad)) && die "the config does not have what the tests need (see above)"
	log "building with -j$JOBS (KASAN, UBSAN, lockdep, kmemleak: this takes a while)"
	make -j"$JOBS" bzImage modules >"$D/build.log" 2>&1 ||
		{ tail -n 30 "$D/build.log" >&2; die "build failed, log in $D/build.log"; }
	rm -rf "$D/root"
	make -s INSTALL_MOD_PATH="$D/root" modules_install >&2 || die "modules_install failed"
	kver=$(make -s kernelrelease)
	depmod -b "$D/root" "$kver" || die "depmod failed"
	ln -sfn "$src" "$D/root/lib/modules/$kver/build"
	echo "$kver $((SECONDS - start))" >"$stamp"
	log "built $kver in $((SECONDS - start)) s"
fi
read -r kver secs <"$stamp"
log "$kver (its last build took ${secs} s)"
echo "debug $kver $src $src/arch/x86/boot/bzImage $D/root/lib/modules/$kver"
