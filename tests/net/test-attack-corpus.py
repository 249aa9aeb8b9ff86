# SPDX-License-Identifier: GPL-2.0
# The scenario of test-attack-corpus.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import glob
import os
import socket
import threading
import time

import mutate as mu
import sipnet as sn

FILES = sorted(glob.glob(os.path.join(os.environ['CORPUS'], '*.sip')))
CORPUS = [(os.path.basename(f)[:-4], open(f, 'rb').read()) for f in FILES]


def seen(rtr, before):
    d = mu.stats_delta(mu.stats(rtr), before)
    return d.get('messages', 0) + d.get('malformed', 0)


def send_each(t, tx, dst, rx, what):
    """Send every corpus file from TX to DST, one at a time, and collect
    what RX receives; returns (missing names, changed names, counters)."""
    rtr = t.ns['rtr']
    before = mu.stats(rtr)
    missing, changed = [], []
    for name, data in CORPUS:
        tx.send(data, dst)
        got = rx.recv(timeout=2)
        if got is None:
            missing.append(name)
        elif got[0] != data:
            changed.append(name)
    t.wait_for(lambda: seen(rtr, before) >= len(CORPUS), 2)
    d = mu.stats_delta(mu.stats(rtr), before)
    t.note('%s: %s' % (what, ' '.join('%s=%d' % kv for kv in sorted(d.items()))))
    n = d.get('messages', 0) + d.get('malformed', 0)
    t.check(not missing, '%s, all %d torture messages arrive' % (what, len(CORPUS)),
            'missing: %s' % ' '.join(missing))
    t.check(not changed, '%s, they arrive unchanged' % what,
            'changed: %s' % ' '.join(changed))
    t.check(n == len(CORPUS), '%s, the helper looks at every one' % what,
            'messages + malformed = %d' % n)
    return d


def tcp_stream(t):
    with sn.netns(t.ns['srv']):
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((t.SRV4, 5060))
    ls.listen(1)
    ls.settimeout(10)
    want = b''.join(d for _, d in CORPUS)
    got = []

    def serve():
        try:
            c, _ = ls.accept()
            c.settimeout(10)
            n = 0
            while n < len(want):
                d = c.recv(65536)
                if not d:
                    break
                got.append(d)
                n += len(d)
            c.sendall(b'SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n')
            c.close()
        except OSError as e:
            t.note('tcp server: %s' % e)

    th = threading.Thread(target=serve)
    th.start()
    with sn.netns(t.ns['cli']):
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c.settimeout(10)
    reply = b''
    try:
        c.bind((t.CLI4, 5010))
        c.connect((t.SRV4, 5060))
        for _, d in CORPUS:
            c.sendall(d)
            time.sleep(0.002)      # one segment per file, mostly
        reply = c.recv(4096)
    except OSError as e:
        t.note('tcp client: %s' % e)
    c.close()
    th.join(15)
    ls.close()
    data = b''.join(got)
    t.check(data == want, 'TCP, the torture messages arrive as one intact stream',
            '%d of %d bytes, %s' % (len(data), len(want),
                                    'equal so far' if want.startswith(data) else 'different'))
    t.check(reply.startswith(b'SIP/2.0 200'), 'TCP, the stream still carries data back',
            'cli got %r' % reply[:40])


# The files tests/unit/test_sip_parse.c asserts sip_parse() refuses (its
# BAD() rows, RFC 4475 3.1.2): with drop_malformed=1 the router must drop
# exactly these and pass every other file. The expectation is this list,
# not the module's own counters, so a parser that starts refusing (or
# accepting) a file fails here.
REFUSED = {
    'badinv01', 'clerr', 'ncl', 'scalar02', 'scalarlg', 'quotbal', 'ltgtruri',
    'lwsruri', 'escruri', 'regbadct', 'badaspec', 'baddn', 'badvers',
    'mismatch01', 'mismatch02', 'bigcode', 'mcl01', 'multi01', 'insuf',
}


def drop_pass(t):
    """drop_malformed=1: exactly the known malformed files are dropped."""
    rtr = t.ns['rtr']
    cli = t.udp('cli', t.CLI4, 5010)
    srv = t.udp('srv', t.SRV4, 5060)
    wrong = []
    ndrop = 0
    for name, data in CORPUS:
        bad = name in REFUSED
        before = mu.stats(rtr)
        cli.send(data, (t.SRV4, 5060))
        # the helper runs in the sender's softirq: its verdict is counted
        # by the time send returns; a dropped one needs only a short look
        got = srv.recv(timeout=0.3 if bad else 2)
        dropped = mu.stats_delta(mu.stats(rtr), before).get('dropped', 0)
        ndrop += dropped
        if bad != (got is None) or dropped != int(bad) or (got and got[0] != data):
            wrong.append('%s (%s: %s, dropped counter +%d)' % (
                name, 'malformed' if bad else 'valid',
                'lost' if got is None else 'passed' if got[0] == data else 'changed',
                dropped))
    t.note('drop_malformed=1: %d of %d dropped' % (ndrop, len(CORPUS)))
    t.check(not wrong, 'drop_malformed=1 drops exactly the %d malformed files and '
            'passes the others unchanged' % len(REFUSED), '; '.join(wrong))
    cli.close()
    srv.close()
    t.sockets = []


def scenario(t):
    names = {n for n, _ in CORPUS}
    t.setup_step(len(CORPUS) >= 49 and REFUSED <= names, 'the RFC 4475 corpus is in the tree',
                 '%d files, missing: %s' % (len(CORPUS), ' '.join(sorted(REFUSED - names))))
    t.setup(tcp=True)
    rtr = t.ns['rtr']
    mark = mu.dmesg_mark()
    cli = t.udp('cli', t.CLI4, 5010)
    srv = t.udp('srv', t.SRV4, 5060)
    own = t.udp('rtr', t.WAN4, 5060)

    # the flow and its public mapping
    opt = sn.build('OPTIONS sip:%s SIP/2.0' % t.SRV4, [
        'Via: SIP/2.0/UDP %s:5010;branch=z9hG4bK-corpus;rport' % t.CLI4,
        'From: <sip:c@%s>;tag=c' % t.SRV4, 'To: <sip:%s>' % t.SRV4,
        'Call-ID: corpus-prime', 'CSeq: 1 OPTIONS'])
    cli.send(opt, (t.SRV4, 5060))
    m = srv.recv_sip(sn.is_req('OPTIONS'))
    t.require(m, 'a valid OPTIONS crosses the router first', 'nothing arrived in 5 s')
    pub = m.src
    srv.send(t.answer(m, 200, 'OK'), pub)
    t.require(cli.recv_sip(sn.is_resp(200)), 'its 200 OK comes back', 'nothing arrived in 5 s')

    send_each(t, cli, (t.SRV4, 5060), srv, 'UDP from the LAN')
    send_each(t, srv, pub, cli, 'UDP from the WAN into the mapping')
    send_each(t, srv, (t.WAN4, 5060), own, "UDP from the WAN to the router's own port")
    for s in (cli, srv, own):
        s.close()
    t.sockets = []
    before = mu.stats(rtr)
    tcp_stream(t)
    t.note('TCP: %s' % ' '.join('%s=%d' % kv for kv in sorted(
        mu.stats_delta(mu.stats(rtr), before).items())))
    mu.check_dmesg(t, mark, 'the torture messages')

    nexp = len(mu.all_expect_lines(rtr))
    maxexp = int(mu.read_in(rtr, '/proc/sys/net/netfilter/nf_conntrack_expect_max'))
    t.check(nexp <= maxexp, 'pinholes stay within nf_conntrack_expect_max',
            '%d of %d' % (nexp, maxexp))
    sn.sh(rtr, 'conntrack -F', check=True)
    t.check(t.wait_for(lambda: not mu.expect_lines(rtr), 3),
            'no pinhole is left after the flows are flushed',
            '%d left' % len(mu.expect_lines(rtr)))
    mu.valid_call(t, 'after the torture messages')

    # drop_malformed is load-time only: reload the modules with it
    sn.sh(rtr, 'nft delete table inet sipnet_helper && conntrack -F', check=True)
    t.setup({'drop_malformed': 1})
    drop_pass(t)
    mu.valid_call(t, 'with drop_malformed=1')
    mu.check_dmesg(t, mark, 'the drop_malformed=1 pass')


sn.Test().run(scenario)
