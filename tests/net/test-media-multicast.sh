#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Multicast media opens no pinhole, whether the group address is the
# stream's own c= or the session's (RFC 8866 5.7): each such stream counts
# as media_refused, and the unicast stream beside it still gets its
# pinholes.
#
#  phone 192.168.0.31:5010        router (masquerade)         PBX 203.0.113.5:5060
#  +-----------+        +---------------------------+        +-----------+
#  |    cli    |--------| lan        rtr        wan |--------|    srv    |
#  +-----------+        +---------------------------+        +-----------+
#
#  INVITE, session c= 224.2.1.1/127, one stream        -> no pinhole
#  INVITE, session c= unicast, a stream with c= 239.1.1.1/32 and a
#          unicast stream                                -> 2 pinholes (RTP,
#          RTCP) for the unicast stream only
set -u
TEST_NAME=media-multicast
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario_setup
scenario_run
