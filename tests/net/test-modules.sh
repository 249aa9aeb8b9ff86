#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module life cycle and parameters of nf_conntrack_sipalg / nf_nat_sipalg.
# No namespaces: everything happens in the VM's root namespace.
#
#   nf_conntrack  <--  nf_conntrack_sipalg  <--  nf_nat_sipalg
#   (in-tree)          (helper "sipalg",         (NAT side, through an
#                       params ports,             RCU hook the conntrack
#                       sip_timeout,              module exports)
#                       direct_media)
#
# Checks: load/unload cycles in every order the dependency allows, with
# nothing in dmesg but the banners; parameters and their defaults in
# /sys/module; bad parameters refused with the module's own pr_err naming
# the bad value.
set -u
# shellcheck disable=SC2034  # used by lib.sh
TEST_NAME="modules"
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

checktool "modinfo --version" "run modinfo"
checktool "insmod --version" "run insmod"
require_sipalg_ko

cleanup() { sipalg_unload; }
trap cleanup EXIT

CYCLES=${CYCLES:-3}
P=/sys/module/$CT_MOD/parameters

# Load the in-tree dependencies first, so their messages stay out of the way.
for d in $(modinfo -F depends "$SIPALG_KO_DIR/$CT_MOD.ko" | tr ',' ' '); do
	modprobe "$d"
done
if ! sipalg_unload; then
	fail "our modules were loaded and cannot be unloaded"
	exit "$ksft_fail"
fi

# Lines a load may leave besides the banners: the taint notices.
BANNER_RE="^($CT_MOD|$NAT_MOD): (SIP ALG .*loaded|loading out-of-tree module taints kernel\.|module verification failed: signature and/or required key missing - tainting kernel)"

only_banners() {
	local what=$1 expect_ct=$2 extra n
	extra=$(dmesg_since | grep -Ev "$BANNER_RE")
	n=$(dmesg_since | grep -c "^$CT_MOD: SIP ALG .*loaded")
	if [[ -n $extra ]]; then
		fail "$what: dmesg has more than the banner"
		printf '#   %s\n' "${extra//$'\n'/$'\n'#   }"
	elif ((n != expect_ct)); then
		fail "$what: $n conntrack banners for $expect_ct loads"
	else
		pass "$what (x$CYCLES), dmesg shows only the banner"
	fi
}

# cycle NAME STEP...: run the steps CYCLES times; every step must succeed
# ("!cmd" steps must fail).
cycle() {
	local name=$1 i s ok=1; shift
	dmesg_mark
	for ((i = 0; i < CYCLES && ok; i++)); do
		for s in "$@"; do
			if [[ $s == !* ]]; then
				eval "${s#!}" 2>/dev/null && { ok=0; info "'${s#!}' succeeded unexpectedly"; break; }
			else
				eval "$s" || { ok=0; info "'$s' failed"; break; }
			fi
		done
	done
	if ((!ok)); then
		fail "$name: cycle $i failed"
		sipalg_unload
		return
	fi
	# Each cycle loads the conntrack module exactly once.
	only_banners "$name" "$CYCLES"
}

# Unloading nf_conntrack_sipalg costs ~1.2 s under TCG (the core walks the
# conntrack table per unregistered helper; in-tree nf_conntrack_sip is the
# same), so the cycles are few.
cycle "load ct, nat; unload nat, ct" \
	"sipalg_load $CT_MOD" "sipalg_load $NAT_MOD" "rmmod $NAT_MOD" "rmmod $CT_MOD"
cycle "load nat first (pulls in ct); ct unload refused while nat uses it; unload nat, ct" \
	"sipalg_load $NAT_MOD" "mod_loaded $CT_MOD" "!rmmod $CT_MOD" \
	"rmmod $NAT_MOD" "rmmod $CT_MOD"
CYCLES=1 cycle "nat unloaded and reloaded 3 times under a loaded ct" \
	"sipalg_load $CT_MOD" \
	"sipalg_load $NAT_MOD" "rmmod $NAT_MOD" "sipalg_load $NAT_MOD" "rmmod $NAT_MOD" \
	"sipalg_load $NAT_MOD" "rmmod $NAT_MOD" "rmmod $CT_MOD"

# --- parameters ----------------------------------------------------------
param_is() { [[ -r $P/$1 && $(<"$P/$1") == "$2" ]]; }

if sipalg_load "$CT_MOD"; then
	check "param ports defaults to 5060,5061" param_is ports 5060,5061
	check "param sip_timeout defaults to 3600" param_is sip_timeout 3600
	check "param direct_media defaults to Y" param_is direct_media Y
	sipalg_unload
else
	fail "load with default parameters"
fi

descs=$(modinfo -F parm "$SIPALG_KO_DIR/$CT_MOD.ko")
check "modinfo: ports, sip_timeout, direct_media each state a default" \
	bash -c '[[ $(grep -Ec "^(ports|sip_timeout|direct_media):.*default" <<<"$1") == 3 ]]' _ "$descs"

if sipalg_load "$CT_MOD" ports=5070,5080,5090 sip_timeout=60 direct_media=0; then
	check "params set at load: ports=5070,5080,5090 sip_timeout=60 direct_media=0" \
		eval 'param_is ports 5070,5080,5090 && param_is sip_timeout 60 && param_is direct_media N'
	sipalg_unload
else
	fail "load with ports=5070,5080,5090 sip_timeout=60 direct_media=0"
fi

# refused DESC PARAM BADVALUE ARG...: insmod must fail, leave nothing
# loaded, and the module itself must pr_err a line naming PARAM and BADVALUE
# (the kernel's generic "invalid for parameter" line does not count).
refused() {
	local what=$1 param=$2 bad=$3 own; shift 3
	dmesg_mark
	if insmod "$SIPALG_KO_DIR/$CT_MOD.ko" "$@" 2>/dev/null; then
		fail "$what: the module loaded"
		sipalg_unload
		return
	fi
	if mod_loaded "$CT_MOD"; then
		fail "$what: the module is still there after a refused load"
		return
	fi
	own=$(dmesg_since | grep "^$CT_MOD: " | grep -v 'invalid for parameter' |
		grep -F -- "$param" | grep -w -- "$bad")
	if [[ -n $own ]]; then
		pass "$what: refused ($own)"
	else
		fail "$what: refused, but no pr_err names '$bad'"
		dmesg_since | sed 's/^/#   /'
	fi
}

refused "9 ports" ports 5068 ports=5060,5061,5062,5063,5064,5065,5066,5067,5068
refused "port 0" ports 0 ports=5060,0
refused "sip_timeout=0" sip_timeout 0 sip_timeout=0

check "defaults load again after the refusals" sipalg_load "$CT_MOD"
sipalg_unload
exit $ret
