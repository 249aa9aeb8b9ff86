# SPDX-License-Identifier: GPL-2.0
"""Scenario of test-policy-zones.sh (see there)."""
import os

import mutate as mu
import sipnet as sn

DMZ4, LAN2_4, WANGW4 = os.environ['DMZ4'], os.environ['LAN2_4'], os.environ['WANGW4']


def sdp_for(addr, port, n):
    return sn.sdp(addr, ['audio %d RTP/AVP 0|a=rtpmap:0 PCMU/8000|a=sendrecv' % port],
                  origin='z%d' % n)


def invite(t, n, src, sport, dst, body):
    return sn.build('INVITE sip:200@%s SIP/2.0' % dst, [
        'Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-zone-%d;rport' % (src, sport, n),
        'Max-Forwards: 70',
        'From: <sip:100@%s>;tag=zone-%d' % (src, n),
        'To: <sip:200@%s>' % dst,
        'Call-ID: zones-%d' % n, 'CSeq: 1 INVITE',
        'Contact: <sip:100@%s:%d>' % (src, sport),
        'Content-Type: application/sdp'], body)


def delta(t, before):
    after = mu.stats(t.ns['rtr'])
    return {k: after[k] - before[k] for k in ('media_refused', 'media_pinholes')}


def expects_to(t, addr, port):
    return [e for e in t.expects() if e.get('helper') == 'sipalg' and
            sn.same_addr(e.get('dst'), addr) and e.get('dport') == port]


def judged(t, before, addr, port, refused, pinholes, what):
    """The counters moved by exactly REFUSED and PINHOLES since BEFORE, and a
    pinhole toward ADDR:PORT exists if and only if PINHOLES."""
    d = delta(t, before)
    t.check(d == {'media_refused': refused, 'media_pinholes': pinholes},
            '%s: %d refused, %d pinholes' % (what, refused, pinholes), 'counters moved by %r' % d)
    got = expects_to(t, addr, port)
    t.check(bool(got) == bool(pinholes), '%s: %s' % (
        what, 'a pinhole toward it' if pinholes else 'no pinhole toward it'),
        '%r' % got, show=t.expects_text)


def answered(t, cli, srv, n, addr, port, refused, pinholes, what):
    """A call from the phone; the PBX answers naming ADDR:PORT."""
    cli.send(invite(t, n, t.CLI4, 5010, t.SRV4, sdp_for(t.CLI4, 10006 + 2 * n, n)),
             (t.SRV4, 5060))
    m = srv.recv_sip(sn.is_req('INVITE', 'zones-%d' % n))
    t.require(m, '%s: the INVITE reaches the PBX' % what, 'nothing arrived in 5 s')
    before = mu.stats(t.ns['rtr'])
    srv.send(t.answer(m, 200, 'OK', sdp_for(addr, port, n)), m.src)
    t.require(cli.recv_sip(sn.is_resp(200, 'INVITE', 'zones-%d' % n)),
              '%s: the 200 OK reaches the phone' % what, 'nothing arrived in 5 s')
    judged(t, before, addr, port, refused, pinholes, what)


def to_router(t, srv, n, addr, port, refused, pinholes, what):
    """An INVITE from the PBX to the router's own SIP listener."""
    rtr = t.udp('rtr', t.WAN4, 5060)
    before = mu.stats(t.ns['rtr'])
    srv.send(invite(t, n, t.SRV4, 5060, t.WAN4, sdp_for(addr, port, n)), (t.WAN4, 5060))
    t.require(rtr.recv_sip(sn.is_req('INVITE', 'zones-%d' % n)),
              '%s: the INVITE reaches the router' % what, 'nothing arrived in 5 s')
    judged(t, before, addr, port, refused, pinholes, what)
    rtr.close()
    t.sockets.remove(rtr)


def scenario(t):
    t.setup({'direct_media': 1})
    cli = t.udp('cli', t.CLI4, 5010)
    srv = t.udp('srv', t.SRV4, 5060)

    answered(t, cli, srv, 1, DMZ4, 40000, 1, 0, 'WAN peer names a DMZ server')
    dmz = sn.Udp(os.environ['dmz'], DMZ4, 40000, 'dmz:40000')
    t.sockets.append(dmz)
    wan = t.udp('srv', t.SRV4, 40100)
    t.check(sn.no_media(wan, (DMZ4, 40000), dmz),
            'RTP from the WAN to the DMZ server does not pass the router',
            'it arrived at dmz:40000')
    answered(t, cli, srv, 2, WANGW4, 40010, 0, 2, 'WAN peer names a WAN gateway')

    # The phone offers another LAN host's address: its own side.
    before = mu.stats(t.ns['rtr'])
    cli.send(invite(t, 3, t.CLI4, 5010, t.SRV4, sdp_for(LAN2_4, 10020, 3)), (t.SRV4, 5060))
    t.require(srv.recv_sip(sn.is_req('INVITE', 'zones-3')),
              'phone names a second LAN host: the INVITE reaches the PBX', 'nothing arrived')
    d = delta(t, before)
    t.check(d == {'media_refused': 0, 'media_pinholes': 2},
            'phone names a second LAN host: 0 refused, 2 pinholes', 'counters moved by %r' % d)

    to_router(t, srv, 4, DMZ4, 40020, 1, 0, 'to the router, naming a DMZ server')
    to_router(t, srv, 5, WANGW4, 40030, 0, 2, 'to the router, naming a WAN gateway')


sn.Test().run(scenario)
