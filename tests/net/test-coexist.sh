#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In-tree nf_conntrack_sip (+ nf_nat_sip) and sipalg loaded side by side;
# each helper is attached to its own flow through the same router.
#
#  +-----------+        +--------------------------------+        +-----------+
#  |    cli    |        |              rtr               |        |    srv    |
#  |   veth0 --+--------+-- lan                    wan --+--------+-- veth0   |
#  +-----------+        +--------------------------------+        +-----------+
#  192.168.0.31         udp dport 5060 -> ct helper "sip"   203.0.113.5
#                       udp dport 5062 -> ct helper "sipalg"
#                       masquerade out of wan
set -u
# shellcheck disable=SC2034  # used by lib.sh
TEST_NAME="coexist"
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

checktool "nft --version" "run nft"
checktool "conntrack --version" "run conntrack"
checktool "modinfo nf_conntrack_sip" "find the in-tree nf_conntrack_sip"
require_sipalg_ko

cleanup() {
	cleanup_all_ns
	busywait 10000 sipalg_unload >/dev/null 2>&1
	modprobe -r nf_nat_sip nf_conntrack_sip 2>/dev/null
}
trap cleanup EXIT

sipalg_unload || { fail "our modules were loaded and cannot be unloaded"; exit "$ksft_fail"; }
modprobe nf_nat_sip || { fail "modprobe nf_nat_sip"; exit "$ksft_fail"; }
check "in-tree nf_conntrack_sip/nf_nat_sip and sipalg load side by side" \
	eval 'sipalg_load "$NAT_MOD" && mod_loaded nf_conntrack_sip && mod_loaded nf_nat_sip'

setup_ok "set up the LAN-router-WAN topology" setup_topology
# shellcheck disable=SC2154  # set by setup_topology
{
rtr_helper_rules sip udp 5060 && rtr_helper_rules sipalg udp 5062
} || { fail "nft rules with both helpers in rtr"; exit "$ksft_fail"; }

send_udp "$cli" $SRV4 5060 "$(sip_options $CLI4 5070 $SRV4 5060)" 2>/dev/null
send_udp "$cli" $SRV4 5062 "$(sip_options $CLI4 5070 $SRV4 5062)" 2>/dev/null

CT_MATCH="udp .*src=$CLI4 dst=$SRV4 sport=[0-9]+ dport=5060 .*dst=$RTR_WAN4 .*helper=sip( |$)"
check "flow to srv:5060 has the in-tree helper=sip" \
	busywait "$BUSYWAIT_TIMEOUT" ct_has "$rtr" -p udp
CT_MATCH="udp .*src=$CLI4 dst=$SRV4 sport=[0-9]+ dport=5062 .*dst=$RTR_WAN4 .*helper=sipalg( |$)"
check "flow to srv:5062 has helper=sipalg" \
	busywait "$BUSYWAIT_TIMEOUT" ct_has "$rtr" -p udp
CT_MATCH="helper=sipalg"
check "no other flow got helper=sipalg (only 1 such entry)" \
	eval '[[ $(ip netns exec "$rtr" conntrack -L -p udp 2>/dev/null | grep -c "helper=sipalg\( \|$\)") == 1 ]]'

exit $ret
