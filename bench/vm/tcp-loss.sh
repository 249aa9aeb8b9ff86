#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Split SIP messages over TCP through a lossy NATed router: how many arrive
# rewritten.  A measurement that prints figures, not a test (the goal of
# issue 16 is 300 of 300 at 3 % loss each way, 99 % at 10 %).
#
#   tests/vm/run --kernel 6.1 bench/vm/tcp-loss.sh [LOSS_PCT [COUNT [SEED]]]
#
#  phone 192.168.0.31:5010       router: masquerade, helper tcp 5060,     PBX 203.0.113.5
#  +-----------+        +-----------------------------------+       +-----------+
#  |    cli    |--------| lan  netem loss L %  |  wan netem loss L % |-------|    srv    |
#  +-----------+        +-----------------------------------+       +-----------+
#
# The phone writes COUNT INVITEs of about 2,000 bytes on one connection, each
# in two writes cut at a random point; the PBX reads the stream and checks
# each message: the phone's address gone from headers and SDP, Content-Length
# right, and every byte the rewrite should not touch as it was sent.
set -u
TEST_NAME=tcp-loss
. "$(dirname "${BASH_SOURCE[0]}")/../../tests/net/lib.sh"

LOSS=${1:-3} COUNT=${2:-300} SEED=${3:-1}
scenario_setup tc
modprobe sch_netem || { echo "FAIL: $TEST_NAME: modprobe sch_netem"; exit 1; }
# shellcheck disable=SC2154  # set by setup_ns
for dev in lan wan; do
	tc -n "$rtr" qdisc add dev "$dev" root netem loss "$LOSS%" ||
		{ echo "FAIL: $TEST_NAME: netem on $dev"; exit 1; }
done
export LOSS COUNT SEED
PYTHONPATH=$(dirname "${BASH_SOURCE[0]}")/../../tests/net \
	python3 "$(dirname "${BASH_SOURCE[0]}")/tcp_loss.py"
