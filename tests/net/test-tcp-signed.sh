#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A TCP segment signed with TCP-MD5 (RFC 2385) or TCP-AO (RFC 5925) is
# never held back: holding means the router acknowledges the bytes itself,
# and it cannot sign that ACK.  Segments are crafted on a raw socket (the
# phone's kernel does not answer for that connection: its RSTs are
# dropped), the PBX side is read off the wire.
#
#  phone 192.168.0.31 (raw)     router: masquerade, helper tcp 5060     PBX 203.0.113.5:5060
#  +-----------+               +---------------------+                  +-----------+
#  |    cli    |---------------| lan   rtr       wan |------------------|    srv    |
#  +-----------+               +---------------------+                  +-----------+
#
#  Per connection: handshake, then the first part of an INVITE.
#   unsigned   -> held: nothing reaches the PBX, the router ACKs it (tcp_held +1)
#   MD5 option -> passed at once, byte for byte (tcp_signed +1, tcp_held +0)
#   AO option  -> the same
set -u
TEST_NAME=tcp-signed
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

drop_phone_rst() {
	# shellcheck disable=SC2154  # set by setup_ns
	ip netns exec "$cli" nft -f - <<-EOF
	table inet rawphone {
		chain out {
			type filter hook output priority filter; policy accept;
			tcp flags rst drop
		}
	}
	EOF
}

scenario_setup
setup_ok "drop the phone kernel's RSTs for the crafted connections" drop_phone_rst
scenario_run
