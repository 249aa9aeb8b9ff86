# SPDX-License-Identifier: GPL-2.0
"""Scenario of test-media-multicast.sh (see there)."""
import mutate as mu
import sipnet as sn


def invite(t, n, body):
    return sn.build('INVITE sip:200@%s SIP/2.0' % t.SRV4, [
        'Via: SIP/2.0/UDP %s:5010;branch=z9hG4bK-mc-%d;rport' % (t.CLI4, n),
        'Max-Forwards: 70',
        'From: <sip:100@%s>;tag=mc-%d' % (t.SRV4, n),
        'To: <sip:200@%s>' % t.SRV4,
        'Call-ID: multicast-%d' % n, 'CSeq: 1 INVITE',
        'Contact: <sip:100@%s:5010>' % t.CLI4,
        'Content-Type: application/sdp'], body)


# name, SDP lines, media_refused delta, private ports of the pinholes opened
CASES = [
    ('session-level multicast c=',
     ['v=0', 'o=- 1 1 IN IP4 {cli}', 's=-', 'c=IN IP4 224.2.1.1/127', 't=0 0',
      'm=audio 40000 RTP/AVP 0'], 1, []),
    ('media-level multicast c= beside a unicast stream',
     ['v=0', 'o=- 2 2 IN IP4 {cli}', 's=-', 'c=IN IP4 {cli}', 't=0 0',
      'm=audio 40010 RTP/AVP 0', 'c=IN IP4 239.1.1.1/32',
      'm=audio 40020 RTP/AVP 0'], 1, [40020, 40021]),
]


def scenario(t):
    t.setup()
    cli = t.udp('cli', t.CLI4, 5010)
    srv = t.udp('srv', t.SRV4, 5060)
    for n, (name, lines, refused, ports) in enumerate(CASES, 1):
        body = '\r\n'.join(lines).format(cli=t.CLI4) + '\r\n'
        before = mu.stats(t.ns['rtr'])
        cli.send(invite(t, n, body), (t.SRV4, 5060))
        m = srv.recv_sip(sn.is_req('INVITE', 'multicast-%d' % n))
        t.require(m, '%s: the INVITE reaches the PBX' % name, 'nothing arrived in 5 s')
        after = mu.stats(t.ns['rtr'])
        d = {k: after[k] - before[k] for k in ('media_refused', 'media_pinholes')}
        t.check(d == {'media_refused': refused, 'media_pinholes': len(ports)},
                '%s: %d stream refused, %d pinholes opened' % (name, refused, len(ports)),
                'counters moved by %r' % d)
        got = sorted(e['dport'] for e in t.expects() if e.get('helper') == 'sipalg'
                     and 40000 <= e.get('dport', 0) < 40100)
        # The unicast stream is the last one; its public port is what srv sees.
        last = m.sdp().media[-1]['port']
        want = [last, last + 1] if ports else []
        t.check(got == want, '%s: pinholes only for the unicast stream' % name,
                'expectations at %r, want %r' % (got, want), show=t.expects_text)
        # The next case starts from no pending pinhole of this call.
        cli.send(sn.build('CANCEL sip:200@%s SIP/2.0' % t.SRV4, [
            'Via: SIP/2.0/UDP %s:5010;branch=z9hG4bK-mc-%d;rport' % (t.CLI4, n),
            'Max-Forwards: 70', ('From', m.hdr('from')), ('To', m.hdr('to')),
            'Call-ID: multicast-%d' % n, 'CSeq: 1 CANCEL']), (t.SRV4, 5060))
        t.require(srv.recv_sip(sn.is_req('CANCEL')), '%s: CANCEL reaches the PBX' % name,
                  'nothing arrived')
        t.check(t.wait_for(lambda: not [e for e in t.expects()
                                        if 40000 <= e.get('dport', 0) < 40100], 2),
                '%s: CANCEL removes the pinholes' % name, show=t.expects_text)


sn.Test().run(scenario)
