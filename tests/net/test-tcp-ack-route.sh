#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The router's ACK for held bytes is routed as the flow is: with the flow's
# mark, out of the interface the sender's segments came in on.  Here the
# LAN is reached only through a routing table that the connection mark
# selects (policy routing by connmark, as multi-WAN and VRF-like routers
# do), so an ACK routed without the mark has no route to the phone.
#
#  phone 192.168.0.31:5010     router: masquerade, helper tcp 5060;     PBX 203.0.113.5:5060
#  (Nagle on)                  iif lan: ct mark 1; every packet: meta
#  +-----------+               mark = ct mark; rule fwmark 1 -> table 100;  +-----------+
#  |    cli    |---------- lan 192.168.0.0/24 only in table 100 ---- wan ----|    srv    |
#  +-----------+                                                            +-----------+
#
#  An INVITE written in two parts with Nagle on: the first part is held and
#  the router acknowledges it to the phone (tcp_acks +1, tcp_ack_failed +0),
#  so the phone sends the rest and the PBX reads the INVITE rewritten.
set -u
TEST_NAME=tcp-ack-route
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

setup_mark_routing() {
	# shellcheck disable=SC2154  # set by setup_ns
	ip netns exec "$rtr" sysctl -qw net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.lan.rp_filter=0 &&
	ip -n "$rtr" route del 192.168.0.0/24 dev lan &&
	ip -n "$rtr" route add 192.168.0.0/24 dev lan table 100 &&
	ip -n "$rtr" rule add fwmark 1 table 100 &&
	ip netns exec "$rtr" nft -f - <<-EOF
	table inet markroute {
		chain pre {
			type filter hook prerouting priority mangle; policy accept;
			iifname "lan" ct mark set 1
			meta mark set ct mark
		}
	}
	EOF
}

scenario_setup
setup_ok "route the LAN by connection mark only" setup_mark_routing
scenario_run
