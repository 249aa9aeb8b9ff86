#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hold and resume by re-INVITE: a=sendonly, then the RFC 2543 form
# c=0.0.0.0, then resume with the PBX moving its media port.
#
#  phone 192.168.0.31:5010      router (masquerade)        PBX 203.0.113.5:5060
#  +-----------+        +---------------------+        +-----------+
#  |    cli    |--------| lan   rtr      wan  |--------|    srv    |
#  +-----------+        +---------------------+        +-----------+
#  RTP :10006                                            RTP :20000, then :20002
#
#  INVITE/200/ACK, RTP both ways
#  re-INVITE a=sendonly   --->  c= public, same m= port, a=sendonly kept
#  re-INVITE a=inactive   --->  the same with a=inactive
#  re-INVITE c=0.0.0.0    --->  c=0.0.0.0 untouched, o= public (no garbage)
#  re-INVITE sendrecv     --->  c= public;  200 OK moves PBX media to :20002
#  RTP both ways again (srv :20002 <-> cli :10006)
set -u
TEST_NAME=call-hold
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario_setup

scenario_run
