#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One call with four media streams, explicit RTCP ports and rtcp-mux.
#
#  phone 192.168.0.31:5010      router (masquerade)        PBX 203.0.113.5:5060
#  +-----------+        +---------------------+        +-----------+
#  |    cli    |--------| lan   rtr      wan  |--------|    srv    |
#  +-----------+        +---------------------+        +-----------+
#
#  offer (cli)                                  answer (srv)
#  m=audio       10010  a=rtcp:10021            m=audio       20020
#  m=video       10012  a=rtcp:10023 IN IP4 ..  m=video       20022 a=rtcp:20033
#  m=audio       10014  a=rtcp-mux              m=audio       20024 a=rtcp-mux
#  m=application 10016  (RTCP on 10017)         m=application 20026
#
# Checks: srv sees every m= port, a=rtcp port and address rewritten; the
# router lists an RTP expectation per stream and an RTCP one at the a=rtcp
# port (none for the rtcp-mux stream); RTP (and RTCP) from srv reach every
# stream's port on cli, RTP from cli reaches srv.
set -u
TEST_NAME=call-multistream
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

scenario_setup

scenario_run
