#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SIP over TCP through the router: several messages per segment, keep-alive
# CRLFs, a long-lived connection (seqadj), a message split across segments
# (held back and joined, more in test-tcp-split.sh), TLS on 5061, IPv6.
#
#  phone 192.168.0.31:5010          router                 PBX 203.0.113.5:5060
#  +-----------+        +----------------------------+       +-----------+
#  |    cli    |--------| lan  rtr (masquerade) wan  |-------|    srv    |
#  +-----------+        | ct helper sipalg tcp 5060, |       +-----------+
#   fd00:1::31          | 5061                       |       2001:db8:203::5
#                       +----------------------------+
#
#  cli connects from port 5010 (phones keep their Via port on TCP) and
#  writes whole batches with TCP_NODELAY; srv reads the stream and checks it
#  byte for byte against the expected rewrite: every 192.168.0.31 becomes
#  203.0.113.1 and every Content-Length matches its body.
set -u
TEST_NAME=tcp
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario_setup
# Jumbo frames, so that a batch of messages really is one segment: at the
# default MSS a batch is cut mid-message, which is the split case below.
for l in "$cli veth0" "$rtr lan" "$rtr wan" "$srv veth0"; do
	set -- $l
	ip -n "$1" link set "$2" mtu 16000
done

scenario_run
