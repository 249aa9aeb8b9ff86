#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# /proc/net/sipalg_calls shows the router's call records as they live:
#
#  cli (phone, PBX) --- rtr (masquerade, the listing) --- srv (provider)
#
#  one call: INVITE+SDP -> offered, with its public and private media port;
#            200 OK -> answered; BYE -> gone
#  a trunk: 16 calls on one flow -> 16 lines; a re-INVITE moves one call's
#           media -> the new port is listed, not the old; conntrack -D of
#           the flow -> its calls are gone
#  4,096 calls (max_calls=8192) listed while more keep being set up
set -u
TEST_NAME=call-table
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario_setup

scenario_run
