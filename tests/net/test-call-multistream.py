# SPDX-License-Identifier: GPL-2.0
# The scenario of test-call-multistream.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import sipnet as sn

# (type, cli RTP port, cli RTCP port or None for rtcp-mux, srv RTP port)
STREAMS = [('audio', 10010, 10021, 20020), ('video', 10012, 10023, 20022),
           ('audio', 10014, None, 20024), ('application', 10016, 10017, 20026)]


def scenario(t):
    t.setup()
    cli = t.udp('cli', t.CLI4, 5010)
    srv = t.udp('srv', t.SRV4, 5060)
    c_rtp = [t.udp('cli', t.CLI4, s[1]) for s in STREAMS]
    c_rtcp = [t.udp('cli', t.CLI4, s[2]) if s[2] else None for s in STREAMS]
    s_rtp = [t.udp('srv', t.SRV4, s[3]) for s in STREAMS]
    s_rtcp = t.udp('srv', t.SRV4, 20041)

    offer = sn.sdp(t.CLI4, [
        'audio 10010 RTP/AVP 0 8|a=rtpmap:0 PCMU/8000|a=rtcp:10021|a=sendrecv',
        'video 10012 RTP/AVP 96|a=rtpmap:96 H264/90000|a=rtcp:10023 IN IP4 %s|a=sendrecv' % t.CLI4,
        'audio 10014 RTP/AVP 0|a=rtpmap:0 PCMU/8000|a=rtcp-mux|a=sendrecv',
        'application 10016 RTP/AVP 98|a=rtpmap:98 t140/1000|a=sendrecv'], origin='phone')
    cid = 'multi-1@%s' % t.CLI4
    inv = sn.build('INVITE sip:conf@%s SIP/2.0' % t.SRV4, [
        'Via: SIP/2.0/UDP %s:5010;branch=z9hG4bK-multi-1;rport' % t.CLI4,
        'Max-Forwards: 70', 'From: <sip:011@%s>;tag=ms-1' % t.SRV4,
        'To: <sip:conf@%s>' % t.SRV4, 'Call-ID: ' + cid, 'CSeq: 1 INVITE',
        'Contact: <sip:011@%s:5010>' % t.CLI4, 'Content-Type: application/sdp'], offer)
    cli.send(inv, (t.SRV4, 5060))
    m = srv.recv_sip(sn.is_req('INVITE'))
    t.require(m, 'srv receives the INVITE', 'nothing arrived in 5 s', show=t.conntrack_text)
    pub = m.src
    t.check_outbound(m, 'INVITE', t.CLI4, pub)
    s = m.sdp()
    show = lambda: 'srv received:\n%s' % m
    t.require(len(s.media) == 4 and all(x['port'] for x in s.media),
              'INVITE keeps all four media streams with their ports',
              '%d streams: %s' % (len(s.media), [x['line'] for x in s.media]), show)
    t.check([x['type'] for x in s.media] == [x[0] for x in STREAMS],
            'INVITE keeps the media types in order', str([x['type'] for x in s.media]), show)
    t.check(s.media[0]['rtcp'] and s.media[1]['rtcp'],
            'INVITE keeps both a=rtcp attributes', str([x['attrs'] for x in s.media]), show)
    t.check(sn.same_addr(s.media[1]['rtcp_addr'], t.WAN4),
            'INVITE a=rtcp address names the public address',
            'a=rtcp address %s' % s.media[1]['rtcp_addr'], show)
    t.check(s.media[2]['mux'] and not s.media[2]['rtcp'],
            'INVITE keeps a=rtcp-mux', str(s.media[2]['attrs']), show)
    t.check(len({x['port'] for x in s.media}) == 4,
            'INVITE media ports stay distinct', str([x['port'] for x in s.media]), show)

    answer = sn.sdp(t.SRV4, [
        'audio 20020 RTP/AVP 0|a=sendrecv',
        'video 20022 RTP/AVP 96|a=rtpmap:96 H264/90000|a=rtcp:20033|a=sendrecv',
        'audio 20024 RTP/AVP 0|a=rtcp-mux|a=sendrecv',
        'application 20026 RTP/AVP 98|a=rtpmap:98 t140/1000|a=sendrecv'], origin='pbx')
    srv.send(t.answer(m, 200, 'OK', answer, contact='<sip:conf@%s:5060>' % t.SRV4), m.src)
    r = cli.recv_sip(sn.is_resp(200, 'INVITE'))
    t.require(r, 'cli receives the 200 OK', 'nothing arrived in 5 s')
    t.check(r.content_length_ok() and len(r.sdp().media) == 4,
            '200 OK at cli keeps four streams and a correct Content-Length', show=r)

    # Expectations: RTP per stream at the m= port srv saw, RTCP at the
    # a=rtcp port srv saw (port+1 without a=rtcp), none for rtcp-mux.
    want = []
    for i, x in enumerate(s.media):
        want.append((x['port'], 'RTP of stream %d (%s)' % (i + 1, x['type'])))
        if not x['mux']:
            want.append((x['rtcp'] or x['port'] + 1, 'RTCP of stream %d' % (i + 1)))
    exps = t.wait_for(lambda: (lambda e: e if all(t.expect_for(p, t.WAN4, e) for p, _ in want)
                               else None)(t.expects()), 2) or t.expects()
    missing = [w for p, w in want if not t.expect_for(p, t.WAN4, exps)]
    t.check(not missing, 'an expectation for every RTP stream and RTCP port srv saw',
            'missing: ' + ', '.join(missing), show=t.expects_text)
    mux = t.expect_for(s.media[2]['port'] + 1, t.WAN4, exps)
    t.check(not mux, 'no RTCP expectation for the rtcp-mux stream',
            'listed: ' + ' | '.join(e['line'] for e in mux))

    # Media from srv to every stream (and RTCP port) it was told about.
    arrived = 0
    for i, x in enumerate(s.media):
        got = sn.media(s_rtp[i], (s.addr(i), x['port']), c_rtp[i], timeout=1.5)
        arrived += bool(got)
        if not got:
            t.note('stream %d: RTP to %s did not reach cli:%d' % (i + 1, sn.fmt((s.addr(i), x['port'])), STREAMS[i][1]))
    t.check(arrived == 4, 'RTP from srv reaches cli on all 4 streams', '%d/4' % arrived,
            show=lambda: t.expects_text() + '\n' + t.conntrack_text('-p udp'))
    rtcp_ok = 0
    for i, x in enumerate(s.media):
        if x['mux']:
            continue
        dst = (x['rtcp_addr'] or s.addr(i), x['rtcp'] or x['port'] + 1)
        got = sn.media(s_rtcp, dst, c_rtcp[i], timeout=1.5)
        rtcp_ok += bool(got)
        if not got:
            t.note('stream %d: RTCP to %s did not reach cli:%d' % (i + 1, sn.fmt(dst), STREAMS[i][2]))
    t.check(rtcp_ok == 3, 'RTCP from srv reaches the RTCP port of all 3 non-mux streams',
            '%d/3' % rtcp_ok, show=t.expects_text)
    back = sum(bool(sn.media(c_rtp[i], (t.SRV4, STREAMS[i][3]), s_rtp[i], timeout=1.5))
               for i in range(4))
    t.check(back == 4, 'RTP from cli reaches srv on all 4 streams', '%d/4' % back)


sn.Test().run(scenario)
