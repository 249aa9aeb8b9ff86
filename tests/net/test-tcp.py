# SPDX-License-Identifier: GPL-2.0
# The scenario of test-tcp.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import socket, select, time, re
import sipnet as sn


def crlf(text):
    return text.replace('\n', '\r\n')


def body(addr, port, fam='IP4'):
    return crlf('v=0\no=- 1 1 IN %s %s\ns=-\nc=IN %s %s\nt=0 0\n'
                   'm=audio %d RTP/AVP 0\na=rtpmap:0 PCMU/8000\n'
                   % (fam, addr, fam, addr, port))


def msg(method, host, n, sdp=''):
    """A request from HOST:5010 over TCP; Call-ID without the address."""
    h = '[%s]' % host if ':' in host else host
    return crlf(
        '%s sip:pbx@%s SIP/2.0\n'
        'Via: SIP/2.0/TCP %s:5010;branch=z9hG4bK-%d\n'
        'From: <sip:100@%s:5010>;tag=%d\nTo: <sip:pbx@%s>\n'
        'Call-ID: tcp-%d-call\nCSeq: %d %s\nContact: <sip:100@%s:5010;transport=tcp>\n'
        'Max-Forwards: 70\n%sContent-Length: %d\n\n'
        % (method, 'pbx.example', h, n, h, n, 'pbx.example', n, n, method, h,
           'Content-Type: application/sdp\n' if sdp else '', len(sdp.encode()))) + sdp


def scenario(t):
    t.setup(tcp=True, port=5060)
    sn.sh(t.ns['rtr'], 'nft add rule inet sipnet_helper pre tcp dport 5061 ct helper set "sip-tcp"')

    def listener(addr, port):
        fam = socket.AF_INET6 if ':' in addr else socket.AF_INET
        with sn.netns(t.ns['srv']):
            ls = socket.socket(fam, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((addr, port)); ls.listen(4)
        t.sockets.append(ls)
        return ls

    def connect(src, dst, port):
        fam = socket.AF_INET6 if ':' in src else socket.AF_INET
        with sn.netns(t.ns['cli']):
            c = socket.socket(fam, socket.SOCK_STREAM)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        c.bind((src, 5010)); c.connect((dst, port))
        t.sockets.append(c)
        return c

    def exchange(c, a, chunks, want, label, pause=0.0):
        for ch in chunks:
            c.sendall(ch.encode())
            if pause:
                time.sleep(pause)
        got = sn.recv_exact(a, len(want.encode()))
        extra = sn.recv_exact(a, 1, timeout=0.3)
        ok = got == want.encode() and not extra
        t.check(ok, label, 'srv read %d bytes, expected %d%s' % (
            len(got) + len(extra), len(want.encode()), '' if got[:len(want)] == want.encode()[:len(got)] else ' (content differs)'),
            show=lambda: 'expected:\n%s\ngot:\n%s' % (want[:600], (got + extra)[:600].decode(errors='replace')))
        return ok

    ls = listener(t.SRV4, 5060)
    c = connect(t.CLI4, t.SRV4, 5060)
    a, _ = ls.accept()
    t.sockets.append(a)
    A, W = t.CLI4, t.WAN4

    one = msg('OPTIONS', A, 1)
    exchange(c, a, [one], sn.expect_rewrite(one, A, W), 'one OPTIONS arrives rewritten')

    two = msg('OPTIONS', A, 2) + msg('INVITE', A, 3, body(A, 10006))
    exchange(c, a, [two], sn.expect_rewrite(two, A, W),
             'two messages in one segment (one with SDP) both rewritten')

    ten = ''.join(msg('OPTIONS' if i % 2 else 'INVITE', A, 10 + i,
                      '' if i % 2 else body(A, 10100 + 2 * i)) for i in range(10))
    exchange(c, a, [ten], sn.expect_rewrite(ten, A, W), 'ten messages in one segment all rewritten')

    ka = '\r\n\r\n' + msg('OPTIONS', A, 30) + '\r\n\r\n'
    exchange(c, a, [ka], sn.expect_rewrite(ka, A, W),
             'RFC 5626 CRLF keep-alives pass, the message between them is rewritten')

    # A message split across segments: its first part is held back until
    # the rest arrives (test-tcp-split.sh has the details); the stream stays
    # consistent and in sync after it.
    split = msg('INVITE', A, 40, body(A, 10200))
    cut = split.index('\r\n\r\n') + 4
    after = msg('OPTIONS', A, 41)
    exchange(c, a, [split[:cut], split[cut:]], sn.expect_rewrite(split, A, W),
             'INVITE split before its body arrives rewritten', pause=0.3)
    exchange(c, a, [after], sn.expect_rewrite(after, A, W), 'the message after a split one is rewritten again')
    hsplit = msg('OPTIONS', A, 42)
    exchange(c, a, [hsplit[:40], hsplit[40:]], sn.expect_rewrite(hsplit, A, W),
             'OPTIONS split in its headers arrives rewritten', pause=0.3)
    exchange(c, a, [after], sn.expect_rewrite(after, A, W), 'and the stream stays in sync for the next message')

    # Long-lived connection: thousands of size-changing messages, then a
    # call; every byte read must be exactly the rewritten stream (seqadj).
    n, batch, total_ok = 10000, 40, True
    t0 = time.monotonic()
    for b in range(0, n, batch):
        chunk = ''.join(msg('OPTIONS', A, 1000 + i) for i in range(b, b + batch))
        want = sn.expect_rewrite(chunk, A, W).encode()
        c.sendall(chunk.encode())
        got = sn.recv_exact(a, len(want))
        if got != want:
            total_ok = False
            t.note('batch at %d differs' % b)
            break
    t.check(total_ok, '%d OPTIONS on one connection arrive exactly rewritten' % n)
    t.note('%d OPTIONS in %.1f s' % (n, time.monotonic() - t0))
    inv = msg('INVITE', A, 20001, body(A, 10300))
    exchange(c, a, [inv], sn.expect_rewrite(inv, A, W), 'a call after them is rewritten, no reset')

    # TLS on 5061 with the helper attached: the bytes are not SIP text.
    ls2 = listener(t.SRV4, 5061)
    with sn.netns(t.ns['cli']):
        c2 = socket.create_connection((t.SRV4, 5061))
    t.sockets.append(c2)
    a2, _ = ls2.accept(); t.sockets.append(a2)
    hello = bytes.fromhex('160301009a0100009603034f') + bytes(range(256))[:150]
    c2.sendall(hello)
    t.check(sn.recv_exact(a2, len(hello)) == hello, 'TLS ClientHello on 5061 passes untouched')

    # IPv6
    ls6 = listener(t.SRV6, 5060)
    c6 = connect(t.CLI6, t.SRV6, 5060)
    a6, _ = ls6.accept(); t.sockets.append(a6)
    inv6 = msg('INVITE', t.CLI6, 50, body(t.CLI6, 10400, 'IP6'))
    exchange(c6, a6, [inv6], sn.expect_rewrite(inv6, t.CLI6, t.WAN6), 'IPv6 INVITE over TCP arrives rewritten')


sn.Test().run(scenario)
