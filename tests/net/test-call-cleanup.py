# SPDX-License-Identifier: GPL-2.0
# The scenario of test-call-cleanup.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import sipnet as sn


def scenario(t):
    t.setup()
    cli = t.udp('cli', t.CLI4, 5010)
    srv = t.udp('srv', t.SRV4, 5060)

    def req(method, cid, cseq, branch, to=None, port=10006, body='', compact=False):
        hdrs = ['Via: SIP/2.0/UDP %s:5010;branch=z9hG4bK-%s;rport' % (t.CLI4, branch),
                'Max-Forwards: 70', 'From: <sip:011@%s>;tag=cl-%s' % (t.SRV4, cid.split('@')[0]),
                'To: ' + (to or '<sip:800@%s>' % t.SRV4), 'Call-ID: ' + cid,
                'CSeq: %d %s' % (cseq, method), 'Contact: <sip:011@%s:5010>' % t.CLI4]
        if body:
            hdrs.append('Content-Type: application/sdp')
        msg = sn.build('%s sip:800@%s:5060 SIP/2.0' % (method, t.SRV4), hdrs, body)
        if compact:     # RFC 3261 7.3.3 compact forms, as some phones send them
            for long, short in (('Via', 'v'), ('From', 'f'), ('To', 't'), ('Call-ID', 'i'),
                                ('Contact', 'm'), ('Content-Type', 'c'),
                                ('Content-Length', 'l')):
                msg = msg.replace(b'\r\n%s: ' % long.encode(), b'\r\n%s: ' % short.encode(), 1)
        return msg

    def offer(port):
        return sn.sdp(t.CLI4, ['audio %d RTP/AVP 0|a=rtpmap:0 PCMU/8000|a=sendrecv' % port],
                      origin='phone')

    def answer_sdp(port):
        return sn.sdp(t.SRV4, ['audio %d RTP/AVP 0|a=rtpmap:0 PCMU/8000|a=sendrecv' % port],
                      origin='pbx')

    def empty(what):
        left = t.wait_for(lambda: not t.expects(), 2)
        t.check(left, '%s leaves no expectation' % what, 'conntrack -L expect is not empty',
                show=t.expects_text)
        if not left:      # start the next call from a clean table
            sn.sh(t.ns['rtr'], 'conntrack -F expect; conntrack -F expect -f ipv6')

    def established(cid, cport, sport, compact=False):
        cli.send(req('INVITE', cid, 1, cid.split('@')[0] + '-1', port=cport, body=offer(cport),
                     compact=compact), (t.SRV4, 5060))
        m = srv.recv_sip(sn.is_req('INVITE', cid))
        t.require(m, '%s, srv receives the INVITE' % cid.split('@')[0], 'nothing arrived in 5 s')
        if compact:
            t.check_outbound(m, 'INVITE in compact form', t.CLI4, m.src)
        srv.send(t.answer(m, 200, 'OK', answer_sdp(sport), to_tag='pbx-' + cid[:6],
                          contact='<sip:800@%s:5060>' % t.SRV4), m.src)
        r = cli.recv_sip(sn.is_resp(200, 'INVITE', cid))
        t.require(r, '%s, cli receives the 200 OK' % cid.split('@')[0], 'nothing arrived in 5 s')
        cli.send(req('ACK', cid, 1, cid.split('@')[0] + '-ack', to=r.hdr('to')), (t.SRV4, 5060))
        srv.recv_sip(sn.is_req('ACK', cid), timeout=2)
        return m, r

    # A: BYE from the phone
    cid = 'callA@%s' % t.CLI4
    m, r = established(cid, 10006, 20000)
    t.check(t.wait_for(t.expects, 2), 'call A has expectations while it is up',
            'conntrack -L expect is empty')
    cli.send(req('BYE', cid, 2, 'callA-bye', to=r.hdr('to')), (t.SRV4, 5060))
    b = srv.recv_sip(sn.is_req('BYE', cid))
    t.require(b, 'call A, srv receives the BYE', 'nothing arrived in 5 s')
    srv.send(t.answer(b, 200, 'OK'), b.src)
    t.check(cli.recv_sip(sn.is_resp(200, 'BYE', cid)), 'call A, cli receives the 200 OK to its BYE',
            'nothing arrived in 5 s')
    empty('BYE from the phone')

    # B: CANCEL before the answer, 487 to the INVITE
    cid = 'callB@%s' % t.CLI4
    cli.send(req('INVITE', cid, 1, 'callB-1', body=offer(10008)), (t.SRV4, 5060))
    m = srv.recv_sip(sn.is_req('INVITE', cid))
    t.require(m, 'call B, srv receives the INVITE', 'nothing arrived in 5 s')
    srv.send(t.answer(m, 100, 'Trying'), m.src)
    srv.send(t.answer(m, 180, 'Ringing', to_tag='pbx-callB'), m.src)
    t.check(cli.recv_sip(sn.is_resp(180, 'INVITE', cid)), 'call B, cli receives 180 Ringing',
            'nothing arrived in 5 s')
    t.check(t.wait_for(t.expects, 2), 'call B has expectations while ringing',
            'conntrack -L expect is empty')
    cli.send(req('CANCEL', cid, 1, 'callB-1'), (t.SRV4, 5060))
    c = srv.recv_sip(sn.is_req('CANCEL', cid))
    t.require(c, 'call B, srv receives the CANCEL', 'nothing arrived in 5 s')
    srv.send(t.answer(c, 200, 'OK', to_tag='pbx-callB'), c.src)
    srv.send(t.answer(m, 487, 'Request Terminated', to_tag='pbx-callB'), m.src)
    r = cli.recv_sip(sn.is_resp(487, 'INVITE', cid))
    t.check(r, 'call B, cli receives the 487', 'nothing arrived in 5 s')
    cli.send(req('ACK', cid, 1, 'callB-1', to=r.hdr('to') if r else None), (t.SRV4, 5060))
    srv.recv_sip(sn.is_req('ACK', cid), timeout=2)
    empty('CANCEL and 487')

    # C: BYE from the PBX
    cid = 'callC@%s' % t.CLI4
    m, r = established(cid, 10010, 20004, compact=True)
    t.check(t.wait_for(t.expects, 2), 'call C has expectations while it is up',
            'conntrack -L expect is empty')
    pub = m.src
    srv.send(sn.build('BYE sip:011@%s SIP/2.0' % sn.fmt(pub), [
        'Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-callC-bye;rport' % t.SRV4,
        'Max-Forwards: 70', ('From', r.hdr('to')), ('To', m.hdr('from')),
        'Call-ID: ' + cid, 'CSeq: 9 BYE']), pub)
    b = cli.recv_sip(sn.is_req('BYE', cid))
    t.require(b, "call C, the PBX's BYE reaches cli", 'nothing arrived in 5 s')
    cli.send(t.answer(b, 200, 'OK'), b.src)
    t.check(srv.recv_sip(sn.is_resp(200, 'BYE', cid)), 'call C, srv receives the 200 OK to its BYE',
            'nothing arrived in 5 s')
    empty('BYE from the PBX')


sn.Test().run(scenario)
