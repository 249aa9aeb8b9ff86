# SPDX-License-Identifier: GPL-2.0
# The scenario of test-attack-mutate.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import os
import random
import re
import socket
import threading
import time

import mutate as mu
import sipnet as sn

COUNT = int(os.environ.get('SIPALG_MUTATE_COUNT') or 100000)
SEED = int(os.environ.get('SIPALG_MUTATE_SEED') or random.SystemRandom().randrange(1 << 31))


def udp_socks(ns, addr, first, n):
    fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
    out = []
    with sn.netns(ns):
        for i in range(n):
            s = socket.socket(fam, socket.SOCK_DGRAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.bind((addr, first + i))
            s.setblocking(False)
            out.append(s)
    return out


def blast(m, jobs, n, r):
    """Send N datagrams from M; JOBS is a list of (weight, sockets,
    destinations).  Returns (sent, refused by the local stack)."""
    weights = [w for w, _, _ in jobs]
    picks = r.choices(range(len(jobs)), weights, k=n)
    sent = refused = 0
    for j in picks:
        _, socks, dsts = jobs[j]
        try:
            r.choice(socks).sendto(m.next(), r.choice(dsts))
            sent += 1
        except OSError:
            refused += 1
    return sent, refused


def udp_flood(t):
    ns = t.ns
    c4 = udp_socks(ns['cli'], t.CLI4, 40000, 64)
    c6 = udp_socks(ns['cli'], t.CLI6, 41000, 16)
    s4 = udp_socks(ns['srv'], t.SRV4, 42000, 16)
    l4 = udp_socks(ns['srv'], t.SRV4, 5060, 1)[0]
    l6 = udp_socks(ns['srv'], t.SRV6, 5060, 1)[0]
    for s in (l4, l6):
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)

    # A valid OPTIONS from every LAN port: srv learns the public mappings
    # and answers half of them (those flows are then "assured").
    for s in c4 + c6:
        a = s.getsockname()
        host = sn.hosturi(a[0])
        s.sendto(sn.build('OPTIONS sip:%s SIP/2.0' % host, [
            'Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-prime;rport' % (host, a[1]),
            'From: <sip:p@%s>;tag=p' % host, 'To: <sip:%s>' % host,
            'Call-ID: prime-%d@%s' % (a[1], host), 'CSeq: 1 OPTIONS']),
            (t.SRV6 if ':' in a[0] else t.SRV4, 5060))
    mapped4, mapped6 = [], []
    end = time.monotonic() + 5
    while len(mapped4) + len(mapped6) < len(c4) + len(c6) and time.monotonic() < end:
        for s, out in ((l4, mapped4), (l6, mapped6)):
            try:
                d, src = s.recvfrom(65535)
            except BlockingIOError:
                continue
            out.append(src[:2])
            if len(out) % 2:
                s.sendto(b'SIP/2.0 200 OK\r\n' + d.split(b'\r\n', 1)[1], src)
        time.sleep(0.001)
    t.require(len(mapped4) == len(c4) and len(mapped6) == len(c6),
              'every LAN port reaches srv before the flood',
              '%d of %d IPv4, %d of %d IPv6 arrived' % (len(mapped4), len(c4),
                                                       len(mapped6), len(c6)))

    n_wan = COUNT // 4
    n_lan = COUNT - n_wan
    t.note('seed %d (reproduce with SIPALG_MUTATE_SEED=%d), %d datagrams: %d from the LAN, '
           '%d from the WAN' % (SEED, SEED, COUNT, n_lan, n_wan))
    before = mu.stats(ns['rtr'])
    rd, wr = os.pipe()
    t0 = time.monotonic()
    pid = os.fork()
    if pid == 0:            # WAN side: into the mappings and at the router
        try:
            os.close(rd)
            r = random.Random(SEED + 1)
            m = mu.Mutator(SEED + 1, mu.templates(t.SRV4, t.WAN4, 5060))
            m6 = mu.Mutator(SEED + 3, mu.templates(t.SRV6, t.WAN6, 5060), pool=500)
            # replies' direction of the LAN flows (from srv:5060), and new
            # flows toward the router's own port 5060
            sent, refused = blast(m, [(5, [l4], mapped4), (2, s4, [(t.WAN4, 5060)])],
                                  n_wan * 6 // 7, r)
            s6, f6 = blast(m6, [(1, [l6], mapped6)], n_wan - n_wan * 6 // 7, r)
            sent, refused = sent + s6, refused + f6
            m.counts.update(('v6 ' + k, v) for k, v in m6.counts.items())
            os.write(wr, ('%d %d %s' % (sent, refused, m.counts)).encode())
        finally:
            os._exit(0)
    os.close(wr)
    r = random.Random(SEED)
    m4 = mu.Mutator(SEED, mu.templates(t.CLI4, t.SRV4, 5010))
    m6 = mu.Mutator(SEED + 2, mu.templates(t.CLI6, t.SRV6, 5010), pool=500)
    n6 = n_lan * 15 // 100
    sent4, ref4 = blast(m4, [(1, c4, [(t.SRV4, 5060)])], n_lan - n6, r)
    sent6, ref6 = blast(m6, [(1, c6, [(t.SRV6, 5060)])], n6, r)
    t_lan = time.monotonic() - t0
    os.waitpid(pid, 0)
    wan = os.read(rd, 4096).decode().split(' ', 2)
    os.close(rd)
    t_all = time.monotonic() - t0
    sent_wan, ref_wan = int(wan[0]), int(wan[1])
    sent = sent4 + sent6 + sent_wan
    # the helper runs in softirq right behind each send; give the last a moment
    seen = lambda: sum(mu.stats_delta(mu.stats(ns['rtr']), before).get(k, 0)
                       for k in ('messages', 'malformed'))
    t.wait_for(lambda: seen() >= sent * 0.99, 3)
    d = mu.stats_delta(mu.stats(ns['rtr']), before)
    t.note('sent %d datagrams in %.1f s (LAN side %.1f s): %d IPv4 from 64 ports, %d IPv6 from '
           '16 ports, %d from the WAN; refused by the sender stack: %d' % (
               sent, t_all, t_lan, sent4, sent6, sent_wan, ref4 + ref6 + ref_wan))
    t.note('mutations: LAN v4 %s, v6 %s, WAN %s' % (m4.counts, m6.counts, wan[2]))
    t.note('router counters: %s' % ' '.join('%s=%d' % kv for kv in sorted(d.items())))
    t.check(sent >= COUNT * 0.99, 'the sender stack sends %d mutated datagrams' % COUNT,
            'only %d sent' % sent)
    n = d.get('messages', 0) + d.get('malformed', 0)
    # empty datagrams and lost fragments never reach the helper
    t.check(n >= sent * 0.97, 'the helper looks at the mutated datagrams',
            'it counted %d of %d (messages + malformed)' % (n, sent))
    t.check(d.get('malformed', 0) > 0 and d.get('messages', 0) > 0,
            'the mutations reach both the parser errors and full parses',
            'messages %d, malformed %d' % (d.get('messages', 0), d.get('malformed', 0)))
    for s in c4 + c6 + s4 + [l4, l6]:
        s.close()
    return d


def frame(stream):
    """Split a TCP byte stream into SIP messages by Content-Length;
    returns (messages, bytes left over)."""
    out = []
    while stream:
        i = stream.find(b'\r\n\r\n')
        if i < 0:
            break
        m = re.search(rb'(?im)^(?:content-length|l)[ \t]*:[ \t]*(\d+)', stream[:i])
        n = i + 4 + (int(m.group(1)) if m else 0)
        if n > len(stream):
            break
        out.append(stream[:n])
        stream = stream[n:]
    return out, stream


def tcp_streams(t):
    ns = t.ns
    with sn.netns(ns['srv']):
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((t.SRV4, 5060))
    ls.listen(8)
    ls.settimeout(10)
    got = {}

    def serve(k):
        try:
            c, _ = ls.accept()
        except OSError:
            return
        c.settimeout(10)
        buf = []
        try:
            while True:
                d = c.recv(65536)
                if not d:
                    break
                buf.append(d)
                if b'tcp-marker-' in b''.join(buf[-2:]) and buf[-1].endswith(b'\r\n\r\n'):
                    break
            c.sendall(b'SIP/2.0 200 OK\r\nCall-ID: reply-%d\r\nContent-Length: 0\r\n\r\n' % k)
        except OSError as e:
            buf.append(('<%s>' % e).encode())
        got[k] = b''.join(buf)
        c.close()

    def msg(cid, extra=(), body=b''):
        h = t.CLI4
        hd = ['INVITE sip:800@%s SIP/2.0' % t.SRV4,
              'Via: SIP/2.0/TCP %s:5010;branch=z9hG4bK-%s' % (h, cid),
              'From: <sip:011@%s:5010>;tag=%s' % (h, cid), 'To: <sip:800@%s>' % t.SRV4,
              'Call-ID: %s' % cid, 'CSeq: 1 INVITE', 'Contact: <sip:011@%s:5010;transport=tcp>' % h]
        hd += list(extra)
        if body:
            hd.append('Content-Type: application/sdp')
        return ('\r\n'.join(hd) + '\r\nContent-Length: %d\r\n\r\n' % len(body)).encode() + body

    sdp = mu._sdp(t.CLI4)
    big = 'A' * 65536
    streams = [
        ('an INVITE with a 64 KB Via line', [msg('big-via', ['Via: SIP/2.0/TCP ' + big], sdp)]),
        ('a 64 KB line without any line end', [b'INVITE sip:x SIP/2.0\r\nX: ' + big.encode() + b'\r\n\r\n']),
        ('64 KB of folded Subject lines',
         [msg('folded', ['Subject: start'] + [' ' + 'B' * 70] * 920, sdp)]),
        ('120 pipelined INVITEs with SDP', [b''.join(msg('pipe-%03d' % i, body=sdp)
                                                     for i in range(120))]),
    ]
    ok_all = True
    for k, (what, chunks) in enumerate(streams):
        th = threading.Thread(target=serve, args=(k,))
        th.start()
        with sn.netns(ns['cli']):
            c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.settimeout(10)
        reply = b''
        try:
            c.bind((t.CLI4, 43000 + k))
            c.connect((t.SRV4, 5060))
            for ch in chunks:
                c.sendall(ch)
            c.sendall(msg('tcp-marker-%d' % k))
            while b'\r\n\r\n' not in reply:
                d = c.recv(4096)
                if not d:
                    break
                reply += d
        except OSError as e:
            t.note('%s: client: %s' % (what, e))
        c.close()
        th.join(15)
        data = got.get(k, b'')
        msgs, rest = frame(data)
        ids = [re.search(rb'(?im)^call-id:\s*(\S+)', x) for x in msgs]
        ids = [x.group(1).decode() for x in ids if x]
        ok = ('tcp-marker-%d' % k) in ids and b'reply-%d' % k in reply
        if k == 3:
            want = ['pipe-%03d' % i for i in range(120)]
            ok = ok and ids[:120] == want
            t.check(ok, 'TCP, %s arrive complete and in order (Content-Length framing)' % what,
                    'srv framed %d messages (%s ...), %d bytes left over' % (
                        len(msgs), ids[:3], len(rest)))
        else:
            t.check(ok, 'TCP, after %s the stream still carries messages both ways' % what,
                    'srv got %d bytes, marker %s, reply at cli %r' % (
                        len(data), ('tcp-marker-%d' % k) in ids, reply[:40]))
        ok_all = ok_all and ok
    ls.close()
    return ok_all


def scenario(t):
    t.setup(tcp=True)
    rtr = t.ns['rtr']
    mark = mu.dmesg_mark()
    calls0 = mu.call_objects(rtr)
    t.setup_step(calls0 is not None, "read the calls_active gauge")
    maxct = int(mu.read_in(rtr, '/proc/sys/net/netfilter/nf_conntrack_max'))
    maxexp = int(mu.read_in(rtr, '/proc/sys/net/netfilter/nf_conntrack_expect_max'))
    maxcalls = int(open('/sys/module/nf_conntrack_sipalg/parameters/max_calls').read())

    t0 = time.monotonic()
    udp_flood(t)
    tu = time.monotonic() - t0
    mu.check_dmesg(t, mark, 'the UDP datagrams')
    t1 = time.monotonic()
    before = mu.stats(rtr)
    tcp_streams(t)
    t.note('TCP counters: %s' % ' '.join('%s=%d' % kv for kv in sorted(
        mu.stats_delta(mu.stats(rtr), before).items())))
    tt = time.monotonic() - t1
    mu.check_dmesg(t, mark, 'the TCP streams')

    nct, nexp, calls = mu.ct_count(rtr), len(mu.all_expect_lines(rtr)), mu.call_objects(rtr)
    t.note('after the attack: %d conntracks (max %d), %d expectations (max %d), '
           '%s sipalg_call objects (max_calls %d, %d before); UDP %.1f s, TCP %.1f s' % (
               nct, maxct, nexp, maxexp, calls, maxcalls, calls0, tu, tt))
    t.check(0 <= nct <= maxct, 'conntracks stay within nf_conntrack_max', '%d' % nct)
    t.check(nexp <= maxexp, 'pinholes stay within nf_conntrack_expect_max', '%d' % nexp)
    t.check(calls is not None and calls <= maxcalls + calls0,
            'call records stay within max_calls', '%s objects' % calls)

    # Only the flows are flushed, never the expectations themselves: the
    # pinholes must go with their masters (and the module's call records).
    sn.sh(rtr, 'conntrack -F', check=True)
    t.check(t.wait_for(lambda: not mu.all_expect_lines(rtr), 3),
            'no pinhole is left after the flows are flushed',
            '%d left' % len(mu.all_expect_lines(rtr)),
            show=lambda: '\n'.join(mu.all_expect_lines(rtr)[:20]))
    left = t.wait_for(lambda: mu.calls_at_most(rtr, calls0), 3)
    t.check(left, 'call records return to baseline after the flows are flushed',
            '%s objects, %d before' % (mu.call_objects(rtr), calls0))
    mu.valid_call(t, 'after the attack')
    mu.check_dmesg(t, mark, 'the valid call')


sn.Test().run(scenario)
