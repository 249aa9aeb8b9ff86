# SPDX-License-Identifier: GPL-2.0
# The scenario of test-call-register.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import sipnet as sn


def scenario(t):
    t.setup()
    cli = t.udp('cli', t.CLI4, 5010)
    srv = t.udp('srv', t.SRV4, 5060)
    srv2 = t.udp('srv', t.SRV4, 5070)
    rtp_c = t.udp('cli', t.CLI4, 10008)
    rtp_s = t.udp('srv', t.SRV4, 20010)

    reg = sn.FANVIL_REGISTER.replace('REGISTER sip:avantelecom.avantele.com ',
                                     'REGISTER sip:%s ' % t.SRV4)
    cli.send(reg, (t.SRV4, 5060))
    m = srv.recv_sip(sn.is_req('REGISTER'))
    t.require(m, 'srv receives the REGISTER', 'nothing arrived in 5 s',
              show=t.conntrack_text)
    pub = m.src
    t.check_outbound(m, 'REGISTER', t.CLI4, pub, with_sdp=False)

    contact = m.hdr('contact') or ''
    srv.send(t.answer(m, 200, 'OK', extra=[('Expires', '3600')],
                      contact='%s;expires=3600' % contact.split(';')[0]), m.src)
    r = cli.recv_sip(sn.is_resp(200, 'REGISTER'))
    t.require(r, 'cli receives the 200 OK to its REGISTER', 'nothing arrived in 5 s')
    via = r.top_via()
    t.check(sn.same_hostport((via[1], via[2]), (t.CLI4, 5010)),
            "REGISTER 200 OK top Via is the phone's own again", 'Via "%s"' % r.hdr('via'), show=r)

    sig = t.wait_for(lambda: t.expect_for(pub[1], dst=t.WAN4), 2)
    t.check(sig, 'signalling expectation listed for the registered contact',
            'none to %s' % sn.fmt(pub), show=t.expects_text)
    t.check(sig and 3000 < sig[0].get('timeout', 0) <= 3600,
            'the signalling expectation lives as long as the registration (3600 s)',
            'timeout %s' % (sig and sig[0].get('timeout')), show=t.expects_text)

    # An incoming call from the registrar's other port, to the registered contact.
    sdp_s = sn.sdp(t.SRV4, ['audio 20010 RTP/AVP 0 101|a=rtpmap:0 PCMU/8000|a=sendrecv'],
                   origin='pbx')
    cid = 'incoming-4711@%s' % t.SRV4
    inv = sn.build('INVITE sip:011@%s SIP/2.0' % sn.fmt(pub), [
        'Via: SIP/2.0/UDP %s:5070;branch=z9hG4bK-in-1;rport' % t.SRV4,
        'Max-Forwards: 70',
        'From: "PBX" <sip:900@%s>;tag=pbx-in-1' % t.SRV4,
        'To: <sip:011@%s>' % sn.fmt(pub),
        'Call-ID: ' + cid, 'CSeq: 101 INVITE',
        'Contact: <sip:900@%s:5070>' % t.SRV4,
        'Content-Type: application/sdp'], sdp_s)
    srv2.send(inv, pub)
    i = cli.recv_sip(sn.is_req('INVITE', cid))
    t.require(i, 'INVITE from another registrar port reaches the registered phone',
              'nothing arrived in 5 s',
              show=lambda: t.expects_text() + '\n' + t.conntrack_text())
    t.check(i.content_length_ok(), 'incoming INVITE at cli has a correct Content-Length',
            'Content-Length %s, body %d bytes' % (i.hdr('content-length'), len(i.body_bytes)), show=i)
    t.check(i.sdp().media and sn.same_addr(i.sdp().addr(0), t.SRV4),
            "incoming INVITE at cli keeps the PBX's media address", show=i)

    sdp_c = sn.sdp(t.CLI4, ['audio 10008 RTP/AVP 0 101|a=rtpmap:0 PCMU/8000|a=sendrecv'],
                   origin='011')
    ok = t.answer(i, 200, 'OK', sdp_c, to_tag='phone-1',
                        contact='<sip:011@%s:5010>' % t.CLI4)
    cli.send(ok, i.src)
    a = srv2.recv_sip(sn.is_resp(200, 'INVITE', cid))
    t.require(a, "the phone's 200 OK reaches the registrar's other port", 'nothing arrived in 5 s',
              show=t.conntrack_text)
    t.check_outbound(a, '200 OK to the incoming INVITE', t.CLI4, pub, check_via=False)
    asdp = a.sdp()
    t.require(asdp.media and asdp.media[0]['port'], '200 OK SDP keeps its audio stream', show=a)
    maddr, mport = asdp.addr(0), asdp.media[0]['port']

    srv2.send(sn.build('ACK sip:011@%s SIP/2.0' % sn.fmt(pub), [
        'Via: SIP/2.0/UDP %s:5070;branch=z9hG4bK-in-2;rport' % t.SRV4,
        'Max-Forwards: 70', ('From', i.hdr('from')), ('To', a.hdr('to')),
        'Call-ID: ' + cid, 'CSeq: 101 ACK']), pub)
    t.check(cli.recv_sip(sn.is_req('ACK', cid)), 'ACK reaches the phone', 'nothing arrived in 5 s')

    got = sn.media(rtp_s, (maddr, mport), rtp_c)
    t.check(got, 'RTP from srv to the answered address reaches the phone',
            'nothing arrived at cli:10008',
            show=lambda: t.expects_text() + '\n' + t.conntrack_text('-p udp'))
    got = sn.media(rtp_c, (t.SRV4, 20010), rtp_s)
    t.check(got, "RTP from the phone reaches srv's offered port", 'nothing arrived')

    # Un-register: expires=0 removes the signalling expectation.
    unreg = reg.replace('CSeq: 1 REGISTER', 'CSeq: 2 REGISTER') \
               .replace('Expires: 3600', 'Expires: 0') \
               .replace('branch=z9hG4bK1076223', 'branch=z9hG4bK1076224')
    cli.send(unreg, (t.SRV4, 5060))
    u = srv.recv_sip(lambda x: x.method == 'REGISTER' and x.cseq[0] == 2)
    t.require(u, 'srv receives the REGISTER with expires=0', 'nothing arrived in 5 s')
    srv.send(t.answer(u, 200, 'OK'), u.src)
    t.check(cli.recv_sip(sn.is_resp(200, 'REGISTER')), 'cli receives the 200 OK to expires=0',
            'nothing arrived in 5 s')
    gone = t.wait_for(lambda: not t.expect_for(pub[1], dst=t.WAN4), 2)
    t.check(gone, 'REGISTER expires=0 removes the signalling expectation',
            'still listed', show=t.expects_text)


sn.Test().run(scenario)
