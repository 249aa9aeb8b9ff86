# SPDX-License-Identifier: GPL-2.0
"""Scenario of test-tcp-body-start.sh (see there)."""
import mutate as mu
import sipnet as sn


def message(t, n, body):
    """A MESSAGE request from the phone over TCP with a text/plain BODY."""
    return sn.lf_to_crlf(
        'MESSAGE sip:pbx@%s SIP/2.0\n'
        'Via: SIP/2.0/TCP %s:5010;branch=z9hG4bK-msg-%d\n'
        'From: <sip:100@%s:5010>;tag=msg-%d\nTo: <sip:pbx@%s>\n'
        'Call-ID: body-start-%d\nCSeq: %d MESSAGE\nMax-Forwards: 70\n'
        'Content-Type: text/plain\nContent-Length: %d\n\n'
        % (t.SRV4, t.CLI4, n, t.CLI4, n, t.SRV4, n, n, len(body.encode()))) + body


def fake_start(t):
    """What a body may hold: a request with the phone's private address."""
    return sn.lf_to_crlf(
        'INVITE sip:bob@%s SIP/2.0\n'
        'Via: SIP/2.0/TCP %s:5010;branch=z9hG4bK-smuggled\n'
        'From: <sip:100@%s>;tag=s\nTo: <sip:bob@%s>\nCall-ID: smuggled\n'
        'CSeq: 1 INVITE\nContact: <sip:100@%s:5010>\nContent-Length: 0\n\n'
        % (t.SRV4, t.CLI4, t.CLI4, t.SRV4, t.CLI4))


def case(t, c, a, n, size, want_counters, what):
    """A MESSAGE whose body is SIZE bytes, written in two parts; the second
    part starts with fake_start().  Then an OPTIONS."""
    head = message(t, n, 'x')
    first = 9000 if size > 16384 else 1200
    lead = first - len(head.encode()) + 1      # body bytes in the first write
    tail = fake_start(t)
    body = 'b' * lead + tail + 'z' * (size - lead - len(tail.encode()))
    msg = message(t, n, body)
    cut = len(msg) - len(body) + lead
    assert msg[cut:].startswith('INVITE ')
    opts = sn.tcp_request('OPTIONS', t.CLI4, 100 + n)
    if size > 16384:
        want = msg
    else:
        # Headers translated, the text/plain body as it was.
        hdr_end = msg.index('\r\n\r\n') + 4
        want = msg[:hdr_end].replace(t.CLI4, t.WAN4) + msg[hdr_end:]
    want += sn.expect_rewrite(opts, t.CLI4, t.WAN4)
    assert want.count('z9hG4bK-smuggled') == 1
    before = mu.stats(t.ns['rtr'])
    t.tcp_exchange(c, a, [msg[:cut], msg[cut:] + opts], want, what, pause=0.3)
    after = mu.stats(t.ns['rtr'])
    d = {k: after.get(k, 0) - before.get(k, 0) for k in want_counters}
    t.check(d == want_counters, '%s: counters' % what, 'moved by %r, want %r' % (d, want_counters))


def scenario(t):
    t.setup(tcp=True, port=5060)
    ls = t.tcp_listen('srv', t.SRV4, 5060)
    c = t.tcp_connect('cli', t.CLI4, 5010, t.SRV4, 5060)
    a = t.tcp_accept(ls)
    case(t, c, a, 1, 17000, {'requests': 1, 'req_invite': 0, 'tcp_partial': 1},
         'a 17 KB MESSAGE whose body holds a start line at a segment boundary '
         'arrives as sent, the OPTIONS after it rewritten')
    case(t, c, a, 2, 1500, {'requests': 2, 'req_invite': 0, 'req_message': 1,
                            'tcp_held': 1, 'tcp_joined': 1},
         'a 1.5 KB MESSAGE whose body holds a start line is held and rewritten '
         'once, its body untouched')


sn.Test().run(scenario)
