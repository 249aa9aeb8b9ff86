#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Media policy on a router with three sides: an address an SDP names is
# judged against the side the message came from.  With direct_media=1 a
# peer may name a media host on its own side, never one on another side:
# a WAN peer cannot open the router toward a DMZ host, whether its message
# is forwarded to the LAN or addressed to the router itself.
#
#  phone 192.168.0.31       router (masquerade on wan;           PBX 203.0.113.5
#  LAN host 192.168.0.50    forward: related, established,       WAN gateway
#  +-----------+            lan->wan, dmz->wan)                  203.0.113.77
#  |    cli    |------ lan +-------------------------+ wan -----+-----------+
#  +-----------+           |          rtr            |          |    srv    |
#                          |  203.0.113.1:5060 (a    |          +-----------+
#                          |  SIP listener of its own)|
#                          +-----------+-------------+
#                                      | dmz 172.16.0.1
#                               +-------------+
#                               |     dmz     | 172.16.0.10 (a server)
#                               +-------------+
#
#  1. call from the phone, the PBX answers naming the DMZ server: no
#     pinhole, media_refused +1; RTP from the WAN to the DMZ server's port
#     does not pass the forward filter
#  2. the PBX answers naming its WAN gateway: pinholes (its own side)
#  3. the phone offers a second LAN host's address: pinholes (its side)
#  4. an INVITE from the PBX to the router's own address naming the DMZ
#     server: no pinhole; naming the WAN gateway: pinholes
set -u
TEST_NAME=policy-zones
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DMZ_RTR4=172.16.0.1 DMZ4=172.16.0.10 LAN2_4=192.168.0.50 WANGW4=203.0.113.77
setup_zones() {
	setup_ns dmz || return 1
	# shellcheck disable=SC2154  # set by setup_ns
	ip link add veth0 netns "$dmz" type veth peer name dmz netns "$rtr" &&
	ip -n "$rtr" addr add $DMZ_RTR4/24 dev dmz &&
	ip -n "$dmz" addr add $DMZ4/24 dev veth0 &&
	ip -n "$rtr" link set dmz up &&
	ip -n "$dmz" link set veth0 up &&
	ip -n "$dmz" route add default via $DMZ_RTR4 &&
	ip -n "$cli" addr add $LAN2_4/24 dev veth0 &&
	ip -n "$srv" addr add $WANGW4/24 dev veth0 &&
	ip -n "$srv" route add 172.16.0.0/24 via "$RTR_WAN4" &&
	ip netns exec "$rtr" nft -f - <<-EOF
	table inet zones_fw {
		chain forward {
			type filter hook forward priority filter; policy drop;
			ct state established,related accept
			iifname { "lan", "dmz" } oifname "wan" accept
		}
	}
	EOF
}

scenario_setup
setup_ok "add the DMZ side, a second LAN host, a WAN gateway and the forward filter" setup_zones
export dmz DMZ4 LAN2_4 WANGW4
scenario_run
