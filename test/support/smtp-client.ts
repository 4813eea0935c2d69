import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';

export interface SmtpReply { code: number; lines: string[] }

export interface SmtpTlsOptions { ca?: string; servername?: string }

/** A tiny raw SMTP dialog for tests: one command, one reply; no pipelining. */
export class SmtpClient {
  private buffer = '';
  private lines: string[] = [];
  private waiting: ((r: SmtpReply) => void) | undefined;
  private failed: ((e: Error) => void) | undefined;
  private readonly onData = (d: Buffer): void => { this.buffer += d.toString('utf8'); this.drain(); };
  private readonly onError = (e: Error): void => { this.failed?.(e); };

  private constructor(private socket: Socket | TLSSocket) { this.attach(); }

  /** Connects (with TLS at once when `implicitTls`) and returns the client with its greeting. */
  static async connect(host: string, port: number, opts: SmtpTlsOptions & { implicitTls?: boolean } = {}):
    Promise<{ client: SmtpClient; greeting: SmtpReply }> {
    const socket = opts.implicitTls
      ? tlsConnect({ host, port, ca: opts.ca, servername: opts.servername })
      : netConnect({ host, port });
    const client = new SmtpClient(socket);
    const greeting = await client.reply();
    return { client, greeting };
  }

  get secure(): boolean { return 'encrypted' in this.socket && this.socket.encrypted === true; }
  get tlsProtocol(): string | null { return 'getProtocol' in this.socket ? this.socket.getProtocol() : null; }

  command(line: string): Promise<SmtpReply> {
    const reply = this.reply();
    this.socket.write(`${line}\r\n`);
    return reply;
  }

  /** STARTTLS, then the TLS handshake (verifying the certificate against `ca`). */
  async startTls(opts: SmtpTlsOptions = {}): Promise<SmtpReply> {
    const r = await this.command('STARTTLS');
    if (r.code !== 220) return r;
    this.socket.off('data', this.onData);
    this.socket.off('error', this.onError);
    const secure = tlsConnect({ socket: this.socket, ca: opts.ca, servername: opts.servername });
    await new Promise<void>((resolve, reject) => { secure.once('secureConnect', resolve); secure.once('error', reject); });
    this.socket = secure;
    this.attach();
    return r;
  }

  authPlain(user: string, password: string): Promise<SmtpReply> {
    return this.command(`AUTH PLAIN ${Buffer.from(`\0${user}\0${password}`).toString('base64')}`);
  }

  async authLogin(user: string, password: string): Promise<SmtpReply> {
    for (const step of ['AUTH LOGIN', Buffer.from(user).toString('base64')]) {
      const r = await this.command(step);
      if (r.code !== 334) return r;
    }
    return this.command(Buffer.from(password).toString('base64'));
  }

  /** MAIL FROM, RCPT TO each, DATA; returns the first reply that failed, or the final 250. */
  async send(from: string, to: string[], message: string): Promise<SmtpReply> {
    for (const line of [`MAIL FROM:<${from}>`, ...to.map((t) => `RCPT TO:<${t}>`)]) {
      const r = await this.command(line);
      if (r.code >= 400) return r;
    }
    const r = await this.command('DATA');
    if (r.code !== 354) return r;
    // Dot-stuffing, CRLF line ends, then the lone dot.
    const data = message.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..');
    return this.command(`${data}${data.endsWith('\r\n') ? '' : '\r\n'}.`);
  }

  async quit(): Promise<void> {
    await this.command('QUIT').catch(() => undefined);
    this.socket.destroy();
  }

  private attach(): void {
    this.socket.on('data', this.onData);
    this.socket.on('error', this.onError);
  }

  private reply(): Promise<SmtpReply> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('SMTP reply timed out')), 10_000);
      this.waiting = (r) => { clearTimeout(timer); resolve(r); };
      this.failed = (e) => { clearTimeout(timer); reject(e); };
      this.drain();
    });
  }

  // A reply ends at its "NNN " line; "NNN-" lines continue it.
  private drain(): void {
    let nl: number;
    while (this.waiting && (nl = this.buffer.indexOf('\r\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 2);
      this.lines.push(line);
      if (/^\d{3}(?: |$)/.test(line)) {
        const done = this.waiting;
        this.waiting = undefined;
        done({ code: Number(line.slice(0, 3)), lines: this.lines.map((l) => l.slice(4)) });
        this.lines = [];
      }
    }
  }
}
