#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Which kmemleak reports are ours: sourced by in-vm.sh (and by
# tests/host/test-kmemleak.sh, which feeds it sample reports).
#
# A leak is ours when a backtrace frame of the unreferenced object lies in
# the code of one of our modules.  A name match on "sipalg" does not do:
# once a module is unloaded its addresses no longer resolve to symbols, so
# the name is gone from the backtraces exactly when the leaks at unload
# would show.  So the code ranges are taken while the modules are loaded
# and kept, and reports are matched against them by address (and by the
# [module] a frame resolves to while loaded), before and after the unload.

# kml_snapshot MODULE...: "MODULE SECTION ADDRESS" for every code section
# of each MODULE that is loaded, from /sys/module/MODULE/sections/
# (KML_SYSFS replaces /sys in tests).  The tests unload and reload the
# modules, which may then sit elsewhere: in-vm.sh takes snapshots all along
# the run so every place our code was is known.
kml_snapshot() {
	local m sec dir
	for m in "$@"; do
		dir=${KML_SYSFS:-/sys}/module/$m/sections
		for sec in "$dir"/.text* "$dir"/.init.text* "$dir"/.exit.text*; do
			[[ -e $sec ]] && echo "$m ${sec##*/} $(<"$sec")"
		done
	done
	return 0
}

# kml_ranges KODIR < SNAPSHOTS: one "START END MODULE:SECTION" line (16
# lower-case hex digits, END exclusive) per distinct snapshot line, the
# size taken from the section headers of KODIR/MODULE.ko (the file that
# was loaded).  Fails on no snapshot at all, an address of 0 (the reader
# may not see kernel addresses: kptr_restrict) or a section it cannot size.
kml_ranges() {
	local kodir=$1 m name addr size n=0
	command -v readelf >/dev/null ||
		{ echo "kml_ranges: readelf missing (binutils)" >&2; return 1; }
	while read -r m name addr; do
		if ((addr == 0)); then
			echo "kml_ranges: $m $name reads as address 0" >&2
			return 1
		fi
		size=$(readelf -SW "$kodir/$m.ko" 2>/dev/null | awk -v s="$name" '
			{ sub(/^ *\[ *[0-9]+\] */, "") }
			$1 == s { print $5; exit }')
		if [[ -z $size ]]; then
			echo "kml_ranges: no size for $name in $kodir/$m.ko" >&2
			return 1
		fi
		((16#$size)) || continue
		printf '%016x %016x %s:%s\n' "$((addr))" \
			"$((addr + 16#$size))" "$m" "$name"
		n=$((n + 1))
	done < <(sort -u)
	((n)) || { echo "kml_ranges: no code section of ours seen" >&2; return 1; }
}

# kml_ours RANGES < REPORT: the objects of a kmemleak report
# (/sys/kernel/debug/kmemleak) with a backtrace address inside one of the
# RANGES (kml_ranges lines); prints each such object's report, then
# "ours N of M", and returns 0 only when N is 0.  Addresses are compared as
# fixed-width hex strings: awk's numbers cannot hold 64 bits.
kml_ours() {
	awk -v rf="$1" '
	function norm(a) {
		a = tolower(a)
		sub(/^0x/, "", a)
		while (length(a) < 16)
			a = "0" a
		return a
	}
	function flush() {
		if (obj != "" && hit) {
			ours++
			printf "%s", obj
			printf "# in %s\n", hit
		}
		obj = ""; hit = ""
	}
	BEGIN {
		n = 0
		while ((getline l < rf) > 0) {
			split(l, f, " ")
			if (f[1] == "")
				continue
			lo[n] = norm(f[1]); hi[n] = norm(f[2]); nm[n] = f[3]; n++
			m = f[3]
			sub(/:.*/, "", m)
			mod[m] = 1
		}
		if (!n) {
			print "kml_ours: no ranges in " rf > "/dev/stderr"
			bad = 1
			exit 2
		}
	}
	/^unreferenced object / { flush(); total++; obj = $0 "\n"; next }
	obj == "" { next }
	{ obj = obj $0 "\n" }
	# "    [<ADDR>] SYMBOL": ADDR is hashed unless the kernel runs with
	# no_hash_pointers; SYMBOL is "func+0x1/0x2 [module]" while the
	# module is loaded and the raw "0xffffffffc0a1b2c3" once it is gone.
	# Ours: a [module] of ours, or any of those addresses in a range.
	/^ *\[<[0-9a-fA-F]+>\]/ && hit == "" {
		l = $0
		if (match(l, /\[[A-Za-z0-9_]+\] *$/)) {
			m = substr(l, RSTART + 1)
			sub(/\].*/, "", m)
			if (m in mod)
				hit = m
		}
		while (hit == "" && match(l, /(\[<|0x)[0-9a-fA-F]+/)) {
			a = norm(substr(l, RSTART + 2, RLENGTH - 2))
			l = substr(l, RSTART + RLENGTH)
			for (i = 0; i < n; i++)
				if (a >= lo[i] && a < hi[i]) {
					hit = nm[i]
					break
				}
		}
	}
	END {
		if (bad)
			exit 2
		flush()
		printf "ours %d of %d\n", ours, total
		exit ours ? 1 : 0
	}'
}
