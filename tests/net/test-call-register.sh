#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# REGISTER through NAT, then an incoming call to the registered contact from
# another source port of the registrar, then un-REGISTER (expires=0).
#
#  phone                       router (masquerade,           registrar/PBX
#  192.168.0.31:5010           helper on udp dport 5060)     203.0.113.5
#  +-----------+        +---------------------+        +-----------------+
#  |    cli    |--------| lan   rtr      wan  |--------| srv :5060 :5070 |
#  +-----------+        +---------------------+        +-----------------+
#   RTP :10008                203.0.113.1                 RTP :20010
#
#   REGISTER (Contact 192.168.0.31:5010) --------> :5060  Contact 203.0.113.1:<p>
#   <--------------------------------------- 200 OK      signalling expectation
#   <----------- INVITE to 203.0.113.1:<p> ------- :5070  (another source port)
#   200 OK (SDP 192.168.0.31:10008) -------------> :5070  rewritten, RTP both ways
#   REGISTER expires=0 ---------------------------> :5060
#   <--------------------------------------- 200 OK      expectation gone
set -u
TEST_NAME=call-register
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario_setup

scenario_run
