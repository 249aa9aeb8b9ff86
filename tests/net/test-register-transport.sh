#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A REGISTER whose Contact names the other transport: the pinhole it opens
# admits a flow of that transport, and that flow runs the helper of its own
# transport (the UDP code on UDP, the TCP code on TCP).
#
#  phone 192.168.0.31                router (masquerade)          PBX 203.0.113.5
#  +-----------+        +--------------------------+        +---------------+
#  |    cli    |--------| lan        rtr       wan |--------| srv :5060 TCP |
#  +-----------+        | helper udp+tcp dport 5060|        | :5060 :5070 UDP|
#                       +--------------------------+        +---------------+
#
#  1. REGISTER over TCP from :5074, Contact ...:5074;transport=udp
#     <- the PBX calls over UDP from :5070: the INVITE reaches the phone with
#     its Request-URI translated back; datagrams whose byte 4 would be a large
#     TCP data offset pass untouched, counted as malformed SIP.
#  2. REGISTER over UDP from :5076, Contact ...:5076;transport=tcp
#     <- the PBX connects over TCP: its INVITE is translated back as well.
set -u
TEST_NAME=register-transport
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario_setup
scenario_run
