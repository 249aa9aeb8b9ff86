#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# direct_media=1 vs 0: the PBX answers with the address of a separate
# media gateway on the WAN side.
#
#  phone 192.168.0.31:5010      router (masquerade)         WAN 203.0.113.0/24
#  +-----------+        +---------------------+        +--------------------+
#  |    cli    |--------| lan   rtr      wan  |--------| veth0  srv    br0  | 203.0.113.5 (PBX)
#  +-----------+        +---------------------+        |          mgw0      |
#   RTP :10006, :10008                                  +-----------|--------+
#                                                       +-----------|--------+
#                                                       |  mgw   veth0       | 203.0.113.6 (gateway)
#                                                       +--------------------+
#  call 1, direct_media=1: 200 OK SDP c=203.0.113.6 m=40000
#        RTP mgw -> cli: arrives;  RTP cli -> mgw: arrives
#  call 2, direct_media=0: 200 OK SDP c=203.0.113.6 m=40002
#        RTP mgw -> cli: does NOT arrive;  RTP srv -> cli: arrives
#
# HELPER=sip maps direct_media=X to the in-tree sip_direct_media=!X.
set -u
TEST_NAME=call-direct-media
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

checktool "command -v conntrack" "find conntrack"
checktool "command -v nft" "find nft"
checktool "command -v python3" "find python3"

cleanup() { cleanup_all_ns; }
trap cleanup EXIT

MGW4=203.0.113.6
setup_wan_bridge() {
	setup_ns mgw || return 1
	# shellcheck disable=SC2154  # set by setup_ns
	ip link add veth0 netns "$mgw" type veth peer name mgw0 netns "$srv" || return 1
	ip -n "$srv" link add br0 type bridge || return 1
	ip -n "$srv" addr flush dev veth0
	ip -n "$srv" link set veth0 master br0 || return 1
	ip -n "$srv" link set mgw0 master br0 || return 1
	ip -n "$srv" addr add "$SRV4/24" dev br0
	ip -n "$srv" addr add "$SRV6/64" dev br0 nodad
	ip -n "$srv" link set mgw0 up
	ip -n "$srv" link set br0 up
	ip -n "$mgw" addr add "$MGW4/24" dev veth0
	ip -n "$mgw" link set veth0 up
}

setup_topology || { fail "set up the LAN-router-WAN topology"; exit $ksft_fail; }
setup_wan_bridge || { fail "add the media gateway on the WAN side"; exit $ksft_fail; }
export TEST_NAME HELPER="${HELPER:-sipalg}" cli rtr srv mgw CLI4 RTR_WAN4 SRV4 CLI6 RTR_WAN6 SRV6 MGW4

scenario_run
