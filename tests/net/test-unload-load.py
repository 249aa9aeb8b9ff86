# SPDX-License-Identifier: GPL-2.0
# The scenario of test-unload-load.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import mutate as mu
import sipnet as sn

RATE = 50
# Calls set up while the modules are out may fail (their messages cross
# the router untranslated); no other call may. The test times each window
# from detaching the helper to re-attaching it and allows RATE calls per
# second of those windows, plus MARGIN_S per window for the calls whose
# INVITE transaction was already under way as a window opened or whose
# retransmission was still due as it closed. A slower (debug) kernel
# widens the windows, not the margin. Under emulation the windows (insmod,
# rmmod waiting for references) cover most of the run, so the old bound
# stays too: at most MAX_FAILED_PCT of the successful calls may fail
# (make check-debug raises it).
MARGIN_S = 0.5
MAX_FAILED_PCT = int(os.environ.get('SIPALG_UNLOAD_MAX_FAILED_PCT', '10'))
CYCLES = int(os.environ.get('SIPALG_UNLOAD_CYCLES') or 3)


def successful(out):
    m = re.findall(r'Successful call\s*\|\s*\d+\s*\|\s*(\d+)', out)
    return int(m[-1]) if m else None


def csv_stats(path):
    """The last line of sipp's -trace_stat file as a dict."""
    try:
        lines = [ln.rstrip('\n;').split(';') for ln in open(path) if ln.strip()]
    except OSError:
        return {}
    if len(lines) < 2:
        return {}
    return dict(zip(lines[0], lines[-1]))


def sipp(t, ns, args, work):
    return subprocess.Popen(['ip', 'netns', 'exec', t.ns[ns], 'sipp'] + args, cwd=work,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def finish(p, timeout=30):
    try:
        return p.communicate(timeout=timeout)[0]
    except subprocess.TimeoutExpired:
        p.kill()
        return p.communicate()[0]


def loaded(m):
    return os.path.isdir('/sys/module/' + m)


def rmmod(t, m, what):
    """rmmod M, retrying while references drain."""
    out = ''
    end = time.monotonic() + 10
    while loaded(m) and time.monotonic() < end:
        rc, out = sn.sh(None, 'rmmod ' + m)
        if rc:
            time.sleep(0.2)
    return t.check(not loaded(m), '%s: rmmod %s succeeds under load' % (what, m), out.strip())


def slab_line():
    """/proc/slabinfo's sipalg_call line. tests/vm/run boots the guest with
    slab_nomerge: without it SLUB may fold the cache into another of the
    same size and the line never exists."""
    with open('/proc/slabinfo') as f:
        return [ln for ln in f if ln.startswith('sipalg_call ')]


def helper_busy(t, what, timeout=10):
    """The helper handles the running calls: its counters move and it opens
    pinholes."""
    rtr = t.ns['rtr']
    s0 = mu.stats(rtr)
    ok = t.wait_for(lambda: mu.stats_delta(mu.stats(rtr), s0).get('messages', 0) >= 2 * RATE and
                    mu.expect_lines(rtr), timeout, 0.25)
    d = mu.stats_delta(mu.stats(rtr), s0)
    t.check(ok, '%s, the helper handles the calls and opens pinholes' % what,
            'messages +%d, %d sipalg expectations' % (d.get('messages', 0),
                                                      len(mu.expect_lines(rtr))))
    return d


def reattach(t):
    t.setup()
    # the running flow was created without a helper: let the next packet
    # build a new one that picks it up
    sn.sh(t.ns['rtr'], 'conntrack -D -p udp --dport 5060; conntrack -D -p udp --sport 5060')


def scenario(t):
    t.setup()
    rtr = t.ns['rtr']
    path = '/proc/sys/net/netfilter/nf_conntrack_expect_max'
    t.restore.append((path, open(path).read().strip()))
    with open(path, 'w') as f:
        f.write('1024')
    mark = mu.dmesg_mark()
    work = tempfile.mkdtemp(prefix='sipnet-unload-')
    uas = sipp(t, 'srv', ['-sn', 'uas', '-i', t.SRV4, '-p', '5060', '-nostdin',
                          '-timeout', '150s'], work)
    uac = None
    try:
        up = t.wait_for(lambda: ':5060' in sn.sh(t.ns['srv'], 'ss -Hlun sport = :5060')[1], 5)
        t.require(up, 'sipp uas listens in srv', 'no UDP socket on 5060 after 5 s')
        stf = os.path.join(work, 'uac.csv')
        uac = sipp(t, 'cli', ['-sn', 'uac', '-i', t.CLI4, '-p', '5010', '-r', str(RATE),
                              '-d', '1000', '-m', '100000', '-nostdin', '-timeout', '140s',
                              '-trace_stat', '-stf', stf, '-fd', '1', '%s:5060' % t.SRV4], work)
        t0 = time.monotonic()
        d = helper_busy(t, 'sipp at %d calls/s' % RATE)
        calls = mu.call_objects(rtr)
        t.note('under load: %d sipalg expectations, %s sipalg_call objects, counters %s' % (
            len(mu.expect_lines(rtr)), calls, d))
        windows = []            # seconds without the helper (or its NAT part)

        # unload both while the calls go on, CYCLES times
        for k in range(1, CYCLES + 1):
            c = 'cycle %d' % k
            # The cache must exist under load, or "gone after the unload"
            # proves nothing.
            cache = slab_line()
            t.check(cache, '%s: under load the sipalg_call slab cache exists' % c,
                    'no sipalg_call line in /proc/slabinfo (slab_nomerge missing?)')
            w0 = time.monotonic()
            sn.sh(rtr, 'nft delete table inet sipnet_helper', check=True)
            ok = rmmod(t, 'nf_nat_sipalg', c) & rmmod(t, 'nf_conntrack_sipalg', c)
            if ok:
                left = mu.all_expect_lines(rtr)
                t.check(not left, '%s: no expectation is left after the unload' % c,
                        '%d left' % len(left), show=lambda: '\n'.join(left[:20]))
                t.check(cache and not slab_line(),
                        '%s: the sipalg_call cache is gone after the unload' % c,
                        ''.join(slab_line()).strip() or 'it never existed')
            mu.check_dmesg(t, mark, '%s, the unload under load' % c)
            time.sleep(0.3)             # calls keep flowing, untranslated
            reattach(t)
            windows.append(time.monotonic() - w0)
            helper_busy(t, '%s: after the reload' % c)

        # the NAT part alone
        w0 = time.monotonic()
        rc, _ = sn.sh(None, 'rmmod nf_nat_sipalg')
        for _ in range(50):
            if rc == 0:
                break
            time.sleep(0.2)
            rc, _ = sn.sh(None, 'rmmod nf_nat_sipalg')
        t.check(rc == 0, 'NAT alone: rmmod nf_nat_sipalg alone succeeds under load', 'refused')
        s0 = mu.stats(rtr)
        time.sleep(0.5)
        d = mu.stats_delta(mu.stats(rtr), s0)
        t.check(d.get('messages', 0) > 0 and d.get('rewritten', 0) == 0,
                'NAT alone: without the NAT module the helper goes on, rewriting nothing',
                'counters %s' % d)
        t.setup()
        windows.append(time.monotonic() - w0)
        s0 = mu.stats(rtr)
        ok = t.wait_for(lambda: mu.stats_delta(mu.stats(rtr), s0).get('rewritten', 0) >= RATE, 10)
        t.check(ok, 'NAT alone: after reloading nf_nat_sipalg messages are translated again',
                'counters %s' % mu.stats_delta(mu.stats(rtr), s0))
        mu.check_dmesg(t, mark, 'the reloads')

        elapsed = time.monotonic() - t0
        uac.send_signal(signal.SIGUSR1)
        out = finish(uac, 30)
        uac = None
        st = csv_stats(stf)
        ok, bad = int(st.get('SuccessfulCall(C)', 0)), int(st.get('FailedCall(C)', 0))
        allowed = min(int(RATE * sum(w + MARGIN_S for w in windows) + 0.999),
                      ok * MAX_FAILED_PCT // 100)
        t.note('running uac: %d successful, %d failed calls in %.0f s (%d calls/s asked); '
               'helper out for %s s: at most %d may fail' % (
                   ok, bad, elapsed, RATE, ' + '.join('%.2f' % w for w in windows), allowed))
        t.check(ok > 0 and bad <= allowed,
                'the running calls go on across %d unloads and reloads: only calls '
                'set up while the helper was out fail' % CYCLES,
                '%d successful, %d failed, at most %d may (%d calls/s over %.2f s out '
                '+ %.1f s per window, and %d %%)' % (ok, bad, allowed, RATE, sum(windows),
                                                    MARGIN_S, MAX_FAILED_PCT),
                show=lambda: 'sipp uac output (tail):\n' + '\n'.join(out.splitlines()[-25:]))

        # a fresh run through the reloaded modules
        try:
            p = subprocess.run(['ip', 'netns', 'exec', t.ns['cli'], 'sipp', '-sn', 'uac', '-i',
                                t.CLI4, '-p', '5012', '-r', '10', '-m', '20', '-nostdin',
                                '-timeout', '30s', '-timeout_error', '%s:5060' % t.SRV4],
                               cwd=work, capture_output=True, text=True, timeout=40)
            out, rc = p.stdout + p.stderr, p.returncode
        except subprocess.TimeoutExpired as e:
            out, rc = str(e.stdout or ''), 'timeout'
        t.check(rc == 0 and successful(out) == 20, 'after the reloads sipp completes 20 new calls',
                'exit %s, %s successful' % (rc, successful(out)),
                show=lambda: 'sipp uac output (tail):\n' + '\n'.join(out.splitlines()[-25:]))
    finally:
        if uac and uac.poll() is None:
            uac.kill()
            uac.wait()
        uas.kill()
        uas.wait()
        shutil.rmtree(work, ignore_errors=True)

    sn.sh(rtr, 'conntrack -F', check=True)
    t.check(t.wait_for(lambda: mu.call_objects(rtr) == 0, 5),
            'call records go back to 0 after the flows are flushed',
            '%s sipalg_call objects' % mu.call_objects(rtr))
    sn.sh(rtr, 'nft delete table inet sipnet_helper')
    ok = rmmod(t, 'nf_nat_sipalg', 'the end') & rmmod(t, 'nf_conntrack_sipalg', 'the end')
    mu.check_dmesg(t, mark, 'the final unload')


sn.Test().run(scenario)
