#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A SIP trunk: 16 simultaneous call set-ups on ONE signalling flow
# (5060 <-> 5060) between a PBX on the LAN and a provider on the WAN.
#
#  LAN PBX                     router (masquerade)         provider
#  192.168.0.31:5060           203.0.113.1                 203.0.113.5:5060
#  +-----------+        +---------------------+        +-----------+
#  |    cli    |--------| lan   rtr      wan  |--------|    srv    |
#  +-----------+        +---------------------+        +-----------+
#  RTP 12000,12002..12030                                RTP 30000,30002..30030
#
#  16 x INVITE (distinct Call-IDs and media ports) --->  all rewritten
#  <--- 16 x 200 OK (SDP) ; 16 x ACK --->
#  RTP both ways on all 16 calls (16/16)
#  re-INVITE of call 9 (new ports 12100/30100) : other calls' pinholes untouched
#  BYE of call 5 ---> : only call 5's expectations disappear
set -u
TEST_NAME=call-trunk
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario_setup

scenario_run
