// Proves the test helpers themselves: scratch hosts (private Postfix machines in namespaces)
// and the TLS + AUTH upstream SMTP gateway.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  isMessage, makeTestCa, requirePrivileged, SmtpClient, startScratchHost, startUpstream,
  type ScratchHost, type TestCa, type Upstream, type UpstreamMessage,
} from '../support/index.js';

const privileged = requirePrivileged('test support integration (scratch hosts, upstream SMTP)');

/** name → sha256 of every file under dir: tells whether anything there changed. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    out[name] = st?.isFile() ? createHash('sha256').update(readFileSync(p)).digest('hex') : 'other';
  }
  return out;
}

/** PIDs sharing pid's mount namespace (pid itself included). */
function pidsInMountNamespaceOf(pid: number): number[] {
  const ns = readlinkSync(`/proc/${pid}/ns/mnt`);
  return readdirSync('/proc').map(Number).filter((p) => {
    try { return Number.isInteger(p) && readlinkSync(`/proc/${p}/ns/mnt`) === ns; } catch { return false; }
  });
}

/** Running, not a zombie: PID 1 here reaps orphans late, and a zombie is no leak. */
const alive = (pid: number): boolean => {
  try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
};

describe.skipIf(!privileged)('scratch host', { timeout: 30_000 }, () => {
  it('has a private /etc/postfix seeded from the package; writes there stay inside', async () => {
    const before = snapshot('/etc/postfix');
    const host = await startScratchHost({ name: 'private' });
    try {
      expect((await host.exec('cat /etc/postfix/main.cf')).stdout).toBe(readFileSync('/usr/share/postfix/main.cf.debian', 'utf8'));
      const ls = (await host.exec('ls /etc/postfix')).stdout.trim().split('\n');
      expect(ls).toEqual(expect.arrayContaining(['main.cf', 'master.cf', 'postfix-files', 'dynamicmaps.cf', 'main.cf.proto', 'sasl']));
      const w = await host.exec('postconf -e myhostname=scratch.example.org && echo hi > /etc/postfix/scratch-marker');
      expect(w).toMatchObject({ code: 0 });
      expect(readFileSync(host.path('/etc/postfix/main.cf'), 'utf8')).toContain('myhostname = scratch.example.org');
      expect(readFileSync(host.path('/etc/postfix/scratch-marker'), 'utf8')).toBe('hi\n');
      expect(existsSync('/etc/postfix/scratch-marker')).toBe(false);
      expect(snapshot('/etc/postfix')).toEqual(before);
      expect(() => host.path('/etc/passwd')).toThrow(/not private/);
    } finally {
      await host.stop();
    }
  });

  it("with mainCf 'none' has no main.cf, like Debian's \"No configuration\" install", async () => {
    const host = await startScratchHost({ name: 'noconf', mainCf: 'none' });
    try {
      expect((await host.exec('test -e /etc/postfix/main.cf')).code).not.toBe(0);
      expect((await host.exec('test -e /etc/postfix/main.cf.proto')).code).toBe(0);
      expect((await host.exec('postconf -n')).code).not.toBe(0);
    } finally {
      await host.stop();
    }
  });

  it('keeps two hosts apart: files and network', async () => {
    const [a, b] = await Promise.all([startScratchHost({ name: 'iso-a' }), startScratchHost({ name: 'iso-b' })]);
    try {
      expect((await a.exec('echo a > /etc/postfix/who && echo a > /tmp/who && echo a > /var/log/who')).code).toBe(0);
      expect((await b.exec('cat /etc/postfix/who /tmp/who /var/log/who')).code).not.toBe(0);
      const net = (pid: number | 'self'): string => readlinkSync(`/proc/${pid}/ns/net`);
      expect(new Set([net(a.pid), net(b.pid), net('self')]).size).toBe(3);
      expect((await a.exec('ip -o link show up')).stdout).toMatch(/\blo\b/);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('runs a Postfix on 127.0.0.1:25 inside only, and stop() leaves no process behind', async () => {
    const host = await startScratchHost({ name: 'postfix' });
    let stopped = false;
    try {
      const setup = await host.exec([
        'set -eu',
        'postconf -e myhostname=scratch.example.org maillog_file=/var/log/mail.log inet_interfaces=loopback-only',
        'postfix start',
        'postfix status',
      ].join('\n'));
      expect(setup, setup.stderr).toMatchObject({ code: 0 });
      expect((await host.exec('ss -Hltn "sport = :25"')).stdout).toContain('127.0.0.1:25');
      const banner = await host.exec(`timeout 5 bash -c 'exec 3<>/dev/tcp/127.0.0.1/25; head -n1 <&3'`);
      expect(banner.stdout).toMatch(/^220 scratch\.example\.org ESMTP Postfix/);
      expect(readFileSync(host.path('/var/log/mail.log'), 'utf8')).toContain('daemon started');

      // The machine's own network namespace does not see that listener.
      const master = Number(readFileSync(host.path('/var/spool/postfix/pid/master.pid'), 'utf8').trim());
      expect(alive(master)).toBe(true);
      expect(spawnSync('ss', ['-Hltnp'], { encoding: 'utf8' }).stdout).not.toContain(`pid=${master},`);

      const pids = pidsInMountNamespaceOf(host.pid);
      expect(pids).toContain(master);
      await host.stop();
      stopped = true;
      expect(pids.filter(alive)).toEqual([]);
      expect(existsSync(host.root)).toBe(false);
      await host.stop(); // a second stop is harmless
    } finally {
      if (!stopped) await host.stop();
    }
  });
});

describe.skipIf(!privileged)('upstream SMTP gateway', { timeout: 30_000 }, () => {
  let tlsDir: string;
  let ca: TestCa;
  let upstream: Upstream;
  const tls = (): { ca: string; servername: string } => ({ ca: ca.caCert, servername: 'smtp.lab.test' });

  beforeAll(async () => {
    tlsDir = mkdtempSync(join(tmpdir(), 'upstream-tls-'));
    ca = makeTestCa(tlsDir, {});
    upstream = await startUpstream({ port: 0, users: { alerts: 's3cret' }, tlsDir });
  });
  afterAll(async () => {
    await upstream?.stop();
    rmSync(tlsDir, { recursive: true, force: true });
  });

  it('refuses AUTH and MAIL FROM before STARTTLS', async () => {
    const { client, greeting } = await SmtpClient.connect('127.0.0.1', upstream.port);
    expect(greeting.code).toBe(220);
    // smtp-server advertises AUTH before TLS too, but refuses to run it.
    expect((await client.command('EHLO poller.example.org')).lines).toContain('STARTTLS');
    expect((await client.authPlain('alerts', 's3cret')).code).toBe(538);
    expect((await client.command('MAIL FROM:<a@example.org>')).code).toBe(530);
    await client.quit();
  });

  it('accepts AUTH PLAIN after STARTTLS and records the message', async () => {
    const { client } = await SmtpClient.connect('127.0.0.1', upstream.port);
    await client.command('EHLO poller.example.org');
    expect((await client.startTls(tls())).code).toBe(220);
    expect(client.secure).toBe(true);
    const ehlo = await client.command('EHLO poller.example.org');
    expect(ehlo.lines).toContain('AUTH PLAIN LOGIN');
    expect((await client.authPlain('alerts', 's3cret')).code).toBe(235);
    const sent = await client.send('centreon@poller.example.org', ['ops@example.com', 'oncall@example.com'],
      'From: Centreon <centreon@poller.example.org>\nSubject: PROBLEM host1\nX-Test: one\n\nHost host1 is DOWN\n.dot line\n');
    expect(sent.code).toBe(250);
    await client.quit();
    const rec = await upstream.waitFor((r) => isMessage(r) && r.subject === 'PROBLEM host1', 5000);
    expect(rec).toEqual({
      user: 'alerts', secure: true, tlsProtocol: 'TLSv1.3', ehlo: 'poller.example.org',
      mailFrom: 'centreon@poller.example.org', rcptTo: ['ops@example.com', 'oncall@example.com'],
      headers: { from: 'Centreon <centreon@poller.example.org>', subject: 'PROBLEM host1', 'x-test': 'one' },
      subject: 'PROBLEM host1', body: 'Host host1 is DOWN\n.dot line\n',
    } satisfies UpstreamMessage);
  });

  it('answers a wrong password with 535, for PLAIN and LOGIN, and records the failure', async () => {
    const { client } = await SmtpClient.connect('127.0.0.1', upstream.port);
    await client.command('EHLO poller.example.org');
    await client.startTls(tls());
    await client.command('EHLO poller.example.org');
    expect((await client.authPlain('alerts', 'wrong')).code).toBe(535);
    expect((await client.authLogin('mallory', 'wrong')).code).toBe(535);
    expect((await client.authLogin('alerts', 's3cret')).code).toBe(235);
    await client.quit();
    expect(upstream.records()).toEqual(expect.arrayContaining([
      { event: 'auth-failed', user: 'alerts' }, { event: 'auth-failed', user: 'mallory' },
    ]));
  });

  it('setUsers restarts it on the same port with new credentials', async () => {
    const port = upstream.port;
    await upstream.setUsers({ alerts: 'rotated' });
    expect(upstream.port).toBe(port);
    const { client } = await SmtpClient.connect('127.0.0.1', port);
    await client.command('EHLO poller.example.org');
    await client.startTls(tls());
    await client.command('EHLO poller.example.org');
    expect((await client.authPlain('alerts', 's3cret')).code).toBe(535);
    expect((await client.authPlain('alerts', 'rotated')).code).toBe(235);
    await client.quit();
    expect(upstream.records().length).toBeGreaterThan(0); // records survive the restart
  });

  it('speaks implicit TLS in implicit-tls mode', async () => {
    const implicit = await startUpstream({ port: 0, mode: 'implicit-tls', users: { alerts: 'x' }, tlsDir });
    try {
      const { client, greeting } = await SmtpClient.connect('127.0.0.1', implicit.port, { implicitTls: true, ...tls() });
      expect(greeting.code).toBe(220);
      expect(client.secure).toBe(true);
      expect((await client.command('EHLO poller.example.org')).lines).toContain('AUTH PLAIN LOGIN');
      expect((await client.authPlain('alerts', 'x')).code).toBe(235);
      expect((await client.send('a@example.org', ['b@example.com'], 'Subject: implicit\n\nbody\n')).code).toBe(250);
      await client.quit();
      expect(await implicit.waitFor((r) => isMessage(r) && r.subject === 'implicit', 5000)).toMatchObject({ secure: true, user: 'alerts' });
    } finally {
      await implicit.stop();
    }
  });

  it("runs inside a scratch host's network, where that host's Postfix relays through it with TLS and AUTH", async () => {
    const host: ScratchHost = await startScratchHost({ name: 'relay' });
    const inside = await startUpstream({ host, port: 2525, users: { poller: 'pw' }, tlsDir });
    try {
      copyFileSync(ca.caPath, host.path('/etc/postfix/test-ca.crt'));
      const setup = await host.exec([
        'set -eu',
        'postconf -e myhostname=poller1.example.org maillog_file=/var/log/mail.log inet_interfaces=loopback-only \\',
        "  'relayhost=[127.0.0.1]:2525' smtp_sasl_auth_enable=yes smtp_sasl_password_maps=hash:/etc/postfix/sasl_passwd \\",
        // noplaintext would also apply under TLS (smtp_sasl_tls_security_options defaults to it):
        // PLAIN/LOGIN refused, "No worthy mechs found", mail deferred.
        "  'smtp_sasl_security_options=noanonymous, noplaintext' smtp_sasl_tls_security_options=noanonymous \\",
        '  smtp_tls_security_level=verify \\',
        '  smtp_tls_CAfile=/etc/postfix/test-ca.crt',
        "(umask 077; echo '[127.0.0.1]:2525 poller:pw' > /etc/postfix/sasl_passwd)",
        'postmap hash:/etc/postfix/sasl_passwd',
        'postfix start',
        'printf "Subject: relayed\\n\\nfrom the scratch host\\n" | sendmail -f root@poller1.example.org alerts@example.com',
      ].join('\n'));
      expect(setup, setup.stderr).toMatchObject({ code: 0 });
      const rec = await inside.waitFor((r) => isMessage(r) && r.subject === 'relayed', 15_000).catch((e: Error) => {
        throw new Error(`${e.message}\n--- mail.log ---\n${readFileSync(host.path('/var/log/mail.log'), 'utf8')}`);
      });
      expect(rec).toMatchObject({
        user: 'poller', secure: true, tlsProtocol: 'TLSv1.3', ehlo: 'poller1.example.org',
        mailFrom: 'root@poller1.example.org', rcptTo: ['alerts@example.com'], body: 'from the scratch host\n',
      });
    } finally {
      await inside.stop();
      await host.stop();
    }
  });
});
