# SPDX-License-Identifier: GPL-2.0
# The scenario of test-tcp-split.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import os
import re
import select
import signal
import subprocess
import time
import mutate as mu
import sipnet as sn

body = sn.tcp_sdp


def msg(method, host, n, sdp='', sport=5010):
    return sn.tcp_request(method, host, n, sdp, sport, call='split')


def scenario(t):
    t.setup(tcp=True, port=5060)
    rtr, cli, srv = t.ns['rtr'], t.ns['cli'], t.ns['srv']
    mark = 'tcp-split-mark-%d' % os.getpid()
    sn.sh(None, 'echo %s > /dev/kmsg' % mark)

    def stats():
        return mu.stats(rtr)

    def connect(ls, src, dst, port, sport, nodelay):
        c = t.tcp_connect('cli', src, sport, dst, port, nodelay)
        return c, t.tcp_accept(ls)

    exchange = t.tcp_exchange

    def pinhole(port):
        return t.wait_for(lambda: t.expect_for(port), timeout=2.0)

    def split_case(c, a, A, W, fam, n, where, nodelay, pause=0.0, after_msg=True):
        """INVITE n cut WHERE ('headers' or 'body'); returns the check result."""
        port = 20000 + 2 * n
        sport = c.getsockname()[1]
        inv = msg('INVITE', A, n, body(A, port, fam), sport=sport)
        cut = 90 if where == 'headers' else inv.index('\r\n\r\n') + 4
        mode = 'TCP_NODELAY' if nodelay else 'Nagle'
        s0 = stats()
        ok, took = exchange(c, a, [inv[:cut], inv[cut:]], sn.expect_rewrite(inv, A, W),
                            '%s INVITE split in its %s (%s%s) arrives rewritten' % (
                                'IPv6' if fam == 'IP6' else 'IPv4', where, mode,
                                ', pause' if pause else ''), pause=pause)
        s1 = stats()
        t.check(s1['tcp_held'] == s0['tcp_held'] + 1 and s1['tcp_joined'] == s0['tcp_joined'] + 1,
                '... its first part was held and joined to the rest',
                'tcp_held %d->%d tcp_joined %d->%d tcp_partial %d->%d' % (
                    s0['tcp_held'], s1['tcp_held'], s0['tcp_joined'], s1['tcp_joined'],
                    s0['tcp_partial'], s1['tcp_partial']))
        t.check(pinhole(port), '... and its media pinhole (port %d) exists' % port,
                show=t.expects_text)
        if not nodelay:
            # The counter tells; the time only bounds a stall (a loaded
            # host may take a second under emulation).
            t.check(took < 3.0 + pause and s1['tcp_hold_resent'] == s0['tcp_hold_resent'],
                    '... without waiting for a retransmission (router ACK)',
                    'took %.2f s, tcp_hold_resent %d->%d' % (took, s0['tcp_hold_resent'],
                                                             s1['tcp_hold_resent']))
        if after_msg:
            nxt = msg('OPTIONS', A, n + 1, sport=sport)
            exchange(c, a, [nxt], sn.expect_rewrite(nxt, A, W),
                     '... and a whole message after it arrives rewritten')
        return ok

    A, W = t.CLI4, t.WAN4
    ls = t.tcp_listen('srv', t.SRV4, 5060)

    # TCP_NODELAY: both parts leave at once, or after a pause.
    c, a = connect(ls, A, t.SRV4, 5060, 5010, True)
    first = msg('OPTIONS', A, 1)
    exchange(c, a, [first], sn.expect_rewrite(first, A, W), 'a whole OPTIONS arrives rewritten')
    split_case(c, a, A, W, 'IP4', 10, 'headers', True)
    split_case(c, a, A, W, 'IP4', 20, 'body', True)
    split_case(c, a, A, W, 'IP4', 30, 'headers', True, pause=0.3)
    split_case(c, a, A, W, 'IP4', 40, 'body', True, pause=0.3)

    # The rest and another whole message in one write.
    inv = msg('INVITE', A, 50, body(A, 20100))
    cut = inv.index('\r\n\r\n') + 4
    more = msg('OPTIONS', A, 51)
    exchange(c, a, [inv[:cut], inv[cut:] + more], sn.expect_rewrite(inv + more, A, W),
             'split INVITE followed by another message in the same segment: both rewritten')

    # Larger than the MTU: the sender cuts it at its MSS; the joined
    # segment leaves as GSO.
    s0 = stats()
    big = msg('INVITE', A, 60, body(A, 20120, extra=120))
    t.note('large INVITE: %d bytes' % len(big))
    exchange(c, a, [big], sn.expect_rewrite(big, A, W), 'INVITE larger than the MTU arrives rewritten')
    s1 = stats()
    t.check(s1['tcp_joined_gso'] == s0['tcp_joined_gso'] + 1,
            '... sent on as one GSO segment', 'tcp_joined_gso %d->%d' % (
                s0['tcp_joined_gso'], s1['tcp_joined_gso']))
    t.check(pinhole(20120), '... and its media pinhole exists', show=t.expects_text)

    # Nagle: the second write waits for an ACK of the first part.  tcpdump
    # on cli's side shows the ACK the router sends for srv.
    c2, a2 = connect(ls, A, t.SRV4, 5060, 5012, False)
    pcap = '/tmp/tcp-split-%d.txt' % os.getpid()
    with open(pcap, 'w') as f, sn.netns(cli):
        dump = subprocess.Popen(['tcpdump', '-i', 'veth0', '-nn', '-S', '-l',
                                 'tcp port 5060 and host %s' % t.SRV4],
                                stdout=f, stderr=subprocess.PIPE, text=True)
    ready = select.select([dump.stderr], [], [], 10)[0]
    if ready:
        dump.stderr.readline()
    split_case(c2, a2, A, W, 'IP4', 70, 'headers', False, after_msg=False)
    split_case(c2, a2, A, W, 'IP4', 80, 'body', False)
    time.sleep(0.2)
    dump.send_signal(signal.SIGINT)
    try:
        dump.wait(5)
    except subprocess.TimeoutExpired:
        dump.kill()
    lines = open(pcap).read().splitlines()
    os.unlink(pcap)
    # cli -> srv "seq X:Y ... length 90", then srv -> cli "ack Y", then cli "seq Y:"
    ok, why = False, 'no 90-byte segment from cli'
    ts_ok, ts_why = False, 'no ACK for the held part'
    for i, ln in enumerate(lines):
        m = re.search(r'%s\.5012 > %s\.5060: .* seq (\d+):(\d+),.* length 90' % (
            re.escape(A), re.escape(t.SRV4)), ln)
        if not m:
            continue
        y = m.group(2)
        why = 'no ACK %s from srv before the rest' % y
        held_ts = re.search(r'TS val (\d+) ecr (\d+)', ln)
        for ln2 in lines[i + 1:]:
            if re.search(r'%s\.5060 > %s\.5012: Flags \[\.\], .*ack %s,' % (
                    re.escape(t.SRV4), re.escape(A), y), ln2):
                ok, why = True, ''
                # RFC 7323: the connection uses timestamps, so must the
                # router's ACK, with a TSval the sender's PAWS accepts
                # (not older than the one the held segment echoed).
                ack_ts = re.search(r'TS val (\d+) ecr (\d+)', ln2)
                if not held_ts:
                    ts_why = 'the held segment carries no timestamps: %s' % ln
                elif not ack_ts:
                    ts_why = 'the router\'s ACK has no timestamps: %s' % ln2
                elif (int(ack_ts.group(1)) - int(held_ts.group(2))) % (1 << 32) >= 1 << 31:
                    ts_why = 'TSval %s is older than %s' % (ack_ts.group(1), held_ts.group(2))
                else:
                    ts_ok, ts_why = True, ''
                continue
            if re.search(r'%s\.5012 > .* seq %s:' % (re.escape(A), y), ln2):
                break
            if re.search(r'%s\.5012 > .* seq %s:' % (re.escape(A), m.group(1)), ln2):
                ok, why = False, 'the first part was sent again'
                break
        break
    t.check(ok, 'Nagle: the sender sees an ACK for the held part and then sends the rest', why,
            show=lambda: 'tcpdump on cli:\n' + '\n'.join(lines[:40]))
    t.check(ts_ok, '... that ACK carries the connection\'s timestamps, TSval not older than the sender last saw',
            ts_why, show=lambda: 'tcpdump on cli:\n' + '\n'.join(lines[:40]))
    t.check(not any('Flags [R' in ln for ln in lines), 'no RST on the connection',
            show=lambda: '\n'.join(ln for ln in lines if 'Flags [R' in ln))

    # A whole message and the start of the next in one segment (Nagle): the
    # first is rewritten and sent on at once, the start of the second is cut
    # off and held; the router's ACK for it waits until srv acknowledged the
    # first (an ACK vouches for everything before it).
    s0 = stats()
    opt = msg('OPTIONS', A, 85, sport=5012)
    inv = msg('INVITE', A, 86, body(A, 20172), sport=5012)
    cut = inv.index('\r\n\r\n') + 4
    ok, took = exchange(c2, a2, [opt + inv[:cut], inv[cut:]], sn.expect_rewrite(opt + inv, A, W),
                        'Nagle: a whole message and the start of the next in one segment, then the rest: both rewritten')
    s1 = stats()
    d = {k: s1[k] - s0[k] for k in s1}
    # One hold, one join, one deferred ACK sent once srv acknowledged. A
    # retransmission of the held part (the sender's RTO ran out first on a
    # slow emulated host) defers or sends one more ACK each: then only the
    # hold and the join are exact.
    acks_ok = (d['tcp_acks'] == 1 and d['tcp_ack_deferred'] == 1) if not d['tcp_hold_resent'] \
        else (d['tcp_acks'] >= 1 and d['tcp_ack_deferred'] >= 1)
    t.check(d['tcp_held'] == 1 and d['tcp_joined'] == 1 and acks_ok,
            '... the start of the second was cut off and held, acknowledged after srv\'s ACK, and joined',
            'deltas: tcp_held %d tcp_joined %d tcp_acks %d tcp_ack_deferred %d tcp_hold_resent %d' % (
                d['tcp_held'], d['tcp_joined'], d['tcp_acks'], d['tcp_ack_deferred'],
                d['tcp_hold_resent']))
    t.note('took %.2f s (the ACK waits for srv\'s)' % took)

    # The router's ACK lost once (Nagle): the sender has nothing else to
    # send, so it resends the held part after its timeout; that is dropped
    # and acknowledged again.  (Dropped in rtr's OUTPUT, the lost ACK counts
    # as tcp_ack_failed.)
    sn.sh(rtr, 'nft -f -', input='''table inet ackdrop {
        set once { type ipv4_addr; flags dynamic; }
        chain out {
            type filter hook output priority 0; policy accept;
            ip daddr @once accept
            tcp sport 5060 tcp dport 5012 add @once { ip daddr } counter drop
        }
    }
    ''', check=True)
    s0 = stats()
    inv = msg('INVITE', A, 87, body(A, 20174), sport=5012)
    exchange(c2, a2, [inv[:90], inv[90:]], sn.expect_rewrite(inv, A, W),
             'Nagle, router ACK lost once: the INVITE still arrives rewritten', pause=1.5)
    s1 = stats()
    lost = 'packets 1 ' in sn.sh(rtr, 'nft list table inet ackdrop')[1]
    # The first ACK fails (dropped); every resend of the held part is
    # dropped and acknowledged again. How often the sender resends before
    # an ACK reaches it is its RTO's business: one ACK per resend is exact.
    resent = s1['tcp_hold_resent'] - s0['tcp_hold_resent']
    t.check(lost and resent >= 1 and s1['tcp_acks'] - s0['tcp_acks'] == resent and
            s1['tcp_ack_failed'] == s0['tcp_ack_failed'] + 1,
            '... the resent held part was dropped and acknowledged again',
            'ACK dropped: %s, tcp_hold_resent %d->%d, tcp_acks %d->%d, tcp_ack_failed %d->%d' % (
                lost, s0['tcp_hold_resent'], s1['tcp_hold_resent'], s0['tcp_acks'], s1['tcp_acks'],
                s0['tcp_ack_failed'], s1['tcp_ack_failed']))
    sn.sh(rtr, 'nft delete table inet ackdrop', check=True)

    # Larger than the 16 KB a flow may hold: passes untouched, counted, and
    # the stream stays in sync.
    s0 = stats()
    huge = msg('INVITE', A, 88, body(A, 20176, extra=700), sport=5012)
    t.note('huge INVITE: %d bytes' % len(huge))
    exchange(c2, a2, [huge], huge, 'INVITE larger than 16 KB passes untouched')
    s1 = stats()
    t.check(s1['tcp_hold_failed'] == s0['tcp_hold_failed'] + 1 and
            s1['tcp_partial'] == s0['tcp_partial'] + 1,
            '... counted as tcp_hold_failed and tcp_partial once',
            'tcp_hold_failed %d->%d tcp_partial %d->%d' % (
                s0['tcp_hold_failed'], s1['tcp_hold_failed'], s0['tcp_partial'], s1['tcp_partial']))
    nxt = msg('OPTIONS', A, 89, sport=5012)
    exchange(c2, a2, [nxt], sn.expect_rewrite(nxt, A, W), '... and the next message is rewritten')

    # The joined segment lost once between the router and srv: the sender
    # resends the rest (the first part is acknowledged), and the router
    # joins it to the held part again.
    inv = msg('INVITE', A, 90, body(A, 20180))
    cut = len(inv) // 2
    limit = 60 + (len(inv) * 3) // 4
    sn.sh(srv, 'nft -f -', input='''table inet splitdrop {
        set once { type ipv4_addr; flags dynamic; }
        chain pre {
            type filter hook prerouting priority -300; policy accept;
            ip saddr @once accept
            tcp dport 5060 meta length > %d add @once { ip saddr } counter drop
        }
    }
    ''' % limit, check=True)
    s0 = stats()
    exchange(c, a, [inv[:cut], inv[cut:]], sn.expect_rewrite(inv, A, W),
             'joined segment lost once: the resent rest is joined again and arrives rewritten')
    s1 = stats()
    dropped = 'packets 1 ' in sn.sh(srv, 'nft list table inet splitdrop')[1]
    t.check(dropped and s1['tcp_rejoined'] == s0['tcp_rejoined'] + 1,
            '... it was lost once and joined again',
            'dropped by the rule: %s, tcp_rejoined %d->%d' % (dropped, s0['tcp_rejoined'],
                                                              s1['tcp_rejoined']))
    sn.sh(srv, 'nft delete table inet splitdrop', check=True)
    nxt = msg('OPTIONS', A, 91)
    exchange(c, a, [nxt], sn.expect_rewrite(nxt, A, W), '... and the connection still works')

    # IPv6
    ls6 = t.tcp_listen('srv', t.SRV6, 5060)
    c6, a6 = connect(ls6, t.CLI6, t.SRV6, 5060, 5010, True)
    split_case(c6, a6, t.CLI6, t.WAN6, 'IP6', 100, 'body', True)
    c7, a7 = connect(ls6, t.CLI6, t.SRV6, 5060, 5012, False)
    split_case(c7, a7, t.CLI6, t.WAN6, 'IP6', 110, 'headers', False)

    s = stats()
    t.note('counters: %s' % ' '.join('%s=%d' % (k, v) for k, v in sorted(s.items())
                                    if v and k.startswith('tcp_')))
    t.check(s['tcp_ack_failed'] == 1 and s['tcp_hold_failed'] == 1,
            'no ACK failed but the one dropped on purpose, one message could not be held (the large one)',
            'tcp_ack_failed %d tcp_hold_failed %d' % (s['tcp_ack_failed'], s['tcp_hold_failed']))
    # Without NAT (IPv6 routed, not masqueraded): nothing is rewritten or
    # held back, but a split INVITE still opens its media pinhole: a copy of
    # the first part is parsed with the rest, the stream is not touched.
    sn.sh(rtr, 'nft insert rule inet sipalg_nat postrouting meta nfproto ipv6 return',
          check=True)
    sn.sh(srv, 'ip -6 route add %s/128 via %s' % (t.CLI6, t.WAN6), check=True)
    c9, a9 = connect(ls6, t.CLI6, t.SRV6, 5060, 5016, True)
    for n, where in ((130, 'headers'), (140, 'body')):
        port = 20000 + 2 * n
        inv = msg('INVITE', t.CLI6, n, body(t.CLI6, port, 'IP6'), sport=5016)
        cut = 90 if where == 'headers' else inv.index('\r\n\r\n') + 4
        s0 = stats()
        exchange(c9, a9, [inv[:cut], inv[cut:]], inv,
                 'no NAT: INVITE split in its %s arrives untouched' % where)
        s1 = stats()
        t.check(s1['tcp_peeked'] == s0['tcp_peeked'] + 1 and s1['tcp_held'] == s0['tcp_held'],
                '... its first part was copied, not held',
                'tcp_peeked %d->%d tcp_held %d->%d' % (s0['tcp_peeked'], s1['tcp_peeked'],
                                                       s0['tcp_held'], s1['tcp_held']))
        t.check(pinhole(port), '... and its media pinhole (port %d) exists' % port,
                show=t.expects_text)
    nxt = msg('OPTIONS', t.CLI6, 150, sport=5016)
    exchange(c9, a9, [nxt], nxt, 'no NAT: the next whole message arrives as sent')

    # Everything acknowledged by now: nothing stays held.
    t.check(t.wait_for(lambda: stats()['tcp_held_bytes'] == 0, timeout=3.0),
            'no bytes stay held once the receiver acknowledged them',
            'tcp_held_bytes %d' % stats()['tcp_held_bytes'])
    # Unload while a flow holds bytes: what is held is freed with the module.
    c8, a8 = connect(ls, A, t.SRV4, 5060, 5014, True)
    c8.sendall(msg('INVITE', A, 120, body(A, 20240), sport=5014)[:90].encode())
    t.check(t.wait_for(lambda: stats()['tcp_held_bytes'] == 90, timeout=3.0),
            'a flow holds bytes', 'tcp_held_bytes %d' % stats()['tcp_held_bytes'])
    sn.sh(rtr, 'nft delete table inet sipnet_helper', check=True)
    rc, out = 1, ''
    end = time.monotonic() + 10
    while rc and time.monotonic() < end:
        rc, out = sn.sh(None, 'rmmod nf_nat_sipalg; rmmod nf_conntrack_sipalg')
        rc = os.path.isdir('/sys/module/nf_conntrack_sipalg')
        if rc:
            time.sleep(0.2)
    t.check(not rc, 'the modules unload while a flow holds bytes', out.strip())
    dm = sn.sh(None, "dmesg | sed -n '/%s/,$p'" % mark)[1]
    t.check(not re.search(r'BUG|WARNING|Oops|general protection', dm), 'dmesg is clean',
            show=dm)


sn.Test().run(scenario)
