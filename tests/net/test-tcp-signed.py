# SPDX-License-Identifier: GPL-2.0
# The scenario of test-tcp-signed.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import select
import socket
import struct
import time

import mutate as mu
import sipnet as sn

ETH_P_ALL = 0x0003


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def tcp_seg(src, dst, sport, dport, seq, ack, flags, opts=b'', payload=b''):
    """A TCP header with OPTS (padded to 4 bytes) and PAYLOAD, its checksum
    over the IPv4 pseudo-header."""
    opts += b'\x01' * (-len(opts) % 4)
    doff = (20 + len(opts)) // 4
    hdr = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, doff << 4, flags,
                      65535, 0, 0) + opts
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack(
        '!BBH', 0, socket.IPPROTO_TCP, len(hdr) + len(payload))
    c = csum(pseudo + hdr + payload)
    return hdr[:16] + struct.pack('!H', c) + hdr[18:] + payload


def parse_tcp(ip):
    """(src, dst, sport, dport, seq, ack, flags, payload) of an IPv4 packet."""
    ihl = (ip[0] & 15) * 4
    src, dst = socket.inet_ntoa(ip[12:16]), socket.inet_ntoa(ip[16:20])
    sport, dport, seq, ack, off, flags = struct.unpack('!HHIIBB', ip[ihl:ihl + 14])
    return src, dst, sport, dport, seq, ack, flags, ip[ihl + (off >> 4) * 4:]


class RawPhone:
    """One crafted connection from the phone to the PBX."""

    def __init__(self, t, sport):
        self.t, self.sport = t, sport
        with sn.netns(t.ns['cli']):
            self.s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
        self.seq = 100000 + sport * 7

    def send(self, flags, opts=b'', payload=b'', ack=0):
        seg = tcp_seg(self.t.CLI4, self.t.SRV4, self.sport, 5060, self.seq, ack,
                      flags, opts, payload)
        self.s.sendto(seg, (self.t.SRV4, 0))
        self.seq = (self.seq + len(payload) + (1 if flags & 0x02 else 0)) & 0xffffffff

    def recv(self, want, timeout=3.0):
        """The next segment to our port whose flags include WANT."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            r, _, _ = select.select([self.s], [], [], end - time.monotonic())
            if not r:
                break
            p = parse_tcp(self.s.recv(65535))
            if p[3] == self.sport and p[6] & want == want:
                return p
        return None

    def connect(self):
        self.send(0x02, opts=b'\x02\x04\x05\xb4')
        sa = self.recv(0x12)
        if not sa:
            return None
        self.peer_next = (sa[4] + 1) & 0xffffffff
        self.send(0x10, ack=self.peer_next)
        return sa

    def close(self):
        self.s.close()


def wire(t):
    """The PBX's side of the wire: every packet srv's veth0 receives."""
    with sn.netns(t.ns['srv']):
        s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
        s.bind(('veth0', 0))
    return s


def payloads_at_pbx(w, sport, timeout):
    """TCP payloads from SPORT (masquerade keeps a free port) to port 5060,
    read off srv's wire within TIMEOUT."""
    got = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r, _, _ = select.select([w], [], [], end - time.monotonic())
        if not r:
            break
        frame = w.recv(65535)
        if frame[12:14] != b'\x08\x00' or frame[14 + 9] != socket.IPPROTO_TCP:
            continue
        p = parse_tcp(frame[14:])
        if p[3] == 5060 and p[7] and p[2] == sport:
            got.append(p[7])
    return got


FIRST_PART = sn.crlf(
    'INVITE sip:800@203.0.113.5 SIP/2.0\n'
    'Via: SIP/2.0/TCP 192.168.0.31:5010;branch=z9hG4bK-signed\n'
    'Max-Forwards: 70\n'
    'From: <sip:011@203.0.113.5>;tag=s1\n').encode()

MD5_OPT = b'\x01\x01\x13\x12' + b'\x5a' * 16       # NOP NOP kind 19 len 18
AO_OPT = b'\x01\x01\x1d\x10\x07\x07' + b'\xa5' * 12  # kind 29 len 16: keyids, MAC


def one(t, w, sport, opt, what):
    rtr = t.ns['rtr']
    ph = RawPhone(t, sport)
    try:
        if not t.check(ph.connect(), '%s: the crafted handshake completes through the router' % what,
                       'no SYN-ACK'):
            return None
        before = mu.stats(rtr)
        ph.send(0x18, opts=opt, payload=FIRST_PART, ack=ph.peer_next)
        got = payloads_at_pbx(w, sport, 1.5)
        acked = ph.recv(0x10, timeout=0.5)
        d = mu.stats_delta(mu.stats(rtr), before)
        return got, acked, d
    finally:
        ph.close()


def scenario(t):
    t.setup(tcp=True, port=5060)
    ls = t.tcp_listen('srv', t.SRV4, 5060)
    w = wire(t)
    try:
        r = one(t, w, 40001, b'', 'unsigned')
        if r:
            got, acked, d = r
            t.check(not any(FIRST_PART in g for g in got) and d.get('tcp_held', 0) == 1,
                    'unsigned: the first part of a split INVITE is held (nothing reaches the PBX)',
                    'tcp_held +%d, %d payloads at the PBX' % (d.get('tcp_held', 0), len(got)))
            t.check(d.get('tcp_acks', 0) == 1 and acked and
                    acked[5] == (100000 + 40001 * 7 + 1 + len(FIRST_PART)) & 0xffffffff,
                    'unsigned: the router acknowledges the held bytes itself',
                    'tcp_acks +%d, ACK %s' % (d.get('tcp_acks', 0), acked[5] if acked else None))
        for opt, name in ((MD5_OPT, 'TCP-MD5'), (AO_OPT, 'TCP-AO')):
            sport = 40002 if name == 'TCP-MD5' else 40003
            r = one(t, w, sport, opt, name)
            if not r:
                continue
            got, acked, d = r
            t.check(got == [FIRST_PART],
                    '%s: the signed first part goes on at once, byte for byte' % name,
                    '%d payloads at the PBX: %s' % (len(got), [g[:40] for g in got]))
            t.check(d.get('tcp_signed', 0) == 1 and d.get('tcp_held', 0) == 0,
                    '%s: it is counted as signed and not held' % name,
                    'tcp_signed +%d, tcp_held +%d' % (d.get('tcp_signed', 0),
                                                     d.get('tcp_held', 0)))
            t.check(d.get('tcp_acks', 0) == 0,
                    '%s: the router sends no ACK of its own' % name,
                    'tcp_acks +%d' % d.get('tcp_acks', 0))
    finally:
        w.close()
        ls.close()


sn.Test().run(scenario)
