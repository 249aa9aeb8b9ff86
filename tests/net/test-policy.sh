#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Pinhole policy: SDP cannot make the router open a pinhole the policy does
# not allow.  The router runs a stateful forward filter (only established,
# related, and LAN->WAN pass), so an expectation is the only way in.
#
#  phone 192.168.0.31:5010       router (masquerade,        srv 203.0.113.5:5060
#  victim 192.168.0.50 (a 2nd    forward: ct related,       203.0.113.77 (3rd party)
#  LAN host, on cli's veth)      established, lan->wan)     routes 192.168.0.0/24 and
#  +-----------+        +---------------------+        +-----------+ fd00:1::/64 via
#  |    cli    |--------| lan   rtr      wan  |--------|    srv    | the router (an
#  +-----------+        +---------------------+        +-----------+ adjacent attacker)
#
#  WAN side (direct_media=1, then 0): 200 OK / incoming INVITE whose SDP
#    names 192.168.0.50, the phone's private 192.168.0.31, an a=rtcp
#    address 192.168.0.50, IPv6 fd00:1::50 -> no expectation toward them,
#    media sent there from the WAN does not arrive, media_refused counts.
#  direct_media=0: the phone's SDP naming 192.168.0.50, the PBX's naming
#    203.0.113.77 -> no pinhole; pinholes that do open admit only the
#    signalling peer (expectation source = peer), media from .77 is kept out.
#  REGISTER with a third-party Contact (192.168.0.50) opens nothing.
#  Throughout: every sipalg expectation points at the router's public
#  address or at the PBX, never straight into the LAN; the phone that is
#  party to the call does get its media.
set -u
TEST_NAME=policy
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

checktool "conntrack --version" "run conntrack"
checktool "nft --version" "run nft"
checktool "python3 -c pass" "run python3"

cleanup() { cleanup_all_ns; }
trap cleanup EXIT

VICTIM4=192.168.0.50 VICTIM6=fd00:1::50 THIRD4=203.0.113.77
setup_policy() {
	ip -n "$cli" addr add $VICTIM4/24 dev veth0 &&
	ip -n "$cli" addr add $VICTIM6/64 dev veth0 nodad &&
	ip -n "$srv" addr add $THIRD4/24 dev veth0 &&
	ip -n "$srv" route add 192.168.0.0/24 via "$RTR_WAN4" &&
	ip -n "$srv" -6 route add fd00:1::/64 via "$RTR_WAN6" &&
	ip netns exec "$rtr" nft -f - <<-EOF
	table inet policy_fw {
		chain forward {
			type filter hook forward priority filter; policy drop;
			ct state established,related accept
			iifname "lan" oifname "wan" accept
		}
	}
	EOF
}

setup_topology || { fail "set up the LAN-router-WAN topology"; exit $ksft_fail; }
setup_policy || { fail "add the LAN victim, the WAN third party and the forward filter"; exit $ksft_fail; }
export TEST_NAME HELPER=sipalg cli rtr srv CLI4 RTR_WAN4 SRV4 CLI6 RTR_WAN6 SRV6 VICTIM4 VICTIM6 THIRD4

scenario_run
