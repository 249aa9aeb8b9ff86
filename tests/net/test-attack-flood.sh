#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A flood of INVITEs that each ask for media pinholes: many Call-IDs on one
# flow, on many flows, from both sides, then more Call-IDs than max_calls.
#
#  phones 192.168.0.31:5010,        router (masquerade)         PBX 203.0.113.5:5060
#  :30000-30029                +---------------------+        +-----------+
#  +-----------+               | lan   rtr      wan  |        |    srv    |
#  |    cli    |---------------|  nf_conntrack_      |--------|           |
#  +-----------+               |  expect_max = 1024  |        +-----------+
#                              +---------------------+
#  A. one flow: 100 INVITEs x 2 streams (RTP+RTCP)   = 400 pinholes asked
#     -> at most 240 on the flow, the oldest evicted 32 at a time by the
#        helper (media_evicted), never by the core's per-pinhole walk
#  B. 30 flows x 10 INVITEs from the LAN + 10 from the WAN each, x 4
#     = 2400 asked from two hosts -> at most max_media_per_host each (the
#     host's oldest evicted: media_evicted_host), 240 a flow, none refused
#  C. 4600 Call-IDs (INVITEs without SDP)  -> at most max_calls records
#  D. a call after the flood: its signalling is NATed, its pinholes open
#  E. conntrack -D of the SIP flows -> pinholes and call records back to
#     their baseline; then a valid call works with media both ways
set -u
TEST_NAME=attack-flood
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario_setup

scenario_run
