# SPDX-License-Identifier: GPL-2.0
"""Scenario of test-register-transport.sh (see there)."""
import socket

import mutate as mu
import sipnet as sn


def register(t, contact_uri, transport, cseq):
    return sn.build('REGISTER sip:%s SIP/2.0' % t.SRV4, [
        'Via: SIP/2.0/%s %s;branch=z9hG4bK-rt-%d' % (transport, contact_uri.split('@')[1].split(';')[0], cseq),
        'Max-Forwards: 70',
        'From: <sip:301@%s>;tag=rt-%d' % (t.SRV4, cseq),
        'To: <sip:301@%s>' % t.SRV4,
        'Call-ID: register-transport-%d' % cseq,
        'CSeq: %d REGISTER' % cseq,
        'Contact: <sip:%s>' % contact_uri,
        'Expires: 3600'])


def invite(t, ruri, via_transport, via_port, cid):
    return sn.build('INVITE %s SIP/2.0' % ruri, [
        'Via: SIP/2.0/%s %s:%d;branch=z9hG4bK-%s' % (via_transport, t.SRV4, via_port, cid),
        'Max-Forwards: 70',
        'From: <sip:900@%s>;tag=pbx-%s' % (t.SRV4, cid),
        'To: <%s>' % ruri,
        'Call-ID: %s' % cid, 'CSeq: 1 INVITE',
        'Contact: <sip:900@%s:%d>' % (t.SRV4, via_port)])


def read_msg(s):
    """One SIP message without a body from stream S (what these INVITEs are)."""
    buf = b''
    while b'\r\n\r\n' not in buf:
        d = sn.recv_exact(s, 1, timeout=5.0)
        if not d:
            break
        buf += d
    return sn.Msg(buf) if buf else None


def tcp_register_udp_contact(t):
    srv_l = t.tcp_listen('srv', t.SRV4, 5060)
    c = t.tcp_connect('cli', t.CLI4, 5074, t.SRV4, 5060)
    a = t.tcp_accept(srv_l)
    phone = t.udp('cli', t.CLI4, 5074)
    pbx = t.udp('srv', t.SRV4, 5070)

    c.sendall(register(t, '301@%s:5074;transport=udp' % t.CLI4, 'TCP', 1))
    m = read_msg(a)
    t.require(m and m.method == 'REGISTER', 'PBX reads the REGISTER sent over TCP',
              'got %r' % (m and m.start))
    pub = m.contact_hostport()
    t.require(sn.same_addr(pub[0], t.WAN4),
              'the Contact of the TCP REGISTER names the public address',
              'Contact "%s"' % m.hdr('contact'), show=m)
    a.sendall(t.answer(m, 200, 'OK', extra=[('Expires', '3600')],
                       contact='<sip:301@%s:%d;transport=udp>;expires=3600' % pub))
    r = read_msg(c)
    t.require(r and r.code == 200, 'the phone reads the 200 OK over TCP', 'got %r' % (r and r.start))

    exp = t.wait_for(lambda: t.expect_for(pub[1], dst=t.WAN4), 2)
    t.check(exp and exp[0].get('proto') == 17,
            'the pinhole for a ;transport=udp Contact waits for UDP',
            'expectation %r' % exp, show=t.expects_text)

    cid = 'rt-udp-in'
    ruri = 'sip:301@%s:%d;transport=udp' % pub
    pbx.send(invite(t, ruri, 'UDP', 5070, cid), pub)
    i = phone.recv_sip(sn.is_req('INVITE', cid))
    t.require(i, 'the INVITE over UDP to the registered Contact reaches the phone',
              'nothing arrived in 5 s', show=lambda: t.expects_text() + '\n' + t.conntrack_text())
    t.check(i.uri == 'sip:301@%s:5074;transport=udp' % t.CLI4,
            'its Request-URI is translated back to the phone (UDP code on the UDP flow)',
            'Request-URI "%s"' % i.uri, show=i)
    flows = t.conntrack('-p udp --orig-port-src 5070')
    t.check(len(flows) == 1 and flows[0].get('helper') == 'sipalg',
            'the UDP flow the pinhole admitted carries the sipalg helper',
            '%r' % flows, show=lambda: t.conntrack_text('-p udp'))
    phone.send(t.answer(i, 180, 'Ringing', to_tag='phone-rt'), i.src)
    t.check(pbx.recv_sip(sn.is_resp(180, 'INVITE', cid)), 'the 180 reaches the PBX (flow answered)',
            'nothing arrived')

    # Datagrams that the TCP code would have read as a header with a data
    # offset of 60 bytes (byte 4 of the payload is byte 12 of a TCP header
    # that starts at the UDP header).
    crafted = [b'\x00\x00\x00\x00\xf0', b'ABCD\xf0\xff' + b'\xff' * 30,
               b'SIP/\xf0.0 200 OK\r\n' + b'X' * 200, b'\x01' * 4 + b'\xf0' + b'\x00' * 1400]
    before = mu.stats(t.ns['rtr'])
    for d in crafted:
        pbx.send(d, pub)
        got = phone.recv(lambda data, src: data == d, timeout=3.0)
        t.check(got, 'a crafted %d-byte datagram (byte 4 = 0x%02x) reaches the phone untouched'
                % (len(d), d[4]), 'nothing identical arrived')
    after = mu.stats(t.ns['rtr'])
    t.check(after['malformed'] - before['malformed'] == len(crafted),
            'each crafted datagram is counted as malformed SIP, exactly',
            'malformed moved by %d, %d sent' % (after['malformed'] - before['malformed'], len(crafted)))
    t.check(after['wrong_transport'] == before['wrong_transport'],
            'no flow ran the helper of another transport',
            'wrong_transport moved by %d' % (after['wrong_transport'] - before['wrong_transport']))


def udp_register_tcp_contact(t):
    phone_l = t.tcp_listen('cli', t.CLI4, 5076)
    # Phones use one port for both transports: the Contact matches the flow.
    cli = t.udp('cli', t.CLI4, 5076)
    srv = t.udp('srv', t.SRV4, 5060)

    cli.send(register(t, '302@%s:5076;transport=tcp' % t.CLI4, 'UDP', 2), (t.SRV4, 5060))
    m = srv.recv_sip(sn.is_req('REGISTER'))
    t.require(m, 'PBX receives the REGISTER sent over UDP', 'nothing arrived in 5 s')
    pub = m.contact_hostport()
    t.require(sn.same_addr(pub[0], t.WAN4),
              'the Contact of the UDP REGISTER names the public address',
              'Contact "%s"' % m.hdr('contact'), show=m)
    srv.send(t.answer(m, 200, 'OK', extra=[('Expires', '3600')],
                      contact='<sip:302@%s:%d;transport=tcp>;expires=3600' % pub), m.src)
    t.require(cli.recv_sip(sn.is_resp(200, 'REGISTER')), 'the phone receives the 200 OK',
              'nothing arrived in 5 s')
    exp = t.wait_for(lambda: t.expect_for(pub[1], dst=t.WAN4), 2)
    t.check(exp and exp[0].get('proto') == 6,
            'the pinhole for a ;transport=tcp Contact waits for TCP',
            'expectation %r' % exp, show=t.expects_text)

    before = mu.stats(t.ns['rtr'])
    phone_l.settimeout(5)
    try:
        s = t.tcp_connect('srv', t.SRV4, 0, pub[0], pub[1])
        p = t.tcp_accept(phone_l)
    except OSError as e:
        t.require(False, 'the PBX connects over TCP to the registered Contact', str(e),
                  show=lambda: t.expects_text() + '\n' + t.conntrack_text())
    t.check(True, 'the PBX connects over TCP to the registered Contact')
    ruri = 'sip:302@%s:%d;transport=tcp' % pub
    s.sendall(invite(t, ruri, 'TCP', 5060, 'rt-tcp-in'))
    i = read_msg(p)
    t.require(i and i.method == 'INVITE', 'the INVITE over TCP reaches the phone',
              'got %r' % (i and i.start))
    t.check(i.uri == 'sip:302@%s:5076;transport=tcp' % t.CLI4,
            'its Request-URI is translated back to the phone (TCP code on the TCP flow)',
            'Request-URI "%s"' % i.uri, show=i)
    t.check(i.content_length_ok(), 'its Content-Length is right', show=i)
    after = mu.stats(t.ns['rtr'])
    t.check(after['requests'] - before['requests'] == 1 and
            after['malformed'] == before['malformed'],
            'the helper parsed the INVITE as one request, nothing malformed',
            'requests +%d, malformed +%d' % (after['requests'] - before['requests'],
                                             after['malformed'] - before['malformed']))


def scenario(t):
    # A pinhole that does not work must fail a connect, not hang on it.
    socket.setdefaulttimeout(10)
    t.setup(tcp=True, port=5060)
    tcp_register_udp_contact(t)
    udp_register_tcp_contact(t)


sn.Test().run(scenario)
