# SPDX-License-Identifier: GPL-2.0
# The scenario of test-call-outgoing.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

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

    # A second phone behind the same router with the same ports: the router
    # must give it other public ports (signalling and media) and say so.
    rc, out = sn.sh(t.ns['cli'], 'ip addr add %s/24 dev veth0 && ip route get %s from %s'
                    % (CLI2, t.SRV4, CLI2))
    t.require(rc == 0, 'add a second phone address on the LAN', out)
    cli2 = t.udp('cli', CLI2, 5010)
    rtp2, rtcp2 = t.udp('cli', CLI2, 10006), t.udp('cli', CLI2, 10007)
    rtp_s2, rtcp_s2 = t.udp('srv', t.SRV4, 20010), t.udp('srv', t.SRV4, 20011)
    cid2 = '1021667429999-2732164493501@' + CLI2
    inv2 = inv.replace(t.CLI4, CLI2).replace('1021667421783-2732164493500@' + CLI2, cid2) \
              .replace('branch=z9hG4bK1841331866303606934', 'branch=z9hG4bK1841331866303609999') \
              .replace('tag=908623127', 'tag=908629999')
    cli2.send(inv2, (t.SRV4, 5060))
    m2 = srv.recv_sip(sn.is_req('INVITE', cid2))
    t.require(m2, "srv receives the second phone's INVITE", 'nothing arrived in 5 s',
              show=t.conntrack_text)
    pub2 = m2.src
    t.note('second phone masqueraded to %s (first: %s)' % (sn.fmt(pub2), sn.fmt(pub)))
    t.check_outbound(m2, "second phone's INVITE", CLI2, pub2)
    s2 = m2.sdp()
    t.require(s2.media and s2.media[0]['port'], "second phone's INVITE keeps its audio stream",
              show=m2)
    maddr2, mport2 = s2.addr(0), s2.media[0]['port']
    t.check(mport2 != mport, 'the second phone gets another public media port than the first',
            'both %d (the first call still uses %s)' % (mport, sn.fmt((t.WAN4, mport))),
            show=lambda: str(m2) + '\n' + t.conntrack_text('-p udp'))
    t.check(mport2 % 2 == 0, "the second phone's public RTP port is even", 'm= port %d' % mport2)
    body2 = sn.sdp(t.SRV4, ['audio 20010 RTP/AVP 8|a=rtpmap:8 PCMA/8000|a=sendrecv'], origin='pbx')
    srv.send(t.answer(m2, 200, 'OK', body2, to_tag='pbx-2',
                      contact='<sip:*43@%s:5060>' % t.SRV4), m2.src)
    r2 = cli2.recv_sip(sn.is_resp(200, 'INVITE', cid2))
    t.require(r2, 'the second phone receives its 200 OK', 'nothing arrived in 5 s',
              show=t.conntrack_text)
    via = r2.top_via()
    t.check(sn.same_hostport((via[1], via[2]), (CLI2, 5010)),
            "second phone's 200 OK top Via is its own again", 'Via "%s"' % r2.hdr('via'), show=r2)
    exps = t.wait_for(lambda: (lambda e: e if t.expect_for(mport2, t.WAN4, e) and
                               t.expect_for(mport2 + 1, t.WAN4, e) else None)(t.expects()), 2) \
        or t.expects()
    t.check(t.expect_for(mport2, t.WAN4, exps) and t.expect_for(mport2 + 1, t.WAN4, exps),
            "RTP and RTCP expectations listed for the second phone's public pair",
            'none for dport %d/%d' % (mport2, mport2 + 1), show=t.expects_text)
    t.check(sn.media(rtp_s2, (maddr2, mport2), rtp2),
            "RTP to the second phone's public port reaches it on 10006", 'nothing arrived',
            show=lambda: t.expects_text() + '\n' + t.conntrack_text('-p udp'))
    t.check(sn.media(rtcp_s2, (maddr2, mport2 + 1), rtcp2),
            "RTCP to the second phone's public port+1 reaches it on 10007", 'nothing arrived',
            show=t.expects_text)
    got = sn.media(rtp_s, (maddr, mport), rtp_c)
    t.check(got, 'RTP to the first phone still reaches the first phone', 'nothing arrived')


CLI2 = '192.168.0.32'
sn.Test().run(scenario)
