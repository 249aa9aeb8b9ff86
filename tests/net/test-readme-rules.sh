#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# README.md's rule snippets work as written: every fenced block marked as
# executable (see tests/net/readme_blocks.py for the info strings) is run
# verbatim in the router of a fresh LAN-router-WAN topology, and a SIP flow
# crossing that router must then carry helper=sipalg.
#
#       LAN                                    WAN
#  +-----------+        +---------------+        +-----------+
#  |    cli    |        |      rtr      |        |    srv    |
#  |   veth0 --+--------+-- lan    wan -+--------+-- veth0   |
#  +-----------+        +---------------+        +-----------+
#  192.168.0.31/24      masquerade out of wan;  203.0.113.5/24
#  fd00:1::31/64        + README's block         2001:db8:203::5/64
#
#  ```conf /etc/modprobe.d/X.conf    installed first (/etc/modprobe.d and
#                                    /etc/modules-load.d get tmpfs
#                                    overlays for the test); its "options" are
#                                    checked in /sys/module at the end
#  ```conf /etc/modules-load.d/X.conf  each module in it modprobe'd (as at
#                                    boot), after the modprobe.d files
#  ```sh router     bash -e in rtr; "modprobe M" lines: M is loaded after;
#                   if the block changed rtr's rule set: the flow checks
#  ```nft router    nft -f - in rtr, then the flow checks
#  ```nft fw4       inside a stand-in for OpenWrt's `table inet fw4` (fw4's
#                   lan/wan defines, a prerouting chain that gives flows from
#                   the lan the in-tree "sip" helper at priority filter, as
#                   fw4 does with kmod-nf-nathelper-extra), then the flows
#
#  flow checks: UDP/IPv4 SIP OPTIONS cli -> srv:5060 gets helper=sipalg in
#  rtr; also UDP/IPv6 if the block names ip6tables or an inet/ip6 table (or
#  is fw4), and TCP/IPv4 if it mentions tcp.
#
# "modprobe nf_nat_sipalg" must find our modules: the test lays a tmpfs
# overlay over /lib/modules/$(uname -r) with $SIPALG_KO_DIR/*.ko in
# updates/sipalg-test/ and a depmod index of them plus the kernel's
# netfilter, ipv4/6, core, sched, netlink, bridge and crypto modules and
# veth, with their dependencies (other modules cannot be modprobe'd while the
# test runs). All undone at exit. So it runs only in the test VM:
#   tests/vm/run --kernel 6.1 tests/net/test-readme-rules.sh
# and SKIPs when README.md has no marked block.
# Env: SIPALG_README (default: the tree's README.md).
set -u
# shellcheck disable=SC2034  # used by lib.sh
TEST_NAME="readme-rules"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

readme=${SIPALG_README:-$here/../../README.md}
extract() { python3 "$here/readme_blocks.py" "$readme" "$@"; }

checktool "python3 --version" "run python3"
checktool "nft --version" "run nft"
checktool "conntrack --version" "run conntrack"
checktool "ip netns list" "use ip netns"
checktool "depmod --version" "run depmod"

if ! list=$(extract); then
	fail "readme_blocks.py cannot read $readme"
	exit "$ksft_fail"
fi
if [[ -z $list ]]; then
	echo "FAIL: $TEST_NAME: $(basename "$readme") has no marked blocks (info strings \"nft router\", \"sh router\", \"nft fw4\", \"conf /etc/modprobe.d/NAME.conf\")"
	exit "$ksft_fail"
fi
if [[ -z ${SIPALG_VM_KERNEL:-} ]]; then
	echo "SKIP: $TEST_NAME: runs only in the test VM (it overlays /lib/modules and /etc/modprobe.d): tests/vm/run tests/net/test-readme-rules.sh"
	exit "$ksft_skip"
fi
require_sipalg_ko

kver=$(uname -r)
moddir=/lib/modules/$kver
tmp=$(mktemp -d /tmp/readme-rules.XXXXXX)
mounted=()
unload_sip=

cleanup() {
	local m i
	cleanup_all_ns
	# Rule sets of a deleted netns go away asynchronously.
	busywait 10000 sipalg_unload >/dev/null 2>&1
	[[ -n $unload_sip ]] && rmmod nf_conntrack_sip 2>/dev/null
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		m=${mounted[i]}
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	rm -rf "$tmp"
}
trap cleanup EXIT

# overlay DIR: DIR becomes writable, changes land in $tmp and vanish after.
overlay() {
	local d=$1 n
	n=$tmp/ovl/$(echo "$d" | tr / _)
	mkdir -p "$n/u" "$n/w" "$d" || return 1
	mount -t overlay overlay -o "lowerdir=$d,upperdir=$n/u,workdir=$n/w" "$d" || return 1
	mounted+=("$d")
}

sipalg_unload || { fail "our modules were loaded and cannot be unloaded"; exit "$ksft_fail"; }

# --- our modules where modprobe looks ---------------------------------------
# A full depmod reads every module of the kernel (~400 MB over 9p: minutes
# without KVM), so the index is built from a tree of symlinks to what a
# router's rule sets and this test can load -- the networking modules that
# LOCAL_MODS names, with everything they depend on, per modules.dep -- plus
# ours, and laid over the real index for the test's duration.
LOCAL_MODS='^kernel/(net/(netfilter|ipv4|ipv6|core|sched|netlink|bridge)/|drivers/net/veth\.ko|crypto/|arch/[^/]+/crypto/)'
install_modules() {
	local root=$tmp/depmod m=$tmp/depmod/lib/modules/$kver
	mkdir -p "$m/updates/sipalg-test" || return 1
	awk -v re="$LOCAL_MODS" '{ sub(/:$/, "", $1) }
		$1 ~ re { for (i = 1; i <= NF; i++) print $i }' \
		"$moddir/modules.dep" | sort -u >"$tmp/local-mods" || return 1
	# (one cp for all the links: every fork is slow in an emulated guest)
	sed "s#^#$moddir/#" "$tmp/local-mods" | xargs cp -s --parents -t "$root" ||
		return 1
	cp "$moddir"/modules.order "$moddir"/modules.builtin* "$m/" || return 1
	cp "$SIPALG_KO_DIR/$CT_MOD.ko" "$SIPALG_KO_DIR/$NAT_MOD.ko" \
		"$m/updates/sipalg-test/" || return 1
	depmod -b "$root" -a "$kver" || return 1
	overlay "$moddir" || return 1
	mkdir -p "$moddir/updates/sipalg-test" &&
	cp "$m"/updates/sipalg-test/*.ko "$moddir/updates/sipalg-test/" &&
	cp "$m"/modules.* "$moddir/" &&
	[[ $(modinfo -n "$CT_MOD") == "$moddir/updates/sipalg-test/$CT_MOD.ko" &&
	   $(modinfo -n "$NAT_MOD") == "$moddir/updates/sipalg-test/$NAT_MOD.ko" ]]
}
if ! install_modules; then
	fail "install the modules under a tmpfs overlay of $moddir (depmod; modinfo -n: $(modinfo -n "$CT_MOD" 2>&1))"
	exit "$ksft_fail"
fi
info "$(wc -l <"$tmp/local-mods") modules + ours indexed for modprobe after ${SECONDS}s"

# Blocks may write module configuration ("echo ... > /etc/modules-load.d/"):
# give them writable, throwaway copies of those folders.
for d in /etc/modprobe.d /etc/modules-load.d; do
	[[ -d $d ]] || continue
	overlay "$d" || { fail "tmpfs overlay on $d"; exit "$ksft_fail"; }
done

# Marked blocks: "INDEX LINE KIND [ARG]"; each block's text in $tmp/b<INDEX>.
declare -A where kinds args
order=()
while read -r idx line k arg; do
	extract --text "$idx" >"$tmp/b$idx" || { fail "extract block $idx"; exit "$ksft_fail"; }
	where[$idx]="README.md:$line ($k${arg:+ $arg})"
	kinds[$idx]=$k args[$idx]=${arg:-}
	order+=("$idx")
done <<<"$list"
info "marked blocks: ${#order[@]}"

# --- flow checks -----------------------------------------------------------
flows_for() {	# FILE KIND -> "udp4 [udp6] [tcp4]"
	local f=$1 k=$2 out=udp4
	if [[ $k == fw4 ]] || grep -Eq 'ip6tables|table[[:space:]]+(inet|ip6)[[:space:]]' "$f"; then
		out+=" udp6"
	fi
	grep -qw tcp "$f" && out+=" tcp4"
	echo "$out"
}

flow_check() {	# WHAT FLOW
	local what=$1 flow=$2
	case $flow in
	udp4)
		send_udp "$cli" $SRV4 5060 "$(sip_options $CLI4 5070 $SRV4 5060)" 2>/dev/null
		CT_MATCH="udp .*src=$CLI4 dst=$SRV4 sport=[0-9]+ dport=5060 .*helper=sipalg( |$)"
		check "$what: udp/ipv4 SIP flow through rtr gets helper=sipalg" \
			busywait "$BUSYWAIT_TIMEOUT" ct_has "$rtr" -p udp -f ipv4 ;;
	udp6)
		send_udp "$cli" $SRV6 5060 "$(sip_options "[$CLI6]" 5070 "[$SRV6]" 5060)" 2>/dev/null
		CT_MATCH="udp .*src=$CLI6 dst=$SRV6 sport=[0-9]+ dport=5060 .*helper=sipalg( |$)"
		check "$what: udp/ipv6 SIP flow through rtr gets helper=sipalg" \
			busywait "$BUSYWAIT_TIMEOUT" ct_has "$rtr" -p udp -f ipv6 ;;
	tcp4)
		ip netns exec "$srv" busybox nc -l -p 5060 >/dev/null 2>&1 &
		listening() { ip netns exec "$srv" ss -Htln 'sport = :5060' | grep -q LISTEN; }
		if ! busywait "$BUSYWAIT_TIMEOUT" listening; then
			fail "$what: tcp/ipv4: no listener in srv"
			return
		fi
		ip netns exec "$cli" timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/5060" && printf "%s" "$2" >&3' \
			_ $SRV4 "$(sip_options $CLI4 5070 $SRV4 5060)" 2>/dev/null
		CT_MATCH="tcp .*src=$CLI4 dst=$SRV4 sport=[0-9]+ dport=5060 .*helper=sipalg( |$)"
		check "$what: tcp/ipv4 SIP flow through rtr gets helper=sipalg" \
			busywait "$BUSYWAIT_TIMEOUT" ct_has "$rtr" -p tcp -f ipv4 ;;
	esac
}

# Everything that attaches helpers in rtr, to see whether a block added rules.
rtr_rules() {
	ip netns exec "$rtr" nft list ruleset 2>/dev/null
	ip netns exec "$rtr" iptables-legacy-save 2>/dev/null | grep -v '^#'
	ip netns exec "$rtr" ip6tables-legacy-save 2>/dev/null | grep -v '^#'
}

fresh_topology() {
	cleanup_all_ns
	setup_topology || { fail "cannot build the netns topology"; exit "$ksft_fail"; }
}

# The fw4 stand-in: what fw4 renders around /etc/nftables.d/*.nft for zones
# lan and wan, including the helper assignment fw4 makes for the in-tree
# "sip" helper when it is available.
fw4_wrap() {	# WITH_IN_TREE_SIP(0|1) BLOCKFILE
	local sip=$1
	cat <<-EOF
	table inet fw4
	flush table inet fw4
	table inet fw4 {
	EOF
	[[ $sip == 1 ]] && printf '\tct helper sip {\n\t\ttype "sip" protocol udp;\n\t}\n'
	cat <<-EOF
		define lan_devices = { "lan" }
		define lan_subnets = { 192.168.0.0/24, fd00:1::/64 }
		define wan_devices = { "wan" }
		define wan_subnets = { 203.0.113.0/24, 2001:db8:203::/64 }
	EOF
	cat "$2"
	echo
	printf '\tchain prerouting {\n\t\ttype filter hook prerouting priority filter; policy accept;\n'
	[[ $sip == 1 ]] && printf '\t\tiifname "lan" jump helper_lan\n'
	printf '\t}\n'
	[[ $sip == 1 ]] && printf '\tchain helper_lan {\n\t\tudp dport 5060 ct helper set "sip"\n\t}\n'
	echo "}"
}

# --- 1. files (modprobe.d, modules-load.d) ----------------------------------
optfiles=() loadfiles=()
for idx in "${order[@]}"; do
	[[ ${kinds[$idx]} == file ]] || continue
	dest=${args[$idx]}
	case " ${mounted[*]} " in
	*" ${dest%/*} "*) ;;
	*) overlay "${dest%/*}" || { fail "tmpfs overlay on ${dest%/*}"; continue; } ;;
	esac
	if cp "$tmp/b$idx" "$dest"; then
		pass "${where[$idx]}: installed as $dest"
	else
		fail "${where[$idx]}: cannot install $dest"
		continue
	fi
	case $dest in
	/etc/modprobe.d/*) optfiles+=("$dest") ;;
	/etc/modules-load.d/*) loadfiles+=("$idx") ;;
	esac
done
# What systemd-modules-load does at boot, with every config file in place.
for idx in "${loadfiles[@]}"; do
	mods=$(sed -e 's/[#;].*//' "${args[$idx]}" | awk 'NF { print $1 }')
	ok=1
	for m in $mods; do modprobe "$m" || ok=0; done
	check "${where[$idx]}: modprobe of every module it lists (${mods//$'\n'/ })" \
		test "$ok" = 1
done

# --- 2. the other blocks, in README order ------------------------------------
in_tree_sip=0
mod_loaded nf_conntrack_sip || unload_sip=1
modprobe -q nf_conntrack_sip 2>/dev/null && in_tree_sip=1

for idx in "${order[@]}"; do
	k=${kinds[$idx]} what=${where[$idx]} f=$tmp/b$idx
	[[ $k == file ]] && continue
	fresh_topology
	before=$(rtr_rules)
	case $k in
	sh)
		if ip netns exec "$rtr" bash -e "$f" >"$tmp/out" 2>&1; then
			pass "$what: runs in the router ($(grep -c . "$f") lines)"
		else
			fail "$what: exits non-zero: $(tail -n 2 "$tmp/out" | tr '\n' ' ')"
			continue
		fi
		while read -r m; do
			check "$what: module ${m//-/_} is loaded" mod_loaded "${m//-/_}"
		done < <(sed -n 's/^[[:space:]]*modprobe[[:space:]]\+\([A-Za-z0-9_-]\+\).*/\1/p' "$f")
		[[ $(rtr_rules) != "$before" ]] || continue ;;
	nft)
		if ip netns exec "$rtr" nft -f - <"$f" >"$tmp/out" 2>&1; then
			pass "$what: nft -f - loads it in the router"
		else
			fail "$what: nft -f - refuses it: $(head -n 3 "$tmp/out" | tr '\n' ' ')"
			continue
		fi ;;
	fw4)
		fw4_wrap "$in_tree_sip" "$f" >"$tmp/fw4.nft"
		if ip netns exec "$rtr" nft -f - <"$tmp/fw4.nft" >"$tmp/out" 2>&1; then
			pass "$what: loads inside a stand-in fw4 table$( ((in_tree_sip)) && echo " that also sets the in-tree sip helper")"
		else
			fail "$what: nft refuses it inside table inet fw4: $(head -n 3 "$tmp/out" | tr '\n' ' ')"
			sed 's/^/# /' "$tmp/fw4.nft"
			continue
		fi ;;
	esac
	for flow in $(flows_for "$f" "$k"); do
		flow_check "$what" "$flow"
	done
done

# --- 3. what the modprobe.d files asked for --------------------------------
for conf in "${optfiles[@]}"; do
	while read -r _ mod params; do
		for kv in $params; do
			p=${kv%%=*} want=${kv#*=}
			sys=/sys/module/${mod//-/_}/parameters/$p
			got=$(cat "$sys" 2>/dev/null) || got="(unreadable: module not loaded?)"
			if [[ $got == [YN] ]]; then
				case $want in 1|y|Y) want=Y ;; 0|n|N) want=N ;; esac
			fi
			check "$conf: $mod $p=$want in effect (reads $got)" test "$got" = "$want"
		done
	done < <(sed -e 's/#.*//' "$conf" | awk '$1 == "options" && NF > 2')
done

# --- 4. control: without README's rules no helper --------------------------
if [[ $(cat /sys/module/$CT_MOD/parameters/auto_assign 2>/dev/null) == Y ]]; then
	info "control skipped: auto_assign=1 attaches the helper without rules"
else
	fresh_topology
	send_udp "$cli" $SRV4 5060 "$(sip_options $CLI4 5070 $SRV4 5060)" 2>/dev/null
	CT_MATCH="udp .*src=$CLI4 dst=$SRV4 sport=[0-9]+ dport=5060 "
	seen() { busywait "$BUSYWAIT_TIMEOUT" ct_has "$rtr" -p udp -f ipv4; }
	no_helper() { ! ip netns exec "$rtr" conntrack -L -p udp -f ipv4 2>/dev/null | grep -q 'helper='; }
	check "control: without README's rules the flow is tracked with no helper" \
		eval 'seen && no_helper'
fi

exit $ret
