import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ScratchHost } from './scratch-host.js';
import type { UpstreamServerConfig } from './upstream-smtp-server.js';

export interface TestCa {
  /** CA certificate, PEM text (for node's `tls` `ca` option). */
  caCert: string;
  /** Path of the CA certificate file (for `smtp_tls_CAfile`). */
  caPath: string;
  /** Path of the server certificate, signed by the CA. */
  cert: string;
  /** Path of the server's private key. */
  key: string;
}

/** Makes DIR/ca.crt, ca.key, server.crt, server.key with `openssl`: a CA and a server certificate it signed. */
export function makeTestCa(dir: string, names: { dns?: string[]; ips?: string[] } = {}): TestCa {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const dns = names.dns ?? ['smtp.lab.test'];
  const ips = names.ips ?? ['127.0.0.1'];
  const p = (f: string): string => join(dir, f);
  // EC keys: generated in milliseconds, and Postfix and node both accept them.
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const openssl = (args: string[]): void => { execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] }); };
  openssl(['req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '30', '-subj', '/CN=Test SMTP CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(['req', ...ec, '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', `/CN=${dns[0] ?? ips[0] ?? 'localhost'}`]);
  const san = [...dns.map((d) => `DNS:${d}`), ...ips.map((i) => `IP:${i}`)].join(',');
  writeFileSync(p('server.ext'), [`subjectAltName=${san}`, 'basicConstraints=CA:FALSE',
    'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth', ''].join('\n'));
  openssl(['x509', '-req', '-in', p('server.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial',
    '-days', '30', '-extfile', p('server.ext'), '-out', p('server.crt')]);
  return { caCert: readFileSync(p('ca.crt'), 'utf8'), caPath: p('ca.crt'), cert: p('server.crt'), key: p('server.key') };
}

export interface UpstreamMessage {
  user: string;
  secure: boolean;
  tlsProtocol: string | null;
  ehlo: string;
  mailFrom: string;
  rcptTo: string[];
  /** Lower-cased header name → value (a repeated header's values joined by "\n"). */
  headers: Record<string, string>;
  subject: string;
  body: string;
}
export interface UpstreamAuthFailure { event: 'auth-failed'; user: string }
export type UpstreamRecord = UpstreamMessage | UpstreamAuthFailure;

export const isMessage = (r: UpstreamRecord): r is UpstreamMessage => !('event' in r);

export interface Upstream {
  /** The port it listens on (the real one when 0 was asked for). */
  readonly port: number;
  /** Everything recorded so far, oldest first. */
  records(): UpstreamRecord[];
  /** First record (old or new) matching pred; rejects after timeoutMs. */
  waitFor(pred: (r: UpstreamRecord) => boolean, timeoutMs?: number): Promise<UpstreamRecord>;
  /** Stops the server (the gateway is down), keeping its records; resume() starts it again on the same port. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  /** Restarts the server with new credentials on the same port; records are kept. */
  setUsers(users: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

export interface UpstreamOptions {
  /** Run inside this scratch host's network namespace (127.0.0.1 there); default: the machine's loopback. */
  host?: ScratchHost;
  /** 0 picks a free port. */
  port: number;
  /** Address to listen on. @default "127.0.0.1" */
  listen?: string;
  mode?: 'starttls' | 'implicit-tls';
  users: Record<string, string>;
  /** Accept mail without AUTH: a server the relay holds no password for. @default false */
  authOptional?: boolean;
  /** Holds server.crt/server.key from makeTestCa; made there with the default names when missing. */
  tlsDir: string;
}

const SERVER_SCRIPT = fileURLToPath(new URL('./upstream-smtp-server.ts', import.meta.url));
// Run node with tsx's loader directly (not `npx tsx`, which adds a wrapper process) so the PID
// we hold is the server itself.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export async function startUpstream(opts: UpstreamOptions): Promise<Upstream> {
  if (!existsSync(join(opts.tlsDir, 'server.crt'))) makeTestCa(opts.tlsDir);
  // Config and records live on the real file system: with a host, only the network namespace is entered.
  const work = await mkdtemp(join(tmpdir(), 'upstream-smtp-'));
  const config: UpstreamServerConfig = {
    host: opts.listen ?? '127.0.0.1', port: opts.port, mode: opts.mode ?? 'starttls', users: opts.users, authOptional: opts.authOptional, workDir: work,
    cert: join(opts.tlsDir, 'server.crt'), key: join(opts.tlsDir, 'server.key'), records: join(work, 'records.jsonl'),
  };
  const configPath = join(work, 'config.json');
  await writeFile(config.records, '');

  let child: ChildProcess | undefined;
  const launch = async (): Promise<void> => {
    await writeFile(configPath, JSON.stringify(config), { mode: 0o600 });
    const started = await spawnServer(configPath, opts.host);
    child = started.child;
    config.port = started.port; // setUsers restarts on this same port
  };
  const halt = async (): Promise<void> => {
    if (child) await terminate(child);
    child = undefined;
  };
  try {
    await launch();
  } catch (e) {
    await rm(work, { recursive: true, force: true });
    throw e;
  }

  const records = (): UpstreamRecord[] =>
    readFileSync(config.records, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as UpstreamRecord);
  let stopped: Promise<void> | undefined;
  return {
    get port() { return config.port; },
    records,
    async waitFor(pred, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const hit = records().find(pred);
        if (hit) return hit;
        if (Date.now() > end) throw new Error(`upstream: no matching record after ${timeoutMs} ms; have ${JSON.stringify(records())}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async setUsers(users) {
      await halt();
      config.users = users;
      await launch();
    },
    async pause() {
      await halt();
    },
    async resume() {
      if (!child) await launch();
    },
    stop() {
      stopped ??= halt().then(() => rm(work, { recursive: true, force: true }));
      return stopped;
    },
  };
}

function spawnServer(configPath: string, host?: ScratchHost): Promise<{ child: ChildProcess; port: number }> {
  const node = [process.execPath, '--import', TSX_LOADER, SERVER_SCRIPT, configPath];
  // nsenter -n only: the host's network, the machine's files (node_modules, the config, the records).
  const [cmd, ...args] = host ? ['nsenter', '-t', String(host.pid), '-n', '--', ...node] : node;
  const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`upstream smtp did not start in 20 s: ${err}`));
    }, 20_000);
    child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve({ child, port: Number(m[1]) }); }
    });
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`upstream smtp exited (${code ?? signal}): ${err}`)); });
  });
}

/** SIGTERM by PID, SIGKILL if it is still there after 5 s. */
async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
