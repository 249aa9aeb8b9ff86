# SPDX-License-Identifier: GPL-2.0
# The scenario of test-call-hold.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import sipnet as sn

CID = 'hold-resume-77@192.168.0.31'


def scenario(t):
    t.setup()
    cli = t.udp('cli', t.CLI4, 5010)
    srv = t.udp('srv', t.SRV4, 5060)
    rtp_c = t.udp('cli', t.CLI4, 10006)
    rtp_s = t.udp('srv', t.SRV4, 20000)
    rtp_s2 = t.udp('srv', t.SRV4, 20002)
    state = {'to': None, 'ver': 2000}

    def invite(cseq, body, branch):
        hdrs = ['Via: SIP/2.0/UDP %s:5010;branch=z9hG4bK-hold-%s;rport' % (t.CLI4, branch),
                'Max-Forwards: 70', 'From: <sip:011@%s>;tag=hold-a' % t.SRV4,
                'To: ' + (state['to'] or '<sip:600@%s>' % t.SRV4),
                'Call-ID: ' + CID, 'CSeq: %d INVITE' % cseq,
                'Contact: <sip:011@%s:5010>' % t.CLI4, 'Content-Type: application/sdp']
        return sn.build('INVITE sip:600@%s:5060 SIP/2.0' % t.SRV4, hdrs, body)

    def offer(addr, direction, sess_c=True):
        state['ver'] += 1
        # o= always names the phone's own address, as phones do on hold too.
        return sn.sdp(addr, ['audio 10006 RTP/AVP 0 101|a=rtpmap:0 PCMU/8000|'
                             'a=rtpmap:101 telephone-event/8000|a=%s' % direction],
                      o_addr=t.CLI4, origin='phone', version=state['ver'])

    def transaction(cseq, body, answer_port, answer_dir, what):
        cli.send(invite(cseq, body, cseq), (t.SRV4, 5060))
        m = srv.recv_sip(lambda x: x.method == 'INVITE' and x.cseq[0] == cseq)
        t.require(m, 'srv receives the %s' % what, 'nothing arrived in 5 s', show=t.conntrack_text)
        ans = sn.sdp(t.SRV4, ['audio %d RTP/AVP 0 101|a=rtpmap:0 PCMU/8000|'
                              'a=rtpmap:101 telephone-event/8000|a=%s' % (answer_port, answer_dir)],
                     origin='pbx', version=9000 + cseq)
        srv.send(t.answer(m, 200, 'OK', ans, to_tag='pbx-hold',
                          contact='<sip:600@%s:5060>' % t.SRV4), m.src)
        r = cli.recv_sip(lambda x: x.is_response and x.code == 200 and x.cseq == (cseq, 'INVITE'))
        t.require(r, 'cli receives the 200 OK to the %s' % what, 'nothing arrived in 5 s')
        state['to'] = r.hdr('to')
        cli.send(sn.build('ACK sip:600@%s:5060 SIP/2.0' % t.SRV4, [
            'Via: SIP/2.0/UDP %s:5010;branch=z9hG4bK-hold-ack-%d;rport' % (t.CLI4, cseq),
            'Max-Forwards: 70', 'From: <sip:011@%s>;tag=hold-a' % t.SRV4,
            'To: ' + state['to'], 'Call-ID: ' + CID, 'CSeq: %d ACK' % cseq]), (t.SRV4, 5060))
        srv.recv_sip(lambda x: x.method == 'ACK' and x.cseq[0] == cseq, timeout=2)
        return m, r

    # 1. the call
    m, _ = transaction(1, offer(t.CLI4, 'sendrecv'), 20000, 'sendrecv', 'INVITE')
    pub = m.src
    t.check_outbound(m, 'INVITE', t.CLI4, pub)
    s = m.sdp()
    maddr, mport = s.addr(0), s.media[0]['port']
    t.check(sn.media(rtp_s, (maddr, mport), rtp_c), 'RTP from srv reaches cli before hold',
            'nothing arrived', show=t.expects_text)
    t.check(sn.media(rtp_c, (t.SRV4, 20000), rtp_s), 'RTP from cli reaches srv before hold',
            'nothing arrived')

    # 2. hold with a=sendonly
    m, _ = transaction(2, offer(t.CLI4, 'sendonly'), 20000, 'recvonly', 're-INVITE a=sendonly')
    t.check_outbound(m, 're-INVITE a=sendonly', t.CLI4, pub)
    s = m.sdp()
    t.check(s.media and 'sendonly' in s.media[0]['attrs'], 're-INVITE keeps a=sendonly',
            str(s.media and s.media[0]['attrs']), show=m)
    t.check(s.media and s.media[0]['port'] == mport,
            're-INVITE a=sendonly keeps the media port srv knows',
            'm= port %s, was %d' % (s.media and s.media[0]['port'], mport), show=m)

    # 3. a=inactive
    m, _ = transaction(3, offer(t.CLI4, 'inactive'), 20000, 'inactive', 're-INVITE a=inactive')
    t.check_outbound(m, 're-INVITE a=inactive', t.CLI4, pub)
    s = m.sdp()
    t.check(s.media and 'inactive' in s.media[0]['attrs'] and s.media[0]['port'] == mport,
            're-INVITE keeps a=inactive and the media port srv knows',
            str(s.media and s.media[0]['line']), show=m)

    # 4. hold the RFC 2543 way: c=0.0.0.0
    m, _ = transaction(4, offer('0.0.0.0', 'sendonly'), 20000, 'recvonly', 're-INVITE c=0.0.0.0')
    s = m.sdp()
    show = lambda: 'srv received:\n%s' % m
    t.check(s.c_addr == '0.0.0.0' and all(s.addr(i) == '0.0.0.0' for i in range(len(s.media))),
            're-INVITE c=0.0.0.0 is left as 0.0.0.0', 'c= %s' % s.c_addr, show)
    t.check(sn.same_addr(s.o_addr, t.WAN4), 're-INVITE c=0.0.0.0 o= names the public address',
            'o= %s' % s.o_addr, show)
    t.check(not m.leaks(t.CLI4), 're-INVITE c=0.0.0.0 carries the LAN address only in Call-ID',
            ' | '.join(m.leaks(t.CLI4)), show)
    t.check(m.content_length_ok(), 're-INVITE c=0.0.0.0 Content-Length equals the body length',
            'Content-Length %s, body %d bytes' % (m.hdr('content-length'), len(m.body_bytes)), show)
    t.check(s.media and s.media[0]['port'] and 'sendonly' in s.media[0]['attrs'],
            're-INVITE c=0.0.0.0 keeps its m= line and a=sendonly', show=show)

    # 5. resume; the PBX moves its media to another port
    m, _ = transaction(5, offer(t.CLI4, 'sendrecv'), 20002, 'sendrecv', 're-INVITE resume')
    t.check_outbound(m, 're-INVITE resume', t.CLI4, pub)
    s = m.sdp()
    maddr, mport = s.addr(0), s.media[0]['port']
    t.check(sn.media(rtp_s2, (maddr, mport), rtp_c),
            "RTP from srv's new port reaches cli after resume", 'nothing arrived',
            show=lambda: t.expects_text() + '\n' + t.conntrack_text('-p udp'))
    t.check(sn.media(rtp_c, (t.SRV4, 20002), rtp_s2),
            "RTP from cli reaches srv's new port after resume", 'nothing arrived')


sn.Test().run(scenario)
