#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Outgoing call through NAT with the Fanvil X3's own INVITE.
#
#  phone (Fanvil X3)          router (masquerade,            PBX
#  192.168.0.31:5010          helper on udp dport 5060)      203.0.113.5:5060
#  +-----------+        +---------------------+        +-----------+
#  |    cli    |--------| lan   rtr      wan  |--------|    srv    |
#  +-----------+        +---------------------+        +-----------+
#   RTP :10006/10007         203.0.113.1                 RTP :20000/20001
#
#   INVITE (SDP c=192.168.0.31 m=10006) ------------->  Via/Contact/o=/c= name
#                                                       203.0.113.1:<port>
#   <-------------- 200 OK (SDP 203.0.113.5:20000)      Via restored for the phone
#   ACK ------------------------------------------->
#   <========== RTP/RTCP to the m= port srv saw ====   reaches cli:10006/10007
#   ============ RTP to srv:20000 ==================>  from the advertised port
#
# HELPER=sip runs the same checks against the in-tree nf_conntrack_sip.
set -u
TEST_NAME=call-outgoing
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

checktool "conntrack --version" "run conntrack"
checktool "nft --version" "run nft"
checktool "python3 -c pass" "run python3"

cleanup() { cleanup_all_ns; }
trap cleanup EXIT

setup_topology || { fail "set up the LAN-router-WAN topology"; exit $ksft_fail; }
export TEST_NAME HELPER="${HELPER:-sipalg}" cli rtr srv CLI4 RTR_WAN4 SRV4 CLI6 RTR_WAN6 SRV6

PYTHONPATH=$(dirname "${BASH_SOURCE[0]}") python3 - <<'EOF'
import sipnet as sn


def scenario(t):
    t.setup()
    cli = t.udp('cli', t.CLI4, 5010)
    srv = t.udp('srv', t.SRV4, 5060)
    rtp_c, rtcp_c = t.udp('cli', t.CLI4, 10006), t.udp('cli', t.CLI4, 10007)
    rtp_s, rtcp_s = t.udp('srv', t.SRV4, 20000), t.udp('srv', t.SRV4, 20001)

    inv = sn.FANVIL_INVITE.replace(
        'INVITE sip:*43@avantelecom.avantele.com;', 'INVITE sip:*43@%s;' % t.SRV4)
    cli.send(inv, (t.SRV4, 5060))
    m = srv.recv_sip(sn.is_req('INVITE'))
    t.require(m, 'srv receives the INVITE', 'nothing arrived in 5 s',
              show=lambda: t.conntrack_text() + '\n' + t.expects_text())
    pub = m.src
    t.check(sn.same_addr(pub[0], t.WAN4), 'the INVITE comes from the WAN address',
            'it came from %s' % sn.fmt(pub))
    t.check_outbound(m, 'INVITE', t.CLI4, pub)
    t.check(m.call_id == '1021667421783-2732164493500@192.168.0.31',
            'INVITE Call-ID is untouched', 'Call-ID %s' % m.call_id)
    s = m.sdp()
    t.require(len(s.media) == 1 and s.media[0]['port'],
              'INVITE SDP keeps its audio stream', 'media %r' % s.media, show=m)
    maddr, mport = s.addr(0), s.media[0]['port']
    t.note('srv saw media at %s' % sn.fmt((maddr, mport)))
    t.check(mport == 10006, "the phone's media port is kept when it is free on the WAN address",
            'm= port %d' % mport)

    body = sn.sdp(t.SRV4, ['audio 20000 RTP/AVP 8 101|a=rtpmap:8 PCMA/8000|'
                           'a=rtpmap:101 telephone-event/8000|a=sendrecv'], origin='pbx')
    srv.send(t.answer(m, 100, 'Trying'), m.src)
    ok = t.answer(m, 200, 'OK', body, contact='<sip:*43@%s:5060>' % t.SRV4)
    srv.send(ok, m.src)
    r = cli.recv_sip(sn.is_resp(200, 'INVITE'))
    t.require(r, 'cli receives the 200 OK', 'nothing arrived in 5 s',
              show=lambda: t.conntrack_text())
    via = r.top_via()
    t.check(sn.same_hostport((via[1], via[2]), (t.CLI4, 5010)) and
            via[3].get('branch') == 'z9hG4bK1841331866303606934',
            "200 OK top Via is the phone's own again",
            'Via "%s"' % r.hdr('via'), show=r)
    rcv, rp = via[3].get('received'), via[3].get('rport')
    t.check((rcv is None or sn.same_addr(rcv, t.CLI4)) and (not rp or rp == '5010'),
            "200 OK top Via received= and rport= name the phone again",
            'Via "%s"' % r.hdr('via'), show=r)
    t.check(r.content_length_ok(), '200 OK at cli has a correct Content-Length',
            'Content-Length %s, body %d bytes' % (r.hdr('content-length'), len(r.body_bytes)), show=r)
    rs = r.sdp()
    t.check(rs.media and sn.same_addr(rs.addr(0), t.SRV4) and rs.media[0]['port'] == 20000,
            "200 OK at cli keeps the PBX's media address", 'SDP %r' % rs.text, show=r)

    # The PBX retransmits its 200 OK (the ACK crossed): it must pass again
    # and must not open a second set of pinholes.
    n_exp = len(t.expects())
    srv.send(ok, m.src)
    r2 = cli.recv_sip(sn.is_resp(200, 'INVITE'))
    t.check(r2 and r2.raw == r.raw, 'a retransmitted 200 OK reaches cli the same as the first',
            'nothing arrived in 5 s' if not r2 else 'it differs', show=r2)
    n_exp2 = len(t.expects())
    t.check(n_exp2 == n_exp, 'a retransmitted 200 OK opens no further expectations',
            '%d expectations before, %d after' % (n_exp, n_exp2), show=t.expects_text)

    ack = sn.build('ACK sip:*43@%s:5060 SIP/2.0' % t.SRV4, [
        'Via: SIP/2.0/UDP %s:5010;branch=z9hG4bK1841331866303606935;rport' % t.CLI4,
        ('From', m.hdr('from')), ('To', r.hdr('to')), ('Call-ID', m.call_id),
        'CSeq: 1 ACK', 'Contact: <sip:011@%s:5010>' % t.CLI4, 'Max-Forwards: 70'])
    cli.send(ack, (t.SRV4, 5060))
    a = srv.recv_sip(sn.is_req('ACK'))
    t.check(a, 'srv receives the ACK', 'nothing arrived in 5 s')

    exps = t.wait_for(lambda: (lambda e: e if t.expect_for(mport, exps=e) and
                               t.expect_for(mport + 1, exps=e) else None)(t.expects()), 2)
    exps = exps or t.expects()
    rtp_e = [e for e in t.expect_for(mport, exps=exps) if e.get('proto') == 17]
    rtcp_e = [e for e in t.expect_for(mport + 1, exps=exps) if e.get('proto') == 17]
    t.check(rtp_e and rtcp_e,
            'RTP and RTCP expectations of this helper listed for the port srv saw',
            'none for dport %d/%d' % (mport, mport + 1), show=t.expects_text)

    got = sn.media(rtp_s, (maddr, mport), rtp_c)
    t.check(got, 'RTP from srv to the advertised address reaches cli:10006',
            'nothing arrived', show=lambda: t.expects_text() + '\n' + t.conntrack_text('-p udp'))
    got = sn.media(rtcp_s, (maddr, mport + 1), rtcp_c)
    t.check(got, 'RTCP from srv to the advertised port+1 reaches cli:10007',
            'nothing arrived', show=t.expects_text)
    got = sn.media(rtp_c, (t.SRV4, 20000), rtp_s)
    t.check(got, "RTP from cli reaches srv's answered port", 'nothing arrived')
    t.check(got and sn.same_hostport(got, (maddr, mport)),
            'RTP from cli comes from the address and port its SDP advertised',
            'it came from %s, the SDP said %s' % (sn.fmt(got), sn.fmt((maddr, mport))),
            show=lambda: t.conntrack_text('-p udp'))


sn.Test().run(scenario)
EOF
