#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Real SIP software through the router: sipp's built-in UAC places 5 calls
# to sipp's built-in UAS.
#
#  sipp -sn uac                router (masquerade)        sipp -sn uas
#  192.168.0.31:5010           203.0.113.1                203.0.113.5:5060
#  +-----------+        +---------------------+        +-----------+
#  |    cli    |--------| lan   rtr      wan  |--------|    srv    |
#  +-----------+        +---------------------+        +-----------+
#
#  INVITE -> 100 <- 180 <- 200 <- ACK -> BYE -> 200 <-   x5, all successful
set -u
TEST_NAME=call-sipp
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario_setup sipp

scenario_run
