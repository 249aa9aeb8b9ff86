# SPDX-License-Identifier: GPL-2.0
# The scenario of test-call-table.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import json
import os
import re
import threading
import time

import mutate as mu
import sipnet as sn

MAX_CALLS = 8192
TRUNK = 16
MANY = 4096
LNSTAT_MSGS = 7
PH = re.compile(r'^(.*):(\d+)=(.*):(\d+):(pending|used/expired)(\+rtcp)?$')


def listing(t):
    """The router's /proc/net/sipalg_calls: its header and its lines, each
    as a dict."""
    text = mu.read_in(t.ns['rtr'], '/proc/net/sipalg_calls')
    lines = text.splitlines()
    out = []
    for ln in lines[1:]:
        f = ln.split(' ')
        rec = {'line': ln, 'cid': f[0], 'proto': f[1], 'orig': f[2], 'reply': f[3],
               'state': f[4], 'age': f[5], 'idle': f[6], 'ph': []}
        if len(f) > 7 and f[7] != '-':
            for p in f[7].split(','):
                m = PH.match(p)
                rec['ph'].append(m.groups() if m else p)
        out.append(rec)
    return (lines[0] if lines else ''), out


def of_call(t, cid):
    return [r for r in listing(t)[1] if r['cid'] == cid]


def from_port(t, sport):
    return [r for r in listing(t)[1] if r['orig'].split('->')[0].endswith(':%d' % sport)]


def invite(t, cid, sport, mport, cseq=1, tag='t'):
    body = sn.sdp(t.CLI4, ['audio %d RTP/AVP 0|a=rtpmap:0 PCMU/8000|a=sendrecv' % mport],
                  origin='phone', version=1000 + cseq)
    return sn.build('INVITE sip:800@%s SIP/2.0' % t.SRV4, [
        'Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-%s-%d;rport' % (t.CLI4, sport, cid, cseq),
        'Max-Forwards: 70', 'From: <sip:011@%s>;tag=%s' % (t.SRV4, tag),
        'To: <sip:800@%s>' % t.SRV4, 'Call-ID: ' + cid, 'CSeq: %d INVITE' % cseq,
        'Contact: <sip:011@%s:%d>' % (t.CLI4, sport), 'Content-Type: application/sdp'], body)


def bye(t, cid, sport, inv, ok):
    return sn.build('BYE sip:800@%s:5060 SIP/2.0' % t.SRV4, [
        'Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-%s-bye;rport' % (t.CLI4, sport, cid),
        'Max-Forwards: 70', ('From', inv.hdr('from')), ('To', ok.hdr('to')),
        'Call-ID: ' + cid, 'CSeq: 9 BYE'])


def one_call(t, cli, srv):
    cid = 'table-one@%s' % t.CLI4
    cli.send(invite(t, cid, 5010, 10006), (t.SRV4, 5060))
    m = srv.recv_sip(sn.is_req('INVITE', cid))
    t.require(m and m.sdp().media, 'the INVITE with SDP crosses the router', 'nothing arrived')
    pub = m.sdp().media[0]['port']
    hdr, _ = listing(t)
    t.check(hdr.split()[:5] == ['call_id', 'proto', 'original', 'reply', 'state'],
            'the listing opens with a header naming its columns', repr(hdr))
    r = of_call(t, cid)
    t.check(len(r) == 1 and r[0]['state'] == 'offered' and r[0]['proto'] == 'udp',
            'after the INVITE the call is listed once, offered, on udp', str(r))
    want = (t.WAN4, str(pub), t.CLI4, '10006', 'pending', '+rtcp')
    t.check(r and r[0]['ph'] == [want],
            'the call lists its public media port %d and the phone\'s 10006, pending' % pub,
            'pinholes %s, want %s' % (r and r[0]['ph'], want))
    t.check(r and r[0]['orig'] == '%s:5010->%s:5060' % (t.CLI4, t.SRV4) and
            r[0]['reply'].startswith('%s:5060->%s:' % (t.SRV4, t.WAN4)),
            'the call lists its flow before and after the NAT', r and r[0]['line'])
    srv.send(t.answer(m, 200, 'OK', sn.sdp(t.SRV4, ['audio 20000 RTP/AVP 0|a=sendrecv'],
                                               origin='pbx'), to_tag='pbx-one'), m.src)
    ok = cli.recv_sip(sn.is_resp(200, 'INVITE', cid))
    t.require(ok, 'the 200 OK reaches the phone', 'nothing arrived')
    r = of_call(t, cid)
    t.check(len(r) == 1 and r[0]['state'] == 'answered',
            'after the 200 OK the call is answered', str(r))
    cli.send(bye(t, cid, 5010, m, ok), (t.SRV4, 5060))
    t.require(srv.recv_sip(sn.is_req('BYE', cid)), 'the BYE crosses the router', 'nothing arrived')
    t.check(not of_call(t, cid), 'after the BYE the call is gone', str(of_call(t, cid)))


def trunk(t, cli, srv):
    cids = ['table-trunk-%02d' % i for i in range(TRUNK)]
    for i, c in enumerate(cids):
        cli.send(invite(t, c, 5062, 12000 + 2 * i), (t.SRV4, 5060))
    invs = {}
    for _ in range(TRUNK):
        m = srv.recv_sip(lambda x: x.method == 'INVITE' and x.call_id in cids)
        if not m:
            break
        invs[m.call_id] = m
    t.require(len(invs) == TRUNK, 'the trunk\'s 16 INVITEs cross the router', '%d' % len(invs))
    rows = from_port(t, 5062)
    t.note('the listing with the trunk:\n' +
           mu.read_in(t.ns['rtr'], '/proc/net/sipalg_calls').rstrip())
    t.check(len(rows) == TRUNK and sorted(r['cid'] for r in rows) == cids,
            'a trunk of 16 calls on one flow lists exactly 16 lines', '%d lines' % len(rows))

    cli.send(invite(t, cids[3], 5062, 14000, cseq=2), (t.SRV4, 5060))
    t.require(srv.recv_sip(sn.is_req('INVITE', cids[3])),
              'the re-INVITE crosses the router', 'nothing arrived')
    r = of_call(t, cids[3])
    privs = [p[3] for p in r[0]['ph']] if r else []
    t.check(privs == ['14000'],
            'a re-INVITE moving media lists the new port 14000 and not 12006',
            'private ports %s' % privs)

    rc, out = sn.sh(t.ns['rtr'], 'conntrack -D -p udp --orig-src %s --sport 5062' % t.CLI4)
    t.setup_step(rc == 0, 'conntrack -D the trunk\'s flow', out.strip())
    rows = from_port(t, 5062)
    t.check(not rows, 'a flow deleted with conntrack -D leaves none of its calls',
            '%d lines left' % len(rows))


def many(t, cli, srv):
    for i in range(MANY):
        if i % 128 == 0:
            time.sleep(0.02)    # within the veth backlog
        cli.send(mu.flood_invite(t.CLI4, 5070, t.SRV4, 'table-many-%d' % i, streams=0),
                 (t.SRV4, 5060))
    t.wait_for(lambda: len(from_port(t, 5070)) >= MANY, 20, interval=0.5)
    more = t.udp('cli', t.CLI4, 5072)
    stop = threading.Event()
    sent = [0]

    def churn():
        while not stop.is_set() and sent[0] < 2000:
            more.send(mu.flood_invite(t.CLI4, 5072, t.SRV4, 'table-more-%d' % sent[0],
                                      streams=0), (t.SRV4, 5060))
            sent[0] += 1
            if sent[0] % 128 == 0:
                time.sleep(0.02)

    th = threading.Thread(target=churn)
    th.start()
    try:
        rows = [listing(t)[1] for _ in range(3)]
    finally:
        stop.set()
        th.join()
    n = [sum(1 for r in rs if r['orig'].split('->')[0].endswith(':5070')) for rs in rows]
    t.check(min(n) >= MANY and sent[0] > 0,
            'with 4096 calls on a flow, reads done while more are set up list all 4096',
            'lines of the flow per read %s, %d calls set up meanwhile' % (n, sent[0]))


def lnstat(t, args):
    """lnstat's output in the router.  Its exit status is no answer: it
    exits 1 once its count of reads is done."""
    rc, out = sn.sh(t.ns['rtr'], 'lnstat ' + args)
    return out


def lnstat_json(t, args):
    try:
        # One read over an interval of 1 s: a counter's total over the CPUs.
        return json.loads(lnstat(t, '-j -c 1 -i 1 ' + args))
    except ValueError:
        return None


def column_sum(t, f, k):
    """Field K of /proc/net/stat/F summed over the CPUs' lines."""
    lines = mu.read_in(t.ns['rtr'], '/proc/net/stat/' + f).splitlines()
    col = lines[0].split().index(k)
    return sum(int(ln.split()[col], 16) for ln in lines[1:])


def counters(t, cli):
    """The counters in lnstat's format: a counter column, summed over the
    CPUs' lines, rises by exactly the messages sent; lnstat reads every
    file, its gauges as one value."""
    before = lnstat_json(t, '-f sipalg -k messages,requests,req_invite')
    t.setup_step(before and 'messages' in before, 'lnstat -f sipalg reads the counters',
                 str(before))
    for i in range(LNSTAT_MSGS):
        cli.send(mu.flood_invite(t.CLI4, 5074, t.SRV4, 'table-lnstat-%d' % i, streams=0),
                 (t.SRV4, 5060))
    t.wait_for(lambda: mu.stats(t.ns['rtr'])['messages'] - before['messages'] >= LNSTAT_MSGS, 5)
    time.sleep(0.3)
    after = lnstat_json(t, '-f sipalg -k messages,requests,req_invite') or {}
    d = {k: after.get(k, 0) - v for k, v in before.items()}
    t.check(d == dict.fromkeys(before, LNSTAT_MSGS),
            'lnstat sees messages, requests and req_invite, summed over the CPUs, '
            'rise by exactly the %d sent' % LNSTAT_MSGS, 'before %s, after %s' % (before, after))
    text = mu.read_in(t.ns['rtr'], '/proc/net/stat/sipalg')
    lines = text.splitlines()
    col = lines[0].split().index('calls_active')
    gauge = set(ln.split()[col] for ln in lines[1:])
    t.check(col == 0 and len(lines) == 1 + os.cpu_count() and len(gauge) == 1 and
            int(gauge.pop(), 16) == mu.call_objects(t.ns['rtr']),
            'the stat file leads with calls_active, the same on each CPU\'s line',
            text)
    got = lnstat_json(t, '-f sipalg -k calls_active') or {}
    t.check(got.get('calls_active') == mu.call_objects(t.ns['rtr']),
            'lnstat shows the calls_active gauge as one value, not a sum',
            '%s, calls_active %s' % (got, mu.call_objects(t.ns['rtr'])))
    for f, k in (('sipalg', 'messages'), ('sipalg_tcp', 'tcp_held'),
                 ('sipalg_media', 'media_pinholes')):
        got = lnstat_json(t, '-f %s -k %s' % (f, k)) or {}
        want = column_sum(t, f, k)
        t.check(got.get(k) == want, 'lnstat -f %s reads %s summed over the CPUs' % (f, k),
                '%s, the file\'s sum %s' % (got, want))
    out = lnstat(t, '-f sipalg -f nf_conntrack -i 1 -c 2')
    t.check('sipalg' in out and 'nf_connt' in out and
            len(out.strip().splitlines()) >= 5,
            'lnstat -f sipalg -f nf_conntrack -i 1 -c 2 reads both files', out)


def scenario(t):
    t.setup(params={'max_calls': MAX_CALLS})
    cli = t.udp('cli', t.CLI4, 5010)
    trunk_s = t.udp('cli', t.CLI4, 5062)
    flood = t.udp('cli', t.CLI4, 5070)
    srv = t.udp('srv', t.SRV4, 5060)
    one_call(t, cli, srv)
    trunk(t, trunk_s, srv)
    srv.drain()
    counters(t, cli)
    many(t, flood, srv)


sn.Test().run(scenario)
