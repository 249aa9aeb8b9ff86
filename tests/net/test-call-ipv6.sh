#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Outgoing call over IPv6 through ip6 masquerade, SDP "c=IN IP6".
#
#  phone [fd00:1::31]:5010      router (ip6 masquerade)    PBX [2001:db8:203::5]:5060
#  +-----------+        +---------------------+        +-----------+
#  |    cli    |--------| lan   rtr      wan  |--------|    srv    |
#  +-----------+        +---------------------+        +-----------+
#   RTP :10006/10007       [2001:db8:203::1]              RTP :20000
#
#  INVITE (Via/Contact [fd00:1::31]:5010, c=IN IP6 fd00:1::31) ---> all name
#  [2001:db8:203::1]:<port>;  200 OK back with the phone's Via; RTP both ways.
set -u
TEST_NAME=call-ipv6
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario_setup

scenario_run
