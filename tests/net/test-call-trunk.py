# SPDX-License-Identifier: GPL-2.0
# The scenario of test-call-trunk.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import sipnet as sn

N = 16
BYE_CALL = 4        # the fifth call
RE_CALL = 8         # the ninth call


def scenario(t):
    t.setup()
    pbx = t.udp('cli', t.CLI4, 5060)
    prov = t.udp('srv', t.SRV4, 5060)
    c_rtp = [t.udp('cli', t.CLI4, 12000 + 2 * i) for i in range(N)]
    s_rtp = [t.udp('srv', t.SRV4, 30000 + 2 * i) for i in range(N)]
    cids = ['trunk-%02d-5ac1@%s' % (i, t.CLI4) for i in range(N)]

    for i in range(N):
        body = sn.sdp(t.CLI4, ['audio %d RTP/AVP 8 0|a=rtpmap:8 PCMA/8000|a=sendrecv' % (12000 + 2 * i)],
                      origin='pbx', version=5000 + i)
        pbx.send(sn.build('INVITE sip:+4930%04d@%s SIP/2.0' % (i, t.SRV4), [
            'Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-trunk-%d;rport' % (t.CLI4, i),
            'Max-Forwards: 70',
            'From: <sip:+4989100@%s>;tag=tr-%d' % (t.SRV4, i),
            'To: <sip:+4930%04d@%s>' % (i, t.SRV4),
            'Call-ID: ' + cids[i], 'CSeq: 1 INVITE',
            'Contact: <sip:+4989100@%s:5060>' % t.CLI4,
            'Content-Type: application/sdp'], body), (t.SRV4, 5060))

    invs = {}
    for _ in range(N):
        m = prov.recv_sip(lambda x: x.method == 'INVITE' and x.call_id in cids and
                          x.call_id not in invs)
        if not m:
            break
        invs[m.call_id] = m
    t.require(len(invs) == N, 'srv receives all 16 INVITEs', '%d/16' % len(invs),
              show=t.conntrack_text)
    bad = []
    for i, c in enumerate(cids):
        m = invs[c]
        via, s = m.top_via(), m.sdp()
        if not (sn.same_hostport((via[1], via[2]), m.src) and
                sn.same_hostport(m.contact_hostport(), m.src) and
                s.media and sn.same_addr(s.addr(0), t.WAN4) and
                sn.same_addr(s.o_addr, t.WAN4) and not m.leaks(t.CLI4) and
                m.content_length_ok()):
            bad.append(i + 1)
    t.check(not bad, 'all 16 INVITEs rewritten (Via, Contact, o=, c=, Content-Length)',
            'calls %s' % bad, show=lambda: str(invs[cids[bad[0] - 1]]))
    mports = [invs[c].sdp().media[0]['port'] if invs[c].sdp().media else None for c in cids]
    t.check(len(set(mports)) == N and None not in mports,
            'the 16 calls keep distinct media ports', str(mports))

    for i, c in enumerate(cids):
        body = sn.sdp(t.SRV4, ['audio %d RTP/AVP 8|a=rtpmap:8 PCMA/8000|a=sendrecv' % (30000 + 2 * i)],
                      origin='prov', version=7000 + i)
        prov.send(t.answer(invs[c], 200, 'OK', body, to_tag='prov-%d' % i,
                           contact='<sip:+4930%04d@%s:5060>' % (i, t.SRV4)), invs[c].src)
    oks = {}
    for _ in range(N):
        r = pbx.recv_sip(lambda x: x.is_response and x.code == 200 and x.call_id in cids and
                         x.call_id not in oks)
        if not r:
            break
        oks[r.call_id] = r
    t.require(len(oks) == N, 'cli receives all 16 200 OKs', '%d/16' % len(oks))
    for i, c in enumerate(cids):
        pbx.send(sn.build('ACK sip:+4930%04d@%s:5060 SIP/2.0' % (i, t.SRV4), [
            'Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-trunk-ack-%d;rport' % (t.CLI4, i),
            'Max-Forwards: 70', ('From', invs[c].hdr('from')), ('To', oks[c].hdr('to')),
            'Call-ID: ' + c, 'CSeq: 1 ACK']), (t.SRV4, 5060))

    exps = t.expects()
    have = [i for i in range(N) if t.expect_for(mports[i], t.WAN4, exps)]
    pend = [i for i in range(N) if t.expect_for(mports[i], t.WAN4, exps) and
            t.expect_for(mports[i] + 1, t.WAN4, exps)]
    t.note('%d expectations pending for 16 calls on one flow' % len(exps))
    t.check(len(pend) == N, 'RTP and RTCP pinholes of all 16 calls pending at once, none evicted',
            '%d/16 calls have both' % len(pend), show=t.expects_text)
    t.check(len(have) == N, 'an RTP expectation for each of the 16 calls',
            '%d/16 (missing calls %s)' % (len(have), [i + 1 for i in range(N) if i not in have]),
            show=t.expects_text)

    down = sn.media_batch([(s_rtp[i], (t.WAN4, mports[i]), c_rtp[i]) for i in range(N)])
    n = sum(1 for x in down if x)
    t.check(n == N, 'RTP from srv reaches cli on all 16 calls', '%d/16 (missing calls %s)' % (
        n, [i + 1 for i in range(N) if not down[i]]),
        show=lambda: t.conntrack_text('-p udp'))
    up = sn.media_batch([(c_rtp[i], (t.SRV4, 30000 + 2 * i), s_rtp[i]) for i in range(N)])
    n = sum(1 for x in up if x)
    t.check(n == N, 'RTP from cli reaches srv on all 16 calls', '%d/16' % n)
    sym = sum(1 for i in range(N) if up[i] and sn.same_hostport(up[i], (t.WAN4, mports[i])))
    t.check(sym == N, 'RTP from cli comes from the advertised port on all 16 calls',
            '%d/16' % sym, show=lambda: t.conntrack_text('-p udp'))

    sports = [30000 + 2 * i for i in range(N)]

    def per_call(exps):
        out = []
        for i in range(N):
            ports = {mports[i], mports[i] + 1, sports[i], sports[i] + 1}
            out.append(sorted((e.get('dst'), e.get('dport')) for e in exps
                              if e.get('helper') == t.helper and e.get('dport') in ports))
        return out

    # re-INVITE of one call with new media ports: its pinholes are replaced,
    # no other call's are touched.
    k, c = RE_CALL, cids[RE_CALL]
    before = per_call(t.expects())
    c_new, s_new = t.udp('cli', t.CLI4, 12100), t.udp('srv', t.SRV4, 30100)
    body = sn.sdp(t.CLI4, ['audio 12100 RTP/AVP 8|a=rtpmap:8 PCMA/8000|a=sendrecv'],
                  origin='pbx', version=6000 + k)
    pbx.send(sn.build('INVITE sip:+4930%04d@%s:5060 SIP/2.0' % (k, t.SRV4), [
        'Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-trunk-re-%d;rport' % (t.CLI4, k),
        'Max-Forwards: 70', ('From', invs[c].hdr('from')), ('To', oks[c].hdr('to')),
        'Call-ID: ' + c, 'CSeq: 2 INVITE', 'Contact: <sip:+4989100@%s:5060>' % t.CLI4,
        'Content-Type: application/sdp'], body), (t.SRV4, 5060))
    m = prov.recv_sip(lambda x: x.method == 'INVITE' and x.call_id == c and x.cseq[0] == 2)
    t.require(m, 'srv receives the re-INVITE of call 9', 'nothing arrived in 5 s')
    ms = m.sdp()
    t.check(ms.media and sn.same_addr(ms.addr(0), t.WAN4) and ms.media[0]['port'] not in mports,
            're-INVITE of call 9 is rewritten with a new public media port',
            'SDP c=%s m=%s' % (ms.c_addr, ms.media and ms.media[0]['port']), show=m)
    body = sn.sdp(t.SRV4, ['audio 30100 RTP/AVP 8|a=rtpmap:8 PCMA/8000|a=sendrecv'],
                  origin='prov', version=8000 + k)
    prov.send(t.answer(m, 200, 'OK', body, to_tag='prov-%d' % k,
                       contact='<sip:+4930%04d@%s:5060>' % (k, t.SRV4)), m.src)
    t.require(pbx.recv_sip(lambda x: x.is_response and x.call_id == c and x.cseq == (2, 'INVITE')),
              'cli receives the 200 OK to the re-INVITE of call 9', 'nothing arrived in 5 s')
    pbx.send(sn.build('ACK sip:+4930%04d@%s:5060 SIP/2.0' % (k, t.SRV4), [
        'Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-trunk-reack-%d;rport' % (t.CLI4, k),
        'Max-Forwards: 70', ('From', invs[c].hdr('from')), ('To', oks[c].hdr('to')),
        'Call-ID: ' + c, 'CSeq: 2 ACK']), (t.SRV4, 5060))
    if ms.media and ms.media[0]['port']:
        mports[k], sports[k] = ms.media[0]['port'], 30100
        t.check(sn.media(s_new, (ms.addr(0), mports[k]), c_new),
                "RTP from srv reaches call 9's new port on cli", 'nothing arrived at cli:12100',
                show=t.expects_text)
    after = per_call(t.expects())
    others = [i + 1 for i in range(N) if i != k and after[i] != before[i]]
    t.check(not others, "re-INVITE of call 9 leaves the other calls' expectations",
            'changed for calls %s' % others, show=t.expects_text)

    # BYE of one call: only its own expectations go.
    before = per_call(t.expects())
    t.note('expectations per call before the BYE: %s' % [len(x) for x in before])
    t.debug(t.expects_text)
    k, c = BYE_CALL, cids[BYE_CALL]
    pbx.send(sn.build('BYE sip:+4930%04d@%s:5060 SIP/2.0' % (k, t.SRV4), [
        'Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-trunk-bye-%d;rport' % (t.CLI4, k),
        'Max-Forwards: 70', ('From', invs[c].hdr('from')), ('To', oks[c].hdr('to')),
        'Call-ID: ' + c, 'CSeq: 2 BYE']), (t.SRV4, 5060))
    b = prov.recv_sip(sn.is_req('BYE', c))
    t.require(b, 'srv receives the BYE of call 5', 'nothing arrived in 5 s')
    prov.send(t.answer(b, 200, 'OK', to_tag='prov-%d' % k), b.src)
    t.check(pbx.recv_sip(sn.is_resp(200, 'BYE', c)), 'cli receives the 200 OK to the BYE',
            'nothing arrived in 5 s')
    t.check(before[k], 'call 5 has expectations left before its BYE (its RTCP)',
            'none listed', show=t.expects_text)
    after = t.wait_for(lambda: (lambda a: a if not a[k] else None)(per_call(t.expects())), 2) \
        or per_call(t.expects())
    t.check(not after[k], "BYE removes call 5's expectations",
            'still listed: %s' % after[k], show=t.expects_text)
    others = [i + 1 for i in range(N) if i != k and after[i] != before[i]]
    t.check(before[k] and not others, "BYE of call 5 leaves the other 15 calls' expectations",
            'changed for calls %s' % others, show=t.expects_text)


sn.Test().run(scenario)
