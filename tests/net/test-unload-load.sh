#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Unload and reload sipalg while sipp places 50 calls/s through the router.
#
#  sipp -sn uac -r 50 -d 1000     router (masquerade)        sipp -sn uas
#  192.168.0.31:5010              203.0.113.1                203.0.113.5:5060
#  +-----------+        +-----------------------+        +-----------+
#  |    cli    |--------| lan     rtr      wan  |--------|    srv    |
#  +-----------+        | nf_conntrack_expect_  |        +-----------+
#                       | max = 1024            |
#                       +-----------------------+
#  1. calls flowing: pinholes and sipalg_call records exist
#  2. delete the nft helper object (it holds a module reference), then
#     rmmod nf_nat_sipalg nf_conntrack_sipalg while the calls go on (3
#     times, SIPALG_UNLOAD_CYCLES):
#     the sipalg_call slab cache exists under load (tests/vm/run boots
#     with slab_nomerge); after the unload no oops, no sipalg expectation
#     left, the cache is gone (kmem_cache_destroy complains if objects
#     were still allocated)
#  3. load again, re-attach, delete the SIP conntrack so the next packet
#     picks the helper up: the helper sees the calls and opens pinholes
#  4. rmmod nf_nat_sipalg alone under load and load it again: messages are
#     translated again
#  5. stop sipp: only calls set up while the helper was out failed (50
#     calls/s over the measured windows, plus 0.5 s per window); a fresh
#     20-call run completes; after conntrack -F the call
#     records are back to 0; a last unload is clean
set -u
TEST_NAME=unload-load
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

checktool "conntrack --version" "run conntrack"
checktool "nft --version" "run nft"
checktool "python3 -c pass" "run python3"
checktool "command -v sipp" "find sipp (package sip-tester)"

cleanup() { cleanup_all_ns; }
trap cleanup EXIT

setup_topology || { fail "set up the LAN-router-WAN topology"; exit $ksft_fail; }
export TEST_NAME HELPER=sipalg cli rtr srv CLI4 RTR_WAN4 SRV4 CLI6 RTR_WAN6 SRV6

scenario_run
