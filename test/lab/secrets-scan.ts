// Where do the secrets end up? Counts each secret value (as is, and base64-encoded, which is as
// good as clear) per place: files, texts, process command lines sampled while applies run, and
// the modes of every credentials-map file seen at any moment.
import { lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export type Counts = Record<string, Record<string, number>>;

export class SecretScan {
  readonly counts: Counts = {};
  private readonly patterns: [string, Buffer][];

  constructor(readonly secrets: Record<string, string>) {
    this.patterns = Object.entries(secrets).flatMap(([name, value]) => [
      [name, Buffer.from(value, "utf8")],
      [name, Buffer.from(Buffer.from(value, "utf8").toString("base64"))],
    ]);
  }

  /** Occurrences of any secret in `data`, added to `place`. */
  scan(place: string, data: string | Buffer): number {
    const buffer = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let total = 0;
    for (const [name, pattern] of this.patterns) {
      let n = 0;
      for (let at = buffer.indexOf(pattern); at !== -1; at = buffer.indexOf(pattern, at + 1)) n++;
      if (n) {
        this.counts[place] ??= {};
        this.counts[place][name] = (this.counts[place][name] ?? 0) + n;
        total += n;
      }
    }
    this.counts[place] ??= {};
    return total;
  }

  /** Every regular file under `dir`; `placeOf` names the place of each (e.g. the credentials map). */
  scanTree(dir: string, placeOf: (path: string) => string, since = 0): void {
    const walk = (path: string) => {
      let st;
      try {
        st = lstatSync(path);
      } catch {
        return;
      }
      if (st.isDirectory()) {
        for (const entry of readdirSync(path)) walk(join(path, entry));
      } else if (st.isFile() && st.mtimeMs >= since && st.size < 50_000_000) {
        this.scan(placeOf(path), readFileSync(path));
      }
    };
    walk(dir);
  }

  /** Places (other than `allowed`) where a secret was found. */
  leaks(allowed: (place: string) => boolean): Counts {
    return Object.fromEntries(Object.entries(this.counts).filter(([place, c]) => !allowed(place) && Object.keys(c).length > 0));
  }
}

/** Samples, until stopped, every process's command line and every credentials-map file's mode. */
export class Watcher {
  /** secret name → pids whose command line held it, by kind of process. */
  readonly commandLines = new Map<string, Set<string>>();
  readonly mapModes = new Map<string, Set<string>>();
  samples = 0;
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly scan: SecretScan,
    private readonly mapDirs: () => string[],
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      this.sample();
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private sample(): void {
    this.samples++;
    for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
      let cmdline: Buffer;
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`);
      } catch {
        continue;
      }
      if (cmdline.length === 0) continue;
      const probe = new SecretScan(this.scan.secrets);
      if (probe.scan("cmdline", cmdline) === 0) continue;
      const args = cmdline.toString("utf8").split("\0");
      const kind = args.some((a) => a.endsWith("centreon") || a.endsWith("centreon.ts")) && args.includes("-p") ? "CLAPI -p" : "other";
      for (const name of Object.keys(probe.counts.cmdline)) {
        const key = `${kind}: ${name}`;
        this.commandLines.set(key, (this.commandLines.get(key) ?? new Set()).add(pid));
      }
    }
    for (const dir of this.mapDirs()) {
      let entries: string[];
      try {
        entries = readdirSync(dir);
      } catch {
        continue;
      }
      for (const entry of entries.filter((e) => e.includes("sasl_passwd"))) {
        try {
          const st = statSync(join(dir, entry));
          const mode = `${st.uid}:${st.gid}:${(st.mode & 0o7777).toString(8)}`;
          this.mapModes.set(mode, (this.mapModes.get(mode) ?? new Set()).add(join(dir, entry)));
        } catch {
          /* renamed or removed between readdir and stat */
        }
      }
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}
