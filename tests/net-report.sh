#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Did every net test of tests/expected.txt report in a VM run of
# tests/net/run-all.sh?  run-all.sh closes each test with
#
#   # NAME: exit RC, P pass, F fail, S skip, Ts
#
# A test without that line never ran (deleted, renamed, or the VM died
# first); one that exited 0 with no PASS, FAIL or SKIP line proved nothing.
# Prints a FAIL: line for each; exits 1 if there was any.
#
# Usage: tests/net-report.sh LOG KERNEL   (LOG: the VM layer's output)
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
log=$1 kernel=$2
ret=0
# shellcheck disable=SC2013  # one name per line, no spaces
for n in $(awk '$1 == "net" { print $2 }' "$top/tests/expected.txt"); do
	line=$(tr -d '\r' <"$log" | grep -m1 -F "# $n: exit ")
	if [[ -z $line ]]; then
		echo "FAIL: net $n on $kernel: did not report"
		ret=1
	elif [[ $line == *": exit 0, 0 pass, 0 fail, 0 skip"* ]]; then
		echo "FAIL: net $n on $kernel: exited 0 without a PASS line"
		ret=1
	fi
done
exit "$ret"
