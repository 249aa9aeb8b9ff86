# SPDX-License-Identifier: GPL-2.0
# The scenario of test-attack-flood.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import collections
import time

import mutate as mu
import sipnet as sn

EXPECT_MAX = 1024
EVICT_BATCH = 32        # pinhole_evict.h, PH_EVICT_BATCH


def param(name):
    return int(open('/sys/module/nf_conntrack_sipalg/parameters/' + name).read())


def per_flow(t):
    """Media expectations of this helper per master flow (by the LAN port)."""
    n = collections.Counter()
    for e in t.expects():
        if e.get('helper') == 'sipalg' and e.get('class') in ('1', 'media', None):
            n[(e.get('master-src'), e.get('master-sport'))] += 1
    return n


def settle(t, before, sent):
    rtr = t.ns['rtr']
    done = lambda: mu.stats_delta(mu.stats(rtr), before).get('messages', 0) >= sent
    t.wait_for(done, 5)
    return mu.stats_delta(mu.stats(rtr), before)


def scenario(t):
    t.setup()
    rtr = t.ns['rtr']
    path = '/proc/sys/net/netfilter/nf_conntrack_expect_max'
    old = open(path).read().strip()
    t.restore.append((path, old))
    with open(path, 'w') as f:
        f.write(str(EXPECT_MAX))
    maxcalls = param('max_calls')
    MEDIA_MAX = param('max_media_per_flow')
    HOST_MAX = param('max_media_per_host')
    mark = mu.dmesg_mark()
    exp0 = len(mu.expect_lines(rtr))
    calls0 = mu.call_objects(rtr)
    t.setup_step(calls0 is not None, "read the calls_active gauge")
    t.note('baseline: %d sipalg expectations, %d call records; expect_max %s -> %d, '
           'max_calls %d' % (exp0, calls0, old, EXPECT_MAX, maxcalls))
    tstart = time.monotonic()

    # A. one flow, 100 Call-IDs, 400 pinholes asked
    cli = t.udp('cli', t.CLI4, 5010)
    srv = t.udp('srv', t.SRV4, 5060)
    before = mu.stats(rtr)
    for i in range(100):
        cli.send(mu.flood_invite(t.CLI4, 5010, t.SRV4, 'floodA-%d' % i, media_port=10000 + 8 * i),
                 (t.SRV4, 5060))
    d = settle(t, before, 100)
    pf = per_flow(t)
    most = max(pf.values()) if pf else 0
    t.note('A: %s; expectations per flow %s' % (
        ' '.join('%s=%d' % kv for kv in sorted(d.items())), dict(pf)))
    t.check(d.get('media_pinholes', 0) == 400, 'one flow, 100 INVITEs open their 400 pinholes',
            'media_pinholes=%d' % d.get('media_pinholes', 0))
    t.check(MEDIA_MAX - EVICT_BATCH <= most <= MEDIA_MAX,
            'one flow keeps %d to %d media pinholes' % (MEDIA_MAX - EVICT_BATCH, MEDIA_MAX),
            'the flow has %d' % most, show=t.expects_text)
    t.check(d.get('media_evicted', 0) == 400 - most,
            'the helper evicted the rest itself (media_evicted)',
            'media_evicted=%d, %d of 400 left' % (d.get('media_evicted', 0), most))
    # The newest calls keep theirs: call i asked for 10000 + 8i and up.
    newest = (MEDIA_MAX - EVICT_BATCH) // 4
    ports = {e.get('dport') for e in t.expects() if e.get('helper') == 'sipalg'}
    lost = [i for i in range(100 - newest, 100)
            if not {10000 + 8 * i + k for k in (0, 1, 4, 5)} <= ports]
    t.check(not lost, 'the oldest were evicted: the newest %d calls keep all their pinholes' % newest,
            'calls missing pinholes: %s' % lost, show=t.expects_text)

    # B. 30 more flows, from both sides
    socks = [t.udp('cli', t.CLI4, 30000 + i) for i in range(30)]
    pubs = []
    for i, s in enumerate(socks):
        s.send(mu.flood_invite(t.CLI4, 30000 + i, t.SRV4, 'floodB-%d-0' % i,
                      media_port=12000 + 80 * i), (t.SRV4, 5060))
    for _ in socks:
        m = srv.recv_sip(lambda m: m.call_id and m.call_id.startswith('floodB-'), timeout=5)
        if m:
            pubs.append(m.src)
    t.check(len(pubs) == len(socks), 'the 30 flows reach srv', '%d did' % len(pubs))
    before = mu.stats(rtr)
    n = 0
    for k in range(1, 10):
        for i, s in enumerate(socks):
            s.send(mu.flood_invite(t.CLI4, 30000 + i, t.SRV4, 'floodB-%d-%d' % (i, k),
                          media_port=12000 + 80 * i + 8 * k), (t.SRV4, 5060))
            n += 1
    for k in range(10):
        for i, p in enumerate(pubs):
            srv.send(mu.flood_invite(t.SRV4, 5060, t.WAN4, 'floodBw-%d-%d' % (i, k),
                            media_port=40000 + 80 * i + 8 * k), p)
            n += 1
    d = settle(t, before, n)
    pf = per_flow(t)
    total = len(mu.expect_lines(rtr))
    t.note('B: %d INVITEs: %s; %d expectations, the fullest flow %d' % (
        n, ' '.join('%s=%d' % kv for kv in sorted(d.items())), total,
        max(pf.values()) if pf else 0))
    t.check(total <= EXPECT_MAX, 'many flows: pinholes stay within nf_conntrack_expect_max',
            '%d > %d' % (total, EXPECT_MAX))
    t.check(pf and max(pf.values()) <= MEDIA_MAX, 'many flows: no flow holds more than %d' % MEDIA_MAX,
            'per flow: %s' % dict(pf))
    # Two hosts send every SDP (the phone from the LAN, the PBX from the
    # WAN): each is held to max_media_per_host, so the two cannot fill
    # the table, and both keep their newest.
    lan = sum(1 for e in t.expects() if e.get('helper') == 'sipalg' and
              sn.same_addr(e.get('dst', ''), t.WAN4))
    wan = sum(1 for e in t.expects() if e.get('helper') == 'sipalg' and
              sn.same_addr(e.get('dst', ''), t.SRV4))
    t.check(lan <= HOST_MAX and wan <= HOST_MAX and total == lan + wan,
            'many flows: each host holds at most max_media_per_host (%d)' % HOST_MAX,
            'LAN host %d, WAN host %d, %d in all' % (lan, wan, total))
    t.check(d.get('media_evicted_host', 0) > 0,
            'many flows: the hosts\' own oldest are evicted (media_evicted_host)',
            'media_evicted_host=0')
    # Every stream (two per INVITE) opens its two pinholes: nothing is
    # refused, the evictions made the room.
    t.check(d.get('media_failed', 0) == 0 and d.get('media_pinholes', 0) == 4 * n,
            'many flows: every stream opens its pinholes, none is refused',
            'media_failed=%d, media_pinholes=%d for %d streams' % (
                d.get('media_failed', 0), d.get('media_pinholes', 0), 2 * n))

    # C. more Call-IDs than max_calls
    before = mu.stats(rtr)
    calls_b = mu.call_objects(rtr)
    ncalls = maxcalls + 500
    for i in range(ncalls):
        s = socks[i % len(socks)]
        s.send(mu.flood_invite(t.CLI4, 30000 + i % len(socks), t.SRV4, 'floodC-%d' % i, streams=0),
               (t.SRV4, 5060))
    d = settle(t, before, ncalls)
    objs = mu.call_objects(rtr)
    t.note('C: %d INVITEs without SDP: %s; %s call records' % (
        ncalls, ' '.join('%s=%d' % kv for kv in sorted(d.items())), objs))
    t.check(objs is not None and objs <= maxcalls + calls0,
            'call records stay within max_calls (%d)' % maxcalls, '%s objects' % objs)
    # Each INVITE is a new call: beyond max_calls each one recycles one.
    want = calls_b + ncalls - maxcalls
    t.check(d.get('calls_recycled', 0) == want, 'the least recently active calls are recycled',
            'calls_recycled=%d, expected %d' % (d.get('calls_recycled', 0), want))
    t.check(mu.ct_count(rtr) <= int(mu.read_in(rtr, '/proc/sys/net/netfilter/nf_conntrack_max')),
            'conntracks stay within nf_conntrack_max', '%d' % mu.ct_count(rtr))
    mu.check_dmesg(t, mark, 'the flood')

    # D. signalling still works while the pinhole table is full
    srv.drain()
    c2 = t.udp('cli', t.CLI4, 5012)
    c2.send(mu.flood_invite(t.CLI4, 5012, t.SRV4, 'floodD@%s' % t.CLI4, streams=1, media_port=16000),
            (t.SRV4, 5060))
    m = srv.recv_sip(sn.is_req('INVITE', 'floodD@%s' % t.CLI4))
    if t.check(m, 'after the flood, a new INVITE crosses the router', 'nothing arrived'):
        v = m.top_via()
        t.check(sn.same_addr(v[1], t.WAN4) and sn.same_addr(m.contact_hostport()[0], t.WAN4),
                'after the flood, its Via and Contact are translated',
                'Via %s, Contact %s' % (m.hdr('via'), m.hdr('contact')), show=m)
        t.check(sn.same_addr(m.sdp().addr(0), t.WAN4),
                'after the flood, its SDP names the public address (its pinholes opened)',
                'c= %s' % m.sdp().addr(0))

    # E. flows gone -> back to baseline
    for s in [cli, srv, c2] + socks:
        s.close()
    t.sockets = []
    rc, out = sn.sh(rtr, 'conntrack -D -p udp --dport 5060; conntrack -D -p udp --sport 5060')
    back = t.wait_for(lambda: len(mu.expect_lines(rtr)) <= exp0, 5)
    t.check(back, 'pinholes return to baseline when the SIP flows are deleted',
            '%d left, %d before' % (len(mu.expect_lines(rtr)), exp0),
            show=lambda: '\n'.join(mu.expect_lines(rtr)[:20]))
    back = t.wait_for(lambda: mu.calls_at_most(rtr, calls0), 5)
    t.check(back, 'call records return to baseline when the SIP flows are deleted',
            '%s objects, %d before' % (mu.call_objects(rtr), calls0))
    t.note('flood phases took %.1f s' % (time.monotonic() - tstart))
    mu.valid_call(t, 'after the flood')
    mu.check_dmesg(t, mark, 'the valid call')


sn.Test().run(scenario)
