# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034  # variables for the tests that source this
#
# Shared helpers for the sipalg netns tests (kselftest conventions: exit 0
# pass, 1 fail, 4 skip; one "PASS:"/"FAIL:"/"SKIP:" line per check).
# Source it from a test: . "$(dirname "$0")/lib.sh"
#
# The LAN-router-WAN topology that setup_topology builds:
#
#       LAN                                    WAN
#  +-----------+        +---------------+        +-----------+
#  |    cli    |        |      rtr      |        |    srv    |
#  |   veth0 --+--------+-- lan    wan -+--------+-- veth0   |
#  +-----------+        +---------------+        +-----------+
#  192.168.0.31/24      192.168.0.1/24  203.0.113.1/24  203.0.113.5/24
#  fd00:1::31/64        fd00:1::1/64    2001:db8:203::1/64 2001:db8:203::5/64
#  default via rtr      ip_forward=1, nft masquerade       no route back
#                       out of wan (IPv4 and IPv6)         to the LAN
#
# Every address exists only inside these namespaces, inside the test VM.

ksft_pass=0
ksft_fail=1
ksft_skip=4

: "${BUSYWAIT_TIMEOUT:=5000}"	# ms
: "${SIPALG_KO_DIR:=}"

TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}
ret=$ksft_pass
NS_LIST=()

pass() { echo "PASS: $TEST_NAME: $*"; }
fail() { echo "FAIL: $TEST_NAME: $*"; ret=$ksft_fail; }
skip() { echo "SKIP: $TEST_NAME: $*"; }
info() { echo "# $TEST_NAME: $*"; }

# check DESCRIPTION CMD...: one PASS or FAIL line for CMD's exit status.
check() {
	local what=$1; shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}

# setup_ok DESCRIPTION CMD...: a set-up step, not a behaviour check: a
# "# set-up ok" line (which run-all.sh does not count as a check) when CMD
# succeeds; a FAIL line and exit 1 when it does not (a broken precondition
# is a failure, never a skip).
setup_ok() {
	local what=$1; shift
	if "$@"; then
		info "set-up ok: $what"
	else
		fail "$what"
		exit "$ksft_fail"
	fi
}

# A missing tool is a broken precondition: the test fails (tests/deps.sh
# installs every tool the suite uses), it never skips.
checktool() {
	if ! eval "$1" >/dev/null 2>&1; then
		echo "FAIL: $TEST_NAME: could not $2"
		exit $ksft_fail
	fi
}

# Sleep without forking: read from a pipe nobody writes to.
exec {NAP_FD}<> <(:)
nap() { read -r -t "$1" -u "$NAP_FD" || :; }

# busywait TIMEOUT_MS CMD...: run CMD until it succeeds or time runs out.
busywait() {
	local timeout=$1 start now; shift
	start=$(date +%s%3N)
	while :; do
		"$@" && return 0
		now=$(date +%s%3N)
		((now - start >= timeout)) && return 1
		nap 0.05
	done
}

# setup_ns NAME...: create namespaces with unique names; NAME=<netns name>.
setup_ns() {
	local v n
	for v in "$@"; do
		n=$v-$$-$RANDOM
		ip netns add "$n" || return 1
		ip -n "$n" link set lo up || return 1
		NS_LIST+=("$n")
		printf -v "$v" '%s' "$n"
	done
}

cleanup_all_ns() {
	local n
	for n in "${NS_LIST[@]}"; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$n" 2>/dev/null
	done
	NS_LIST=()
}

# --- dmesg ---------------------------------------------------------------
# dmesg_mark: note where the kernel log is now; dmesg_since: what came after.
DMESG_MARK=
dmesg_mark() {
	DMESG_MARK="sipalg-test-mark-$$-$RANDOM"
	echo "$DMESG_MARK" >/dev/kmsg
}
dmesg_since() {
	dmesg | sed -n "/$DMESG_MARK/,\$p" | sed 1d | sed 's/^\[[ 0-9.]*\] //'
}

# --- our modules ---------------------------------------------------------
CT_MOD=nf_conntrack_sipalg
NAT_MOD=nf_nat_sipalg

# Fail the test unless SIPALG_KO_DIR holds both modules for this kernel.
require_sipalg_ko() {
	local m
	for m in $CT_MOD $NAT_MOD; do
		if [[ ! -r $SIPALG_KO_DIR/$m.ko ]]; then
			echo "FAIL: $TEST_NAME: $m.ko not found in '$SIPALG_KO_DIR' (build with tests/vm/build-modules.sh)"
			exit $ksft_fail
		fi
	done
	if [[ $(modinfo -F vermagic "$SIPALG_KO_DIR/$CT_MOD.ko" 2>/dev/null) != "$(uname -r) "* ]]; then
		echo "FAIL: $TEST_NAME: $SIPALG_KO_DIR/$CT_MOD.ko is not built for $(uname -r)"
		exit $ksft_fail
	fi
}

mod_loaded() { [[ -d /sys/module/$1 ]]; }

# sipalg_stats NS: /proc/net/stat/sipalg, sipalg_tcp and sipalg_media of
# namespace NS as "name value" lines.  The files have lnstat's format (field
# names, then one line of hex values per CPU): the first column is a gauge,
# the same on every line, the others are counters summed over the lines.
sipalg_stats() {
	ip netns exec "$1" awk '
	function hex(s,  i, v) {
		v = 0
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	FNR == 1 {
		n = split($0, name)
		for (i = 1; i <= n; i++)
			order[++all] = name[i]
		row = 0
		next
	}
	{
		row++
		for (i = 1; i <= n; i++)
			if (i > 1)
				v[name[i]] += hex($i)
			else if (row == 1)
				v[name[i]] = hex($i)
	}
	END { for (i = 1; i <= all; i++) printf "%s %d\n", order[i], v[order[i]] }
	' /proc/net/stat/sipalg /proc/net/stat/sipalg_tcp /proc/net/stat/sipalg_media
}

# sipalg_load MODULE [PARAM=VALUE...]: load one of our modules, its in-tree
# dependencies with modprobe and ours with insmod (what modprobe would do if
# the modules were installed).
sipalg_load() {
	local m=$1 d; shift
	mod_loaded "$m" && return 0
	for d in $(modinfo -F depends "$SIPALG_KO_DIR/$m.ko" | tr ',' ' '); do
		case $d in
		"$CT_MOD"|"$NAT_MOD") sipalg_load "$d" || return 1 ;;
		*) modprobe "$d" || return 1 ;;
		esac
	done
	insmod "$SIPALG_KO_DIR/$m.ko" "$@"
}

sipalg_unload() {
	local m
	for m in $NAT_MOD $CT_MOD; do
		mod_loaded "$m" && { rmmod "$m" || return 1; }
	done
	return 0
}

# The kernel autoloads modules by running kernel.modprobe. Point it at a
# wrapper that knows our uninstalled modules by their aliases and passes
# everything else to the real modprobe. Undone by sipalg_modprobe_restore.
SIPALG_MODPROBE_SAVED=
sipalg_modprobe_install() {
	local w=/tmp/sipalg-modprobe-$$ real
	real=$(</proc/sys/kernel/modprobe)
	SIPALG_MODPROBE_SAVED=$real
	cat >"$w" <<-EOF
	#!/bin/bash
	# Written by tests/net/lib.sh: autoload sipalg from $SIPALG_KO_DIR.
	ko=$SIPALG_KO_DIR
	for a in "\$@"; do
		case \$a in
		nfct-helper-sipalg|$CT_MOD) m=$CT_MOD ;;
		ip_nat_sipalg|nf-nat-sipalg|nf_nat_sipalg) m=$NAT_MOD ;;
		-*) continue ;;
		*) break ;;
		esac
		[[ -d /sys/module/$CT_MOD ]] || insmod "\$ko/$CT_MOD.ko" || exit 1
		[[ \$m == $CT_MOD || -d /sys/module/\$m ]] || insmod "\$ko/\$m.ko" || exit 1
		echo "\$m" >>/tmp/sipalg-autoload.log
		exit 0
	done
	exec $real "\$@"
	EOF
	chmod 755 "$w"
	echo "$w" >/proc/sys/kernel/modprobe
}
sipalg_modprobe_restore() {
	[[ -n $SIPALG_MODPROBE_SAVED ]] || return 0
	echo "$SIPALG_MODPROBE_SAVED" >/proc/sys/kernel/modprobe
	rm -f "/tmp/sipalg-modprobe-$$"
	SIPALG_MODPROBE_SAVED=
}

# --- the LAN-router-WAN topology ----------------------------------------
# setup_topology: sets $cli $rtr $srv (netns names); see the diagram above.
CLI4=192.168.0.31 RTR_LAN4=192.168.0.1 RTR_WAN4=203.0.113.1 SRV4=203.0.113.5
CLI6=fd00:1::31 RTR_LAN6=fd00:1::1 RTR_WAN6=2001:db8:203::1 SRV6=2001:db8:203::5

setup_topology() {
	setup_ns cli rtr srv || return 1
	# shellcheck disable=SC2154  # set by setup_ns
	{
	ip link add veth0 netns "$cli" type veth peer name lan netns "$rtr" &&
	ip link add veth0 netns "$srv" type veth peer name wan netns "$rtr"
	} || return 1

	ip -n "$cli" addr add $CLI4/24 dev veth0
	ip -n "$cli" addr add $CLI6/64 dev veth0 nodad
	ip -n "$rtr" addr add $RTR_LAN4/24 dev lan
	ip -n "$rtr" addr add $RTR_LAN6/64 dev lan nodad
	ip -n "$rtr" addr add $RTR_WAN4/24 dev wan
	ip -n "$rtr" addr add $RTR_WAN6/64 dev wan nodad
	ip -n "$srv" addr add $SRV4/24 dev veth0
	ip -n "$srv" addr add $SRV6/64 dev veth0 nodad
	local n
	for n in "$cli:veth0" "$rtr:lan" "$rtr:wan" "$srv:veth0"; do
		ip -n "${n%%:*}" link set "${n#*:}" up || return 1
	done
	ip -n "$cli" route add default via $RTR_LAN4
	ip -n "$cli" -6 route add default via $RTR_LAN6
	ip netns exec "$rtr" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 || return 1

	ip netns exec "$rtr" nft -f - <<-EOF || return 1
	table inet sipalg_nat {
		chain postrouting {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "wan" masquerade
		}
	}
	EOF
}

# rtr_helper_rules HELPER L4PROTO PORT [FAMILY]: attach HELPER in rtr to
# flows to PORT, with an nft ct helper object in an inet table.
rtr_helper_rules() {
	local helper=$1 proto=$2 port=$3 tbl=sipalg_helper_$1_$2_$3
	ip netns exec "$rtr" nft -f - <<-EOF
	table inet $tbl {
		ct helper h {
			type "$helper" protocol $proto
		}
		chain prerouting {
			type filter hook prerouting priority filter; policy accept;
			$proto dport $port ct helper set "h"
		}
	}
	EOF
}

# send_udp NS DST PORT [PAYLOAD]: one UDP datagram with bash's /dev/udp.
send_udp() {
	ip netns exec "$1" bash -c 'printf "%s" "$3" >"/dev/udp/$1/$2"' _ "$2" "$3" "${4:-x}"
}

# SIP OPTIONS request (CRLF line ends) from HOST:SPORT to DST:DPORT.
sip_options() {
	local host=$1 sport=$2 dst=$3 dport=$4
	printf '%s\r\n' \
		"OPTIONS sip:$dst:$dport SIP/2.0" \
		"Via: SIP/2.0/UDP $host:$sport;branch=z9hG4bK-$RANDOM" \
		"Max-Forwards: 70" \
		"From: <sip:test@$host:$sport>;tag=$RANDOM" \
		"To: <sip:$dst:$dport>" \
		"Call-ID: $RANDOM$RANDOM@$host" \
		"CSeq: 1 OPTIONS" \
		"Contact: <sip:test@$host:$sport>" \
		"Content-Length: 0" \
		""
}

# ct_has NS ARGS...: conntrack -L in NS (args filter) has a helper=... line
# matching the regex in $CT_MATCH.
ct_has() {
	local ns=$1; shift
	ip netns exec "$ns" conntrack -L "$@" 2>/dev/null | grep -Eq -- "$CT_MATCH"
}

# --- python scenarios (sipnet.py) -----------------------------------------
# scenario_setup [TOOL...]: what every sipnet.py scenario does first: check
# its tools, build the topology (torn down on exit) and export the names and
# addresses the python side reads; scenario_run then runs the scenario.
scenario_setup() {
	local tool
	for tool in conntrack nft python3 "$@"; do
		checktool "command -v $tool" "find $tool"
	done
	trap cleanup_all_ns EXIT
	setup_topology || { fail "set up the LAN-router-WAN topology"; exit "$ksft_fail"; }
	export TEST_NAME HELPER="${HELPER:-sipalg}" cli rtr srv \
		CLI4 RTR_WAN4 SRV4 CLI6 RTR_WAN6 SRV6
}

# scenario_run: run the test's python scenario, the .py file beside the
# test-NAME.sh being run (python puts its folder, with sipnet.py and
# mutate.py, first on sys.path).
scenario_run() {
	python3 "${0%.sh}.py" "$@"
}
