# SPDX-License-Identifier: GPL-2.0
"""Hostile SIP/SDP for the attack tests (tests/net/test-attack-*.sh), and
the checks every attack test runs afterwards.

The generator: Mutator(seed, templates).next() returns one datagram, a
seeded random mutation of a valid SIP message (bit flips, truncations,
NUL bytes, huge or negative Content-Length, duplicated and deleted lines,
1000 Vias, 200 m= lines, long tokens, splices, random bytes).  The same
seed gives the same sequence, so a failure found in CI is reproduced with
SIPALG_MUTATE_SEED=<seed printed by the test>.

    python3 tests/net/mutate.py [SEED [COUNT]]     # print a sample (host)

The checks (used after each attack):
    dmesg_mark() / dmesg_bad(mark)  kernel messages since the mark that
                                    mean a kernel bug
    valid_call(t, ...)              an INVITE/200/ACK/RTP/BYE through the
                                    router is still translated correctly
    stats(ns), expect_lines(ns)     /proc/net/stat/sipalg and
                                    /proc/net/nf_conntrack_expect, read
                                    in-process (no fork)
    call_objects()                  call records held (calls_active gauge)
"""

import os
import random
import re
import sys
import time

try:
    import sipnet as sn
except ImportError:         # run standalone from elsewhere
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import sipnet as sn

CRLF = b'\r\n'


# --------------------------------------------------------------------------
# templates

def _sdp(addr, streams=1, first_port=10006, rtcp=False):
    fam = 'IP6' if ':' in addr else 'IP4'
    lines = ['v=0', 'o=phone 1001 1001 IN %s %s' % (fam, addr), 's=-',
             'c=IN %s %s' % (fam, addr), 't=0 0']
    for i in range(streams):
        port = first_port + 2 * (i % 30000)
        lines.append('m=audio %d RTP/AVP 8 0 101' % port)
        lines.append('a=rtpmap:8 PCMA/8000')
        if rtcp:
            lines.append('a=rtcp:%d IN %s %s' % (port + 1, fam, addr))
        lines.append('a=sendrecv')
    return ('\r\n'.join(lines) + '\r\n').encode()


def _msg(start, headers, body=b''):
    out = [start.encode()] + [h.encode() for h in headers]
    out.append(b'Content-Length: %d' % len(body))
    return CRLF.join(out) + CRLF + CRLF + body


def templates(me, peer, port=5010, vias=1000, mlines=200):
    """Valid messages from ME:PORT (the phone's address) to PEER, as the
    mutations' raw material.  The last two are the big ones: an INVITE
    with VIAS Via headers and one with MLINES m= lines."""
    h = '[%s]' % me if ':' in me else me
    p = '[%s]' % peer if ':' in peer else peer
    via = 'Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-mut%%d;rport' % (h, port)
    common = ['From: "011" <sip:011@%s:%d>;tag=mut1' % (h, port),
              'To: <sip:800@%s>' % p, 'Call-ID: mutate-%%s@%s' % h,
              'Contact: <sip:011@%s:%d;transport=udp>' % (h, port),
              'Max-Forwards: 70']

    def hdrs(method, cseq, n=1, extra=()):
        hs = [via % i for i in range(n)]
        hs += [c % ('%s-%d' % (method.lower(), cseq)) if '%s' in c else c for c in common]
        hs.append('CSeq: %d %s' % (cseq, method))
        hs += list(extra)
        return hs

    sdp_t = ['Content-Type: application/sdp']
    out = [
        _msg('INVITE sip:800@%s SIP/2.0' % p, hdrs('INVITE', 1, extra=sdp_t), _sdp(me)),
        _msg('INVITE sip:800@%s SIP/2.0' % p, hdrs('INVITE', 2, extra=sdp_t),
             _sdp(me, streams=3, rtcp=True)),
        _msg('SIP/2.0 200 OK', hdrs('INVITE', 1, extra=sdp_t + ['Record-Route: <sip:%s;lr>' % h]),
             _sdp(me, first_port=20000)),
        _msg('SIP/2.0 183 Session Progress', hdrs('INVITE', 1, extra=sdp_t), _sdp(me, rtcp=True)),
        _msg('REGISTER sip:%s SIP/2.0' % p, hdrs('REGISTER', 1, extra=['Expires: 3600'])),
        _msg('SIP/2.0 200 OK', hdrs('REGISTER', 1, extra=['Expires: 60'])),
        _msg('BYE sip:800@%s SIP/2.0' % p, hdrs('BYE', 3)),
        _msg('CANCEL sip:800@%s SIP/2.0' % p, hdrs('CANCEL', 1)),
        _msg('SIP/2.0 487 Request Terminated', hdrs('INVITE', 1)),
        _msg('OPTIONS sip:%s SIP/2.0' % p, hdrs('OPTIONS', 1)),
        _msg('UPDATE sip:800@%s SIP/2.0' % p, hdrs('UPDATE', 4, extra=sdp_t), _sdp(me, streams=2)),
        _msg('ACK sip:800@%s SIP/2.0' % p, hdrs('ACK', 1, extra=sdp_t), _sdp(me)),
        # compact forms and folded lines
        CRLF.join([b'INVITE sip:800@%s SIP/2.0' % p.encode(),
                   b'v: SIP/2.0/UDP %s:%d;branch=z9hG4bK-c' % (h.encode(), port),
                   b'f: <sip:011@%s>;tag=c' % h.encode(), b't: <sip:800@%s>' % p.encode(),
                   b'i: compact@x', b'CSeq: 1 INVITE', b'm: <sip:011@%s:%d>' % (h.encode(), port),
                   b'c: application/sdp', b'Subject: folded', b'  across lines',
                   b'l: %d' % len(_sdp(me)), b'', _sdp(me)]),
        _msg('INVITE sip:800@%s SIP/2.0' % p, hdrs('INVITE', 5, n=vias, extra=sdp_t), _sdp(me)),
        _msg('INVITE sip:800@%s SIP/2.0' % p, hdrs('INVITE', 6, extra=sdp_t),
             _sdp(me, streams=mlines, first_port=12000)),
    ]
    return out


# --------------------------------------------------------------------------
# mutations

_HUGE_CL = [b'4294967295', b'4294967296', b'18446744073709551616',
            b'99999999999999999999999999999999', b'2147483647', b'2147483648',
            b'-1', b'-2147483648', b'65536', b'65535', b'0', b'00000000000000000000001',
            b'1e9', b'0x10', b' 12 34', b'', b'9' * 300]
_SDP_EVIL = [b'c=IN IP4 999.1.1.1', b'c=IN IP4 ', b'c=IN IP6 ::ffff:1.2.3.4',
             b'c=IN IP4 224.0.0.1/127/3', b'm=audio 0 RTP/AVP 0', b'm=audio 65536 RTP/AVP 0',
             b'm=audio 99999999999 RTP/AVP 0', b'm=audio 10006/4294967295 RTP/AVP 0',
             b'm=audio -1 RTP/AVP 0', b'a=rtcp:0', b'a=rtcp:65535', b'a=rtcp:70000 IN IP4 1.2.3.4',
             b'a=rtcp:5 IN IP4', b'a=rtcp-mux', b'a=rtcp:', b'm=', b'c=', b'o=', b'v=1',
             b'a=' + b'x' * 2000, b'c=IN IP4 192.168.0.50', b'c=IN IP4 0.0.0.0',
             b'c=IN IP4 127.0.0.1', b'c=IN IP4 255.255.255.255']
_SIP_EVIL = [b'Via: SIP/2.0/UDP', b'Via: SIP/2.0/UDP :0', b'Via: SIP/2.0/UDP [::1',
             b'Via: SIP/2.0/UDP 192.168.0.31:99999999;rport=99999999',
             b'Via: ,,,,,,,,,,,,,', b'Contact: *', b'Contact: <sip:@:>',
             b'Contact: <sip:a@192.168.0.31:5010;expires=4294967296>',
             b'Contact: <sip:a@192.168.0.31:0>;expires=-1', b'Call-ID: ', b'CSeq: 4294967296 INVITE',
             b'CSeq: -1 INVITE', b'CSeq: INVITE', b'Expires: 99999999999999',
             b'Content-Type: multipart/mixed;boundary=', b'Content-Type: application/sdp',
             b'Content-Length: 99999', b'l: -5', b'To: "' + b'\\' * 500, b'\x00: \x00',
             b':', b' ', b'\t', b'From: <' * 200]


class Mutator:
    """Seeded mutations of TEMPLATES (a list of bytes): POOL rich ones,
    then cheap variations of those."""

    def __init__(self, seed, tmpl, pool=2000):
        self.r = random.Random(seed)
        self.tmpl = tmpl
        self.small = tmpl[:-2]
        self.big = tmpl[-2:]
        self.ops = [(self.bitflip, 20), (self.truncate, 12), (self.nul, 8),
                    (self.content_length, 10), (self.dup_line, 6), (self.del_line, 6),
                    (self.line_ends, 5), (self.splice, 4), (self.random_bytes, 5),
                    (self.long_token, 4), (self.numbers, 8), (self.evil_line, 8),
                    (self.garbage, 1)]
        self.weights = [w for _, w in self.ops]
        self.counts = {}
        self.pool = []
        self.bigpool = []
        self.pool_max = pool
        self.n = 0
        self.rnd = [self.r.getrandbits(64) for _ in range(4096)]

    def rich(self):
        """One datagram: 1 to 4 of the mutations above on a template."""
        r = self.r
        x = r.random()
        if x < 0.002:
            base, kind = self.big[0], 'vias'
        elif x < 0.007:
            base, kind = self.big[1], 'mlines'
        else:
            base, kind = r.choice(self.small), 'msg'
        b = bytearray(base)
        n = 1 if r.random() < 0.6 else r.randint(2, 4)
        for fn in r.choices([f for f, _ in self.ops], self.weights, k=n):
            b = fn(b)
            if len(b) > 65000:
                del b[65000:]
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if len(b) > 8192:
            self.counts['big'] = self.counts.get('big', 0) + 1
        return bytes(b)

    def next(self):
        """One datagram.  The first POOL are fresh rich mutations (1 to 4
        of the operations below); every later one is a pool entry with a
        cheap extra mutation (a bit flip, a cut or a NUL byte) at a position
        drawn from a precomputed random table, some twenty times faster in
        the emulated guest, and still different each time."""
        i = self.n
        self.n += 1
        if i < self.pool_max or not self.pool:
            b = self.rich()
            (self.pool if len(b) < 8192 else self.bigpool).append(b)
            return b
        x = self.rnd[i & 4095] ^ ((i * 0x9E3779B1) & 0xffffffff)
        # datagrams over 8 KB (fragmented 6 to 45 times): 1 in 250
        pool = self.bigpool if self.bigpool and (x >> 40) % 250 == 0 else self.pool
        b = bytearray(pool[x % len(pool)])
        if not b:
            return b'\x00'
        x >>= 8
        k = x & 3
        pos = (x >> 2) % len(b)
        if k == 0:
            del b[pos:]
        elif k == 1:
            b[pos] = 0
        else:
            b[pos] ^= 1 << (x & 7)
        return b

    # each op takes and returns a bytearray
    def bitflip(self, b):
        r = self.r
        for _ in range(r.randint(1, 16)):
            if b:
                i = r.randrange(len(b))
                b[i] ^= 1 << r.randrange(8)
        return b

    def truncate(self, b):
        return b[:self.r.randrange(len(b) + 1)]

    def nul(self, b):
        r = self.r
        for _ in range(r.randint(1, 8)):
            i = r.randrange(len(b) + 1)
            if r.random() < 0.5 and i < len(b):
                b[i] = 0
            else:
                b[i:i] = b'\x00'
        return b

    def content_length(self, b):
        v = self.r.choice(_HUGE_CL)
        m = re.search(rb'(?im)^(content-length|l)[ \t]*:[ \t]*[^\r\n]*', b)
        if not m:
            return b + b'Content-Length: ' + v
        return b[:m.start()] + m.group(1) + b': ' + v + b[m.end():]

    def _line_spans(self, b):
        spans, s = [], 0
        for m in re.finditer(rb'\r?\n', b):
            spans.append((s, m.end()))
            s = m.end()
        if s < len(b):
            spans.append((s, len(b)))
        return spans

    def dup_line(self, b):
        sp = self._line_spans(b)
        if not sp:
            return b
        s, e = self.r.choice(sp)
        return b[:e] + b[s:e] * self.r.choice([1, 1, 2, 3, 10, 60]) + b[e:]

    def del_line(self, b):
        sp = self._line_spans(b)
        if not sp:
            return b
        s, e = self.r.choice(sp)
        return b[:s] + b[e:]

    def line_ends(self, b):
        rep = self.r.choice([b'\n', b'\r', b'', b'\r\r\n', b'\n\r', b'\r\n\r\n', b'\r\n '])
        if self.r.random() < 0.3:
            return bytearray(b.replace(b'\r\n', rep))
        idx = [m.start() for m in re.finditer(rb'\r\n', b)]
        if not idx:
            return b
        i = self.r.choice(idx)
        return b[:i] + rep + b[i + 2:]

    def splice(self, b):
        o = self.r.choice(self.small)
        return b[:self.r.randrange(len(b) + 1)] + o[self.r.randrange(len(o) + 1):]

    def random_bytes(self, b):
        r = self.r
        i = r.randrange(len(b) + 1)
        return b[:i] + bytearray(r.getrandbits(8) for _ in range(r.randint(1, 64))) + b[i:]

    def long_token(self, b):
        r = self.r
        i = r.randrange(len(b) + 1)
        n = r.choice([256, 1024, 4096, 8192, 16384, 40000])
        return b[:i] + r.choice([b'A', b'9', b';', b' ', b'<', b'"', b'%', b':', b'@']) * n + b[i:]

    def numbers(self, b):
        nums = [m.span() for m in re.finditer(rb'\d+', b)]
        if not nums:
            return b
        s, e = self.r.choice(nums)
        v = self.r.choice([b'0', b'65535', b'65536', b'4294967295', b'4294967296',
                           b'99999999999999999999', b'-1', b'1' * 100])
        return b[:s] + v + b[e:]

    def evil_line(self, b):
        sp = self._line_spans(b)
        if not sp:
            return b
        s, _ = self.r.choice(sp)
        evil = self.r.choice(_SDP_EVIL if self.r.random() < 0.5 else _SIP_EVIL)
        return b[:s] + evil + b'\r\n' + b[s:]

    def garbage(self, b):
        r = self.r
        return bytearray(r.getrandbits(8) for _ in range(r.randint(0, 1400)))


# --------------------------------------------------------------------------
# router state, read in-process

def read_in(ns, path):
    """Text of PATH opened inside netns NS. An unreadable file raises
    (OSError): an empty answer must mean an empty table, never a file that
    could not be read."""
    with sn.netns(ns):
        with open(path) as f:
            return f.read()


# The module's statistics files in /proc/net/stat.
STAT_FILES = ('sipalg', 'sipalg_tcp', 'sipalg_media')


def parse_stats(text):
    """A statistics file's text in lnstat's format (a line of field names,
    then a line of hex values per CPU) as a dict: the first column is a
    gauge, the same on every line, the others counters summed over them."""
    lines = text.splitlines()
    names = lines[0].split()
    out = dict.fromkeys(names, 0)
    for row, ln in enumerate(lines[1:]):
        for i, (k, v) in enumerate(zip(names, ln.split())):
            if i:
                out[k] += int(v, 16)
            elif row == 0:
                out[k] = int(v, 16)
    return out


def stats(ns):
    """The counters and gauges of /proc/net/stat/sipalg* in netns NS as one
    dict (raises when the module is not loaded)."""
    out = {}
    for f in STAT_FILES:
        out.update(parse_stats(read_in(ns, '/proc/net/stat/' + f)))
    return out


def stats_delta(after, before):
    return {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}


def expect_lines(ns, helper='sipalg'):
    """/proc/net/nf_conntrack_expect lines of HELPER's expectations in NS."""
    return [ln for ln in read_in(ns, '/proc/net/nf_conntrack_expect').splitlines()
            if re.search(r'\b%s(/|$)' % helper, ln)]


def all_expect_lines(ns):
    return [ln for ln in read_in(ns, '/proc/net/nf_conntrack_expect').splitlines() if ln.strip()]


def ct_count(ns):
    return int(read_in(ns, '/proc/sys/net/netfilter/nf_conntrack_count').strip())


def call_objects(ns):
    """Call records the module holds for netns NS (its calls_active gauge:
    max_calls counts per namespace); None when the module is not loaded (no
    /proc/net/stat/sipalg) or the gauge is missing.  Any other read error
    raises."""
    try:
        return stats(ns).get('calls_active')
    except FileNotFoundError:
        return None


def calls_at_most(ns, n):
    """The module is loaded and holds at most N call records for NS."""
    c = call_objects(ns)
    return c is not None and c <= n


# --------------------------------------------------------------------------
# the kernel log

BAD_DMESG = re.compile(r'WARNING:|BUG:|Oops|general protection|KASAN|UBSAN|soft lockup|'
                       r'hung_task|blocked for more than|Call Trace|RIP:|refcount_t:|'
                       r'list_(add|del) corruption|still has objects|kernel BUG|'
                       r'Bad page|double free|use-after-free')


def dmesg_mark():
    mark = 'sipalg-attack-mark-%d-%d' % (os.getpid(), random.randrange(1 << 30))
    with open('/dev/kmsg', 'w') as f:
        f.write(mark + '\n')
    return mark


def dmesg_bad(mark):
    """Suspicious kernel log lines after MARK."""
    _, out = sn.sh(None, 'dmesg')
    lines = out.splitlines()
    for i in range(len(lines) - 1, -1, -1):
        if mark in lines[i]:
            lines = lines[i + 1:]
            break
    return [ln for ln in lines if BAD_DMESG.search(ln)]


def check_dmesg(t, mark, what):
    bad = dmesg_bad(mark)
    t.check(not bad, 'no kernel warning, BUG, oops or lockup after %s' % what,
            '%d suspicious lines' % len(bad), show=lambda: '\n'.join(bad[:40]))
    return mark


# --------------------------------------------------------------------------
# a valid call after the attack

def flood_invite(host, port, peer, cid, streams=2, media_port=10000):
    """An INVITE from HOST:PORT to PEER that nobody will answer, with an SDP
    of STREAMS audio streams (RTP and RTCP each) from MEDIA_PORT on, 4 ports
    apart; no body when STREAMS is 0."""
    body = ''
    if streams:
        body = sn.sdp(host, ['audio %d RTP/AVP 0|a=sendrecv' % (media_port + 4 * i)
                             for i in range(streams)], origin='flood')
    hdrs = ['Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-%s;rport' % (host, port, cid),
            'Max-Forwards: 70', 'From: <sip:f@%s>;tag=%s' % (host, cid),
            'To: <sip:800@%s>' % peer, 'Call-ID: %s' % cid, 'CSeq: 1 INVITE',
            'Contact: <sip:f@%s:%d>' % (host, port)]
    if body:
        hdrs.append('Content-Type: application/sdp')
    return sn.build('INVITE sip:800@%s SIP/2.0' % peer, hdrs, body)


def valid_call(t, what, cport=5010, mport=10006, sport=5060, smport=20000, caddr=None):
    """An outgoing call through the router from CADDR (default the phone,
    CLI4): INVITE with SDP (checked for translation at srv), 200 OK with SDP,
    ACK, RTP both ways through the pinholes, BYE/200.  One PASS/FAIL line per
    step, prefixed by WHAT."""
    caddr = caddr or t.CLI4
    cli = t.udp('cli', caddr, cport)
    srv = t.udp('srv', t.SRV4, sport)
    rc = t.udp('cli', caddr, mport)
    rs = t.udp('srv', t.SRV4, smport)
    try:
        cid = 'valid-%d-%d@%s' % (os.getpid(), random.randrange(1 << 30), caddr)
        tag = 'v%d' % random.randrange(1 << 20)
        body = sn.sdp(caddr, ['audio %d RTP/AVP 0|a=rtpmap:0 PCMU/8000|a=sendrecv' % mport],
                      origin='phone')
        inv = sn.build('INVITE sip:800@%s SIP/2.0' % t.SRV4, [
            'Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-%s;rport' % (caddr, cport, tag),
            'Max-Forwards: 70', 'From: <sip:011@%s>;tag=%s' % (t.SRV4, tag),
            'To: <sip:800@%s>' % t.SRV4, 'Call-ID: ' + cid, 'CSeq: 1 INVITE',
            'Contact: <sip:011@%s:%d>' % (caddr, cport), 'Content-Type: application/sdp'], body)
        cli.send(inv, (t.SRV4, sport))
        m = srv.recv_sip(sn.is_req('INVITE', cid), timeout=5)
        if not t.check(m, '%s, a valid INVITE crosses the router' % what, 'nothing arrived in 5 s'):
            return False
        pub = m.src
        t.check(sn.same_addr(pub[0], t.WAN4), '%s, the INVITE is masqueraded' % what,
                'came from %s' % sn.fmt(pub))
        t.check_outbound(m, '%s, the INVITE' % what, caddr, pub)
        s = m.sdp()
        media_pub = (s.addr(0), s.media[0]['port']) if s.media else None
        ans = sn.sdp(t.SRV4, ['audio %d RTP/AVP 0|a=rtpmap:0 PCMU/8000|a=sendrecv' % smport],
                     origin='pbx')
        srv.send(t.answer(m, 200, 'OK', ans, to_tag='pbx-' + tag,
                          contact='<sip:800@%s:%d>' % (t.SRV4, sport)), pub)
        r = cli.recv_sip(sn.is_resp(200, 'INVITE', cid), timeout=5)
        if not t.check(r, '%s, the 200 OK reaches the phone' % what, 'nothing arrived in 5 s'):
            return False
        v = r.top_via()
        t.check(sn.same_hostport((v[1], v[2]), (caddr, cport)),
                '%s, the 200 OK Via names the phone again' % what, 'Via "%s"' % r.hdr('via'),
                show=r)
        cli.send(sn.build('ACK sip:800@%s:%d SIP/2.0' % (t.SRV4, sport), [
            'Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-%s-ack;rport' % (caddr, cport, tag),
            'Max-Forwards: 70', ('From', m.hdr('from')), ('To', r.hdr('to')),
            'Call-ID: ' + cid, 'CSeq: 1 ACK']), (t.SRV4, sport))
        ok = media_pub and sn.media(rs, media_pub, rc)
        t.check(ok, '%s, RTP from the WAN reaches the phone through its pinhole' % what,
                'nothing arrived at cli:%d (SDP named %s)' % (mport, sn.fmt(media_pub)),
                show=lambda: t.expects_text() + '\n' + t.conntrack_text('-p udp'))
        t.check(sn.media(rc, (t.SRV4, smport), rs), '%s, RTP from the phone reaches the WAN' % what,
                'nothing arrived at srv:%d' % smport)
        cli.send(sn.build('BYE sip:800@%s:%d SIP/2.0' % (t.SRV4, sport), [
            'Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-%s-bye;rport' % (caddr, cport, tag),
            'Max-Forwards: 70', ('From', m.hdr('from')), ('To', r.hdr('to')),
            'Call-ID: ' + cid, 'CSeq: 2 BYE']), (t.SRV4, sport))
        b = srv.recv_sip(sn.is_req('BYE', cid), timeout=5)
        if t.check(b, '%s, the BYE crosses the router' % what, 'nothing arrived in 5 s'):
            srv.send(t.answer(b, 200, 'OK'), b.src)
            t.check(cli.recv_sip(sn.is_resp(200, 'BYE', cid), timeout=5),
                    '%s, the 200 OK to the BYE reaches the phone' % what, 'nothing arrived in 5 s')
        return True
    finally:
        for s in (cli, srv, rc, rs):
            s.close()
            if s in t.sockets:
                t.sockets.remove(s)


def main():
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    mu = Mutator(seed, templates('192.168.0.31', '203.0.113.5'))
    t0 = time.monotonic()
    sizes = [len(mu.next()) for _ in range(count)]
    dt = time.monotonic() - t0
    print('seed %d: %d datagrams, %d bytes, %.1f us each, %s' % (
        seed, count, sum(sizes), dt * 1e6 / max(count, 1), mu.counts))


if __name__ == '__main__':
    main()
