# SPDX-License-Identifier: GPL-2.0
"""Python side of the sipalg call scenarios (tests/net/test-call-*.sh).

One python3 process drives a whole scenario: it opens sockets inside the
test's network namespaces with setns(2) (a socket stays in the namespace it
was created in), sends and receives SIP and RTP through the router, reads
`conntrack -L` in the router and prints one kselftest-style line per check:

    PASS: <test>: <behaviour>
    FAIL: <test>: <behaviour>: <why>

Lines starting with "# " are diagnostics (what a host received, conntrack
tables) printed before a FAIL line. Behaviour texts carry no ": " so that
tests/net/compare.sh can key on them.

The shell side (lib.sh's setup_topology) builds the namespaces and exports
their names and addresses; see Test.__init__ for the environment it reads.
Python 3.11 (Debian 12) has no os.setns, so setns comes from libc.
"""

import contextlib
import ctypes
import os
import re
import select
import shlex
import socket
import subprocess
import sys
import time

CLONE_NEWNET = 0x40000000
LIB_SH = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib.sh')
_libc = ctypes.CDLL(None, use_errno=True)
_home_ns = os.open('/proc/self/ns/net', os.O_RDONLY)
_ns_fds = {}

# Fanvil X3 messages as captured (corpus/seed), with their original hosts;
# the scenarios substitute the server's address.
FANVIL_INVITE = (
    'INVITE sip:*43@avantelecom.avantele.com;user=phone SIP/2.0\r\n'
    'Via: SIP/2.0/UDP 192.168.0.31:5010;branch=z9hG4bK1841331866303606934;rport\r\n'
    'From: "011" <sip:011@avantelecom.avantele.com:5060>;tag=908623127\r\n'
    'To: "*43" <sip:*43@avantelecom.avantele.com;user=phone>\r\n'
    'Call-ID: 1021667421783-2732164493500@192.168.0.31\r\n'
    'CSeq: 1 INVITE\r\n'
    'Contact: <sip:011@192.168.0.31:5010>\r\n'
    'Max-Forwards: 70\r\n'
    'Supported: replaces, join, path, 100rel\r\n'
    'User-Agent: Fanvil X3 1.3.384.1694\r\n'
    'P-Early-Media: supported\r\n'
    'Allow-Events: talk\r\n'
    'Allow: INVITE, ACK, OPTIONS, BYE, CANCEL, REFER, NOTIFY, INFO, PRACK, UPDATE, MESSAGE\r\n'
    'Content-Type: application/sdp\r\n'
    'Content-Length: 251\r\n'
    '\r\n'
    'v=0\r\n'
    'o=011 164445748 546426177 IN IP4 192.168.0.31\r\n'
    's=A conversation\r\n'
    'c=IN IP4 192.168.0.31\r\n'
    't=0 0\r\n'
    'm=audio 10006 RTP/AVP 8 0 101\r\n'
    'a=rtpmap:8 PCMA/8000\r\n'
    'a=rtpmap:0 PCMU/8000\r\n'
    'a=rtpmap:101 telephone-event/8000\r\n'
    'a=fmtp:101 0-15\r\n'
    'a=ptime:20\r\n'
    'a=sendrecv\r\n')

FANVIL_REGISTER = (
    'REGISTER sip:avantelecom.avantele.com SIP/2.0\r\n'
    'Via: SIP/2.0/UDP 192.168.0.31:5010;branch=z9hG4bK1076223;rport\r\n'
    'From: "011" <sip:011@avantelecom.avantele.com:5060>;tag=146371000\r\n'
    'To: "011" <sip:011@avantelecom.avantele.com:5060>\r\n'
    'Call-ID: 20063242339186-62012442819438@192.168.0.31\r\n'
    'CSeq: 1 REGISTER\r\n'
    'Contact: <sip:011@192.168.0.31:5010>\r\n'
    'Max-Forwards: 70\r\n'
    'Expires: 3600\r\n'
    'Supported: path\r\n'
    'User-Agent: Fanvil X3 1.3.384.1694\r\n'
    'Allow: INVITE, ACK, OPTIONS, BYE, CANCEL, REFER, NOTIFY, INFO, PRACK, UPDATE, MESSAGE\r\n'
    'Content-Length: 0\r\n'
    '\r\n')

COMPACT = {'v': 'via', 'f': 'from', 't': 'to', 'i': 'call-id', 'm': 'contact',
           'l': 'content-length', 'c': 'content-type', 'e': 'content-encoding',
           'k': 'supported', 's': 'subject'}


# --------------------------------------------------------------------------
# namespaces

def _ns_fd(name):
    fd = _ns_fds.get(name)
    if fd is None:
        fd = os.open('/run/netns/' + name, os.O_RDONLY)
        _ns_fds[name] = fd
    return fd


def _setns(fd):
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, 'setns: ' + os.strerror(e))


@contextlib.contextmanager
def netns(name):
    """Run the body (socket creation, /proc/sys writes) inside netns NAME."""
    _setns(_ns_fd(name))
    try:
        yield
    finally:
        _setns(_home_ns)


def sh(ns, cmd, check=False, input=None, timeout=20):
    """Run CMD in netns NS (None: the VM's root namespace); returns
    (rc, stdout+stderr). CMD goes through bash only when it needs a shell.
    The child inherits the namespace from the thread that forks it, which
    is cheaper under TCG than `ip netns exec` (a mount namespace and a
    sysfs remount per command) and enough for ip, nft and conntrack."""
    argv = ['bash', '-c', cmd] if re.search(r'[;&|<>$`(){}*?~\\\'"]', cmd) \
        else cmd.split()
    ctx = netns(ns) if ns else contextlib.nullcontext()
    with ctx:
        p = subprocess.run(argv, input=input, capture_output=True, text=True,
                           timeout=timeout)
    out = p.stdout + p.stderr
    if check and p.returncode != 0:
        raise RuntimeError('%s: %s (rc %d): %s' % (ns or 'root', cmd,
                                                    p.returncode, out.strip()))
    return p.returncode, out


def lib_sh(cmd):
    """Run CMD, a bash command line, in the root namespace with lib.sh's
    functions (sipalg_load ...) defined; returns (rc, output)."""
    return sh(None, '. %s && %s' % (shlex.quote(LIB_SH), cmd))


def sysctl(ns, key, value):
    with netns(ns):
        with open('/proc/sys/' + key.replace('.', '/'), 'w') as f:
            f.write(str(value))


# --------------------------------------------------------------------------
# SIP and SDP text

def crlf(text):
    """Normalise a triple-quoted block to CRLF lines (leading blanks on each
    line and the first/last empty lines removed)."""
    lines = [ln.strip() for ln in text.strip('\n').split('\n')]
    return '\r\n'.join(lines) + '\r\n'


def same_addr(a, b):
    """ADDR strings equal as addresses (IPv6 spellings differ)."""
    if a is None or b is None:
        return False
    a, b = a.strip('[]'), b.strip('[]')
    try:
        fa = socket.AF_INET6 if ':' in a else socket.AF_INET
        fb = socket.AF_INET6 if ':' in b else socket.AF_INET
        return fa == fb and socket.inet_pton(fa, a) == socket.inet_pton(fb, b)
    except OSError:
        return a == b


def same_hostport(a, b):
    return same_addr(a[0], b[0]) and a[1] == b[1]


def fmt(hp):
    if not hp:
        return str(hp)
    return '%s:%s' % (hosturi(hp[0]), hp[1])


def hosturi(addr):
    return '[%s]' % addr if ':' in addr else addr


def ipfam(addr):
    return 'IP6' if ':' in addr else 'IP4'


def build(start, headers, body=''):
    """A SIP message: START line, HEADERS (list of "Name: value" strings or
    (name, value) pairs; Content-Length is added), BODY (str)."""
    out = [start]
    for h in headers:
        out.append(h if isinstance(h, str) else '%s: %s' % h)
    b = body.encode() if isinstance(body, str) else body
    out.append('Content-Length: %d' % len(b))
    return ('\r\n'.join(out) + '\r\n\r\n').encode() + b


def recv_exact(s, n, timeout=10.0):
    """N bytes from stream socket S, waiting TIMEOUT s at most in all; fewer
    if the peer closes, fails or stays silent that long."""
    buf, end = b'', time.monotonic() + timeout
    try:
        while len(buf) < n and time.monotonic() < end:
            r, _, _ = select.select([s], [], [], max(0.0, end - time.monotonic()))
            if not r:
                break
            d = s.recv(65536)
            if not d:
                break
            buf += d
    except OSError:
        pass
    return buf


def lf_to_crlf(text):
    """TEXT with every \\n made \\r\\n (blank lines kept, unlike crlf())."""
    return text.replace('\n', '\r\n')


def tcp_sdp(addr, port, fam='IP4', extra=0):
    """An SDP body for ADDR, one audio stream on PORT, EXTRA more rtpmap
    lines (to make a message as long as a test needs)."""
    lines = ''.join('a=rtpmap:%d X%d/8000\n' % (96 + i % 30, i) for i in range(extra))
    return lf_to_crlf('v=0\no=- 1 1 IN %s %s\ns=-\nc=IN %s %s\nt=0 0\n'
                      'm=audio %d RTP/AVP 0\na=rtpmap:0 PCMU/8000\n%s'
                      % (fam, addr, fam, addr, port, lines))


def tcp_request(method, host, n, sdp='', sport=5010, call='tcp'):
    """Request number N from HOST:SPORT over TCP (str); its Call-ID,
    CALL-N-call, does not carry the address."""
    h = '[%s]' % host if ':' in host else host
    return lf_to_crlf(
        '%s sip:pbx@%s SIP/2.0\n'
        'Via: SIP/2.0/TCP %s:%d;branch=z9hG4bK-%d\n'
        'From: <sip:100@%s:%d>;tag=%d\nTo: <sip:pbx@%s>\n'
        'Call-ID: %s-%d-call\nCSeq: %d %s\nContact: <sip:100@%s:%d;transport=tcp>\n'
        'Max-Forwards: 70\n%sContent-Length: %d\n\n'
        % (method, 'pbx.example', h, sport, n, h, sport, n, 'pbx.example', call, n, n,
           method, h, sport, 'Content-Type: application/sdp\n' if sdp else '',
           len(sdp.encode()))) + sdp


def expect_rewrite(text, old, new):
    """What a TCP stream of messages TEXT must become through the ALG: OLD
    replaced by NEW in every message, Content-Length fixed to each new body;
    keep-alive CRLFs stay."""
    parts, i = [], 0
    while i < len(text):
        if text.startswith('\r\n', i):
            parts.append('\r\n')
            i += 2
            continue
        he = text.index('\r\n\r\n', i) + 4
        cl = int(re.search(r'Content-Length: (\d+)', text[i:he]).group(1))
        hdr, bdy = text[i:he].replace(old, new), text[he:he + cl].replace(old, new)
        hdr = re.sub(r'Content-Length: \d+', 'Content-Length: %d' % len(bdy.encode()), hdr)
        parts.append(hdr + bdy)
        i = he + cl
    return ''.join(parts)


def sdp(addr, media, o_addr=None, sess_c=True, origin='-', version=1001):
    """SDP for ADDR; MEDIA is a list of strings, each an m= line followed by
    its attribute lines separated by '|', e.g. 'audio 10006 RTP/AVP 0|a=sendrecv'.
    """
    fam = ipfam(addr)
    lines = ['v=0', 'o=%s %d %d IN %s %s' % (origin, version, version,
                                            ipfam(o_addr or addr), o_addr or addr),
             's=-']
    if sess_c:
        lines.append('c=IN %s %s' % (fam, addr))
    lines.append('t=0 0')
    for m in media:
        parts = m.split('|')
        lines.append('m=' + parts[0])
        lines.extend(parts[1:])
    return '\r\n'.join(lines) + '\r\n'


class Msg:
    """A parsed SIP message (tolerant: it never raises on odd input)."""

    def __init__(self, raw, src=None):
        self.raw = raw
        self.src = src
        text = raw.decode('utf-8', 'replace')
        head, sep, body = text.partition('\r\n\r\n')
        if not sep:
            head, sep, body = text.partition('\n\n')
        self.body = body
        self.body_bytes = raw[len(head.encode('utf-8', 'replace')) + len(sep):] \
            if sep else b''
        lines = re.split(r'\r?\n', head)
        self.start = lines[0] if lines else ''
        self.headers = []
        for ln in lines[1:]:
            if ln[:1] in (' ', '\t') and self.headers:
                n, v = self.headers[-1]
                self.headers[-1] = (n, v + ' ' + ln.strip())
                continue
            n, _, v = ln.partition(':')
            n = n.strip().lower()
            self.headers.append((COMPACT.get(n, n), v.strip()))
        parts = self.start.split(' ', 2)
        self.is_response = parts[0].upper().startswith('SIP/2.0')
        self.method = None if self.is_response else parts[0]
        self.uri = None if self.is_response else (parts[1] if len(parts) > 1 else '')
        self.code = None
        if self.is_response and len(parts) > 1 and parts[1].isdigit():
            self.code = int(parts[1])

    def hdrs(self, name):
        return [v for n, v in self.headers if n == name.lower()]

    def hdr(self, name, default=None):
        h = self.hdrs(name)
        return h[0] if h else default

    @property
    def call_id(self):
        return self.hdr('call-id')

    @property
    def cseq(self):
        v = (self.hdr('cseq') or '0 ?').split()
        return (int(v[0]) if v[0].isdigit() else -1, v[-1].upper())

    def top_via(self):
        """(transport, host, port, params-dict) of the first Via."""
        return parse_via(self.hdr('via', ''))

    def contact_hostport(self):
        return uri_hostport(self.hdr('contact', ''))

    def content_length_ok(self):
        cl = self.hdr('content-length')
        return cl is not None and cl.isdigit() and int(cl) == len(self.body_bytes)

    def leaks(self, private, allow=('call-id',)):
        """Lines (header or body) that contain PRIVATE, except ALLOWed headers."""
        bad = [('%s: %s' % (n, v)) for n, v in self.headers
               if private in v and n not in allow]
        bad += [ln for ln in self.body.splitlines() if private in ln]
        if private in self.start:
            bad.insert(0, self.start)
        return bad

    def sdp(self):
        return Sdp(self.body)

    def __str__(self):
        return self.raw.decode('utf-8', 'replace')


def parse_via(v):
    m = re.match(r'\s*SIP\s*/\s*2\.0\s*/\s*(\w+)\s+(\[[^\]]*\]|[^:;\s,]+)(?::(\d+))?([^,]*)', v or '')
    if not m:
        return (None, None, None, {})
    params = {}
    for p in m.group(4).split(';')[1:]:
        k, _, val = p.strip().partition('=')
        params[k.lower()] = val
    host = m.group(2).strip('[]')
    return (m.group(1).upper(), host, int(m.group(3)) if m.group(3) else None, params)


def uri_hostport(v):
    """(host, port) of the first sip: URI in a header value."""
    m = re.search(r'sips?:(?:[^@;>\s]*@)?(\[[^\]]*\]|[^:;>\s]+)(?::(\d+))?', v or '')
    if not m:
        return (None, None)
    return (m.group(1).strip('[]'), int(m.group(2)) if m.group(2) else None)


class Sdp:
    def __init__(self, text):
        self.text = text
        self.o_addr = None
        self.c_addr = None
        self.media = []
        cur = None
        for ln in re.split(r'\r?\n', text):
            if len(ln) < 2 or ln[1] != '=':
                continue
            k, v = ln[0], ln[2:]
            if k == 'o':
                f = v.split()
                self.o_addr = f[5] if len(f) > 5 else None
            elif k == 'c':
                f = v.split()
                a = f[2].split('/')[0] if len(f) > 2 else None
                if cur is None:
                    self.c_addr = a
                else:
                    cur['c'] = a
            elif k == 'm':
                f = v.split()
                cur = {'type': f[0] if f else '',
                       'port': int(f[1].split('/')[0]) if len(f) > 1 and f[1].split('/')[0].isdigit() else None,
                       'c': None, 'rtcp': None, 'rtcp_addr': None, 'mux': False,
                       'attrs': [], 'line': ln}
                self.media.append(cur)
            elif k == 'a' and cur is not None:
                cur['attrs'].append(v)
                if v.startswith('rtcp:'):
                    f = v[5:].split()
                    cur['rtcp'] = int(f[0]) if f and f[0].isdigit() else None
                    cur['rtcp_addr'] = f[3] if len(f) > 3 else None
                elif v == 'rtcp-mux':
                    cur['mux'] = True

    def addr(self, i):
        """Connection address of stream I (media c= over session c=)."""
        return self.media[i]['c'] or self.c_addr


# --------------------------------------------------------------------------
# sockets

class Udp:
    """A UDP socket bound to ADDR:PORT inside netns NS. Received datagrams
    that a wait does not match are kept for later waits."""

    def __init__(self, ns, addr, port, name=None):
        fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
        with netns(ns):
            self.s = socket.socket(fam, socket.SOCK_DGRAM)
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.s.bind((addr, port))
        self.s.setblocking(False)
        self.ns, self.addr, self.port = ns, addr, port
        self.name = name or '%s:%d' % (ns.split('-')[0], port)
        self.backlog = []

    def send(self, data, dst):
        """Send DATA to DST; False (not an exception) when the kernel
        refuses, e.g. no route to an address an SDP wrongly named."""
        if isinstance(data, str):
            data = data.encode()
        try:
            self.s.sendto(data, dst[:2])
        except OSError as e:
            print('# %s: send to %s: %s' % (self.name, fmt(dst), e.strerror))
            return False
        return True

    def _read(self, timeout):
        r, _, _ = select.select([self.s], [], [], max(0, timeout))
        if not r:
            return None
        try:
            data, src = self.s.recvfrom(65535)
        except OSError:
            # e.g. ECONNREFUSED from an earlier ICMP error: not a datagram
            return None
        return data, src[:2]

    def recv(self, match=None, timeout=5.0):
        """First datagram for which MATCH(data, src) is true, or None."""
        for i, (d, s) in enumerate(self.backlog):
            if match is None or match(d, s):
                del self.backlog[i]
                return d, s
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            if left <= 0:
                return None
            got = self._read(left)
            if got is None:
                continue
            if match is None or match(*got):
                return got
            self.backlog.append(got)

    def recv_sip(self, match=None, timeout=5.0):
        """First SIP message (Msg) for which MATCH(msg) is true, or None."""
        def m(d, s):
            return match is None or match(Msg(d, s))
        got = self.recv(m, timeout)
        return Msg(got[0], got[1]) if got else None

    def drain(self):
        self.backlog = []
        while self._read(0):
            pass

    def close(self):
        self.s.close()


def is_req(method, call_id=None):
    return lambda m: m.method == method and (call_id is None or m.call_id == call_id)


def is_resp(code=None, cseq_method=None, call_id=None):
    def f(m):
        if not m.is_response:
            return False
        if code is not None and m.code != code:
            return False
        if cseq_method and m.cseq[1] != cseq_method:
            return False
        return call_id is None or m.call_id == call_id
    return f


_rtp_seq = [0]


def rtp_packet(token):
    _rtp_seq[0] += 1
    seq = _rtp_seq[0] & 0xffff
    return bytes([0x80, 0x08, seq >> 8, seq & 0xff, 0, 0, 0, 160, 0x12, 0x34, 0x56, 0x78]) + token


def media(tx, dst, rx, timeout=3.0, tries=3):
    """Send RTP-like datagrams from socket TX to DST until RX receives one of
    them; returns the source address RX saw, or None."""
    token = b'sipnet-' + os.urandom(6).hex().encode()
    end = time.monotonic() + timeout
    step = timeout / tries
    while time.monotonic() < end:
        tx.send(rtp_packet(token), dst)
        got = rx.recv(lambda d, s: token in d, min(step, end - time.monotonic()))
        if got:
            return got[1]
    return None


def media_batch(flows, timeout=2.0, tries=2):
    """FLOWS: list of (tx, dst, rx). Sends one datagram per flow, all at
    once (again after timeout/tries), and waits for them together; returns
    the source address each rx saw, or None, per flow."""
    tokens = [b'sipnet-' + os.urandom(6).hex().encode() for _ in flows]
    got = [None] * len(flows)
    end = time.monotonic() + timeout
    for n in range(tries):
        for i, (tx, dst, rx) in enumerate(flows):
            if got[i] is None:
                tx.send(rtp_packet(tokens[i]), dst)
        lap = time.monotonic() + (end - time.monotonic()) / (tries - n)
        while time.monotonic() < lap and None in got:
            socks = {}
            for i, (tx, dst, rx) in enumerate(flows):
                if got[i] is None:
                    socks.setdefault(rx.s, rx)
            r, _, _ = select.select(list(socks), [], [], max(0, lap - time.monotonic()))
            for so in r:
                rx = socks[so]
                d = rx._read(0)
                if not d:
                    continue
                for i, (tx, dst, rxi) in enumerate(flows):
                    if rxi is rx and got[i] is None and tokens[i] in d[0]:
                        got[i] = d[1]
                        break
        if None not in got:
            break
    return got


def no_media(tx, dst, rx, timeout=1.0):
    """True when nothing TX sends to DST reaches RX within TIMEOUT."""
    token = b'sipnet-' + os.urandom(6).hex().encode()
    tx.send(rtp_packet(token), dst)
    tx.send(rtp_packet(token), dst)
    return rx.recv(lambda d, s: token in d, timeout) is None


# --------------------------------------------------------------------------
# conntrack

_CT_RE = re.compile(r'(\S+?)=(\S+)')


def parse_expect(line):
    """One `conntrack -L expect` line as a dict: tuple keys plain (src, dst,
    sport, dport), mask keys as mask-*, master keys as master-*."""
    d = {'line': line.strip()}
    f = line.split()
    if f and f[0].isdigit():
        d['timeout'] = int(f[0])
    section = ''
    for k, v in _CT_RE.findall(line):
        if k.startswith('mask-'):
            section = 'mask-'
            d[k] = v
            continue
        if k.startswith('master-'):
            section = 'master-'
            d[k] = v
            continue
        if k in ('sport', 'dport'):
            d.setdefault(section + k, v)
            continue
        if k in ('proto', 'class', 'helper', 'flags', 'fn', 'zone'):
            section = ''
        d.setdefault(k, v)
    for k in ('sport', 'dport', 'master-sport', 'master-dport', 'proto'):
        if k in d and d[k].isdigit():
            d[k] = int(d[k])
    return d


def parse_ct(line):
    """One `conntrack -L` line: proto, timeout, orig/reply tuples, flags."""
    f = line.split()
    d = {'line': line.strip(), 'proto': f[0] if f else None}
    try:
        d['timeout'] = int(f[2])
    except (IndexError, ValueError):
        d['timeout'] = None
    if f and f[0] == 'tcp' and len(f) > 3:
        d['state'] = f[3]
    orig, reply = {}, {}
    cur = orig
    for tok in f:
        if '=' not in tok:
            if tok == '[UNREPLIED]':
                d['unreplied'] = True
            elif tok == '[ASSURED]':
                d['assured'] = True
            continue
        k, v = tok.split('=', 1)
        if k in cur and cur is orig and k in ('src', 'dst', 'sport', 'dport'):
            cur = reply
        if k in ('src', 'dst', 'sport', 'dport'):
            cur[k] = int(v) if k.endswith('port') else v
        else:
            d[k] = v
    d['orig'], d['reply'] = orig, reply
    return d


# --------------------------------------------------------------------------
# the test

class Abort(Exception):
    pass


class Test:
    """Environment (exported by the shell side):
      TEST_NAME                       prefix of every PASS/FAIL line
      HELPER                          sipalg (default) or sip (in-tree)
      cli rtr srv [mgw]               netns names (lib.sh setup_ns)
      CLI4 RTR_WAN4 SRV4 CLI6 RTR_WAN6 SRV6 [MGW4]   addresses
      SIPALG_KO_DIR                   our .ko files (sipalg mode)
    """

    def __init__(self, name=None):
        self.name = name or os.environ.get('TEST_NAME', 'call')
        self.helper = os.environ.get('HELPER', 'sipalg') or 'sipalg'
        if self.helper not in ('sipalg', 'sip'):
            self.skip('HELPER=%s is neither sipalg nor sip' % self.helper)
        self.ns = {k: os.environ.get(k) for k in ('cli', 'rtr', 'srv', 'mgw')}
        env = os.environ.get
        self.CLI4, self.WAN4, self.SRV4 = env('CLI4'), env('RTR_WAN4'), env('SRV4')
        self.CLI6, self.WAN6, self.SRV6 = env('CLI6'), env('RTR_WAN6'), env('SRV6')
        self.MGW4 = env('MGW4')
        self.failed = 0
        self.passed = 0
        self.sockets = []
        self.restore = []      # (path, old value) of runtime parameters
        self.shown = set()
        self.ct_mod = 'nf_conntrack_sipalg' if self.helper == 'sipalg' else 'nf_conntrack_sip'
        self.nat_mod = 'nf_nat_sipalg' if self.helper == 'sipalg' else 'nf_nat_sip'
        self.t0 = time.monotonic()

    # --- reporting -------------------------------------------------------
    def note(self, text):
        for ln in str(text).rstrip('\n').split('\n'):
            print('# %s: %s' % (self.name, ln.rstrip('\r')))
        sys.stdout.flush()

    def debug(self, text):
        """note() only with SIPNET_VERBOSE=1 (TEXT may be a callable)."""
        if os.environ.get('SIPNET_VERBOSE') == '1':
            self.note(text() if callable(text) else text)

    def check(self, ok, what, why='', show=None):
        """One PASS/FAIL line; SHOW (text, Msg or callable) is printed on
        FAIL, a given text only once per test."""
        if ok:
            self.passed += 1
            print('PASS: %s: %s' % (self.name, what))
        else:
            self.failed += 1
            if show is not None:
                text = str(show() if callable(show) else show)
                if text in self.shown:
                    self.note('(%s: shown above)' % text.split('\n')[0][:60])
                else:
                    self.shown.add(text)
                    self.note(text)
            why = ' | '.join(ln.strip() for ln in str(why or 'failed').strip().splitlines())
            print('FAIL: %s: %s: %s' % (self.name, what, why))
        sys.stdout.flush()
        return bool(ok)

    def require(self, ok, what, why='', show=None):
        """check(); on failure the scenario stops (nothing after makes sense)."""
        if not self.check(ok, what, why, show):
            raise Abort(what)
        return ok

    def setup_step(self, ok, what, why=''):
        """A set-up step, not a behaviour: "# set-up ok" when it worked
        (not counted as a check), a FAIL line and the end of the scenario
        when it did not."""
        if ok:
            self.note('set-up ok: %s' % what)
            return ok
        return self.require(ok, what, why)

    def skip(self, why):
        print('SKIP: %s: %s' % (self.name, why))
        sys.stdout.flush()
        self.cleanup()
        sys.exit(4)

    def run(self, fn):
        """Run scenario FN(self); exit with the kselftest code."""
        rc = 0
        try:
            fn(self)
        except Abort:
            self.note('stopping: the rest of the scenario depends on the last check')
        except Exception as e:  # a broken scenario is a failure, not a crash
            import traceback
            self.note(traceback.format_exc())
            print('FAIL: %s: scenario ran to the end: %s: %s' % (
                self.name, type(e).__name__, str(e).replace(': ', ' - ')))
            self.failed += 1
        finally:
            self.cleanup()
        if not self.failed and not self.passed:
            # Nothing was verified: the scenario cannot have passed.
            print('FAIL: %s: at least one behaviour was checked: none ran' % self.name)
            self.failed += 1
        if self.failed:
            rc = 1
        self.note('%d passed, %d failed, %.1f s' % (self.passed, self.failed,
                                                   time.monotonic() - self.t0))
        sys.stdout.flush()
        os._exit(rc)

    def cleanup(self):
        for s in self.sockets:
            try:
                s.close()
            except OSError:
                pass
        self.sockets = []
        for path, old in reversed(self.restore):
            try:
                with open(path, 'w') as f:
                    f.write(old)
            except OSError:
                pass
        self.restore = []

    # --- set-up ----------------------------------------------------------
    def setup(self, params=None, tcp=False, port=5060):
        """Load the helper modules (PARAMS: sipalg parameter names; mapped
        to the in-tree names for HELPER=sip) and attach the helper in rtr to
        udp (and tcp) destination PORT."""
        params = dict(params or {})
        if self.helper == 'sip':
            mapped = {}
            for k, v in params.items():
                if k == 'direct_media':     # inverse meaning in-tree
                    mapped['sip_direct_media'] = 0 if int(v) else 1
                elif k == 'sip_timeout':
                    mapped['sip_timeout'] = v
                # drop_malformed, ports: no in-tree equivalent
            params = mapped
            self._load_intree(params)
        else:
            self._load_sipalg(params)
        rules = ['table inet sipnet_helper {']
        rules.append('  ct helper sip-udp { type "%s" protocol udp; }' % self.helper)
        if tcp:
            rules.append('  ct helper sip-tcp { type "%s" protocol tcp; }' % self.helper)
        rules.append('  chain pre { type filter hook prerouting priority filter; policy accept;')
        rules.append('    udp dport %d ct helper set "sip-udp"' % port)
        if tcp:
            rules.append('    tcp dport %d ct helper set "sip-tcp"' % port)
        rules.append('  }')
        rules.append('}')
        rc, out = sh(self.ns['rtr'], 'nft -f -', input='\n'.join(rules) + '\n')
        self.setup_step(rc == 0, 'attach the helper in rtr with nft',
                        out.strip().replace('\n', ' | '))

    def _param_path(self, p):
        return '/sys/module/%s/parameters/%s' % (self.ct_mod, p)

    def _set_params(self, params):
        """Write PARAMS through sysfs when the module exposes them writable;
        returns the ones it could not set."""
        left = {}
        for k, v in params.items():
            path = self._param_path(k)
            try:
                with open(path) as f:
                    old = f.read().strip()
                if not os.access(path, os.W_OK):
                    raise OSError
                with open(path, 'w') as f:
                    f.write(str(v))
                self.restore.append((path, old))
            except OSError:
                left[k] = v
        return left

    def _load_intree(self, params):
        loaded = os.path.isdir('/sys/module/nf_conntrack_sip')
        if loaded:
            params = self._set_params(params)
            if params:
                self._unload(['nf_nat_sip', 'nf_conntrack_sip'])
        args = ' '.join('%s=%s' % kv for kv in params.items())
        rc, out = sh(None, 'modprobe nf_conntrack_sip %s && modprobe nf_nat_sip' % args)
        if rc:
            self.skip('cannot load the in-tree SIP helper: ' + out.strip())
        self.setup_step(True, 'load the helper modules')

    def _load_sipalg(self, params):
        kodir = os.environ.get('SIPALG_KO_DIR', '')
        for m in (self.ct_mod, self.nat_mod):
            if not os.access('%s/%s.ko' % (kodir, m), os.R_OK):
                self.require(False, 'find %s.ko' % m, 'not in "%s"' % kodir)
        if os.path.isdir('/sys/module/' + self.ct_mod):
            params = self._set_params(params)
            if params:
                self._unload([self.nat_mod, self.ct_mod])
        args = ' '.join('%s=%s' % (k, int(v) if isinstance(v, bool) else v)
                        for k, v in params.items())
        rc, out = lib_sh('sipalg_load %s %s && sipalg_load %s' % (
            self.ct_mod, args, self.nat_mod))
        self.setup_step(rc == 0, 'load the helper modules',
                        out.strip().replace('\n', ' | '))

    def _unload(self, mods):
        """rmmod MODS; retries while the namespaces of an earlier test are
        still being torn down (they hold references for a moment)."""
        end = time.monotonic() + 5
        for m in mods:
            while os.path.isdir('/sys/module/' + m):
                rc, out = sh(None, 'rmmod ' + m)
                if rc == 0:
                    break
                if time.monotonic() > end:
                    self.require(False, 'unload %s to reload it with parameters' % m,
                                 out.strip())
                time.sleep(0.1)

    def set_param(self, name, value):
        """Change a runtime parameter (sipalg name; mapped for HELPER=sip)."""
        if self.helper == 'sip':
            if name == 'direct_media':
                name, value = 'sip_direct_media', 0 if int(value) else 1
        left = self._set_params({name: value})
        return not left

    # --- endpoints -------------------------------------------------------
    def udp(self, host, addr, port):
        s = Udp(self.ns[host], addr, port, '%s:%d' % (host, port))
        self.sockets.append(s)
        return s

    def tcp_listen(self, host, addr, port, backlog=8):
        """A listening TCP socket on ADDR:PORT in netns HOST."""
        fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
        with netns(self.ns[host]):
            ls = socket.socket(fam, socket.SOCK_STREAM)
        self.sockets.append(ls)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, port))
        ls.listen(backlog)
        return ls

    def tcp_connect(self, host, src, sport, dst, port, nodelay=True):
        """A TCP connection from SRC:SPORT in netns HOST to DST:PORT;
        NODELAY False leaves Nagle on."""
        fam = socket.AF_INET6 if ':' in src else socket.AF_INET
        with netns(self.ns[host]):
            c = socket.socket(fam, socket.SOCK_STREAM)
        self.sockets.append(c)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if nodelay:
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        c.bind((src, sport))
        c.connect((dst, port))
        return c

    def tcp_accept(self, ls):
        a, _ = ls.accept()
        self.sockets.append(a)
        return a

    def tcp_exchange(self, c, a, chunks, want, what, pause=0.0):
        """Write CHUNKS (str) on C, PAUSE s between them; check that A reads
        exactly WANT and nothing more. Returns (ok, seconds until read)."""
        t0 = time.monotonic()
        for i, ch in enumerate(chunks):
            c.sendall(ch.encode())
            if pause and i + 1 < len(chunks):
                time.sleep(pause)
        wb = want.encode()
        got = recv_exact(a, len(wb))
        took = time.monotonic() - t0
        extra = recv_exact(a, 1, timeout=0.3)
        ok = got == wb and not extra
        self.check(ok, what, 'srv read %d bytes, expected %d%s' % (
            len(got) + len(extra), len(wb),
            '' if got == wb[:len(got)] else ' (content differs)'),
            show=lambda: 'expected:\n%s\ngot:\n%s' % (
                want[:900], (got + extra)[:900].decode(errors='replace')))
        return ok, took

    # --- router state ----------------------------------------------------
    def expects(self):
        """Expectations in rtr, IPv4 and IPv6 (conntrack -L lists only
        IPv4 unless told -f ipv6). A failing conntrack raises: an empty
        list must mean no expectation, never a broken tool."""
        out = sh(self.ns['rtr'], 'conntrack -L expect', check=True)[1] + \
            sh(self.ns['rtr'], 'conntrack -L expect -f ipv6', check=True)[1]
        return [parse_expect(ln) for ln in out.splitlines()
                if 'proto=' in ln]

    def expects_text(self):
        rc, out = sh(self.ns['rtr'], 'conntrack -L expect 2>&1; conntrack -L expect -f ipv6 2>&1')
        return 'conntrack -L expect [-f ipv6] in rtr:\n' + (out.strip() or '(nothing)')

    def conntrack(self, args=''):
        rc, out = sh(self.ns['rtr'], 'conntrack -L %s' % args, check=True)
        return [parse_ct(ln) for ln in out.splitlines() if '=' in ln]

    def conntrack_text(self, args=''):
        rc, out = sh(self.ns['rtr'], 'conntrack -L %s 2>&1' % args)
        return 'conntrack -L %s in rtr:\n%s' % (args, out.strip())

    def wait_for(self, fn, timeout=3.0, interval=0.1):
        """Poll FN until it returns something true; returns its last value."""
        end = time.monotonic() + timeout
        while True:
            v = fn()
            if v or time.monotonic() > end:
                return v
            time.sleep(interval)

    def expect_for(self, port, dst=None, exps=None):
        """Expectations (this helper's) whose tuple destination port is PORT."""
        exps = self.expects() if exps is None else exps
        return [e for e in exps if e.get('dport') == port and
                e.get('helper') == self.helper and (dst is None or same_addr(e.get('dst'), dst))]

    # --- SIP conveniences ---------------------------------------------------
    def check_outbound(self, m, what, private, pub, with_sdp=True, seen_by='srv',
                       check_via=True):
        """The usual checks on a message from the LAN as the WAN side sees it:
        top Via and Contact name PUB (the masqueraded address:port), SDP o=
        and every c= name PUB's address, PRIVATE appears nowhere but in
        Call-ID, Content-Length is right."""
        def show():
            return '%s received from %s:\n%s' % (seen_by, fmt(m.src), m)
        via = m.top_via()
        check_via and self.check(same_hostport((via[1], via[2]), pub),
                   '%s top Via names the public address and port' % what,
                   'Via "%s" but it came from %s' % (m.hdr('via'), fmt(pub)), show)
        if m.hdr('contact') is not None:
            self.check(same_hostport(m.contact_hostport(), pub),
                       '%s Contact names the public address and port' % what,
                       'Contact "%s" but it came from %s' % (m.hdr('contact'), fmt(pub)), show)
        if with_sdp:
            s = m.sdp()
            self.check(same_addr(s.o_addr, pub[0]),
                       '%s SDP o= names the public address' % what,
                       'o= address %s' % s.o_addr, show)
            bad = [s.addr(i) for i in range(len(s.media))
                   if not same_addr(s.addr(i), pub[0])]
            self.check(s.media and not bad,
                       '%s SDP c= names the public address' % what,
                       'c= %s' % (bad or 'no media'), show)
        leaks = m.leaks(private)
        self.check(not leaks, '%s carries the LAN address only in Call-ID' % what,
                   'found in: ' + ' | '.join(leaks), show)
        self.check(m.content_length_ok(),
                   '%s Content-Length equals the body length' % what,
                   'Content-Length %s, body %d bytes' % (m.hdr('content-length'),
                                                         len(m.body_bytes)), show)

    def answer(self, req, code, reason, body='', extra=(), to_tag='srv-tag',
               contact=None):
        """A response to REQ as a server would build it: the Vias copied with
        rport/received filled in (RFC 3581) from where REQ came from."""
        vias = req.hdrs('via')
        if vias and req.src:
            top = vias[0]
            if re.search(r';\s*rport(?=;|$|\s)', top):
                top = re.sub(r';\s*rport(?=;|$|\s)', ';rport=%d' % req.src[1], top, count=1)
                if 'received=' not in top:
                    top += ';received=%s' % req.src[0]
            vias = [top] + vias[1:]
        to = req.hdr('to', '')
        if code > 100 and 'tag=' not in to:
            to += ';tag=' + to_tag
        hdrs = [('Via', v) for v in vias]
        hdrs += [('From', req.hdr('from', '')), ('To', to),
                 ('Call-ID', req.call_id), ('CSeq', req.hdr('cseq', ''))]
        if contact:
            hdrs.append(('Contact', contact))
        hdrs += list(extra)
        if body:
            hdrs.append(('Content-Type', 'application/sdp'))
        return build('SIP/2.0 %d %s' % (code, reason), hdrs, body)


def main_usage():
    print(__doc__)


if __name__ == '__main__':
    main_usage()
