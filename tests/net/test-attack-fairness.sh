#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Floods of never-answered INVITEs must not take audio from anyone else:
# after each, a call from another LAN host, a call from the flooding host on
# a new flow and an incoming call from a WAN peer all get RTP both ways, and
# the pinholes stay within max_media_per_flow, max_media_per_host and
# nf_conntrack_expect_max.
#
#  cli: phones 192.168.0.31 (floods in F1),     srv: PBX 203.0.113.5, flood sink .9,
#       .32 (another host), .40-.47 (F2)          peer calling in .10, peers .40-.47 (F3)
#  +-----------+             +---------------------+             +-----------+
#  |    cli    |-------------| lan   rtr       wan |-------------|    srv    |
#  +-----------+             | expect_max = 1024   |             +-----------+
#                            +---------------------+
#  F1. one LAN host, 64 flows x 8 INVITEs x 2 streams  -> the host is held to
#      max_media_per_host, its own oldest evicted (media_evicted_host)
#  F2. eight LAN hosts, 320 pinholes asked each -> the table fills, room is
#      made from the fullest host's oldest (media_reclaimed)
#  F3. eight WAN peers flood INVITEs back on flows the phone opened
set -u
TEST_NAME=attack-fairness
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OTHER4=192.168.0.32
SINK4=203.0.113.9	# hears the floods, never answers
PEER4=203.0.113.10	# calls in
add_hosts() {
	local i
	ip -n "$cli" addr add $OTHER4/24 dev veth0 &&
	ip -n "$srv" addr add $SINK4/24 dev veth0 &&
	ip -n "$srv" addr add $PEER4/24 dev veth0 || return 1
	for i in $(seq 40 47); do
		ip -n "$cli" addr add 192.168.0.$i/24 dev veth0 &&
		ip -n "$srv" addr add 203.0.113.$i/24 dev veth0 || return 1
	done
}

scenario_setup
setup_ok "add a second LAN host, eight flooding LAN hosts, a flood sink and nine WAN peers" add_hosts
export OTHER4 SINK4 PEER4
scenario_run
