#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo, inside the VM: a Fanvil X3 desk phone behind a masquerading
# router calls a PBX on the WAN through sipalg.  Shows the INVITE as the
# phone sent it and as the PBX received it, the answer on its way back, the
# pinholes the router opened, and RTP crossing the router both ways.
#
#   phone 192.168.0.31:5010 --- lan [rtr: masquerade + sipalg] wan --- PBX 203.0.113.5
set -u
TEST_NAME=demo
. "$(dirname "${BASH_SOURCE[0]}")/../tests/net/lib.sh"

cleanup() { cleanup_all_ns; }
trap cleanup EXIT

setup_topology || { echo "demo: cannot build the topology"; exit 1; }
export TEST_NAME HELPER=sipalg cli rtr srv CLI4 RTR_WAN4 SRV4 CLI6 RTR_WAN6 SRV6

PYTHONPATH=$(dirname "${BASH_SOURCE[0]}")/../tests/net python3 - <<'PYEOF'
import difflib
import mutate as mu
import sipnet as sn


def show(title, text):
    print('\n--- %s ' % title + '-' * max(0, 66 - len(title)))
    for ln in text.replace('\r\n', '\n').rstrip('\n').split('\n'):
        print('  ' + ln)


def diff(a, b, name_a, name_b):
    print('\n--- what the router changed ' + '-' * 40)
    for ln in difflib.unified_diff(a.replace('\r\n', '\n').split('\n'),
                                   b.replace('\r\n', '\n').split('\n'),
                                   name_a, name_b, n=0, lineterm=''):
        print('  ' + ln)


def scenario(t):
    t.setup()
    phone = t.udp('cli', t.CLI4, 5010)
    pbx = t.udp('srv', t.SRV4, 5060)
    rtp_c = t.udp('cli', t.CLI4, 10006)
    rtp_s = t.udp('srv', t.SRV4, 20000)

    inv = sn.FANVIL_INVITE.replace('INVITE sip:*43@avantelecom.avantele.com;',
                                   'INVITE sip:*43@%s;' % t.SRV4)
    show('INVITE as the phone sends it (LAN)', inv)
    phone.send(inv, (t.SRV4, 5060))
    got = pbx.recv_sip(sn.is_req('INVITE'))
    t.require(got, 'the PBX receives the INVITE')
    show('INVITE as the PBX receives it (WAN), from %s' % sn.fmt(got.src),
         got.raw.decode())
    diff(inv, got.raw.decode(), 'phone', 'pbx')
    sdp = got.sdp()

    ok = sn.build('SIP/2.0 200 OK', [
        ('Via', v) for v in got.hdrs('via')] + [
        ('From', got.hdr('from')), ('To', got.hdr('to') + ';tag=pbx1'),
        ('Call-ID', got.call_id), ('CSeq', got.hdr('cseq')),
        ('Contact', '<sip:pbx@%s:5060>' % t.SRV4),
        ('Content-Type', 'application/sdp')],
        sn.sdp(t.SRV4, ['audio 20000 RTP/AVP 8|a=sendrecv']))
    pbx.send(ok, got.src)
    back = phone.recv_sip(sn.is_resp(200))
    t.require(back, 'the phone receives the 200 OK')
    diff(ok.decode(), back.raw.decode(), 'pbx sent', 'phone got')

    print('\n--- pinholes in the router (conntrack -L expect) ' + '-' * 19)
    print(sn.sh(t.ns['rtr'], 'conntrack -L expect 2>/dev/null')[1].rstrip())

    dst = (sdp.addr(0), sdp.media[0]['port'])
    print('\n--- RTP ' + '-' * 60)
    src = sn.media(rtp_s, dst, rtp_c)
    t.check(src, 'RTP from the PBX to %s reaches the phone on 10006' % sn.fmt(dst))
    src2 = sn.media(rtp_c, (t.SRV4, 20000), rtp_s)
    t.check(src2, 'RTP from the phone reaches the PBX (seen from %s)' % (sn.fmt(src2) if src2 else '-'))

    print('\n--- counters (/proc/net/stat/sipalg in the router) ' + '-' * 16)
    for k, v in mu.stats(t.ns['rtr']).items():
        if v:
            print('%-24s %d' % (k, v))


sn.Test().run(scenario)
PYEOF
