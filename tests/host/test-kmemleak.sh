#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check-debug decides from a kmemleak report which leaks are ours
# (tests/debug/kmemleak.sh).  That decision cannot be tried on a real leak
# without the hour-long debug kernel, so it is tried here on sample reports
# in the formats kmemleak prints, against code ranges taken from a fake
# /sys/module and an object file's section headers.
#
# Usage: test-kmemleak.sh   (kselftest exit codes: 0, 1)
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=../debug/kmemleak.sh
. "$top/tests/debug/kmemleak.sh"
T=kmemleak
ret=0
tmp=$(mktemp -d)
# shellcheck disable=SC2317  # called by the trap
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

# --- kml_snapshot + kml_ranges: sysfs addresses, section sizes ---
mkdir -p "$tmp/ko"
printf 'int f(int x) { return x * 3 + 1; }\n' >"$tmp/m.c"
if ! cc -O0 -c -o "$tmp/ko/nf_conntrack_sipalg.ko" "$tmp/m.c"; then
	echo "FAIL: $T: cannot compile the sample object"
	exit 1
fi
text_size=$(readelf -SW "$tmp/ko/nf_conntrack_sipalg.ko" |
	awk '{ sub(/^ *\[ *[0-9]+\] */, "") } $1 == ".text" { print $5 }')
sys=$tmp/sys
mkdir -p "$sys/module/nf_conntrack_sipalg/sections"
# two loads at two places, the second seen twice; nf_nat_sipalg not loaded
snap() {
	echo "$1" >"$sys/module/nf_conntrack_sipalg/sections/.text"
	KML_SYSFS=$sys kml_snapshot nf_conntrack_sipalg nf_nat_sipalg
}
{ snap 0xffffffffc0a00000; snap 0xffffffffc0c00000; snap 0xffffffffc0c00000
} >"$tmp/snaps"
want=$(printf '%016x %016x nf_conntrack_sipalg:.text\n' \
	$((0xffffffffc0a00000)) $((0xffffffffc0a00000 + 16#$text_size)) \
	$((0xffffffffc0c00000)) $((0xffffffffc0c00000 + 16#$text_size)))
if kml_ranges "$tmp/ko" <"$tmp/snaps" >"$tmp/ranges" &&
	[[ $(<"$tmp/ranges") == "$want" ]]; then
	echo "PASS: $T: one code range per place the module was loaded"
else
	echo "FAIL: $T: code ranges: got '$(cat "$tmp/ranges")', want '$want'"
	ret=1
fi
if kml_ranges "$tmp/ko" </dev/null >/dev/null 2>&1; then
	echo "FAIL: $T: no snapshot gives ranges"
	ret=1
else
	echo "PASS: $T: no snapshot of a loaded module is an error"
fi
if snap 0 | kml_ranges "$tmp/ko" >/dev/null 2>&1; then
	echo "FAIL: $T: a hidden (0) load address gives a range"
	ret=1
else
	echo "PASS: $T: a hidden (0) load address is an error"
fi
if echo "nf_nat_sipalg .text 0xffffffffc0b00000" |
	kml_ranges "$tmp/ko" >/dev/null 2>&1; then
	echo "FAIL: $T: a module without its .ko gives a range"
	ret=1
else
	echo "PASS: $T: a section that cannot be sized is an error"
fi

# --- kml_ours: the decision on sample reports ---
cat >"$tmp/r" <<'EOF'
ffffffffc0a00000 ffffffffc0a04000 nf_conntrack_sipalg:.text
ffffffffc0b10000 ffffffffc0b11000 nf_nat_sipalg:.text
EOF
obj() {
	cat <<EOF
unreferenced object 0xffff888004a1c300 (size 128):
  comm "ksoftirqd/0", pid 12, jiffies 4294893000 (age 21.200s)
  hex dump (first 32 bytes):
    00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00  ................
  backtrace:
    [<00000000a4c1b2d3>] __kmem_cache_alloc_node+0x1a4/0x2c0
EOF
	printf '    %s\n' "$@"
}
# "NAME|WANT|FRAME[;FRAME...]": WANT 1 when the first object is ours
cases=(
	"loaded: frame resolves to [nf_conntrack_sipalg]|1|[<000000008f9e1a2b>] sipalg_expect_new+0x8c/0x1f0 [nf_conntrack_sipalg]"
	"loaded: frame resolves to [nf_nat_sipalg]|1|[<000000008f9e1a2b>] nat_sipalg_mangle+0x8c/0x1f0 [nf_nat_sipalg]"
	"unloaded: raw address inside our text|1|[<000000008f9e1a2b>] 0xffffffffc0a01a2c"
	"unloaded: raw address at the last byte of our text|1|[<000000008f9e1a2b>] 0xffffffffc0a03fff"
	"no_hash_pointers: [<addr>] inside our text|1|[<ffffffffc0b10010>] 0xffffffffc0b10010"
	"unloaded: address one past our text is not ours|0|[<000000008f9e1a2b>] 0xffffffffc0a04000"
	"another module's frame is not ours|0|[<000000008f9e1a2b>] nf_ct_ext_add+0x7a/0x130 [nf_conntrack]"
	"a symbol named sipalg in no module of ours is not ours|0|[<000000008f9e1a2b>] sipalg_like+0x1/0x2 [other_sipalg]"
	"kernel frames only are not ours|0|[<000000001e2d3c4b>] kmalloc_trace+0x26/0x60;[<000000003a4b5c6d>] do_syscall_64+0x3b/0x90"
	"ours below kernel frames|1|[<000000001e2d3c4b>] kmalloc_trace+0x26/0x60;[<000000003a4b5c6d>] 0xffffffffc0a00000"
)
for c in "${cases[@]}"; do
	IFS='|' read -r name want frame <<<"$c"
	IFS=';' read -r -a frames <<<"$frame"
	obj "${frames[@]}" >"$tmp/report"
	obj "[<000000001111aaaa>] kfree_skb_reason+0x10/0x20" >>"$tmp/report"
	out=$(kml_ours "$tmp/r" <"$tmp/report")
	rc=$?
	if ((want)); then
		ok=$(( rc == 1 )) expect="ours 1 of 2"
	else
		ok=$(( rc == 0 )) expect="ours 0 of 2"
	fi
	if ((ok)) && [[ $(tail -n 1 <<<"$out") == "$expect" ]]; then
		echo "PASS: $T: $name"
	else
		echo "FAIL: $T: $name: exit $rc, '$(tail -n 1 <<<"$out")', want '$expect'"
		ret=1
	fi
done
out=$(kml_ours "$tmp/r" </dev/null)
rc=$?
if ((rc == 0)) && [[ $out == "ours 0 of 0" ]]; then
	echo "PASS: $T: an empty report has no leak"
else
	echo "FAIL: $T: empty report: exit $rc, '$out'"
	ret=1
fi
if kml_ours "$tmp/none" </dev/null >/dev/null 2>&1 || (($? != 2)); then
	echo "FAIL: $T: no ranges must be an error (exit 2)"
	ret=1
else
	echo "PASS: $T: no ranges is an error, not a clean report"
fi
exit $ret
