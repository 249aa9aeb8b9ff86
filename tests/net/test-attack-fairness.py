# SPDX-License-Identifier: GPL-2.0
# The scenario of test-attack-fairness.sh, which builds the namespaces,
# exports their names and addresses and runs this; not meant to run alone.

import collections
import os

import mutate as mu
import sipnet as sn

EXPECT_MAX = 1024
FLOOD_LAN = ['192.168.0.%d' % i for i in range(40, 48)]
FLOOD_WAN = ['203.0.113.%d' % i for i in range(40, 48)]
SINK = os.environ.get('SINK4', '')


def param(name):
    return int(open('/sys/module/nf_conntrack_sipalg/parameters/' + name).read())


def options(host, port, peer, cid):
    return sn.build('OPTIONS sip:%s SIP/2.0' % peer, [
        'Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-%s;rport' % (host, port, cid),
        'Max-Forwards: 70', 'From: <sip:p@%s>;tag=%s' % (host, cid),
        'To: <sip:%s>' % peer, 'Call-ID: %s' % cid, 'CSeq: 1 OPTIONS',
        'Contact: <sip:p@%s:%d>' % (host, port)])


def media_exps(t):
    return [e for e in t.expects() if e.get('helper') == 'sipalg' and
            e.get('class') in ('1', 'media', None)]


def by_sender(t):
    """Pending media pinholes per SDP sender: a LAN host's wait on the
    public address (counted by the flow's LAN end), a WAN peer's on its own."""
    n = collections.Counter()
    for e in media_exps(t):
        if sn.same_addr(e.get('dst', ''), t.WAN4):
            n[e.get('master-src')] += 1
        else:
            n[e.get('dst')] += 1
    return n


def per_flow(t):
    n = collections.Counter()
    for e in media_exps(t):
        n[(e.get('master-src'), e.get('master-sport'))] += 1
    return n


def settle(t, before, sent):
    rtr = t.ns['rtr']
    t.wait_for(lambda: mu.stats_delta(mu.stats(rtr), before).get('messages', 0) >= sent, 10)
    return mu.stats_delta(mu.stats(rtr), before)


def incoming_call(t, what, caddr, cport=5070, mport=10500, sport=5060, smport=21000):
    """A WAN peer calls a phone on the flow the phone opened to it: INVITE
    with SDP in, 200 OK with SDP out (translated), ACK, RTP both ways."""
    ph = t.udp('cli', caddr, cport)
    peer = os.environ['PEER4']
    pe = t.udp('srv', peer, sport)
    rc = t.udp('cli', caddr, mport)
    rs = t.udp('srv', peer, smport)
    try:
        cid = 'in-%d-%d@%s' % (os.getpid(), cport, peer)
        ph.send(options(caddr, cport, peer, cid + '-opt'), (peer, sport))
        o = pe.recv_sip(sn.is_req('OPTIONS'), timeout=5)
        if not t.check(o, '%s, the phone reaches the WAN peer' % what, 'nothing arrived'):
            return
        pub = o.src
        body = sn.sdp(peer, ['audio %d RTP/AVP 0|a=sendrecv' % smport], origin='peer')
        pe.send(sn.build('INVITE sip:p@%s:%d SIP/2.0' % pub, [
            'Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-in1' % (peer, sport),
            'Max-Forwards: 70', 'From: <sip:peer@%s>;tag=peer1' % peer,
            'To: <sip:p@%s>' % t.WAN4, 'Call-ID: ' + cid, 'CSeq: 1 INVITE',
            'Contact: <sip:peer@%s:%d>' % (peer, sport),
            'Content-Type: application/sdp'], body), pub)
        m = ph.recv_sip(sn.is_req('INVITE', cid), timeout=5)
        if not t.check(m, '%s, an incoming INVITE reaches the phone' % what, 'nothing arrived'):
            return
        ans = sn.sdp(caddr, ['audio %d RTP/AVP 0|a=sendrecv' % mport], origin='phone')
        ph.send(t.answer(m, 200, 'OK', ans, to_tag='ph1',
                         contact='<sip:p@%s:%d>' % (caddr, cport)), (peer, sport))
        r = pe.recv_sip(sn.is_resp(200, 'INVITE', cid), timeout=5)
        if not t.check(r, '%s, the phone\'s 200 OK reaches the peer' % what, 'nothing arrived'):
            return
        s = r.sdp()
        media_pub = (s.addr(0), s.media[0]['port']) if s.media else None
        t.check(media_pub and sn.same_addr(media_pub[0], t.WAN4),
                '%s, the answer\'s SDP names the public address' % what, 'SDP %s' % (media_pub,))
        pe.send(sn.build('ACK sip:p@%s:%d SIP/2.0' % pub, [
            'Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-in1-ack' % (peer, sport),
            'Max-Forwards: 70', ('From', m.hdr('from')), ('To', r.hdr('to')),
            'Call-ID: ' + cid, 'CSeq: 1 ACK']), pub)
        t.check(media_pub and sn.media(rs, media_pub, rc),
                '%s, RTP from the WAN peer reaches the phone' % what,
                'nothing arrived at %s:%d' % (caddr, mport),
                show=lambda: t.expects_text()[-3000:])
        t.check(sn.media(rc, (peer, smport), rs),
                '%s, RTP from the phone reaches the WAN peer' % what, 'nothing arrived')
        pe.send(sn.build('BYE sip:p@%s:%d SIP/2.0' % pub, [
            'Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-in1-bye' % (peer, sport),
            'Max-Forwards: 70', ('From', m.hdr('from')), ('To', r.hdr('to')),
            'Call-ID: ' + cid, 'CSeq: 2 BYE']), pub)
    finally:
        for s in (ph, pe, rc, rs):
            s.close()
            if s in t.sockets:
                t.sockets.remove(s)


def probes(t, what):
    """Everyone else, and the flooder on a new flow, still gets audio."""
    mu.valid_call(t, '%s: another LAN host' % what, caddr=os.environ['OTHER4'],
                  cport=5080, mport=10800)
    mu.valid_call(t, '%s: the flooding host on a new flow' % what, cport=5090, mport=10900)
    incoming_call(t, '%s: a WAN peer calling in' % what, os.environ['OTHER4'])


def bounds(t, what, d, per_flow_max, per_host_max):
    total = len(mu.expect_lines(t.ns['rtr']))
    pf, ph = per_flow(t), by_sender(t)
    t.note('%s: %d pinholes; senders %s; fullest flow %d; %s' % (
        what, total, dict(ph), max(pf.values()) if pf else 0,
        ' '.join('%s=%d' % kv for kv in sorted(d.items()) if kv[0].startswith('media'))))
    t.check(total <= EXPECT_MAX, '%s: pinholes stay within nf_conntrack_expect_max' % what,
            '%d > %d' % (total, EXPECT_MAX))
    t.check(not pf or max(pf.values()) <= per_flow_max,
            '%s: no flow holds more than max_media_per_flow (%d)' % (what, per_flow_max),
            'per flow %s' % dict(pf))
    t.check(not ph or max(ph.values()) <= per_host_max,
            '%s: no host holds more than max_media_per_host (%d)' % (what, per_host_max),
            'per host %s' % dict(ph))


def made_room(t, what, d):
    """The table filled up, and room was made for every stream."""
    t.check(d.get('media_reclaimed', 0) > 0,
            '%s: the full table is made room in (media_reclaimed)' % what,
            'media_reclaimed=0, media_failed=%d' % d.get('media_failed', 0))
    t.check(d.get('media_failed', 0) == 0 and d.get('media_table_full', 0) == 0,
            '%s: no stream is refused for want of room' % what,
            'media_failed=%d media_table_full=%d' % (
                d.get('media_failed', 0), d.get('media_table_full', 0)))


def clear(t):
    """End the flood: delete its SIP flows (their pinholes go with them)."""
    rtr = t.ns['rtr']
    sn.sh(rtr, 'conntrack -D -p udp --dport 5060; conntrack -D -p udp --sport 5060')
    t.check(t.wait_for(lambda: not media_exps(t), 5),
            'the flood\'s pinholes go with its flows', '%d left' % len(media_exps(t)))


def flood_one_host(t, fmax, hmax):
    rtr = t.ns['rtr']
    socks = [t.udp('cli', t.CLI4, 30000 + i) for i in range(64)]
    before = mu.stats(rtr)
    n = 0
    for k in range(8):
        for i, s in enumerate(socks):
            s.send(mu.flood_invite(t.CLI4, 30000 + i, SINK, 'f1-%d-%d' % (i, k),
                          media_port=12000 + 80 * i + 8 * k), (SINK, 5060))
            n += 1
    d = settle(t, before, n)
    bounds(t, 'F1 one LAN host', d, fmax, hmax)
    t.check(d.get('media_pinholes', 0) == 4 * n,
            'F1 one LAN host: every INVITE opened its pinholes, none refused',
            'media_pinholes=%d of %d, media_failed=%d' % (
                d.get('media_pinholes', 0), 4 * n, d.get('media_failed', 0)))
    held = by_sender(t).get(t.CLI4, 0)
    t.check(d.get('media_evicted_host', 0) == 4 * n - held - d.get('media_evicted', 0),
            'F1 one LAN host: the rest was evicted from the host\'s own oldest (media_evicted_host)',
            'media_evicted_host=%d, media_evicted=%d, %d of %d held' % (
                d.get('media_evicted_host', 0), d.get('media_evicted', 0), held, 4 * n))
    probes(t, 'F1 one LAN host')
    for s in socks:
        s.close()
    clear(t)


def flood_lan_hosts(t, fmax, hmax):
    rtr = t.ns['rtr']
    socks = [(h, t.udp('cli', h, 31000 + j)) for h in FLOOD_LAN for j in range(8)]
    before = mu.stats(rtr)
    n = 0
    # Every host's media ports differ: all of them share the public address.
    for k in range(10):
        for i, (h, s) in enumerate(socks):
            s.send(mu.flood_invite(h, 31000 + i % 8, SINK, 'f2-%d-%d' % (i, k),
                          media_port=12000 + 80 * i + 8 * k), (SINK, 5060))
            n += 1
    d = settle(t, before, n)
    bounds(t, 'F2 eight LAN hosts', d, fmax, hmax)
    made_room(t, 'F2 eight LAN hosts', d)
    probes(t, 'F2 eight LAN hosts')
    for _, s in socks:
        s.close()
    clear(t)


def flood_wan_peers(t, fmax, hmax):
    rtr = t.ns['rtr']
    pairs = []
    for i, peer in enumerate(FLOOD_WAN):
        ph = t.udp('cli', t.CLI4, 32000 + i)
        pe = t.udp('srv', peer, 5060)
        ph.send(options(t.CLI4, 32000 + i, peer, 'f3-open-%d' % i), (peer, 5060))
        o = pe.recv_sip(sn.is_req('OPTIONS'), timeout=5)
        pairs.append((peer, pe, o.src if o else None))
    t.check(all(p for _, _, p in pairs), 'F3: the phone reaches the eight WAN peers',
            '%d did' % sum(1 for _, _, p in pairs if p))
    before = mu.stats(rtr)
    n = 0
    for k in range(40):
        for i, (peer, pe, pub) in enumerate(pairs):
            if pub:
                pe.send(mu.flood_invite(peer, 5060, t.WAN4, 'f3-%d-%d' % (i, k),
                               media_port=40000 + 8 * k), pub)
                n += 1
    d = settle(t, before, n)
    bounds(t, 'F3 eight WAN peers', d, fmax, hmax)
    made_room(t, 'F3 eight WAN peers', d)
    probes(t, 'F3 eight WAN peers')
    for _, pe, _ in pairs:
        pe.close()
    clear(t)


def scenario(t):
    t.setup()
    path = '/proc/sys/net/netfilter/nf_conntrack_expect_max'
    old = open(path).read().strip()
    t.restore.append((path, old))
    with open(path, 'w') as f:
        f.write(str(EXPECT_MAX))
    fmax, hmax = param('max_media_per_flow'), param('max_media_per_host')
    t.setup_step(0 < fmax <= hmax < EXPECT_MAX,
                 'the limits in force are derived from the table (flow %d, host %d)' % (fmax, hmax))
    mark = mu.dmesg_mark()
    sink = t.udp('srv', SINK, 5060)
    flood_one_host(t, fmax, hmax)
    sink.drain()
    flood_lan_hosts(t, fmax, hmax)
    sink.drain()
    flood_wan_peers(t, fmax, hmax)
    mu.check_dmesg(t, mark, 'the floods')


sn.Test().run(scenario)
