#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The in-VM benchmark: runs inside the test VM (tests/vm/run), on the
# LAN-router-WAN topology of tests/net/lib.sh, with the traffic tools of
# bench/vm/build (make -C bench/vm). The host side is bench/vm/bench-vm.sh.
#
#   run.sh bench [--rounds R] [--secs S] [--calls N] [--tests LIST]
#	Rounds of the three router set-ups
#	    none    no helper (plain masquerade)
#	    sip     in-tree nf_conntrack_sip + nf_nat_sip
#	    sipalg  ours
#	side by side: the router gives flows from cli's 192.168.0.31 the
#	helper sipalg, from .32 the helper sip, from .33 none. In a round of
#	the packet-rate tests one sender sends the three streams, taking
#	turns batch by batch, and times every batch (see sipsend.c): host
#	load that slows the VM slows the three alike. The tests (LIST, comma
#	separated; default all):
#	    flows   INVITE-with-SDP packets/s, every packet a new flow
#	    trunk   the same on one 5060 <-> 5060 flow
#	    rtp     RTP packets/s through the pinhole of an established call
#	    mem     slab bytes (nf_conntrack, nf_conntrack_expect, sipalg_call)
#	            per 1,000 concurrent calls (INVITE + 200 OK, a flow each)
#
#   run.sh scale [--calls N] [--per-flow K] [--sample K] [--hold S]
#		 [--helper sipalg|sip]
#	N concurrent calls (default 10,000) set up through the router, K
#	calls per signalling flow (default 40; sip: 1); set-up time, memory,
#	and RTP from srv reaching cli through the pinholes of a sample of
#	calls, right after set-up and again after --hold seconds.
#
# Output: "RESULT key=value ..." lines (bench/vm/table.awk makes the table
# out of them), "# ..." diagnostics, and "FAIL: ..." lines for checks that
# did not hold (a sample not rewritten, a pinhole that did not work);
# exit 1 if there was any.

# cleanup runs from a trap; lib.sh's setup_topology sets cli, rtr, srv.
# shellcheck disable=SC2317,SC2154
set -u
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
TEST_NAME=bench-vm
# shellcheck source=../../tests/net/lib.sh
. "$ROOT/tests/net/lib.sh"
BIN=$HERE/build
KNAME=${SIPALG_VM_KERNEL:-$(uname -r)}
TMPD=/tmp/sipvm.$$

mode=${1:-bench}
(($#)) && shift
rounds=3 secs=3 batch=8 calls="" per_flow="" sample=50 hold=20 tests=flows,trunk,rtp,mem
scale_helper=sipalg
while (($#)); do
	case $1 in
	--rounds) rounds=$2; shift 2 ;;
	--secs) secs=$2; shift 2 ;;
	--batch) batch=$2; shift 2 ;;
	--calls) calls=$2; shift 2 ;;
	--per-flow) per_flow=$2; shift 2 ;;
	--sample) sample=$2; shift 2 ;;
	--hold) hold=$2; shift 2 ;;
	--tests) tests=$2; shift 2 ;;
	--helper) scale_helper=$2; shift 2 ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
done

CFGS=(none sip sipalg)
declare -A SRC=([sipalg]=192.168.0.31 [sip]=192.168.0.32 [none]=192.168.0.33)
# Media ports of each stream's INVITEs: disjoint, so that the pinholes of
# one never make the other search for a free port.
declare -A RTPBASE=([sipalg]=2000 [sip]=23000 [none]=44000)
MEDIA_PORTS=10000
# Most INVITEs one "flows" round may send per stream: every one needs its
# own source port and media port pair, so that no flow or pinhole is reused.
MAX_FLOW_PKTS=$MEDIA_PORTS

log() { echo "# [${SECONDS}s] $*"; }
now_ms() { date +%s%3N; }

cleanup() {
	local p
	for p in $(jobs -p); do kill "$p" 2>/dev/null; done
	cleanup_all_ns
	rm -rf "$TMPD"
}
trap cleanup EXIT

[[ -x $BIN/sipsend && -x $BIN/siprecv ]] || {
	echo "FAIL: $TEST_NAME: $BIN/sipsend and siprecv are not built (make -C bench/vm)"
	exit 1
}
require_sipalg_ko
mkdir -p "$TMPD"

# kv KEY LINE: the value of KEY=... in LINE.
kv() {
	local w
	for w in $2; do
		[[ $w == "$1="* ]] && { echo "${w#*=}"; return; }
	done
	echo 0
}

# nsx NS CMD...: run CMD in netns NS.
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# bg_ready OUTFILE NS CMD...: start CMD in the background with --ready and
# wait until its socket is bound. Sets BG_PID.
bg_ready() {
	local out=$1 ns=$2 ready=$TMPD/ready.$RANDOM; shift 2
	rm -f "$ready"
	nsx "$ns" "$@" --ready "$ready" >"$out" 2>&1 &
	BG_PID=$!
	busywait 10000 test -e "$ready" || {
		echo "FAIL: $TEST_NAME: $* did not start: $(cat "$out")"
		return 1
	}
}

# --- the router ----------------------------------------------------------
# The kernel's defaults size the expectation table for a few hundred
# pinholes; a flows round creates tens of thousands (both helpers alike).
setup_router() {
	local maxcalls=$1
	mod_loaded nf_conntrack ||
		modprobe nf_conntrack hashsize=131072 expect_hashsize=16384 ||
		return 1
	sysctl -qw net.netfilter.nf_conntrack_max=600000 \
		net.netfilter.nf_conntrack_expect_max=400000 \
		net.core.netdev_max_backlog=10000 \
		net.core.rmem_max=67108864 net.core.wmem_max=67108864 || return 1
	modprobe nf_conntrack_sip && modprobe nf_nat_sip || return 1
	sipalg_load "$CT_MOD" ${maxcalls:+max_calls=$maxcalls} &&
		sipalg_load "$NAT_MOD" || return 1
	setup_topology || return 1
	ip -n "$cli" addr add "${SRC[sip]}/24" dev veth0 &&
		ip -n "$cli" addr add "${SRC[none]}/24" dev veth0 || return 1
	nsx "$rtr" nft -f - <<-EOF || return 1
	table inet sipvm_helper {
		ct helper hsipalg {
			type "sipalg" protocol udp
		}
		ct helper hsip {
			type "sip" protocol udp
		}
		chain prerouting {
			type filter hook prerouting priority filter; policy accept;
			ip saddr ${SRC[sipalg]} udp dport 5060 ct helper set "hsipalg"
			ip saddr ${SRC[sip]} udp dport 5060 ct helper set "hsip"
		}
	}
	EOF
	# The 200 OKs of the synthetic calls go to ports nobody listens on:
	# drop them quietly instead of answering with ICMP.
	nsx "$cli" nft -f - <<-EOF || return 1
	table inet sipvm_sink {
		chain input {
			type filter hook input priority filter; policy accept;
			udp sport 5060 drop
		}
	}
	EOF
	log "kernel $(uname -r), $(nproc) CPUs; nf_conntrack hashsize $(</sys/module/nf_conntrack/parameters/hashsize)," \
		"expect_hashsize $(</sys/module/nf_conntrack/parameters/expect_hashsize)," \
		"expect_max $(sysctl -n net.netfilter.nf_conntrack_expect_max)," \
		"sipalg max_calls $(cat /sys/module/$CT_MOD/parameters/max_calls)"
}

# Forget every flow and pinhole of the previous round.
flush_router() {
	local t0
	t0=$(now_ms)
	nsx "$rtr" bash -c 'conntrack -F; conntrack -F expect' >/dev/null 2>&1
	FLUSH_MS=$(($(now_ms) - t0))
	nap 0.3		# RCU-deferred frees
}

# --- slab accounting -----------------------------------------------------
SLAB_CACHES="nf_conntrack nf_conntrack_expect sipalg_call"

# The SLUB caches to account, "name:sysfs-dir" (merged caches, aliases of
# one another, listed once under the first name); set by slab_merged.
SLAB_DIRS=()

slab_merged() {
	local c real others seen=" "
	SLAB_DIRS=()
	for c in $SLAB_CACHES; do
		[[ -e /sys/kernel/slab/$c ]] || continue
		real=$(realpath "/sys/kernel/slab/$c")
		[[ $seen == *" $real "* ]] && continue
		seen+="$real "
		SLAB_DIRS+=("$c:$real")
		[[ -L /sys/kernel/slab/$c ]] || continue
		others=$(find /sys/kernel/slab -maxdepth 1 -lname "*${real##*/}" -printf '%f ' | sed "s/\b$c\b//")
		log "slab: $c is merged into ${real##*/} with: $others(counts include them)"
	done
}

# slab_snap: "name objects slab_size" per cache, then SUnreclaim bytes.
slab_snap() {
	local e obj size k v _
	for e in "${SLAB_DIRS[@]}"; do
		read -r obj _ <"${e#*:}/objects"
		read -r size <"${e#*:}/slab_size"
		echo "${e%%:*} $obj $size"
	done
	while read -r k v _; do
		[[ $k == SUnreclaim: ]] && echo "SUnreclaim $((v * 1024)) 1"
	done </proc/meminfo
}

# slab_delta BEFORE AFTER: per cache "name:Δobjects:Δbytes", and the total.
slab_delta() {
	awk 'NR == FNR { o[$1] = $2; next }
	     { d = $2 - o[$1]; b = d * $3
	       if ($1 == "SUnreclaim") { su = d; next }
	       printf "%s:%d:%d ", $1, d, b; tot += b }
	     END { printf "total:%d sunreclaim:%d\n", tot, su }' "$1" "$2"
}

# --- the tests -----------------------------------------------------------
# rewrite_check CFG SAMPLED REWRITTEN WHAT
rewrite_check() {
	local cfg=$1 s=$2 r=$3 what=$4
	if [[ $cfg == none ]]; then
		((s > 0 && r == 0)) && return 0
	else
		((s > 0 && r == s)) && return 0
	fi
	fail "$what: $cfg: $r of $s sampled INVITEs carry c=$RTR_WAN4"
}

# order ROUND: the three set-ups, in another order each round.
order() {
	local i
	for ((i = 0; i < 3; i++)); do
		echo "${CFGS[(i + $1) % 3]}"
	done
}

# invite_round flows|trunk ROUND
invite_round() {
	local test=$1 r=$2 out=$TMPD/recv.out sport ports line c i
	local -a cfgs sargs slines
	mapfile -t cfgs < <(order "$r")
	flush_router
	if [[ $test == flows ]]; then
		sport=10000 ports=50000
	else
		sport=5060 ports=1
	fi
	for c in "${cfgs[@]}"; do
		sargs+=(--src "${SRC[$c]}:${RTPBASE[$c]}")
	done
	bg_ready "$out" "$srv" "$BIN/siprecv" count --port 5060 \
		--expect-c "$RTR_WAN4" --cpu 1 --idle-ms 1000 || return
	mapfile -t slines < <(nsx "$cli" "$BIN/sipsend" invite "${sargs[@]}" \
		--dst "$SRV4" --sport $sport --ports $ports --duration "$secs" \
		--count $MAX_FLOW_PKTS --media-ports $MEDIA_PORTS \
		--seq $((r * 1000000)) --batch "$batch" --cpu 0)
	wait "$BG_PID"
	local sent=0 chk gap
	for ((i = 0; i < 3; i++)); do
		c=${cfgs[i]} line=${slines[i]:-}
		sent=$((sent + $(kv sent "$line")))
		chk=$(grep "^check src=${SRC[$c]} " "$out")
		gap=$(grep "^gap src=${SRC[$c]} " "$out")
		rewrite_check "$c" "$(kv sampled "$chk")" "$(kv rewritten "$chk")" "$test round $r"
		echo "RESULT t=$SECONDS kernel=$KNAME test=$test cfg=$c round=$r value=$(kv pps "$gap") unit=pps" \
			"pps_p25=$(kv pps_p25 "$gap") pps_mean=$(kv pps_mean "$gap") recv=$(kv n "$gap")" \
			"sent=$(kv sent "$line") pps_send=$(kv pps "$line") pps_send_mean=$(kv pps_mean "$line")" \
			"sample=$(kv rewritten "$chk")/$(kv sampled "$chk") prev_flush_ms=$FLUSH_MS"
	done
	line=$(grep "^count port=5060 " "$out")
	if (($(kv pkts "$line") != sent)); then
		log "$test round $r: srv received $(kv pkts "$line") of $sent INVITEs"
	fi
}

# rtp_round ROUND: one call each through sipalg and sip, a port forward for
# none; then RTP from srv to the three advertised addresses.
rtp_round() {
	local r=$1 out=$TMPD/recv.out map=$TMPD/map line c i dst port
	local -a cfgs targs slines rports
	local -A mport=([sipalg]=16000 [sip]=18000 [none]=20000)
	local -A sport=([sipalg]=40000 [sip]=40002 [none]=40004)
	local -A adv
	mapfile -t cfgs < <(order "$r")
	flush_router
	bg_ready "$out" "$srv" "$BIN/siprecv" answer --port 5060 --n 2 \
		--addr "$SRV4" --media-base 40000 --map "$map" --max-wait 10 \
		--idle-ms 10000 ||
		return
	nsx "$cli" "$BIN/sipsend" invite --src "${SRC[sipalg]}:${mport[sipalg]}" \
		--dst "$SRV4" --sport 5070 --count 1 --seq 0 >/dev/null
	# Call 1 offers media port rtp-base + 2.
	nsx "$cli" "$BIN/sipsend" invite --src "${SRC[sip]}:$((mport[sip] - 2))" \
		--dst "$SRV4" --sport 5070 --count 1 --seq 1 >/dev/null
	wait "$BG_PID"
	while read -r i dst port; do
		c=$([[ $i == 0 ]] && echo sipalg || echo sip)
		if [[ $dst != "$RTR_WAN4" ]]; then
			fail "rtp round $r: $c: the INVITE reached srv with media $dst:$port, not on $RTR_WAN4"
			return
		fi
		adv[$c]=$port
		if [[ $port != "${mport[$c]}" ]]; then
			log "rtp round $r: $c advertised $dst:$port for ${SRC[$c]}:${mport[$c]}; rtr's pinholes:"
			nsx "$rtr" conntrack -L expect 2>/dev/null | sed 's/^/#   /'
		fi
	done <"$map"
	[[ -n ${adv[sipalg]:-} && -n ${adv[sip]:-} ]] ||
		{ fail "rtp round $r: calls not answered: $(cat "$out")"; return; }
	# No helper, no pinhole: a static port forward instead.
	adv[none]=${mport[none]}
	nsx "$rtr" nft -f - <<-EOF
	table ip sipvm_fwd {
		chain prerouting {
			type nat hook prerouting priority dstnat; policy accept;
			iifname "wan" udp dport ${mport[none]} dnat to ${SRC[none]}:${mport[none]}
		}
	}
	EOF
	for c in "${cfgs[@]}"; do
		targs+=(--target "$RTR_WAN4:${adv[$c]}:${sport[$c]}")
		rports+=(--port "${mport[$c]}")
	done
	bg_ready "$out" "$cli" "$BIN/siprecv" count "${rports[@]}" --cpu 1 \
		--idle-ms 1000 || return
	mapfile -t slines < <(nsx "$srv" "$BIN/sipsend" rtp "${targs[@]}" \
		--duration "$secs" --batch "$batch" --cpu 0)
	wait "$BG_PID"
	# Which helper the media flows carry (none expected: "helper=" shows
	# that the kernel attached the signalling flow's helper to them).
	nsx "$rtr" conntrack -L -p udp 2>/dev/null |
		grep -E "dport=(${mport[sipalg]}|${mport[sip]}|${mport[none]}) " |
		grep -o "dport=[0-9]* .*helper=[a-z]*" | sed "s/^/# rtp round $r media flow: /"
	nsx "$rtr" nft delete table ip sipvm_fwd 2>/dev/null
	for ((i = 0; i < 3; i++)); do
		c=${cfgs[i]} line=${slines[i]:-}
		local got gap
		got=$(kv pkts "$(grep "^count port=${mport[$c]} " "$out")")
		gap=$(grep "^gap port=${mport[$c]} " "$out")
		if ((got == 0)); then
			fail "rtp round $r: $c: no RTP reached cli through $RTR_WAN4:${adv[$c]}"
		elif ((got != $(kv sent "$line"))); then
			log "rtp round $r: $c: cli received $got of $(kv sent "$line")"
		fi
		echo "RESULT t=$SECONDS kernel=$KNAME test=rtp cfg=$c round=$r value=$(kv pps "$gap") unit=pps" \
			"pps_p25=$(kv pps_p25 "$gap") pps_mean=$(kv pps_mean "$gap") recv=$got" \
			"sent=$(kv sent "$line") pps_send=$(kv pps "$line") pps_send_mean=$(kv pps_mean "$line")"
	done
}

# setup_calls CFG N PER_FLOW SPORT_BASE: N calls (INVITE + 200 OK with SDP),
# PER_FLOW calls per signalling flow. Sets CALLS_MS, CALLS_LINE.
setup_calls() {
	local cfg=$1 n=$2 k=$3 base=$4 out=$TMPD/answer.out t0
	local flows=$(( (n + k - 1) / k ))
	bg_ready "$out" "$srv" "$BIN/siprecv" answer --port 5060 --n "$n" \
		--addr "$SRV4" --media-base 40000 --map "$TMPD/map" \
		--expect-c "$RTR_WAN4" --idle-ms 3000 --cpu 1 || return 1
	t0=$(now_ms)
	nsx "$cli" "$BIN/sipsend" invite --src "${SRC[$cfg]}:10000" --dst "$SRV4" \
		--sport "$base" --ports "$flows" --calls-per-port "$k" \
		--count "$n" --cpu 0 >/dev/null
	wait "$BG_PID"
	CALLS_MS=$(($(now_ms) - t0))
	CALLS_LINE=$(<"$out")
	nap 0.5		# the last 200 OKs cross the router
	if (($(kv answered "$CALLS_LINE") != n)); then
		fail "$cfg: $(kv answered "$CALLS_LINE") of $n calls answered ($CALLS_LINE)"
		return 1
	fi
	if [[ $cfg != none ]] && (($(kv rewritten "$CALLS_LINE") != n)); then
		fail "$cfg: $(kv rewritten "$CALLS_LINE") of $n INVITEs carry c=$RTR_WAN4"
	elif [[ $cfg == none ]] && (($(kv rewritten "$CALLS_LINE") != 0)); then
		fail "$cfg: $(kv rewritten "$CALLS_LINE") of $n INVITEs rewritten without a helper"
	fi
	return 0
}

# rtr_counts: "flows pinholes" in rtr.
rtr_counts() {
	# shellcheck disable=SC2016
	nsx "$rtr" bash -c 'read -r c </proc/sys/net/netfilter/nf_conntrack_count
		mapfile -t e </proc/net/nf_conntrack_expect; echo "$c ${#e[@]}"'
}

# mem_round CFG ROUND
mem_round() {
	local cfg=$1 r=$2 n=${calls:-1000} a=$TMPD/slab.a b=$TMPD/slab.b d
	local ct0 exp0 ct1 exp1
	flush_router
	nap 0.5
	read -r ct0 exp0 < <(rtr_counts)
	slab_snap >"$a"
	setup_calls "$cfg" "$n" 1 20000 || return
	slab_snap >"$b"
	read -r ct1 exp1 < <(rtr_counts)
	d=$(slab_delta "$a" "$b")
	local tot=${d##*total:}
	tot=${tot%% *}
	echo "RESULT t=$SECONDS kernel=$KNAME test=mem cfg=$cfg round=$r value=$((tot * 1000 / n)) unit=B/1000calls" \
		"calls=$n ct=$((ct1 - ct0)) exp=$((exp1 - exp0)) setup_ms=$CALLS_MS slab=${d// /,}"
}

run_bench() {
	local t r c
	setup_router "" || { fail "set up the router"; exit 1; }
	slab_merged
	for t in ${tests//,/ }; do
		for ((r = 1; r <= rounds; r++)); do
			case $t in
			flows|trunk) invite_round "$t" "$r" ;;
			rtp) rtp_round "$r" ;;
			mem)
				# Memory does not depend on timing: one set-up
				# at a time, in another order each round.
				for c in $(order "$r"); do
					mem_round "$c" "$r"
				done ;;
			*) echo "run.sh: unknown test $t" >&2; exit 2 ;;
			esac
		done
	done
	# What flushing costs once each helper tracks 4000 calls.
	for c in sipalg sip; do
		flush_router
		setup_calls $c 4000 1 20000 >/dev/null || continue
		flush_router
		log "flushing 4000 $c calls (a flow each) took ${FLUSH_MS} ms"
		echo "RESULT t=$SECONDS kernel=$KNAME test=flush4k cfg=$c round=1 value=$FLUSH_MS unit=ms"
	done
	log "sipalg counters: $(sipalg_stats "$rtr" | awk '$2 != 0 { printf "%s=%s ", $1, $2 }')"
}

# --- scale ---------------------------------------------------------------
probe_sample() {
	local n=$1 k=$2 what=$3 out=$TMPD/sink.out line
	bg_ready "$out" "$cli" "$BIN/siprecv" sink --base 10000 --n "$n" \
		--k "$k" --max-secs 10 || return
	nsx "$srv" "$BIN/sipsend" probe --map "$TMPD/map" --n "$n" --k "$k" \
		--bind-port 39998 >/dev/null
	wait "$BG_PID"
	line=$(<"$out")
	if (($(kv got "$line") == k)); then
		pass "$what: RTP from srv reaches cli on all $k sampled calls"
	else
		fail "$what: RTP from srv reached cli on $(kv got "$line") of $k sampled calls ($line)"
	fi
	SCALE_GOT=$(kv got "$line")
}

run_scale() {
	local n=${calls:-10000} h=$scale_helper k a=$TMPD/slab.a b=$TMPD/slab.b d
	local ct0 exp0 ct1 exp1 tot
	k=${per_flow:-$([[ $h == sip ]] && echo 1 || echo 40)}
	setup_router "$([[ $h == sipalg ]] && echo 20000)" ||
		{ fail "set up the router"; exit 1; }
	slab_merged
	nap 0.5
	read -r ct0 exp0 < <(rtr_counts)
	slab_snap >"$a"
	setup_calls "$h" "$n" "$k" 20000 || exit 1
	slab_snap >"$b"
	read -r ct1 exp1 < <(rtr_counts)
	d=$(slab_delta "$a" "$b")
	tot=${d##*total:}
	tot=${tot%% *}
	log "$n calls ($k per flow, $(( (n + k - 1) / k )) flows) set up in $CALLS_MS ms: $CALLS_LINE"
	log "flows +$((ct1 - ct0)), pinholes +$((exp1 - exp0)); slab $d"
	probe_sample "$n" "$sample" "scale $h just after set-up"
	local got1=$SCALE_GOT
	log "holding the calls for ${hold}s"
	nap "$hold"
	probe_sample "$n" "$sample" "scale $h after ${hold}s"
	echo "RESULT t=$SECONDS kernel=$KNAME test=scale cfg=$h round=1 value=$CALLS_MS unit=ms" \
		"calls=$n per_flow=$k flows=$(( (n + k - 1) / k )) ct=$((ct1 - ct0))" \
		"exp=$((exp1 - exp0)) slab_bytes=$tot bytes_per_call=$((tot / n))" \
		"sample_ok=$got1/$sample held_ok=$SCALE_GOT/$sample slab=${d// /,}"
	if [[ $h == sipalg ]]; then
		log "sipalg counters: $(sipalg_stats "$rtr" | awk '$2 != 0 { printf "%s=%s ", $1, $2 }')"
	fi
}

case $mode in
bench) run_bench ;;
scale) run_scale ;;
*) echo "usage: run.sh bench|scale [options]" >&2; exit 2 ;;
esac
exit "$ret"
