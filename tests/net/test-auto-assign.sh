#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# auto_assign: with auto_assign=1 a new flow to one of "ports" gets the
# sipalg helper without any firewall rule; with the default 0 it does not,
# and a port outside the list never does.
#
#       LAN                                    WAN
#  +-----------+        +---------------+        +-----------+
#  |    cli    |--------| lan  rtr  wan |--------|    srv    |
#  +-----------+        +---------------+        +-----------+
#  192.168.0.31         masquerade, NO ct helper    203.0.113.5
#                       rule at all
#
#  cli --- OPTIONS ---> srv:5060 / srv:5070   conntrack -L in rtr
set -u
# shellcheck disable=SC2034  # used by lib.sh
TEST_NAME="auto-assign"
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

checktool "nft --version" "run nft"
checktool "conntrack --version" "run conntrack"
require_sipalg_ko

cleanup() {
	cleanup_all_ns
	busywait 10000 sipalg_unload >/dev/null 2>&1
}
trap cleanup EXIT

# flow_helper DPORT: the helper= field of the udp flow to DPORT in rtr.
flow_helper() {
	ip netns exec "$rtr" conntrack -L -p udp --orig-port-dst "$1" \
		2>/dev/null | grep -o 'helper=[a-z-]*'
}

flow_seen() {
	ip netns exec "$rtr" conntrack -L -p udp --orig-port-dst "$1" \
		2>/dev/null | grep -q "dport=$1"
}

# auto_assigned: the module's auto_assigned counter in rtr.
auto_assigned() {
	sipalg_stats "$rtr" | awk '$1 == "auto_assigned" { print $2 }'
}

# run_case AUTO DPORT WANT: load with auto_assign=AUTO, send, expect helper
# WANT ("sipalg" or "none") and auto_assigned to count exactly the flows
# given the helper.
run_case() {
	local auto=$1 dport=$2 want=$3 got n0 n1
	if [[ $(cat /sys/module/$CT_MOD/parameters/auto_assign 2>/dev/null) != \
	      "$( ((auto)) && echo Y || echo N)" ]]; then
		sipalg_unload
		sipalg_load "$CT_MOD" auto_assign="$auto" ports=5060,5061 &&
			sipalg_load "$NAT_MOD" ||
			{ fail "load with auto_assign=$auto"; return; }
	fi
	ip netns exec "$rtr" conntrack -F >/dev/null ||
		{ fail "auto_assign=$auto: conntrack -F in rtr"; return; }
	n0=$(auto_assigned)
	send_udp "$cli" $SRV4 "$dport" "$(sip_options $CLI4 5070 $SRV4 "$dport")" 2>/dev/null
	if ! busywait "$BUSYWAIT_TIMEOUT" flow_seen "$dport"; then
		fail "auto_assign=$auto: udp flow to $dport not tracked"
		return
	fi
	got=$(flow_helper "$dport")
	got=${got#helper=}
	if [[ ${got:-none} == "$want" ]]; then
		pass "auto_assign=$auto: flow to port $dport gets helper ${want}"
	else
		fail "auto_assign=$auto: flow to port $dport gets helper ${want}: got ${got:-none}"
	fi
	n1=$(auto_assigned)
	local add=0
	[[ $want == sipalg ]] && add=1
	if [[ -n $n0 && $n1 == $((n0 + add)) ]]; then
		pass "auto_assign=$auto: the flow to port $dport counts $add in auto_assigned"
	else
		fail "auto_assign=$auto: the flow to port $dport counts $add in auto_assigned: ${n0:-?} -> ${n1:-?}"
	fi
}

sipalg_unload || { fail "our modules were loaded and cannot be unloaded"; exit "$ksft_fail"; }
setup_ok "set up the LAN-router-WAN topology" setup_topology

run_case 1 5060 sipalg
run_case 1 5061 sipalg
run_case 1 5070 none
run_case 0 5060 none

if [[ $(auto_assigned) == 0 ]]; then
	pass "auto_assign=0 counts no auto-assigned flow"
else
	fail "auto_assign=0 counts no auto-assigned flow: auto_assigned $(auto_assigned)"
fi
exit "$ret"
