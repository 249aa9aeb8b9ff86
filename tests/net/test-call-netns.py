# SPDX-License-Identifier: GPL-2.0
# The scenario of test-call-netns.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import os

import mutate as mu
import sipnet as sn

MAX_CALLS = 32


def send_calls(t, ns, where, src, dst, prefix, n):
    """N new Call-IDs from SRC (in NS) to DST:5060; waits until the helper
    in namespace WHERE parsed them all and returns its counters' deltas."""
    before = mu.stats(t.ns[where])
    s = t.udp(ns, src, 5070)
    for i in range(n):
        s.send(mu.flood_invite(src, 5070, dst, '%s-%d' % (prefix, i), streams=0), (dst, 5060))
    t.wait_for(lambda: mu.stats_delta(mu.stats(t.ns[where]), before).get('messages', 0) >= n, 10)
    s.close()
    t.sockets.remove(s)
    return mu.stats_delta(mu.stats(t.ns[where]), before)


def scenario(t):
    t.ns['ct2'], t.ns['peer2'] = os.environ['ct2'], os.environ['peer2']
    ct2_4, peer2_4 = os.environ['CT2_4'], os.environ['PEER2_4']
    t.setup(params={'max_calls': MAX_CALLS})
    rc, out = sn.sh(t.ns['ct2'], 'nft -f -', input='\n'.join([
        'table inet sipnet_local {',
        '  ct helper sip-udp { type "sipalg" protocol udp; }',
        '  chain out { type filter hook output priority filter; policy accept;',
        '    udp dport 5060 ct helper set "sip-udp"',
        '  }',
        '}']) + '\n')
    t.setup_step(rc == 0, 'attach the helper to ct2\'s own SIP traffic', out.strip())
    sink = t.udp('peer2', peer2_4, 5060)
    srv = t.udp('srv', t.SRV4, 5060)

    d = send_calls(t, 'ct2', 'ct2', ct2_4, peer2_4, 'ct2-a', 10)
    t.check(d.get('messages') == 10 and mu.call_objects(t.ns['ct2']) == 10,
            'ct2 holds a record for each of its 10 calls',
            'messages +%s, calls_active %s' % (d.get('messages'), mu.call_objects(t.ns['ct2'])))

    d = send_calls(t, 'cli', 'rtr', t.CLI4, t.SRV4, 'rtr-flood', 200)
    t.check(mu.call_objects(t.ns['rtr']) == MAX_CALLS,
            'the router holds max_calls (%d) records after 200 calls' % MAX_CALLS,
            'calls_active %s' % mu.call_objects(t.ns['rtr']))
    t.check(d.get('calls_recycled') == 200 - MAX_CALLS,
            'the router recycled exactly its own surplus (%d)' % (200 - MAX_CALLS),
            'calls_recycled +%s' % d.get('calls_recycled'))
    t.check(mu.call_objects(t.ns['ct2']) == 10 and
            mu.stats(t.ns['ct2']).get('calls_recycled', 0) == 0,
            'a flood in the router\'s namespace leaves ct2\'s 10 calls alone',
            'ct2: calls_active %s, calls_recycled %s' % (
                mu.call_objects(t.ns['ct2']), mu.stats(t.ns['ct2']).get('calls_recycled')))

    d = send_calls(t, 'ct2', 'ct2', ct2_4, peer2_4, 'ct2-b', 40)
    t.check(mu.call_objects(t.ns['ct2']) == MAX_CALLS and
            d.get('calls_recycled') == 10 + 40 - MAX_CALLS,
            'ct2 beyond max_calls recycles its own (%d)' % (10 + 40 - MAX_CALLS),
            'calls_active %s, calls_recycled +%s' % (mu.call_objects(t.ns['ct2']),
                                                     d.get('calls_recycled')))
    t.check(mu.call_objects(t.ns['rtr']) == MAX_CALLS,
            'ct2\'s calls leave the router\'s records alone',
            'router calls_active %s' % mu.call_objects(t.ns['rtr']))
    sink.close()
    srv.close()


sn.Test().run(scenario)
