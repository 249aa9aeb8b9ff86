# SPDX-License-Identifier: GPL-2.0
# The scenario of test-tcp.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import socket
import time
import sipnet as sn

body = sn.tcp_sdp
msg = sn.tcp_request


def scenario(t):
    t.setup(tcp=True, port=5060)
    sn.sh(t.ns['rtr'], 'nft add rule inet sipnet_helper pre tcp dport 5061 ct helper set "sip-tcp"',
          check=True)

    def exchange(c, a, chunks, want, what, pause=0.0):
        return t.tcp_exchange(c, a, chunks, want, what, pause)[0]

    ls = t.tcp_listen('srv', t.SRV4, 5060)
    c = t.tcp_connect('cli', t.CLI4, 5010, t.SRV4, 5060)
    a = t.tcp_accept(ls)
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
    ls2 = t.tcp_listen('srv', t.SRV4, 5061)
    with sn.netns(t.ns['cli']):
        c2 = socket.create_connection((t.SRV4, 5061))
    t.sockets.append(c2)
    a2 = t.tcp_accept(ls2)
    hello = bytes.fromhex('160301009a0100009603034f') + bytes(range(256))[:150]
    c2.sendall(hello)
    t.check(sn.recv_exact(a2, len(hello)) == hello, 'TLS ClientHello on 5061 passes untouched')

    # IPv6
    ls6 = t.tcp_listen('srv', t.SRV6, 5060)
    c6 = t.tcp_connect('cli', t.CLI6, 5010, t.SRV6, 5060)
    a6 = t.tcp_accept(ls6)
    inv6 = msg('INVITE', t.CLI6, 50, body(t.CLI6, 10400, 'IP6'))
    exchange(c6, a6, [inv6], sn.expect_rewrite(inv6, t.CLI6, t.WAN6), 'IPv6 INVITE over TCP arrives rewritten')


sn.Test().run(scenario)
