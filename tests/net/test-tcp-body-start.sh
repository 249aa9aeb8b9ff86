#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Text in a message body that looks like a SIP start line at a segment
# boundary is body, not a message: the stream position says so, and the
# body is never rewritten behind its Content-Length (message smuggling).
#
#  phone 192.168.0.31:5010          router (masquerade,          PBX 203.0.113.5:5060
#  +-----------+        +--------------------------+        +-----------+
#  |    cli    |--------| lan  rtr, helper tcp 5060 wan |-----|    srv    |
#  +-----------+        +--------------------------+        +-----------+
#
#  1. a MESSAGE of 17 KB (over the 16 KB hold limit: passed untouched), in
#     two writes; the second starts with "INVITE ... SIP/2.0" and a Via
#     naming the phone's private address: the PBX reads every byte as sent
#  2. the OPTIONS after it is rewritten (the position was kept)
#  3. the same with a 1.5 KB body (under the hold limit): the MESSAGE is held,
#     joined and rewritten once, its body untouched
set -u
TEST_NAME=tcp-body-start
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario_setup
scenario_run
