#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The RFC 4475 torture messages (tests/unit/corpus/rfc4475/*.sip, 50 files)
# through the router with sipalg attached, in every direction it can meet
# them, then once more with drop_malformed=1.
#
#  phone 192.168.0.31:5010      router (masquerade)         PBX 203.0.113.5:5060
#  +-----------+        +-----------------------+        +-----------+
#  |    cli    |--------| lan     rtr      wan  |--------|    srv    |
#  +-----------+        |  203.0.113.1:5060 (a  |        +-----------+
#                       |  socket on the router)|
#                       +-----------------------+
#  1. UDP cli:5010 -> srv:5060          each file, one datagram
#  2. UDP srv:5060 -> public mapping    (the reply direction, into the LAN)
#  3. UDP srv:5060 -> 203.0.113.1:5060  (the router's own SIP port)
#  4. TCP cli -> srv:5060, one stream, one segment per file
#  5. drop_malformed=1: UDP cli -> srv, only what the parser accepts passes
#
# None of the files names the phone's address or port, so with
# drop_malformed=0 each must arrive byte for byte; the helper must look at
# every one (counters); then no WARNING/BUG/Oops/... in dmesg, no pinhole
# left after the flows are flushed, and a valid call still works.
set -u
TEST_NAME=attack-corpus
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CORPUS=$(cd "$(dirname "${BASH_SOURCE[0]}")/../unit/corpus/rfc4475" 2>/dev/null && pwd)

checktool "conntrack --version" "run conntrack"
checktool "nft --version" "run nft"
checktool "python3 -c pass" "run python3"
checktool "test -r '$CORPUS/wsinv.sip'" "find the RFC 4475 corpus in tests/unit/corpus/rfc4475"

cleanup() {
	cleanup_all_ns
	# drop_malformed=1 is not writable at run time: leave no such module
	# behind for the next test
	if [[ $(cat /sys/module/$CT_MOD/parameters/drop_malformed 2>/dev/null) == Y ]]; then
		busywait 10000 sipalg_unload >/dev/null 2>&1
	fi
}
trap cleanup EXIT

setup_topology || { fail "set up the LAN-router-WAN topology"; exit $ksft_fail; }
export TEST_NAME HELPER=sipalg CORPUS cli rtr srv CLI4 RTR_WAN4 SRV4 CLI6 RTR_WAN6 SRV6

scenario_run
