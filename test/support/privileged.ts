import { spawnSync } from 'node:child_process';

// Computed once per process: the answer cannot change while tests run.
let cached: { reason: string | undefined } | undefined;

/** Why this process cannot make mount + network namespaces, or undefined when it can. */
export function privilegedReason(): string | undefined {
  cached ??= { reason: probe() };
  return cached.reason;
}

function probe(): string | undefined {
  const uid = process.getuid?.();
  if (uid !== 0) return `the tests run as uid ${uid ?? 'unknown'}, not root`;
  // Being root is not enough inside some containers: try the real thing.
  const r = spawnSync('unshare', ['--mount', '--net', 'true'], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return `cannot run unshare: ${r.error.message}`;
  if (r.status !== 0) {
    return `\`unshare --mount --net true\` failed (exit ${r.status ?? r.signal}): ${r.stderr.trim()}`;
  }
  return undefined;
}

/**
 * True when privileged tests can run. In CI a missing privilege is an error (a skipped
 * integration test would look green); on a developer machine it is a loud skip.
 */
export function requirePrivileged(what: string): boolean {
  const reason = privilegedReason();
  if (reason === undefined) return true;
  if (process.env.CI) throw new Error(`${what} needs root and namespaces, but ${reason} (CI must not skip it)`);
  process.stderr.write(`\n*** SKIPPING ${what}: ${reason} — run as root (CI does) ***\n\n`);
  return false;
}
