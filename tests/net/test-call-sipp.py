# SPDX-License-Identifier: GPL-2.0
# The scenario of test-call-sipp.sh, which builds the namespaces, exports
# their names and addresses and runs this; not meant to run alone.

import re
import subprocess
import tempfile

import sipnet as sn

CALLS = 5


def successful(out):
    """The cumulative "Successful call" count from sipp's final screen."""
    m = re.findall(r'Successful call\s*\|\s*\d+\s*\|\s*(\d+)', out)
    return int(m[-1]) if m else None


def scenario(t):
    t.setup()
    work = tempfile.mkdtemp(prefix='sipnet-sipp-')
    uas = subprocess.Popen(['ip', 'netns', 'exec', t.ns['srv'], 'sipp', '-sn', 'uas',
                            '-i', t.SRV4, '-p', '5060', '-m', str(CALLS), '-nostdin',
                            '-timeout', '40s'],
                           cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        up = t.wait_for(lambda: ':5060' in sn.sh(t.ns['srv'], 'ss -Hlun sport = :5060')[1], 5)
        t.require(up, 'sipp uas listens in srv', 'no UDP socket on 5060 after 5 s')
        try:
            uac = subprocess.run(['ip', 'netns', 'exec', t.ns['cli'], 'sipp', '-sn', 'uac',
                                  '-i', t.CLI4, '-p', '5010', '-m', str(CALLS), '-r', '5',
                                  '-l', str(CALLS), '-nostdin', '-timeout', '30s',
                                  '-timeout_error', '%s:5060' % t.SRV4],
                                 cwd=work, capture_output=True, text=True, timeout=45)
            out, rc = uac.stdout + uac.stderr, uac.returncode
        except subprocess.TimeoutExpired as e:
            out, rc = str(e.stdout or ''), 'timeout'
        n = successful(out)
        t.check(rc == 0 and n == CALLS, 'sipp uac completes %d calls through the router' % CALLS,
                'exit %s, %s successful' % (rc, n),
                show=lambda: 'sipp uac output (tail):\n' + '\n'.join(out.splitlines()[-25:]))
        try:
            uout = uas.communicate(timeout=10)[0]
        except subprocess.TimeoutExpired:
            uas.kill()
            uout = uas.communicate()[0]
        n = successful(uout)
        t.check(uas.returncode == 0 and n == CALLS,
                'sipp uas sees %d successful calls' % CALLS,
                'exit %s, %s successful' % (uas.returncode, n),
                show=lambda: 'sipp uas output (tail):\n' + '\n'.join(uout.splitlines()[-25:]))
    finally:
        if uas.poll() is None:
            uas.kill()
            uas.wait()
        subprocess.run(['rm', '-rf', work])


sn.Test().run(scenario)
