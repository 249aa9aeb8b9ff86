# SPDX-License-Identifier: GPL-2.0
# The scenario of test-policy.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import os

import mutate as mu
import sipnet as sn

V4, V6, T4 = os.environ['VICTIM4'], os.environ['VICTIM6'], os.environ['THIRD4']
AUDIO = 'audio %d RTP/AVP 0|a=rtpmap:0 PCMU/8000|a=sendrecv'
seen_dsts = set()


def exps(t):
    e = [x for x in t.expects() if x.get('helper') == 'sipalg']
    seen_dsts.update(x.get('dst') for x in e)
    return e


def toward(e, addr):
    return [x for x in e if sn.same_addr(x.get('dst'), addr)]


class Call:
    """Signalling between the phone (cli:5010) and the PBX (srv:5060)."""

    def __init__(self, t, v6=False):
        self.t = t
        self.me = t.CLI6 if v6 else t.CLI4
        self.pbx = t.SRV6 if v6 else t.SRV4
        self.cli = t.udp('cli', self.me, 5010)
        self.srv = t.udp('srv', self.pbx, 5060)
        self.n = 0

    def hdrs(self, cid, method, cseq=1, branch=None):
        h = sn.hosturi(self.me)
        return ['Via: SIP/2.0/UDP %s:5010;branch=z9hG4bK-%s;rport' % (h, branch or cid),
                'Max-Forwards: 70', 'From: <sip:011@%s>;tag=%s' % (h, cid),
                'To: <sip:800@%s>' % sn.hosturi(self.pbx), 'Call-ID: ' + cid,
                'CSeq: %d %s' % (cseq, method), 'Contact: <sip:011@%s:5010>' % h]

    def offer(self, addr, port, tag):
        """The phone's INVITE naming ADDR:PORT; returns it as srv saw it."""
        t = self.t
        cid = 'pol-%s@%s' % (tag, self.me)
        body = sn.sdp(addr, [AUDIO % port], o_addr=self.me, origin='phone')
        self.cli.send(sn.build('INVITE sip:800@%s SIP/2.0' % sn.hosturi(self.pbx),
                               self.hdrs(cid, 'INVITE') + ['Content-Type: application/sdp'],
                               body), (self.pbx, 5060))
        m = self.srv.recv_sip(sn.is_req('INVITE', cid))
        t.require(m, '%s, srv receives the INVITE' % tag, 'nothing arrived in 5 s')
        self.pub = m.src
        return m

    def answer(self, inv, addr, port, tag, extra=()):
        """srv's 200 OK naming ADDR:PORT (plus EXTRA a= lines)."""
        t = self.t
        body = sn.sdp(addr, ['|'.join([AUDIO % port] + list(extra))], o_addr=self.pbx,
                      origin='pbx')
        self.srv.send(t.answer(inv, 200, 'OK', body, to_tag='pbx-' + tag,
                               contact='<sip:800@%s:5060>' % sn.hosturi(self.pbx)), inv.src)
        r = self.cli.recv_sip(sn.is_resp(200, 'INVITE', inv.call_id))
        t.require(r, '%s, the 200 OK reaches the phone' % tag, 'nothing arrived in 5 s')
        return r

    def incoming(self, addr, port, tag, extra=()):
        """An INVITE from srv through the phone's mapping naming ADDR:PORT."""
        t = self.t
        cid = 'pol-in-%s@%s' % (tag, self.pbx)
        h = sn.hosturi(self.pbx)
        body = sn.sdp(addr, ['|'.join([AUDIO % port] + list(extra))], o_addr=self.pbx,
                      origin='pbx')
        self.srv.send(sn.build('INVITE sip:011@%s SIP/2.0' % sn.fmt(self.pub), [
            'Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-%s' % (h, tag), 'Max-Forwards: 70',
            'From: <sip:900@%s>;tag=%s' % (h, tag), 'To: <sip:011@%s>' % sn.fmt(self.pub),
            'Call-ID: ' + cid, 'CSeq: 1 INVITE', 'Contact: <sip:900@%s:5060>' % h,
            'Content-Type: application/sdp'], body), self.pub)
        m = self.cli.recv_sip(sn.is_req('INVITE', cid))
        t.require(m, '%s, the incoming INVITE reaches the phone' % tag, 'nothing arrived in 5 s')
        return m

    def bye(self, cid, to):
        self.cli.send(sn.build('BYE sip:800@%s:5060 SIP/2.0' % sn.hosturi(self.pbx),
                               self.hdrs(cid, 'BYE', 2, cid + '-bye')[:-1]), (self.pbx, 5060))
        self.srv.recv_sip(sn.is_req('BYE', cid), timeout=2)


def no_way_in(t, what, addr, port, dm, before, e=None):
    """No expectation toward ADDR, media_refused counted, and media sent
    to ADDR:PORT from the WAN does not arrive."""
    e = exps(t) if e is None else e
    bad = toward(e, addr)
    t.check(not bad, '%s (direct_media=%d), no pinhole toward %s' % (what, dm, addr),
            '%d expectations toward it' % len(bad), show=t.expects_text)
    d = mu.stats_delta(mu.stats(t.ns['rtr']), before)
    t.check(d.get('media_refused', 0) == 1, '%s (direct_media=%d), counted as media_refused' % (
        what, dm), 'counters: %s' % d)
    rx = t.udp('cli', addr, port)
    tx = t.udp('srv', t.SRV6 if ':' in addr else t.SRV4, 20999)
    t.check(sn.no_media(tx, (addr, port), rx, timeout=0.5),
            '%s (direct_media=%d), media from the WAN to %s:%d does not arrive' % (what, dm, addr, port),
            'it arrived')
    for s in (rx, tx):
        s.close()
        t.sockets.remove(s)


def wan_side(t, c, dm, base):
    rtr = t.ns['rtr']
    tag = 'dm%d' % dm
    # the phone's own offer: it does get its pinhole (the control)
    before = mu.stats(rtr)
    inv = c.offer(t.CLI4, base, tag + '-a')
    e = exps(t)
    mine = toward(e, t.WAN4)
    t.check(mine, 'direct_media=%d, the phone that offers media gets a pinhole on the '
            'public address' % dm, 'none', show=t.expects_text)
    # the answer names another LAN host
    c.answer(inv, V4, 30000 + base, tag + '-a')
    no_way_in(t, 'an answer from the WAN naming %s' % V4, V4, 30000 + base, dm, before)
    s = inv.sdp()
    pub = (s.addr(0), s.media[0]['port']) if s.media else None
    rx = t.udp('cli', t.CLI4, base)
    tx = t.udp('srv', t.SRV4, 20998)
    t.check(pub and sn.media(tx, pub, rx, timeout=2),
            'direct_media=%d, media from the PBX reaches the phone through its pinhole' % dm,
            'nothing arrived at cli:%d (SDP named %s)' % (base, sn.fmt(pub)),
            show=lambda: t.expects_text() + '\n' + t.conntrack_text('-p udp'))
    for x in (rx, tx):
        x.close()
        t.sockets.remove(x)
    c.bye(inv.call_id, inv.hdr('to'))

    before = mu.stats(rtr)
    c.incoming(V4, 30002 + base, tag + '-b')
    no_way_in(t, 'an incoming INVITE naming %s' % V4, V4, 30002 + base, dm, before)
    before = mu.stats(rtr)
    c.incoming(t.CLI4, 30004 + base, tag + '-c')
    no_way_in(t, "an incoming INVITE naming the phone's private address", t.CLI4,
              30004 + base, dm, before)
    before = mu.stats(rtr)
    c.incoming(t.SRV4, 30006 + base, tag + '-d', extra=['a=rtcp:30007 IN IP4 %s' % V4])
    no_way_in(t, 'an incoming INVITE with a=rtcp naming %s' % V4, V4, 30007, dm, before)


def scenario(t):
    t.setup({'direct_media': 1})
    rtr = t.ns['rtr']
    mark = mu.dmesg_mark()
    # the firewall keeps the victim closed without a pinhole
    rx = t.udp('cli', V4, 29999)
    tx = t.udp('srv', t.SRV4, 20997)
    t.require(sn.no_media(tx, (V4, 29999), rx, timeout=0.5),
              'the forward filter keeps unsolicited WAN traffic out of the LAN', 'it arrived')

    c = Call(t)
    wan_side(t, c, 1, 10000)

    # IPv6: the WAN names another LAN host
    c6 = Call(t, v6=True)
    before = mu.stats(rtr)
    inv = c6.offer(t.CLI6, 10100, 'v6')
    c6.answer(inv, V6, 30100, 'v6')
    no_way_in(t, 'IPv6, an answer from the WAN naming %s' % V6, V6, 30100, 1, before)

    t.require(t.set_param('direct_media', 0), 'switch direct_media to 0', 'not writable')
    wan_side(t, c, 0, 11000)

    # direct_media=0: third parties on either side open nothing
    before = mu.stats(rtr)
    n0 = len(exps(t))
    inv = c.offer(V4, 12000, 'dm0-third')
    e = exps(t)
    t.check(len(e) == n0, "direct_media=0, the phone's SDP naming %s opens no pinhole" % V4,
            '%d new expectations' % (len(e) - n0), show=t.expects_text)
    d = mu.stats_delta(mu.stats(rtr), before)
    t.check(d.get('media_refused', 0) == 1, "direct_media=0, the phone's third-party SDP is counted as media_refused",
            'counters: %s' % d)
    before = mu.stats(rtr)
    c.answer(inv, T4, 42000, 'dm0-third')
    e = exps(t)
    t.check(not toward(e, T4), 'direct_media=0, the PBX naming %s opens no pinhole toward it' % T4,
            'found one', show=t.expects_text)
    t.check(mu.stats_delta(mu.stats(rtr), before).get('media_refused', 0) == 1,
            "direct_media=0, the PBX's third-party SDP is counted as media_refused", 'not counted')
    c.bye(inv.call_id, inv.hdr('to'))

    # direct_media=0: the pinholes that open admit only the signalling peer
    inv = c.offer(t.CLI4, 12100, 'dm0-peer')
    c.answer(inv, t.SRV4, 42100, 'dm0-peer')
    e = exps(t)
    in_ = toward(e, t.WAN4)
    out = [x for x in toward(e, t.SRV4) if x.get('dport') == 42100]
    t.check(in_ and all(sn.same_addr(x.get('src'), t.SRV4) for x in in_),
            "direct_media=0, the phone's pinholes admit only the PBX's address",
            'sources %s' % [x.get('src') for x in in_], show=t.expects_text)
    t.check(out and all(sn.same_addr(x.get('src'), t.CLI4) for x in out),
            "direct_media=0, the PBX's pinhole admits only the phone", 'sources %s' % [
                x.get('src') for x in out], show=t.expects_text)
    s = inv.sdp()
    pub = (s.addr(0), s.media[0]['port'])
    rx = t.udp('cli', t.CLI4, 12100)
    third = t.udp('srv', T4, 20996)
    peer = t.udp('srv', t.SRV4, 20995)
    t.check(sn.no_media(third, pub, rx, timeout=0.5),
            'direct_media=0, media from a third WAN address does not reach the phone', 'it arrived')
    t.check(sn.media(peer, pub, rx, timeout=2), 'direct_media=0, media from the PBX does',
            'nothing arrived', show=t.expects_text)
    c.bye(inv.call_id, inv.hdr('to'))

    # REGISTER naming a third party's Contact
    before = mu.stats(rtr)
    n0 = len(exps(t))
    cid = 'pol-reg@%s' % t.CLI4
    h = c.hdrs(cid, 'REGISTER')
    h[-1] = 'Contact: <sip:011@%s:5060>;expires=600' % V4
    c.cli.send(sn.build('REGISTER sip:%s SIP/2.0' % t.SRV4, h), (t.SRV4, 5060))
    m = c.srv.recv_sip(sn.is_req('REGISTER', cid))
    t.require(m, 'third-party REGISTER, srv receives it', 'nothing arrived in 5 s')
    c.srv.send(t.answer(m, 200, 'OK', extra=[('Contact', '<sip:011@%s:5060>;expires=600' % V4)]),
               m.src)
    t.require(c.cli.recv_sip(sn.is_resp(200, 'REGISTER', cid)),
              'third-party REGISTER, its 200 OK comes back', 'nothing arrived in 5 s')
    e = exps(t)
    t.check(len(e) == n0 and not toward(e, V4),
            'a REGISTER with a third-party Contact opens no pinhole', '%d new' % (len(e) - n0),
            show=t.expects_text)

    lan = [a for a in seen_dsts if a and (a.startswith('192.168.') or a.startswith('fd00:'))]
    t.check(not lan, 'no expectation ever pointed straight into the LAN',
            'destinations seen: %s' % sorted(seen_dsts))
    t.note('expectation destinations seen: %s' % ' '.join(sorted(a for a in seen_dsts if a)))
    mu.check_dmesg(t, mark, 'the policy scenarios')


sn.Test().run(scenario)
