#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A SIP flow from the LAN crosses the router's masquerade and conntrack in
# the router attaches the "sipalg" helper to it (UDP over IPv4 and IPv6,
# TCP over IPv4).
#
#       LAN                                    WAN
#  +-----------+        +---------------+        +-----------+
#  |    cli    |        |      rtr      |        |    srv    |
#  |   veth0 --+--------+-- lan    wan -+--------+-- veth0   |
#  +-----------+        +---------------+        +-----------+
#  192.168.0.31/24      192.168.0.1/24  203.0.113.1/24  203.0.113.5/24
#  fd00:1::31/64        fd00:1::1/64    2001:db8:203::1/64 2001:db8:203::5/64
#                       masquerade out of wan;
#                       ct helper "sipalg" on udp/tcp dport 5060
#
#  cli --- SIP OPTIONS ---> srv:5060   =>  conntrack -L in rtr:
#      src=192.168.0.31 ... dport=5060 src=203.0.113.5 dst=203.0.113.1 ... helper=sipalg
set -u
# shellcheck disable=SC2034  # used by lib.sh
TEST_NAME="conntrack-flow"
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

checktool "nft --version" "run nft"
checktool "conntrack --version" "run conntrack"
checktool "ip netns list" "use ip netns"
require_sipalg_ko

cleanup() {
	cleanup_all_ns
	busywait 10000 sipalg_unload >/dev/null 2>&1
}
trap cleanup EXIT

sipalg_unload || { fail "our modules were loaded and cannot be unloaded"; exit "$ksft_fail"; }
sipalg_load "$NAT_MOD" || { fail "loading our modules"; exit "$ksft_fail"; }
setup_ok "set up the LAN-router-WAN topology" setup_topology
# shellcheck disable=SC2154  # set by setup_topology
{
rtr_helper_rules sipalg udp 5060 && rtr_helper_rules sipalg tcp 5060
} || { fail "nft rules with ct helper \"sipalg\" in rtr"; exit "$ksft_fail"; }

setup_ok "cli reaches srv through the masquerade" \
	ip netns exec "$cli" busybox ping -c 1 -W 2 $SRV4 >/dev/null

send_udp "$cli" $SRV4 5060 "$(sip_options $CLI4 5070 $SRV4 5060)" 2>/dev/null
# /dev/udp binds an ephemeral port; say which flow we mean by its sport.
CT_MATCH="udp .*src=$CLI4 dst=$SRV4 sport=[0-9]+ dport=5060 .*src=$SRV4 dst=$RTR_WAN4 sport=5060 .*helper=sipalg( |$)"
check "udp/ipv4 cli->srv:5060 masqueraded, conntrack in rtr shows helper=sipalg" \
	busywait "$BUSYWAIT_TIMEOUT" ct_has "$rtr" -p udp -f ipv4

send_udp "$cli" $SRV6 5060 "$(sip_options "[$CLI6]" 5070 "[$SRV6]" 5060)" 2>/dev/null
CT_MATCH="udp .*src=$CLI6 dst=$SRV6 sport=[0-9]+ dport=5060 .*src=$SRV6 dst=$RTR_WAN6 sport=5060 .*helper=sipalg( |$)"
check "udp/ipv6 cli->srv:5060 masqueraded, conntrack in rtr shows helper=sipalg" \
	busywait "$BUSYWAIT_TIMEOUT" ct_has "$rtr" -p udp -f ipv6

# TCP: a listener in srv, one connection from cli carrying an OPTIONS.
ip netns exec "$srv" busybox nc -l -p 5060 >/dev/null 2>&1 &
listening() { ip netns exec "$srv" ss -Htln 'sport = :5060' | grep -q LISTEN; }
if busywait "$BUSYWAIT_TIMEOUT" listening; then
	ip netns exec "$cli" bash -c 'exec 3<>"/dev/tcp/$1/5060" && printf "%s" "$2" >&3' \
		_ $SRV4 "$(sip_options $CLI4 5070 $SRV4 5060)" 2>/dev/null
	CT_MATCH="tcp .*src=$CLI4 dst=$SRV4 sport=[0-9]+ dport=5060 .*src=$SRV4 dst=$RTR_WAN4 sport=5060 .*helper=sipalg( |$)"
	check "tcp/ipv4 cli->srv:5060 masqueraded, conntrack in rtr shows helper=sipalg" \
		busywait "$BUSYWAIT_TIMEOUT" ct_has "$rtr" -p tcp -f ipv4
else
	fail "tcp/ipv4 cli->srv:5060: no listener in srv"
fi

exit $ret
