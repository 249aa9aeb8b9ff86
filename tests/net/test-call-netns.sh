#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# max_calls counts per network namespace: calls flooding one namespace
# recycle that namespace's records only, never another's.
#
#  cli --- rtr --- srv        the usual router, helper on forwarded flows
#  ct2 --- peer2              a second namespace whose own SIP traffic
#                             (OUTPUT) runs the helper
#  max_calls=32: 200 Call-IDs through rtr leave ct2's 10 calls alone;
#  then 40 more in ct2 recycle ct2's own.
set -u
TEST_NAME=call-netns
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CT2_4=10.9.0.1
PEER2_4=10.9.0.2
add_second_ns() {
	setup_ns ct2 peer2 || return 1
	# shellcheck disable=SC2154  # set by setup_ns
	ip link add veth0 netns "$ct2" type veth peer name veth0 netns "$peer2" &&
	ip -n "$ct2" addr add $CT2_4/24 dev veth0 &&
	ip -n "$peer2" addr add $PEER2_4/24 dev veth0 &&
	ip -n "$ct2" link set veth0 up &&
	ip -n "$peer2" link set veth0 up
}

scenario_setup
setup_ok "add a second namespace with a SIP peer" add_second_ns
export ct2 peer2 CT2_4 PEER2_4
scenario_run
