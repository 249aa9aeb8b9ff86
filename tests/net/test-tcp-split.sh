#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SIP over TCP: a message split across segments arrives rewritten.
#
#  phone 192.168.0.31:5010          router                 PBX 203.0.113.5:5060
#  +-----------+        +----------------------------+       +-----------+
#  |    cli    |--------| lan  rtr (masquerade) wan  |-------|    srv    |
#  +-----------+        | ct helper sipalg tcp 5060  |       +-----------+
#   fd00:1::31          +----------------------------+       2001:db8:203::5
#
#  cli writes one INVITE with SDP in two system calls (cut in its headers,
#  or just before its body), with TCP_NODELAY and with Nagle (the default:
#  the second part waits until the first is acknowledged, which only the
#  router's own ACK does while it holds the first part back).  srv must
#  read exactly the rewritten message: every 192.168.0.31 becomes
#  203.0.113.1 and Content-Length matches the body; the media pinhole must
#  exist, and a whole message sent after it must still arrive rewritten.
#  Also: the rest followed by another message in the same segment; a whole
#  message and the start of the next in one segment (the router's ACK waits
#  for srv's); a message larger than the MTU (cut by the sender's MSS, sent
#  on as GSO) and one larger than the 16 KB a flow may hold (untouched);
#  the router's ACK lost once (the held part is resent and acknowledged
#  again); the joined segment lost once on its way to srv (the rest is
#  resent and joined again); IPv6; an IPv6 flow without NAT (nothing held,
#  a copy parsed with the rest opens the pinhole); and unloading the
#  modules while a flow holds bytes.  tcpdump on cli's side shows the ACK.  Default MTU (1500).
set -u
TEST_NAME=tcp-split
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario_setup tcpdump
# The sender's own segments, not one GSO packet that only the receiver's
# side would cut: a message larger than the MSS then really is split.
ip -n "$cli" link set veth0 gso_max_segs 1

scenario_run
