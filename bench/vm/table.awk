# SPDX-License-Identifier: GPL-2.0
#
# The bench-vm table out of bench/vm/run.sh's "RESULT key=value ..." lines:
# per kernel and test the median [min-max] of the rounds of each set-up,
# and the ratios of the medians, with the goals of issue 8.
#   awk -f bench/vm/table.awk LOG...

function kv(key,    i, n, a) {
	for (i = 2; i <= NF; i++) {
		n = index($i, "=")
		if (substr($i, 1, n - 1) == key)
			return substr($i, n + 1)
	}
	return ""
}

function median(list,    a, n, i, j, t) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++)	# insertion sort, numeric
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	MIN = a[1]; MAX = a[n]; N = n
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}

function fmt(v) {
	if (v >= 100000)
		return sprintf("%.0fk", v / 1000)
	return sprintf("%.0f", v)
}

$1 == "RESULT" {
	k = kv("kernel"); t = kv("test"); c = kv("cfg")
	if (!(k in kseen)) { kseen[k] = 1; korder[++nk] = k }
	if (!((k, t) in tseen)) { tseen[k, t] = 1; torder[k, ++nt[k]] = t }
	vals[k, t, c] = vals[k, t, c] " " kv("value")
	unit[k, t] = kv("unit")
	if (t == "scale")
		scale[k, c] = $0
}

END {
	goal["flows"] = "sipalg/sip >= 1.3"
	goal["trunk"] = "sipalg/sip >= 1.3"
	goal["rtp"] = "sipalg/none >= 0.98"
	goal["mem"] = "sipalg/sip <= 1.0"
	for (ki = 1; ki <= nk; ki++) {
		k = korder[ki]
		printf "\nkernel %s: median [min-max] of the rounds\n", k
		printf "%-7s %-12s %-22s %-22s %-22s %10s %11s  %s\n", "test", "unit",
		       "none", "sip (in-tree)", "sipalg", "sipalg/sip", "sipalg/none", "goal"
		for (ti = 1; ti <= nt[k]; ti++) {
			t = torder[k, ti]
			if (t == "scale" || t == "flush4k")
				continue
			line = sprintf("%-7s %-12s", t, unit[k, t])
			delete m
			for (ci = 1; ci <= 3; ci++) {
				c = ci == 1 ? "none" : ci == 2 ? "sip" : "sipalg"
				if ((k, t, c) in vals) {
					m[c] = median(vals[k, t, c])
					cell = sprintf("%s [%s-%s]", fmt(m[c]), fmt(MIN), fmt(MAX))
					if (N < 3)
						cell = cell "(" N ")"
				} else
					cell = "-"
				line = line sprintf(" %-22s", cell)
			}
			r1 = (m["sip"] > 0 && m["sipalg"] > 0) ? sprintf("%.2f", m["sipalg"] / m["sip"]) : "-"
			r2 = (m["none"] > 0 && m["sipalg"] > 0) ? sprintf("%.2f", m["sipalg"] / m["none"]) : "-"
			v = ""
			if (t == "flows" || t == "trunk")
				v = r1 >= 1.3 ? "met" : "MISSED"
			else if (t == "rtp")
				v = r2 >= 0.98 ? "met" : "MISSED"
			else if (t == "mem")
				v = r1 <= 1.0 ? "met" : "MISSED"
			if (r1 == "-" || (t == "rtp" && r2 == "-"))
				v = ""
			printf "%s %10s %11s  %s%s\n", line, r1, r2, goal[t], v != "" ? " (" v ")" : ""
			# Per-packet cost the helper adds over plain forwarding.
			if ((t == "flows" || t == "trunk") && m["none"] > 0 && m["sip"] > 0 && m["sipalg"] > 0) {
				hs = 1e9 / m["sip"] - 1e9 / m["none"]
				ha = 1e9 / m["sipalg"] - 1e9 / m["none"]
				if (ha > 0)
					extra[++ne] = sprintf("  %s: helper cost per packet over none: sip %.0f ns, sipalg %.0f ns (sip/sipalg %.2f)", t, hs, ha, hs / ha)
			}
		}
		for (i = 1; i <= ne; i++)
			print extra[i]
		ne = 0
		for (ci = 1; ci <= 2; ci++) {
			c = ci == 1 ? "sip" : "sipalg"
			if ((k, "flush4k", c) in vals)
				printf "  flush of 4000 calls (a flow each) with %s: %s ms\n", c, fmt(median(vals[k, "flush4k", c]))
		}
		for (ci = 1; ci <= 2; ci++) {
			c = ci == 1 ? "sipalg" : "sip"
			if ((k, c) in scale) {
				$0 = scale[k, c]
				printf "  scale %s: %s calls (%s per flow, %s flows) set up in %s ms; +%s flows, +%s pinholes; slab %.1f MB (%s B/call); RTP through sampled pinholes %s, after hold %s\n",
				       c, kv("calls"), kv("per_flow"), kv("flows"), kv("value"), kv("ct"), kv("exp"),
				       kv("slab_bytes") / 1048576, kv("bytes_per_call"), kv("sample_ok"), kv("held_ok")
			}
		}
	}
}
