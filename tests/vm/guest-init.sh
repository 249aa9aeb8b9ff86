#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# PID 1 inside the test VM, started by initramfs-init after switch_root into
# the host's root (9p, read-only). Runs the job that tests/vm/run wrote into
# the read-write share, then saves dmesg and the exit code there and powers
# off. The job's output goes to ttyS0 (the runner's stdout); the kernel's
# console is ttyS1 (a log file on the host).
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LC_ALL=C.UTF-8 PYTHONDONTWRITEBYTECODE=1

rw=
for a in $(</proc/cmdline); do
	case $a in
	sipalgvm.rw=*) rw=${a#*=} ;;
	esac
done

out=/dev/ttyS0
[[ -c $out ]] || out=/dev/console
stty -F "$out" raw -echo -onlcr 2>/dev/null
exec </dev/null >"$out" 2>&1

halt_vm() {
	sync
	poweroff -f 2>/dev/null || busybox poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 10
}

if [[ -z $rw || ! -r $rw/job.sh ]]; then
	echo "guest-init: no job in the read-write share ($rw)"
	halt_vm
fi

# Real system files stay read-only; give tools the scratch state they expect.
mkdir -p /run/netns /run/lock /tmp/sipalg
hostname sipalg-vm 2>/dev/null
ip link set lo up 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

# job.sh sets SIPALG_* variables, JOB_CWD and the JOB array.
JOB_CWD=/ JOB=()
# shellcheck source=/dev/null
. "$rw/job.sh"
export SIPALG_RESULTS_DIR=$rw

cd "$JOB_CWD" || echo "guest-init: cannot cd to $JOB_CWD"
echo "SIPALG-VM-START: $(uname -r)" >"$rw/started"
"${JOB[@]}"
rc=$?

dmesg >"$rw/dmesg.txt" 2>&1
echo "$rc" >"$rw/rc"
halt_vm
