#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Expectations of a call go away when the call ends: BYE from either side,
# and CANCEL answered by 487.
#
#  phone 192.168.0.31:5010      router (masquerade)        PBX 203.0.113.5:5060
#  +-----------+        +---------------------+        +-----------+
#  |    cli    |--------| lan   rtr      wan  |--------|    srv    |
#  +-----------+        +---------------------+        +-----------+
#
#  call A: INVITE/200/ACK ... BYE (phone)  -> 200     conntrack -L expect: empty
#  call B: INVITE/100/180 ... CANCEL -> 200, 487 -> ACK      ... empty
#  call C: INVITE/200/ACK ... BYE (PBX)    <- 200     ... empty
#          (its INVITE uses compact header forms: v: f: t: i: m: c: l:)
set -u
TEST_NAME=call-cleanup
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario_setup

scenario_run
