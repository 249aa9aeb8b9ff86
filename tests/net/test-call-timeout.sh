#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A SIP flow that has never been answered keeps the short unreplied UDP
# timeout however often the phone sends; once the server answers, the flow
# lives for sip_timeout (and a sip_timeout written at run time applies).
#
#  phone 192.168.0.31:5010      router (masquerade)        registrar 203.0.113.5
#  +-----------+        +---------------------+        +---------------------+
#  |    cli    |--------| lan   rtr      wan  |--------| srv  (first: nft    |
#  +-----------+        +---------------------+        |  drops udp 5060)    |
#                                                      +---------------------+
#  outage:   REGISTER x3 --->  (dropped)   rtr: flow [UNREPLIED], timeout < 60 s
#  recovery: REGISTER --->  200 OK <---    rtr: timeout ~ sip_timeout (900)
#  sip_timeout=1200 at run time: REGISTER/200  ->  timeout ~ 1200
set -u
TEST_NAME=call-timeout
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario_setup

scenario_run
