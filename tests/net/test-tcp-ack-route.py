# SPDX-License-Identifier: GPL-2.0
"""Scenario of test-tcp-ack-route.sh (see there)."""
import mutate as mu
import sipnet as sn


def scenario(t):
    t.setup(tcp=True, port=5060)
    ls = t.tcp_listen('srv', t.SRV4, 5060)
    c = t.tcp_connect('cli', t.CLI4, 5010, t.SRV4, 5060, nodelay=False)
    a = t.tcp_accept(ls)
    # The connection works through the marked routing before anything is held.
    opts = sn.tcp_request('OPTIONS', t.CLI4, 1)
    t.tcp_exchange(c, a, [opts], sn.expect_rewrite(opts, t.CLI4, t.WAN4),
                   'an OPTIONS in one segment arrives rewritten (the marked routes work)')

    inv = sn.tcp_request('INVITE', t.CLI4, 2, sn.tcp_sdp(t.CLI4, 10006))
    cut = inv.index('\r\n\r\n') + 4
    before = mu.stats(t.ns['rtr'])
    ok, took = t.tcp_exchange(c, a, [inv[:cut], inv[cut:]],
                              sn.expect_rewrite(inv, t.CLI4, t.WAN4),
                              'an INVITE split before its body arrives rewritten', pause=0.3)
    d = mu.stats_delta(mu.stats(t.ns['rtr']), before)
    t.note('took %.2f s; counters %r' % (took, d))
    t.check(d.get('tcp_held') == 1 and d.get('tcp_joined') == 1,
            'its first part was held and joined once', '%r' % d)
    # One ACK per hold, and one per resend of the held part (the sender's
    # retransmission timer may fire before it sees the first).
    acks, want = d.get('tcp_acks', 0), d.get('tcp_held', 0) + d.get('tcp_hold_resent', 0)
    t.check(acks == want and not d.get('tcp_ack_failed'),
            "the router's ACK for the held part found its route to the phone",
            'tcp_acks +%d (want %d), tcp_ack_failed +%d' % (
                acks, want, d.get('tcp_ack_failed', 0)))


sn.Test().run(scenario)
