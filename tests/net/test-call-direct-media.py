# SPDX-License-Identifier: GPL-2.0
# The scenario of test-call-direct-media.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import sipnet as sn


def call(t, cli, srv, n, cport, gport):
    """Set up call N (phone media CPORT, gateway media GPORT named in the
    answer); returns the (address, port) srv saw for the phone's media."""
    cid = 'dm-%d@%s' % (n, t.CLI4)
    body = sn.sdp(t.CLI4, ['audio %d RTP/AVP 0|a=rtpmap:0 PCMU/8000|a=sendrecv' % cport],
                  origin='phone', version=300 + n)
    cli.send(sn.build('INVITE sip:700@%s SIP/2.0' % t.SRV4, [
        'Via: SIP/2.0/UDP %s:5010;branch=z9hG4bK-dm-%d;rport' % (t.CLI4, n),
        'Max-Forwards: 70', 'From: <sip:011@%s>;tag=dm-%d' % (t.SRV4, n),
        'To: <sip:700@%s>' % t.SRV4, 'Call-ID: ' + cid, 'CSeq: 1 INVITE',
        'Contact: <sip:011@%s:5010>' % t.CLI4, 'Content-Type: application/sdp'], body),
        (t.SRV4, 5060))
    m = srv.recv_sip(sn.is_req('INVITE', cid))
    t.require(m, 'call %d, srv receives the INVITE' % n, 'nothing arrived in 5 s')
    s = m.sdp()
    t.require(s.media and s.media[0]['port'], 'call %d, INVITE keeps its audio stream' % n, show=m)
    ans = sn.sdp(t.MGW4, ['audio %d RTP/AVP 0|a=rtpmap:0 PCMU/8000|a=sendrecv' % gport],
                 o_addr=t.SRV4, origin='pbx', version=400 + n)
    srv.send(t.answer(m, 200, 'OK', ans, to_tag='dm-pbx-%d' % n,
                      contact='<sip:700@%s:5060>' % t.SRV4), m.src)
    r = cli.recv_sip(sn.is_resp(200, 'INVITE', cid))
    t.require(r, 'call %d, cli receives the 200 OK' % n, 'nothing arrived in 5 s')
    t.check(r.sdp().media and sn.same_addr(r.sdp().addr(0), t.MGW4),
            "call %d, the answer at cli still names the media gateway" % n, show=r)
    cli.send(sn.build('ACK sip:700@%s:5060 SIP/2.0' % t.SRV4, [
        'Via: SIP/2.0/UDP %s:5010;branch=z9hG4bK-dm-ack-%d;rport' % (t.CLI4, n),
        'Max-Forwards: 70', ('From', m.hdr('from')), ('To', r.hdr('to')),
        'Call-ID: ' + cid, 'CSeq: 1 ACK']), (t.SRV4, 5060))
    return (s.addr(0), s.media[0]['port'])


def scenario(t):
    t.setup({'direct_media': 1})
    cli = t.udp('cli', t.CLI4, 5010)
    srv = t.udp('srv', t.SRV4, 5060)
    c1, c2 = t.udp('cli', t.CLI4, 10006), t.udp('cli', t.CLI4, 10008)
    g1, g2 = t.udp('mgw', t.MGW4, 40000), t.udp('mgw', t.MGW4, 40002)
    s2 = t.udp('srv', t.SRV4, 20008)

    # direct_media=1: media from the gateway the SDP names
    pub1 = call(t, cli, srv, 1, 10006, 40000)
    got = sn.media(g1, pub1, c1)
    t.check(got, 'direct_media=1, RTP from the media gateway reaches cli',
            'nothing arrived at cli:10006',
            show=lambda: t.expects_text() + '\n' + t.conntrack_text('-p udp'))
    got = sn.media(c1, (t.MGW4, 40000), g1)
    t.check(got, 'direct_media=1, RTP from cli reaches the media gateway', 'nothing arrived')

    # direct_media=0: only from the signalling peer
    t.require(t.set_param('direct_media', 0), 'switch direct_media to 0 at run time',
              'the parameter is not writable')
    pub2 = call(t, cli, srv, 2, 10008, 40002)
    t.check(sn.no_media(g2, pub2, c2), 'direct_media=0, RTP from the media gateway is not let in',
            'it reached cli:10008', show=t.expects_text)
    got = sn.media(s2, pub2, c2)
    t.check(got, 'direct_media=0, RTP from the signalling peer reaches cli',
            'nothing arrived at cli:10008',
            show=lambda: t.expects_text() + '\n' + t.conntrack_text('-p udp'))


sn.Test().run(scenario)
