# SPDX-License-Identifier: GPL-2.0
# The scenario of test-call-ipv6.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import sipnet as sn


def scenario(t):
    t.setup()
    C, W, S = t.CLI6, t.WAN6, t.SRV6
    cli = t.udp('cli', C, 5010)
    srv = t.udp('srv', S, 5060)
    rtp_c, rtcp_c = t.udp('cli', C, 10006), t.udp('cli', C, 10007)
    rtp_s = t.udp('srv', S, 20000)

    cid = '1021667421783-v6@[%s]' % C
    body = sn.sdp(C, ['audio 10006 RTP/AVP 8 0 101|a=rtpmap:8 PCMA/8000|a=rtpmap:0 PCMU/8000|'
                      'a=rtpmap:101 telephone-event/8000|a=fmtp:101 0-15|a=ptime:20|a=sendrecv'],
                  origin='011')
    inv = sn.build('INVITE sip:*43@[%s];user=phone SIP/2.0' % S, [
        'Via: SIP/2.0/UDP [%s]:5010;branch=z9hG4bK-v6-1;rport' % C,
        'From: "011" <sip:011@[%s]:5060>;tag=v6-1' % S,
        'To: "*43" <sip:*43@[%s];user=phone>' % S,
        'Call-ID: ' + cid, 'CSeq: 1 INVITE',
        'Contact: <sip:011@[%s]:5010>' % C, 'Max-Forwards: 70',
        'User-Agent: Fanvil X3 1.3.384.1694', 'Content-Type: application/sdp'], body)
    cli.send(inv, (S, 5060))
    m = srv.recv_sip(sn.is_req('INVITE'))
    t.require(m, 'srv receives the INVITE over IPv6', 'nothing arrived in 5 s',
              show=lambda: t.conntrack_text('-f ipv6'))
    pub = m.src
    t.check(sn.same_addr(pub[0], W), 'the INVITE comes from the WAN IPv6 address',
            'it came from %s' % sn.fmt(pub))
    t.check_outbound(m, 'INVITE', C, pub)
    t.check(all('IN IP6' in ln for ln in m.body.splitlines() if ln.startswith(('c=', 'o='))),
            'INVITE SDP o= and c= stay IN IP6', show=m)
    t.check(('[%s]' % m.top_via()[1]) in m.hdr('via', ''),
            'INVITE Via keeps the IPv6 address in brackets', m.hdr('via'), show=m)
    s = m.sdp()
    t.require(s.media and s.media[0]['port'], 'INVITE SDP keeps its audio stream', show=m)
    maddr, mport = s.addr(0), s.media[0]['port']

    ans = sn.sdp(S, ['audio 20000 RTP/AVP 8 101|a=rtpmap:8 PCMA/8000|a=sendrecv'], origin='pbx')
    srv.send(t.answer(m, 200, 'OK', ans, contact='<sip:*43@[%s]:5060>' % S), m.src)
    r = cli.recv_sip(sn.is_resp(200, 'INVITE'))
    t.require(r, 'cli receives the 200 OK over IPv6', 'nothing arrived in 5 s')
    via = r.top_via()
    t.check(sn.same_hostport((via[1], via[2]), (C, 5010)),
            "200 OK top Via is the phone's own again", 'Via "%s"' % r.hdr('via'), show=r)
    t.check(r.content_length_ok(), '200 OK at cli has a correct Content-Length', show=r)
    cli.send(sn.build('ACK sip:*43@[%s]:5060 SIP/2.0' % S, [
        'Via: SIP/2.0/UDP [%s]:5010;branch=z9hG4bK-v6-2;rport' % C, 'Max-Forwards: 70',
        ('From', m.hdr('from')), ('To', r.hdr('to')), 'Call-ID: ' + cid, 'CSeq: 1 ACK']), (S, 5060))

    exps = t.wait_for(lambda: (lambda e: e if t.expect_for(mport, W, e) and
                               t.expect_for(mport + 1, W, e) else None)(t.expects()), 2) or t.expects()
    t.check(t.expect_for(mport, W, exps) and t.expect_for(mport + 1, W, exps),
            'IPv6 RTP and RTCP expectations listed for the port srv saw',
            'none for [%s]:%d/%d' % (W, mport, mport + 1), show=t.expects_text)
    t.check(sn.media(rtp_s, (maddr, mport), rtp_c), 'IPv6 RTP from srv reaches cli:10006',
            'nothing arrived', show=lambda: t.expects_text() + '\n' + t.conntrack_text('-f ipv6 -p udp'))
    t.check(sn.media(rtp_s, (maddr, mport + 1), rtcp_c), 'IPv6 RTCP from srv reaches cli:10007',
            'nothing arrived', show=t.expects_text)
    got = sn.media(rtp_c, (S, 20000), rtp_s)
    t.check(got, "IPv6 RTP from cli reaches srv's answered port", 'nothing arrived')


sn.Test().run(scenario)
