# SPDX-License-Identifier: GPL-2.0
# The scenario of test-counters.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import mutate as mu
import sipnet as sn


def counters(t):
    return mu.stats(t.ns['rtr'])


def scenario(t):
    if t.helper != 'sipalg':
        t.skip('the counters are sipalg\'s own')
    t.setup()
    phone = t.udp('cli', t.CLI4, 5010)
    pbx = t.udp('srv', t.SRV4, 5060)
    before = counters(t)

    cid = 'counters-1'
    hdrs = ['Via: SIP/2.0/UDP %s:5010;branch=z9hG4bK-c1;rport' % t.CLI4,
            'Max-Forwards: 70', 'From: <sip:011@%s>;tag=c1' % t.SRV4,
            'To: <sip:800@%s>' % t.SRV4, 'Call-ID: ' + cid, 'CSeq: 1 INVITE',
            'Contact: <sip:011@%s:5010>' % t.CLI4, 'Content-Type: application/sdp']
    phone.send(sn.build('INVITE sip:800@%s SIP/2.0' % t.SRV4, hdrs,
                        sn.sdp(t.CLI4, ['audio 10006 RTP/AVP 0'])), (t.SRV4, 5060))
    inv = pbx.recv_sip(sn.is_req('INVITE', cid))
    t.require(inv, 'the INVITE crosses the router')
    pbx.send(t.answer(inv, 200, 'OK', sn.sdp(t.SRV4, ['audio 20000 RTP/AVP 0']),
                      contact='<sip:800@%s:5060>' % t.SRV4), inv.src)
    ok = phone.recv_sip(sn.is_resp(200, 'INVITE', cid))
    t.require(ok, 'the 200 OK reaches the phone')
    # One RTP packet from the PBX through the phone's pinhole.
    rtp_c, rtp_s = t.udp('cli', t.CLI4, 10006), t.udp('srv', t.SRV4, 20000)
    sdp = inv.sdp()
    t.require(sn.media(rtp_s, (sdp.addr(0), sdp.media[0]['port']), rtp_c),
              'RTP from the PBX reaches the phone')
    for method, cseq in (('ACK', 1), ('BYE', 2)):
        phone.send(sn.build('%s sip:800@%s SIP/2.0' % (method, t.SRV4), [
            'Via: SIP/2.0/UDP %s:5010;branch=z9hG4bK-c%s;rport' % (t.CLI4, method),
            'Max-Forwards: 70', ('From', inv.hdr('from')), ('To', ok.hdr('to')),
            'Call-ID: ' + cid, 'CSeq: %d %s' % (cseq, method),
            'Contact: <sip:011@%s:5010>' % t.CLI4]), (t.SRV4, 5060))
        got = pbx.recv_sip(sn.is_req(method, cid))
        t.require(got, 'the %s crosses the router' % method)
    pbx.send(t.answer(got, 200, 'OK'), got.src)
    t.require(phone.recv_sip(sn.is_resp(200, 'BYE', cid)), 'the 200 OK to the BYE reaches the phone')
    phone.send(b'\x00\x01garbage, not SIP\r\n', (t.SRV4, 5060))
    t.require(pbx.recv(timeout=3), 'the garbage datagram passes untouched (drop_malformed=0)')

    after = counters(t)
    want = {
        'messages': 5,          # INVITE, 200, ACK, BYE, 200
        'requests': 3,
        'responses': 2,
        'req_invite': 1,
        'req_ack': 1,
        'req_bye': 1,
        'req_register': 0,
        'resp_2xx': 2,
        'resp_4xx': 0,
        'rewritten': 5,         # every one names the phone (Via at least)
        'malformed': 1,         # the garbage
        'sdp_malformed': 0,
        'dropped': 0,
        'media_pinholes': 4,    # RTP + RTCP for each side's SDP
        'media_removed': 3,     # those still pending when the BYE came
        'media_matched': 1,     # the phone's RTP pinhole
        'media_refused': 0,
        'media_failed': 0,
        'unreplied_kept_short': 1,  # only the INVITE came before any reply
        'calls_active': 0,      # gauges: the BYE ended the call's record
        'call_pinholes': 0,
    }
    for k, v in want.items():
        got = after.get(k, 0) - before.get(k, 0)
        t.check(got == v, '%s moves by %d' % (k, v), 'moved by %d' % got)


sn.Test().run(scenario)
