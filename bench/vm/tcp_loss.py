# SPDX-License-Identifier: GPL-2.0
"""The measurement of bench/vm/tcp-loss.sh (see there)."""
import os
import random
import re
import threading
import time

import mutate as mu
import sipnet as sn


def scenario(t):
    loss, count, seed = os.environ['LOSS'], int(os.environ['COUNT']), int(os.environ['SEED'])
    rnd = random.Random(seed)
    t.setup(tcp=True, port=5060)
    ls = t.tcp_listen('srv', t.SRV4, 5060)
    c = t.tcp_connect('cli', t.CLI4, 5010, t.SRV4, 5060)
    a = t.tcp_accept(ls)
    msgs = [sn.tcp_request('INVITE', t.CLI4, i, sn.tcp_sdp(t.CLI4, 10000 + 2 * i, extra=75),
                           call='loss') for i in range(count)]
    want = [sn.expect_rewrite(m, t.CLI4, t.WAN4).encode() for m in msgs]
    before = mu.stats(t.ns['rtr'])

    # One transaction at a time, as a phone does: the next INVITE is
    # written once the PBX has read the previous one (or after 5 s).
    arrived = threading.Semaphore(0)
    waits = []

    def writer():
        for m in msgs:
            b = m.encode()
            cut = rnd.randrange(1, len(b))
            c.sendall(b[:cut])
            time.sleep(0.002)
            c.sendall(b[cut:])
            w0 = time.monotonic()
            arrived.acquire(timeout=5)
            waits.append(time.monotonic() - w0)
    th = threading.Thread(target=writer)
    t0 = time.monotonic()
    th.start()
    got = read_messages(a, count, 120, arrived.release)
    took = time.monotonic() - t0
    th.join(10)
    stats = mu.stats_delta(mu.stats(t.ns['rtr']), before)

    orig = [m.encode() for m in msgs]
    rewritten = sum(1 for g, w in zip(got, want) if g == w)
    private = sum(1 for g, o in zip(got, orig) if g == o)
    other = len(got) - rewritten - private
    for i, (g, w, o) in enumerate(zip(got, want, orig)):
        if g not in (w, o):
            d = next((k for k in range(min(len(g), len(w))) if g[k] != w[k]), min(len(g), len(w)))
            t.note('message %d is neither: %d bytes (rewritten %d, sent %d), first '
                   'difference at %d: got %r, rewritten %r' % (
                       i, len(g), len(w), len(o), d, g[max(0, d - 40):d + 60],
                       w[max(0, d - 40):d + 60]))
            break
    t.note('loss %s %% each way, %d INVITEs of ~%d bytes, seed %d: %d rewritten, '
           '%d passed with the private address, %d otherwise different, %d not '
           'arrived, in %.1f s' % (loss, count, len(want[0]), seed, rewritten, private,
                                   other, count - len(got), took))
    t.note('longest wait for a message to arrive: %.2f s' % max(waits or [0]))
    t.note('counters: ' + ' '.join('%s=%d' % kv for kv in sorted(stats.items())
                                   if kv[0].startswith('tcp') or kv[0] in
                                   ('rewritten', 'requests', 'rewrite_failed')))
    print('RESULT: loss=%s count=%d rewritten=%d private=%d other=%d missing=%d secs=%.1f'
          % (loss, count, rewritten, private, other, count - len(got), took))
    t.check(len(got) == count, 'every message arrived (no stall)',
            '%d of %d in %.0f s' % (len(got), count, took))
    t.check(other == 0, 'every message arrived either rewritten or as sent',
            '%d neither' % other)


def read_messages(s, n, timeout, each):
    """Up to N SIP messages from stream S, each framed by its Content-Length;
    EACH() after every one."""
    buf, out, end = b'', [], time.monotonic() + timeout
    while len(out) < n and time.monotonic() < end:
        he = buf.find(b'\r\n\r\n')
        if he >= 0:
            m = re.search(rb'\r\nContent-Length: *(\d+)', buf[:he])
            total = he + 4 + (int(m.group(1)) if m else 0)
            if len(buf) >= total:
                out.append(buf[:total])
                buf = buf[total:]
                each()
                continue
        d = sn.recv_exact(s, 1, timeout=max(0.0, end - time.monotonic()))
        if not d:
            break
        buf += d
    return out

sn.Test().run(scenario)
