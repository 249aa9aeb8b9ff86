#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# /proc/net/stat/sipalg in the router moves by exactly what one call and
# one malformed datagram should cause.
#
#  phone 192.168.0.31:5010 ---- lan [rtr: masquerade + sipalg] wan ---- PBX 203.0.113.5
#
#  INVITE (SDP)  ->   200 OK (SDP)  <-   RTP <-   ACK  ->   BYE  ->   200 OK  <-
#  then one datagram of garbage to srv:5060 on the same flow
set -u
TEST_NAME=counters
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario_setup

scenario_run
