# SPDX-License-Identifier: GPL-2.0
# The scenario of test-params-runtime.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import os
import signal
import socket
import time

import mutate as mu
import sipnet as sn

PARAMS = '/sys/module/nf_conntrack_sipalg/parameters/'
THIRD = '203.0.113.77'


def write(name, value):
    """True when the kernel accepts VALUE for parameter NAME."""
    try:
        with open(PARAMS + name, 'w') as f:
            f.write(str(value))
        return True
    except OSError:
        return False


def read(name):
    with open(PARAMS + name) as f:
        return f.read().strip()


def scenario(t):
    t.setup({'sip_timeout': 3600, 'direct_media': 1})
    for p in ('sip_timeout', 'direct_media'):
        t.restore.append((PARAMS + p, read(p)))
    rtr = t.ns['rtr']
    mark = mu.dmesg_mark()
    cli = t.udp('cli', t.CLI4, 5010)
    srv = t.udp('srv', t.SRV4, 5060)
    n = [0]

    def exchange():
        """OPTIONS and its 200 OK; returns the flow's conntrack timeout."""
        n[0] += 1
        cid = 'params-%d@%s' % (n[0], t.CLI4)
        cli.send(sn.build('OPTIONS sip:%s SIP/2.0' % t.SRV4, [
            'Via: SIP/2.0/UDP %s:5010;branch=z9hG4bK-p%d;rport' % (t.CLI4, n[0]),
            'From: <sip:p@%s>;tag=p' % t.SRV4, 'To: <sip:%s>' % t.SRV4,
            'Call-ID: ' + cid, 'CSeq: %d OPTIONS' % n[0]]), (t.SRV4, 5060))
        m = srv.recv_sip(sn.is_req('OPTIONS', cid))
        t.require(m, 'OPTIONS %d crosses the router' % n[0], 'nothing arrived in 5 s')
        srv.send(t.answer(m, 200, 'OK'), m.src)
        t.require(cli.recv_sip(sn.is_resp(200, 'OPTIONS', cid)),
                  'the 200 OK to OPTIONS %d comes back' % n[0], 'nothing arrived in 5 s')
        cts = [c for c in t.conntrack('-p udp --dport 5060') if c['orig'].get('sport') == 5010]
        return cts[0]['timeout'] if cts else None

    exchange()
    to = exchange()
    t.check(to is not None and to > 3000, 'sip_timeout=3600, an answered flow is kept > 3000 s',
            'timeout %s' % to, show=lambda: t.conntrack_text('-p udp'))
    t.require(write('sip_timeout', 120), 'sip_timeout=120 is accepted at run time', 'refused')
    to = exchange()
    t.check(to is not None and 60 < to <= 120, 'sip_timeout=120, the next message sets <= 120 s',
            'timeout %s' % to, show=lambda: t.conntrack_text('-p udp'))
    t.require(write('sip_timeout', 7200), 'sip_timeout=7200 is accepted at run time', 'refused')
    to = exchange()
    t.check(to is not None and 3600 < to <= 7200, 'sip_timeout=7200, the next message sets > 3600 s',
            'timeout %s' % to, show=lambda: t.conntrack_text('-p udp'))

    bad = ['0', '-1', 'abc', '\n', '4294967296', '2147483647', '12 34', '0x10']
    took = [v for v in bad if write('sip_timeout', v)]
    t.check(not took and read('sip_timeout') == '7200',
            'bad sip_timeout values are refused and change nothing',
            'accepted %s, now %s' % (took, read('sip_timeout')))
    for p, v in (('ports', '5070'), ('drop_malformed', '1'), ('max_calls', '1')):
        old = read(p)
        t.check(not write(p, v) and read(p) == old, '%s cannot be changed at run time' % p,
                'now %s' % read(p))

    # direct_media switches for the next SDP
    def answer_naming(tag, addr):
        cid = 'params-dm-%s@%s' % (tag, t.CLI4)
        body = sn.sdp(t.CLI4, ['audio 10010 RTP/AVP 0'], origin='phone')
        cli.send(sn.build('INVITE sip:800@%s SIP/2.0' % t.SRV4, [
            'Via: SIP/2.0/UDP %s:5010;branch=z9hG4bK-%s;rport' % (t.CLI4, tag),
            'From: <sip:p@%s>;tag=%s' % (t.SRV4, tag), 'To: <sip:800@%s>' % t.SRV4,
            'Call-ID: ' + cid, 'CSeq: 1 INVITE', 'Contact: <sip:p@%s:5010>' % t.CLI4,
            'Content-Type: application/sdp'], body), (t.SRV4, 5060))
        m = srv.recv_sip(sn.is_req('INVITE', cid))
        t.require(m, 'INVITE %s crosses the router' % tag, 'nothing arrived in 5 s')
        before = mu.stats(rtr)
        srv.send(t.answer(m, 200, 'OK', sn.sdp(addr, ['audio 40010 RTP/AVP 0'], o_addr=t.SRV4),
                          to_tag=tag), m.src)
        t.require(cli.recv_sip(sn.is_resp(200, 'INVITE', cid)),
                  'the 200 OK to INVITE %s comes back' % tag, 'nothing arrived in 5 s')
        return [e for e in t.expects() if sn.same_addr(e.get('dst'), addr)], \
            mu.stats_delta(mu.stats(rtr), before)

    t.require(write('direct_media', 0), 'direct_media=0 is accepted at run time', 'refused')
    e, d = answer_naming('dm0', THIRD)
    t.check(not e and d.get('media_refused', 0) == 1,
            'direct_media=0, the next answer naming %s opens nothing toward it' % THIRD,
            '%d expectations, counters %s' % (len(e), d), show=t.expects_text)
    t.require(write('direct_media', 1), 'direct_media=1 is accepted at run time', 'refused')
    e, d = answer_naming('dm1', THIRD)
    t.check(e and not d.get('media_refused', 0),
            'direct_media=1, the next answer naming %s opens its pinhole' % THIRD,
            '%d expectations, counters %s' % (len(e), d), show=t.expects_text)
    took = [v for v in ('2', 'maybe', '-1') if write('direct_media', v)]
    t.check(not took and read('direct_media') == 'Y', 'bad direct_media values are refused',
            'accepted %s, now %s' % (took, read('direct_media')))

    # writes racing with a sender on the other CPU
    cli.close()
    srv.close()
    t.sockets = []
    pid = os.fork()
    if pid == 0:
        try:
            with sn.netns(t.ns['cli']):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((t.CLI4, 5010))
            with sn.netns(t.ns['srv']):
                r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            r.bind((t.SRV4, 5060))
            r.setblocking(False)
            i = 0
            while True:
                i += 1
                body = sn.sdp(t.CLI4, ['audio %d RTP/AVP 0' % (20000 + 2 * (i % 5000))])
                s.sendto(sn.build('INVITE sip:800@%s SIP/2.0' % t.SRV4, [
                    'Via: SIP/2.0/UDP %s:5010;branch=z9hG4bK-r%d;rport' % (t.CLI4, i),
                    'From: <sip:p@%s>;tag=r' % t.SRV4, 'To: <sip:800@%s>' % t.SRV4,
                    'Call-ID: race-%d' % i, 'CSeq: 1 INVITE', 'Contact: <sip:p@%s:5010>' % t.CLI4,
                    'Content-Type: application/sdp'], body), (t.SRV4, 5060))
                try:
                    d, a = r.recvfrom(65535)
                    r.sendto(b'SIP/2.0 200 OK\r\n' + d.split(b'\r\n', 1)[1], a)
                except OSError:
                    pass
        finally:
            os._exit(0)
    s0 = mu.stats(rtr)
    writes = 0
    end = time.monotonic() + 3
    while time.monotonic() < end:
        for v in (60, 7200):
            writes += write('sip_timeout', v)
        for v in (0, 1):
            writes += write('direct_media', v)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    d = mu.stats_delta(mu.stats(rtr), s0)
    cts = t.conntrack('-p udp')
    worst = max((c['timeout'] or 0) for c in cts) if cts else 0
    t.note('%d parameter writes while the helper handled %d messages; longest flow timeout %d' % (
        writes, d.get('messages', 0), worst))
    t.check(writes >= 100 and d.get('messages', 0) >= 50,
            'parameters are written while messages are being handled',
            '%d writes, %d messages' % (writes, d.get('messages', 0)))
    t.check(worst <= 7200, 'no flow timeout exceeds the largest sip_timeout written',
            'longest %d' % worst)
    t.check(read('sip_timeout') == '7200' and read('direct_media') == 'Y',
            'the parameters read back the last value written',
            'sip_timeout %s, direct_media %s' % (read('sip_timeout'), read('direct_media')))
    mu.check_dmesg(t, mark, 'the parameter changes')
    sn.sh(rtr, 'conntrack -F')
    mu.valid_call(t, 'after the parameter changes')


sn.Test().run(scenario)
