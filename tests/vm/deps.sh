#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages the qemu harness and the netns tests need,
# but only those that are missing: a second run costs one dpkg-query.
#
#   tests/vm/deps.sh [EXTRA_PACKAGE...]
#
# Env: SIPALG_NO_INSTALL=1 only reports what is missing (exit 1 if any).
set -u

pkgs=(
	qemu-system-x86 linux-image-amd64 linux-headers-amd64 busybox-static
	kmod cpio nftables iptables iproute2 conntrack tcpdump python3
	python3-scapy sip-tester dwarves xz-utils zstd make gcc
)
pkgs+=("$@")

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)
	[[ $st == ii* ]] || missing+=("$p")
done
((${#missing[@]})) || exit 0

if [[ -n ${SIPALG_NO_INSTALL:-} ]]; then
	echo "deps: missing: ${missing[*]}" >&2
	exit 1
fi
if ((EUID != 0)); then
	echo "deps: need root to install: ${missing[*]}" >&2
	exit 1
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Update the package lists only when an install fails on a stale cache.
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 ||
	{ apt-get update -q >&2 &&
	  apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; }
