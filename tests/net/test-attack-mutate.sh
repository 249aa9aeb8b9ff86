#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 100,000 randomly mutated SIP/SDP datagrams through the router (bit flips,
# truncations, NUL bytes, huge/negative Content-Length, duplicated lines,
# 1000 Vias, 200 m= lines, 40 KB tokens, random bytes; tests/net/mutate.py),
# from many source ports on both sides at once, then TCP streams with 64 KB
# header lines and 120 pipelined INVITEs.
#
#  cli: 64 UDP/IPv4 ports 40000-40063    router (masquerade)    srv: 5060 (v4+v6)
#       16 UDP/IPv6 ports 41000-41015  +---------------------+  5060 -> WAN:mapped
#       TCP 43000-43003 -> srv:5060    | lan   rtr      wan  |  16 ports 42000-
#  +-----------+                       |  helper on udp/tcp  |   -> WAN4:5060
#  |    cli    |-----------------------|  dport 5060         |--+-----------+
#  +-----------+                       +---------------------+  |    srv    |
#  75% of the datagrams (cli -> srv)          25% (srv -> router)+-----------+
#
# Checks: the helper saw the datagrams (counters), conntracks and pinholes
# stay within nf_conntrack_max / nf_conntrack_expect_max / max_calls, all
# of them go back to baseline after `conntrack -F`, the TCP streams arrive
# intact and still carry data both ways, no WARNING/BUG/Oops/... in dmesg,
# and a valid call is still translated and gets its media through.
#
# Env: SIPALG_MUTATE_SEED (default: random, printed), SIPALG_MUTATE_COUNT
# (default 100000).
set -u
TEST_NAME=attack-mutate
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario_setup

scenario_run
