import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, chown, cp, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { constants as osConstants } from 'node:os';

export interface ExecResult { code: number; stdout: string; stderr: string }

export interface ExecOptions { env?: Record<string, string>; input?: string; timeoutMs?: number }

export interface ScratchHost {
  readonly name: string;
  /** Temp dir holding this host's private directories. */
  readonly root: string;
  /** Holder process living in the host's mount + network namespaces. */
  readonly pid: number;
  /** Runs `sh -c command` as root inside the host's namespaces. Rejects only on timeout. */
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  /** Maps a path seen inside the host (e.g. /etc/postfix/main.cf) to the real path on disk. */
  path(hostPath: string): string;
  /** Stops Postfix inside, kills every process in the host's namespaces, removes its directories. */
  stop(): Promise<void>;
}

export interface ScratchHostOptions {
  name: string;
  /** 'debian-default' (default): main.cf from main.cf.debian; 'none': no main.cf, like Debian's "No configuration". */
  mainCf?: 'debian-default' | 'none';
  /**
   * A private /tmp (default true). false keeps the machine's /tmp visible, for a host that must run
   * something from a checkout under /tmp (the CLAPI test double on the central).
   */
  privateTmp?: boolean;
  /** More directories private to this host, empty at start (e.g. /root, /usr/local/bin). */
  privateDirs?: string[];
}

// Directories the host gets its own copy of: path inside → sub-directory of root.
const MOUNTS: ReadonlyArray<readonly [string, string]> = [
  ['/etc/postfix', 'etc-postfix'],
  ['/var/spool/postfix', 'var-spool-postfix'],
  ['/var/lib/postfix', 'var-lib-postfix'],
  ['/var/log', 'var-log'],
  // The central's executor keeps what it created here (prune needs it).
  ['/var/lib/centreon-mail-as-code', 'var-lib-centreon-mail-as-code'],
  ['/tmp', 'tmp'],
];

// What the Debian package puts in /etc/postfix; main.cf is handled on its own.
const PACKAGE_FILES = [
  'master.cf', 'postfix-files', 'postfix-files.d', 'dynamicmaps.cf', 'dynamicmaps.cf.d', 'main.cf.proto',
  'master.cf.proto', 'makedefs.out', 'post-install', 'postfix-script', 'sasl',
];

// A root login's environment, not the test runner's: the product's scripts get nothing more on a real host.
const BASE_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root', USER: 'root', LOGNAME: 'root', SHELL: '/bin/sh', LANG: 'C.UTF-8',
};

type Mounts = ReadonlyArray<readonly [string, string]>;

// Holder script: ${1}..${N} (braced: $10 is $1 then "0") are the private dirs in `mounts` order, then
// the root. /tmp goes last so that a root under /tmp would still be reachable for the earlier binds. `read` blocks on the
// stdin pipe; EOF means the test runner died without stop() (which SIGKILLs the holder instead):
// then the holder takes the host down itself, so nothing leaks even after a SIGKILLed runner.
const holderScript = (mounts: Mounts) => [
  'set -e',
  // mkdir: a mount point missing on this machine (the executor's state directory) is created empty.
  ...mounts.map(([inside], i) => `mkdir -p ${inside} && mount --bind "\${${i + 1}}" ${inside}`),
  'ip link set lo up',
  'echo ready',
  'read -r _ || true',
  'set +e',
  'm=$(readlink /proc/$$/ns/mnt); n=$(readlink /proc/$$/ns/net)',
  'for p in /proc/[0-9]*; do',
  '  case "$(readlink $p/ns/mnt 2>/dev/null) $(readlink $p/ns/net 2>/dev/null)" in',
  '    *"$m"*|*"$n"*) [ "${p#/proc/}" = $$ ] || kill -9 "${p#/proc/}" 2>/dev/null ;;',
  '  esac',
  'done',
  `rm -rf -- "\${${mounts.length + 1}}"`,
].join('\n');

export async function startScratchHost(opts: ScratchHostOptions): Promise<ScratchHost> {
  if (!/^[A-Za-z0-9_.-]+$/.test(opts.name)) throw new Error(`bad scratch host name: ${opts.name}`);
  if (!existsSync('/etc/postfix/master.cf')) throw new Error('postfix is not installed: no /etc/postfix/master.cf');
  // /etc is this machine's: the relay script would build the missing database there (.ci/run builds it).
  if (existsSync('/etc/aliases') && !existsSync('/etc/aliases.db')) {
    throw new Error('/etc/aliases.db is missing on this machine, and the relay script under test would build it outside the scratch host: build it first as .ci/run does');
  }
  // /var/tmp, not /tmp: the host gets its own /tmp, and root stays visible from inside too.
  const root = await mkdtemp(`/var/tmp/scratch-host-${opts.name}-`);
  try {
    const extra = (opts.privateDirs ?? []).map((dir) => [dir, `extra${dir.replace(/\//g, '-')}`] as const);
    const base = opts.privateTmp === false ? MOUNTS.filter(([inside]) => inside !== '/tmp') : MOUNTS;
    // Parents before their children (a private /var/spool, then /var/spool/postfix inside it, its
    // mount point made in the private copy); /tmp stays last (see the holder script).
    const depth = ([inside]: readonly [string, string]) => inside.split('/').length;
    const mounts = [...base.filter(([inside]) => inside !== '/tmp'), ...extra].sort((a, b) => depth(a) - depth(b));
    mounts.push(...base.filter(([inside]) => inside === '/tmp'));
    await seed(root, opts.mainCf ?? 'debian-default', mounts);
    const holder = await startHolder(root, mounts);
    const host = new Host(opts.name, root, holder, mounts);
    try {
      await host.verifyMounts();
    } catch (e) {
      await host.stop();
      throw e;
    }
    return host;
  } catch (e) {
    await rm(root, { recursive: true, force: true });
    throw e;
  }
}

async function seed(root: string, mainCf: 'debian-default' | 'none', mounts: Mounts): Promise<void> {
  for (const [, sub] of mounts) await mkdir(join(root, sub));
  const etc = join(root, 'etc-postfix');
  await chmod(etc, 0o755);
  for (const f of PACKAGE_FILES) {
    const src = join('/etc/postfix', f);
    // verbatimSymlinks keeps makedefs.out a link to /usr/share/postfix, as the package has it.
    if (existsSync(src)) await cp(src, join(etc, f), { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  }
  // Keep the package file's old mtime: Postfix re-reads a main.cf changed in the last ~2 s
  // (0.3 s sleeps) before trusting it, which would slow every first command down.
  if (mainCf === 'debian-default') await cp('/usr/share/postfix/main.cf.debian', join(etc, 'main.cf'), { preserveTimestamps: true });
  // Empty spool, root-owned 0755: `postfix start` creates the queue directories with their owners.
  await chmod(join(root, 'var-spool-postfix'), 0o755);
  const lib = join(root, 'var-lib-postfix');
  const { uid, gid } = await userIds('postfix');
  await chown(lib, uid, gid);
  await chmod(lib, 0o755);
  await chmod(join(root, 'var-log'), 0o755);
  if (mounts.some(([inside]) => inside === '/tmp')) await chmod(join(root, 'tmp'), 0o1777);
  // A private /root is root's home: nobody else may read it (the uploaded scripts land there).
  for (const [inside, sub] of mounts) if (inside === '/root') await chmod(join(root, sub), 0o700);
}

async function userIds(user: string): Promise<{ uid: number; gid: number }> {
  const line = (await readFile('/etc/passwd', 'utf8')).split('\n').find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`no user ${user} in /etc/passwd`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function startHolder(root: string, mounts: Mounts): Promise<ChildProcess & { pid: number }> {
  const args = ['--mount', '--net', '--propagation', 'private', 'sh', '-c', holderScript(mounts), 'holder',
    ...mounts.map(([, sub]) => join(root, sub)), root];
  const child = spawn('unshare', args, { stdio: ['pipe', 'pipe', 'pipe'], detached: false });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`scratch host holder exited (${code ?? signal}): ${stderr.trim()}`)));
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready') && child.pid !== undefined) resolve(child as ChildProcess & { pid: number });
    });
  });
}

class Host implements ScratchHost {
  readonly pid: number;
  private stopping?: Promise<void>;
  private readonly nsIds: string[];

  constructor(
    readonly name: string,
    readonly root: string,
    private readonly holder: ChildProcess & { pid: number },
    private readonly mounts: Mounts,
  ) {
    this.pid = holder.pid;
    // Read the namespace ids now: once the holder is gone its /proc entry cannot tell them.
    this.nsIds = ['mnt', 'net'].map((ns) => readlinkSync(`/proc/${this.pid}/ns/${ns}`));
  }

  path(hostPath: string): string {
    // The innermost mount holding the path (/var/spool/postfix inside a private /var/spool).
    for (const [inside, sub] of [...this.mounts].reverse()) {
      if (hostPath === inside || hostPath.startsWith(`${inside}/`)) return join(this.root, sub, hostPath.slice(inside.length));
    }
    // privateTmp false: the host sees the machine's own /tmp.
    if (hostPath === '/tmp' || hostPath.startsWith('/tmp/')) return hostPath;
    throw new Error(`${hostPath} is not private to scratch host ${this.name}: it is the machine's own`);
  }

  exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    // nsenter execs sh in place (no pid namespace), so child.pid is the shell's own PID.
    const child = spawn('nsenter', ['-t', String(this.pid), '-m', '-n', '--', 'sh', '-c', command], {
      cwd: '/', env: { ...BASE_ENV, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    const timeoutMs = opts.timeoutMs ?? 60_000;
    return new Promise((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`scratch host ${this.name}: \`${command}\` timed out after ${timeoutMs} ms\n${stdout}${stderr}`));
      }, timeoutMs);
      child.once('error', (e) => { clearTimeout(timer); reject(e); });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        const result = (): void => resolve({ code: code ?? 128 + (signal ? osConstants.signals[signal] : 0), stdout, stderr });
        // A daemon the command left running may hold stdout open: don't wait for it past a moment.
        const grace = setTimeout(() => { child.stdout.destroy(); child.stderr.destroy(); result(); }, 200);
        child.once('close', () => { clearTimeout(grace); result(); });
      });
      child.stdin.on('error', () => { /* the command may exit without reading its input */ });
      child.stdin.end(opts.input ?? '');
    });
  }

  /** Fails unless each private directory is what the host sees at its path. */
  async verifyMounts(): Promise<void> {
    const inside = this.mounts.map(([p]) => p);
    const r = await this.exec(`stat -c '%d:%i' ${inside.join(' ')}`);
    const seen = r.stdout.trim().split('\n');
    for (const [i, [p, sub]] of this.mounts.entries()) {
      const s = await stat(join(this.root, sub));
      if (seen[i] !== `${s.dev}:${s.ino}`) throw new Error(`scratch host ${this.name}: ${p} inside is not its private copy (${r.stderr.trim()})`);
    }
  }

  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    // A clean `postfix stop` first when a master runs here (failure is fine). Not `postfix status`
    // to find out: every Postfix command costs 1 s on a fatal error (no main.cf) and up to 2 s
    // after a fresh main.cf edit.
    const master = members(this.nsIds, this.pid).some((pid) => comm(pid) === 'master');
    if (master && this.holder.exitCode === null && this.holder.signalCode === null) {
      await this.exec('postfix stop', { timeoutMs: 30_000 }).catch(() => undefined);
    }
    for (let round = 0; round < 5 && members(this.nsIds, this.pid).length > 0; round++) {
      killMembersSync(this.nsIds, this.pid, round < 2 ? 'SIGTERM' : 'SIGKILL');
      await waitFor(() => members(this.nsIds, this.pid).length === 0, 2000);
    }
    if (this.holder.exitCode === null && this.holder.signalCode === null) {
      const exited = new Promise((r) => this.holder.once('exit', r));
      this.holder.kill('SIGKILL');
      await exited;
    }
    const left = members(this.nsIds);
    if (left.length > 0) throw new Error(`scratch host ${this.name}: processes ${left.join(' ')} survived stop()`);
    await rm(this.root, { recursive: true, force: true });
  }
}

/** PIDs of processes in any of the given namespaces (mnt or net), except `except`. */
function members(nsIds: string[], except?: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === except || pid === process.pid) continue;
    if (inNamespaces(pid, nsIds)) pids.push(pid);
  }
  return pids;
}

function comm(pid: number): string {
  try { return readFileSync(`/proc/${pid}/comm`, 'utf8').trim(); } catch { return ''; }
}

function inNamespaces(pid: number, nsIds: string[]): boolean {
  for (const ns of ['mnt', 'net']) {
    try {
      if (nsIds.includes(readlinkSync(`/proc/${pid}/ns/${ns}`))) return true;
    } catch { /* gone, or a kernel thread */ }
  }
  return false;
}

function killMembersSync(nsIds: string[], except: number, signal: NodeJS.Signals): void {
  for (const pid of members(nsIds, except)) {
    try {
      // Re-check right before the kill: the PID may have been reused since the listing.
      if (inNamespaces(pid, nsIds)) process.kill(pid, signal);
    } catch { /* already gone */ }
  }
}

async function waitFor(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return cond();
}
