#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runtime parameters: sip_timeout and direct_media written through
# /sys/module/nf_conntrack_sipalg/parameters while SIP traffic flows take
# effect for the next message; bad values are refused; load-time-only
# parameters are not writable; hammering both while a second CPU sends
# INVITEs breaks nothing.
#
#  phone 192.168.0.31:5010      router (masquerade)        PBX 203.0.113.5:5060
#  +-----------+        +---------------------+        +-----------+
#  |    cli    |--------| lan   rtr      wan  |--------|    srv    |
#  +-----------+        +---------------------+        +-----------+
#
#  OPTIONS/200 each step, then conntrack -L in rtr:
#    sip_timeout=3600 -> flow timeout > 3000
#    sip_timeout=120  -> next message: timeout <= 120
#    sip_timeout=7200 -> next message: timeout > 3600
#  direct_media=0 -> a 200 OK naming 203.0.113.77 opens nothing toward it
#  direct_media=1 -> the next one does
#  3 s of 400 parameter writes against a sender on another CPU: no kernel
#  complaint, every flow timeout within the largest value written, and a
#  valid call still works.
set -u
TEST_NAME=params-runtime
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario_setup

scenario_run
