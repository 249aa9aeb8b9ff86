#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The "sipalg" helper is usable from rule sets: nft ct helper objects (udp
# and tcp; ip, ip6 and inet tables) and iptables/ip6tables CT targets, and a
# rule naming it autoloads nf_conntrack_sipalg (MODULE_ALIAS_NFCT_HELPER).
#
#  +-------------------------------------------+
#  |  fw (one netns, no links)                 |
#  |   nft:  table {ip,ip6,inet} sipalg_X {     |
#  |           ct helper h { type "sipalg"      |
#  |                         protocol udp|tcp } |
#  |           chain pre { ... ct helper set } }|
#  |   iptables -t raw ... -j CT --helper sipalg|
#  +-------------------------------------------+
set -u
# shellcheck disable=SC2034  # used by lib.sh
TEST_NAME="helper-objects"
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

checktool "nft --version" "run nft"
checktool "iptables --version" "run iptables"
checktool "ip netns list" "use ip netns"
require_sipalg_ko

cleanup() {
	sipalg_modprobe_restore
	cleanup_all_ns
	# Rule sets of a deleted netns go away asynchronously.
	busywait 10000 sipalg_unload >/dev/null 2>&1
}
trap cleanup EXIT

sipalg_unload || { fail "our modules were loaded and cannot be unloaded"; exit "$ksft_fail"; }
setup_ok "create the fw netns" setup_ns fw
# shellcheck disable=SC2154  # set by setup_ns
nft_fw() { ip netns exec "$fw" nft "$@"; }

# --- autoload from the first rule that names the helper ------------------
sipalg_modprobe_install
rm -f /tmp/sipalg-autoload.log
if nft_fw -f - <<-EOF
	table ip sipalg_autoload {
		ct helper h { type "sipalg" protocol udp; }
	}
	EOF
then
	check "nft ct helper object type \"sipalg\" autoloads $CT_MOD" mod_loaded "$CT_MOD"
else
	fail "nft ct helper object type \"sipalg\" autoloads $CT_MOD: nft refused the rule set"
fi
# (nft does not load NAT helpers; 6.1 requests them from openvswitch and
# act_ct only, so nf_nat_sipalg is loaded by hand like nf_nat_sip.)
nft_fw delete table ip sipalg_autoload 2>/dev/null
sipalg_modprobe_restore
sipalg_load "$NAT_MOD" || { fail "loading our modules"; exit "$ksft_fail"; }

# --- nft ct helper objects ----------------------------------------------
nft_helper() {
	local fam=$1 proto=$2 t=sipalg_${1}_$2
	nft_fw -f - <<-EOF || return 1
	table $fam $t {
		ct helper h { type "sipalg" protocol $proto; }
		chain pre {
			type filter hook prerouting priority filter; policy accept;
			$proto dport 5060 ct helper set "h"
		}
	}
	EOF
	nft_fw list table "$fam" "$t" | grep -q 'type "sipalg" protocol '"$proto" || return 1
	nft_fw delete table "$fam" "$t"
}
for fam in ip ip6 inet; do
	for proto in udp tcp; do
		check "nft $fam table: ct helper object type \"sipalg\" protocol $proto" \
			nft_helper "$fam" "$proto"
	done
done
check "nft refuses a ct helper object of an unknown type (control)" \
	eval '! nft_fw -f - 2>/dev/null <<<"table ip sipalg_bad { ct helper h { type \"sipalg-nosuch\" protocol udp; }; }"'

# --- iptables CT target -----------------------------------------------------
ipt_ct() {
	local cmd=$1 proto=$2
	ip netns exec "$fw" "$cmd" -t raw -A PREROUTING -p "$proto" --dport 5060 \
		-j CT --helper sipalg || return 1
	ip netns exec "$fw" "$cmd" -t raw -S PREROUTING | grep -q -- '--helper sipalg' || return 1
	ip netns exec "$fw" "$cmd" -t raw -D PREROUTING -p "$proto" --dport 5060 \
		-j CT --helper sipalg
}
for cmd in iptables ip6tables; do
	for proto in udp tcp; do
		check "$cmd -t raw -p $proto -j CT --helper sipalg" ipt_ct "$cmd" "$proto"
	done
done
check "iptables refuses CT --helper of an unknown helper (control)" \
	eval '! ip netns exec "$fw" iptables -t raw -A PREROUTING -p udp -j CT --helper sipalg-nosuch 2>/dev/null'

exit $ret
