# SPDX-License-Identifier: GPL-2.0
# The scenario of test-call-timeout.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import sipnet as sn

T1, T2 = 900, 1200


def scenario(t):
    t.setup({'sip_timeout': T1})
    cli = t.udp('cli', t.CLI4, 5010)
    srv = t.udp('srv', t.SRV4, 5060)
    rc, out = sn.sh(t.ns['srv'], 'nft -f -', input='table inet outage {\n chain input { '
                    'type filter hook input priority filter; udp dport 5060 drop; }\n}\n')
    t.require(rc == 0, 'srv drops SIP (uplink outage)', out)

    reg = sn.FANVIL_REGISTER.replace('REGISTER sip:avantelecom.avantele.com ',
                                     'REGISTER sip:%s ' % t.SRV4)

    def register(n):
        cli.send(reg.replace('CSeq: 1 REGISTER', 'CSeq: %d REGISTER' % n)
                    .replace('branch=z9hG4bK1076223', 'branch=z9hG4bK10762%02d' % n),
                 (t.SRV4, 5060))

    def flow():
        for c in t.conntrack('-p udp --orig-src %s --orig-port-src 5010 --orig-port-dst 5060' % t.CLI4):
            if c['orig'].get('sport') == 5010:
                return c
        return None

    timeouts = []
    for n in range(1, 4):
        register(n)
        c = t.wait_for(flow, 2)
        timeouts.append(c and c['timeout'])
    c = flow()
    t.require(c, 'the unanswered REGISTERs create a flow in rtr', 'none listed',
              show=lambda: t.conntrack_text())
    t.check(c.get('unreplied'), 'the flow stays [UNREPLIED] during the outage', c['line'])
    t.check(all(x is not None and x < 60 for x in timeouts),
            'repeated REGISTERs during the outage keep the short unreplied timeout (< 60 s)',
            'timeouts after each REGISTER: %s' % timeouts, show=c['line'])

    sn.sh(t.ns['srv'], 'nft delete table inet outage')
    register(4)
    m = srv.recv_sip(lambda x: x.method == 'REGISTER' and x.cseq[0] == 4)
    t.require(m, 'srv receives the REGISTER once the outage is over', 'nothing arrived in 5 s',
              show=lambda: t.conntrack_text())
    srv.send(t.answer(m, 200, 'OK', extra=[('Expires', '3600')],
                      contact=(m.hdr('contact') or '').split(';')[0] + ';expires=3600'), m.src)
    t.require(cli.recv_sip(sn.is_resp(200, 'REGISTER')), 'cli receives the 200 OK',
              'nothing arrived in 5 s')
    c = t.wait_for(lambda: (lambda f: f if f and f['timeout'] > 60 else None)(flow()), 2) or flow()
    t.check(c and T1 - 60 < c['timeout'] <= T1,
            'once answered the flow lives for sip_timeout (%d s)' % T1,
            'timeout %s' % (c and c['timeout']), show=c and c['line'])

    t.require(t.set_param('sip_timeout', T2), 'write sip_timeout at run time',
              'the parameter is not writable')
    register(5)
    m = srv.recv_sip(lambda x: x.method == 'REGISTER' and x.cseq[0] == 5)
    t.require(m, 'srv receives the next REGISTER', 'nothing arrived in 5 s')
    srv.send(t.answer(m, 200, 'OK', extra=[('Expires', '3600')],
                      contact=(m.hdr('contact') or '').split(';')[0] + ';expires=3600'), m.src)
    cli.recv_sip(lambda x: x.is_response and x.cseq[0] == 5)
    c = t.wait_for(lambda: (lambda f: f if f and f['timeout'] > T1 else None)(flow()), 2) or flow()
    t.check(c and T2 - 60 < c['timeout'] <= T2,
            'a sip_timeout written at run time applies to the next message (%d s)' % T2,
            'timeout %s' % (c and c['timeout']), show=c and c['line'])


sn.Test().run(scenario)
