#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Outgoing call through NAT with the Fanvil X3's own INVITE.
#
#  phone (Fanvil X3)          router (masquerade,            PBX
#  192.168.0.31:5010          helper on udp dport 5060)      203.0.113.5:5060
#  +-----------+        +---------------------+        +-----------+
#  |    cli    |--------| lan   rtr      wan  |--------|    srv    |
#  +-----------+        +---------------------+        +-----------+
#   RTP :10006/10007         203.0.113.1                 RTP :20000/20001
#
#   INVITE (SDP c=192.168.0.31 m=10006) ------------->  Via/Contact/o=/c= name
#                                                       203.0.113.1:<port>
#   <-------------- 200 OK (SDP 203.0.113.5:20000)      Via restored for the phone
#   ACK ------------------------------------------->
#   <========== RTP/RTCP to the m= port srv saw ====   reaches cli:10006/10007
#   ============ RTP to srv:20000 ==================>  from the advertised port
#
#  Then a second phone, 192.168.0.32, with the same ports (5010, 10006):
#  its signalling and media get other public ports, RTP/RTCP still reach it.
#
# HELPER=sip runs the same checks against the in-tree nf_conntrack_sip.
set -u
TEST_NAME=call-outgoing
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario_setup

scenario_run
