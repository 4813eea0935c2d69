// Standalone upstream SMTP gateway for tests: `npx tsx upstream-smtp-server.ts CONFIG.json`.
// Requires TLS (STARTTLS or implicit) and AUTH PLAIN/LOGIN, records what it accepts as JSON lines.
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

export interface UpstreamServerConfig {
  host: string;
  port: number;
  mode: 'starttls' | 'implicit-tls';
  users: Record<string, string>;
  /** Accept MAIL FROM without AUTH: a server the relay holds no password for. @default false */
  authOptional?: boolean;
  cert: string;
  key: string;
  records: string;
  /**
   * Set by startUpstream, which owns this directory: exit when stdin closes and remove it, so a
   * test runner that died leaves neither a server nor its files behind.
   */
  workDir?: string;
}

const config = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as UpstreamServerConfig;
const record = (line: object): void => appendFileSync(config.records, `${JSON.stringify(line)}\n`);
// session.tlsOptions.version is the cipher's minimum version, not the protocol in use: keep
// the negotiated one from the socket, per session.
const tlsProtocols = new Map<string, string | null>();

const server = new SMTPServer({
  name: 'smtp.lab.test',
  secure: config.mode === 'implicit-tls',
  hideSTARTTLS: false,
  allowInsecureAuth: false, // AUTH before STARTTLS gets 538
  authOptional: config.authOptional ?? false, // MAIL FROM before AUTH gets 530
  authMethods: ['PLAIN', 'LOGIN'],
  cert: readFileSync(config.cert),
  key: readFileSync(config.key),
  logger: false,
  closeTimeout: 500,
  onSecure(socket, session, callback) {
    tlsProtocols.set(session.id, (socket as TLSSocket).getProtocol?.() ?? null);
    callback();
  },
  onAuth(auth, _session, callback) {
    const user = auth.username ?? '';
    if (Object.hasOwn(config.users, user) && config.users[user] === auth.password) return callback(null, { user });
    record({ event: 'auth-failed', user });
    const err = Object.assign(new Error('Invalid username or password'), { responseCode: 535 });
    return callback(err);
  },
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      record(messageRecord(Buffer.concat(chunks).toString('utf8'), session));
      callback(null, 'Queued');
    });
  },
  onClose(session) {
    tlsProtocols.delete(session.id);
  },
});

function messageRecord(raw: string, session: SMTPServerSession): object {
  const text = raw.replace(/\r\n/g, '\n');
  const split = text.indexOf('\n\n');
  const head = split < 0 ? text : text.slice(0, split);
  const body = split < 0 ? '' : text.slice(split + 2);
  const headers: Record<string, string> = {};
  // Unfold continuation lines, then name → value; a repeated header's values are joined by "\n".
  for (const line of head.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}\n${value}` : value;
  }
  const { mailFrom, rcptTo } = session.envelope;
  return {
    user: session.user as string,
    secure: session.secure,
    tlsProtocol: tlsProtocols.get(session.id) ?? null,
    ehlo: session.hostNameAppearsAs,
    mailFrom: mailFrom ? mailFrom.address : '',
    rcptTo: rcptTo.map((r) => r.address),
    headers,
    subject: headers.subject ?? '',
    body,
  };
}

server.on('error', (err: Error) => process.stderr.write(`upstream smtp error: ${err.message}\n`));
server.listen(config.port, config.host, () => {
  const address = server.server.address();
  process.stdout.write(`READY ${typeof address === 'object' && address ? address.port : config.port}\n`);
});

let closing = false;
const shutdown = (): void => {
  if (closing) return;
  closing = true;
  // Force the exit if a client keeps its connection open past closeTimeout.
  setTimeout(() => process.exit(0), 2000).unref();
  server.close(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
const { workDir } = config;
if (workDir) {
  process.stdin.on('close', () => { rmSync(workDir, { recursive: true, force: true }); shutdown(); }).resume();
}
