// The secrets scenario, shared by the security test and `npm run security-report`: a full apply,
// a changed-password apply and a failed apply in the lab, then every place secrets could be.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isMessage, type UpstreamMessage } from "../support/index.js";
import { LAB_POLLERS, labFleet, secretEnv, synthLabWithOutput } from "./fleet.js";
import { startLab, type Lab, type LabHost } from "./lab.js";
import { SecretScan, Watcher, type Counts } from "./secrets-scan.js";

// Distinctive values; the gateway password holds every character a shell or a config file could
// misread, spaces and non-ASCII.
export const SECURITY_SECRETS = {
  smtp_password: `Gw'"$;|&<>\`\\ pass é CANARY-7a1`,
  backup_smtp_password: "Backup CANARY-7a2 \\ $(id)",
  probe_password: "Probe-CANARY-7a3!",
  centreon_admin_password: "Admin-CANARY-7a4!",
};
export const ROTATED_SMTP_PASSWORD = `Rotated'"$;|&<>\`\\ é CANARY-7a5`;

/**
 * Allowed places: a poller's credentials map, the Centreon double's state (Centreon's database)
 * and the lab gateway's own user table (the company's SMTP server knows its users' passwords).
 */
export const isAllowedPlace = (place: string) =>
  place.endsWith(": credentials map") || place === "Centreon (CLAPI double) state" || place === "SMTP gateway's user table (lab)";
/** Documented, not hidden: CLAPI takes its password only as -p on its command line. */
export const CLAPI_COMMAND_LINE = "process arguments (CLAPI -p)";

export interface SecretReport {
  /** Names of the secrets searched for. */
  secrets: string[];
  counts: Counts;
  /** Samples of every process's command line and every credentials-map file's mode. */
  samples: number;
  /** owner:group:mode of every credentials-map file seen at any sample. */
  mapModes: string[];
}

const users = (smtp: string) => ({
  "relay-corporate": smtp,
  "relay-backup": SECURITY_SECRETS.backup_smtp_password,
  probe: SECURITY_SECRETS.probe_password,
});

export class SecurityLab {
  doc!: Record<string, any>;
  secrets: Record<string, string> = { ...SECURITY_SECRETS };
  readonly scan = new SecretScan({ ...SECURITY_SECRETS, rotated_smtp_password: ROTATED_SMTP_PASSWORD });
  private readonly started = Date.now();

  private constructor(readonly lab: Lab) {}

  static async start(): Promise<SecurityLab> {
    const lab = await startLab({ pollers: LAB_POLLERS, users: users(SECURITY_SECRETS.smtp_password), clapiAdminPassword: SECURITY_SECRETS.centreon_admin_password });
    const self = new SecurityLab(lab);
    self.doc = labFleet(lab);
    const { stackDir } = synthLabWithOutput(lab, self.doc);
    const init = lab.terraform(stackDir, ["init", "-input=false", "-no-color"]);
    if (init.code !== 0) {
      await lab.stop();
      throw new Error(init.output);
    }
    return self;
  }

  get hosts(): LabHost[] {
    return [...this.lab.pollers, this.lab.central];
  }

  /** Synth + apply; what both print is scanned. */
  async apply(): Promise<{ code: number; output: string; stackDir: string }> {
    const { stackDir, output } = synthLabWithOutput(this.lab, this.doc);
    this.scan.scan("cdktf synth output (main.ts)", output);
    const result = await this.lab.terraformAsync(stackDir, ["apply", "-auto-approve", "-input=false", "-no-color"], secretEnv(this.secrets)).done;
    this.scan.scan("terraform output", result.output);
    return { ...result, stackDir };
  }

  async send(host: LabHost, subject: string): Promise<UpstreamMessage> {
    await host.scratch.exec("sendmail -f nagios ops@example.org", { input: `Subject: ${subject}\n\nbody\n` });
    return (await this.lab.gateway.upstream.waitFor((r) => isMessage(r) && r.subject === subject, 30_000)) as UpstreamMessage;
  }

  /** Full apply, changed password, failed apply; then every place is scanned. Throws if an apply misbehaves. */
  async secretScenario(): Promise<SecretReport> {
    const watcher = new Watcher(this.scan, () => this.mapDirectories());
    try {
      const first = await this.apply();
      if (first.code !== 0) throw new Error(`first apply failed:\n${first.output.slice(-3000)}`);
      if ((await this.send(this.lab.pollers[0], "hostile password works")).user !== "relay-corporate") throw new Error("no relay with the hostile password");

      this.secrets = { ...this.secrets, smtp_password: ROTATED_SMTP_PASSWORD };
      await this.lab.gateway.upstream.setUsers(users(ROTATED_SMTP_PASSWORD));
      const rotated = await this.apply();
      if (rotated.code !== 0) throw new Error(`rotated-password apply failed:\n${rotated.output.slice(-3000)}`);
      await this.send(this.lab.pollers[1], "rotated password works");

      // poller-3's script stops at validation, after decoding its password into its scratch copy.
      this.doc.pollers[2].postfixParameters = { smtp_sasl_auth_enabel: "yes" };
      const failed = await this.apply();
      if (failed.code === 0) throw new Error("the apply meant to fail succeeded");
      delete this.doc.pollers[2].postfixParameters;
      this.scanPlaces(failed.stackDir);
    } finally {
      await watcher.stop();
    }
    for (const [key, pids] of watcher.commandLines) {
      const [kind, name] = key.split(": ");
      const place = kind === "CLAPI -p" ? CLAPI_COMMAND_LINE : "process arguments (other)";
      this.scan.counts[place] = { ...this.scan.counts[place], [name]: pids.size };
    }
    return { secrets: Object.keys(this.scan.secrets), counts: this.scan.counts, samples: watcher.samples, mapModes: [...watcher.mapModes.keys()] };
  }

  private scanPlaces(stackDir: string): void {
    const { lab, scan } = this;
    scan.scanTree(join(lab.dir, "cdktf.out", "stacks"), () => "synthesized JSON");
    scan.scanTree(join(lab.dir, "cdktf.out", "review"), () => "review artifacts");
    scan.scan("terraform state file", readFileSync(join(lab.dir, "terraform.lab.tfstate")));
    scan.scan("terraform show -json", lab.terraform(stackDir, ["show", "-json"]).output);
    scan.scan("Centreon (CLAPI double) state", readFileSync(lab.clapiState));
    for (const host of this.hosts) {
      scan.scanTree(host.scratch.root, (path) =>
        /etc-postfix\/sasl_passwd(\.db|\.lmdb)?$/.test(path) ? `${host.name}: credentials map` : `${host.name}: other files`,
      );
    }
    // The central uses the machine's /tmp: whatever was written there since the lab started. The
    // lab's SMTP gateway keeps its user table in the test file's temporary directory (test/setup.ts).
    scan.scanTree(
      "/tmp",
      (path) =>
        /^\/tmp\/(cmr-test-[^/]+\/)?upstream-smtp-[^/]+\/config\.json$/.test(path) ? "SMTP gateway's user table (lab)" : "machine /tmp (files written during the test)",
      this.started,
    );
  }

  /** Where credentials-map files can be: each host's /etc/postfix and its scripts' scratch copies. */
  private mapDirectories(): string[] {
    return this.hosts.flatMap((h) => {
      const tmp = h.scratch.path("/tmp");
      const scratch = readdirSync(tmp)
        .filter((d) => d.startsWith("centreon-mail-"))
        .flatMap((d) => ["stage", "check", "backup", "etc"].map((sub) => join(tmp, d, sub)));
      return [h.scratch.path("/etc/postfix"), ...scratch];
    });
  }

  stop(): Promise<void> {
    return this.lab.stop();
  }
}

/** The report as a Markdown table: place, allowed?, count per secret. */
export function reportTable(report: SecretReport): string {
  const names = [...report.secrets].sort();
  const rows = Object.entries(report.counts).map(([place, c]) => {
    const verdict = isAllowedPlace(place) ? "allowed" : place === CLAPI_COMMAND_LINE ? "documented exposure" : Object.keys(c).length ? "LEAK" : "none";
    return `| ${place} | ${verdict} | ${names.map((n) => c[n] ?? 0).join(" | ")} |`;
  });
  return [
    `| place | verdict | ${names.join(" | ")} |`,
    `|---|---|${names.map(() => "---|").join("")}`,
    ...rows,
    "",
    `${report.samples} samples of every process's arguments and every credentials-map file's mode during the applies; modes seen: ${report.mapModes.join(", ")}.`,
  ].join("\n");
}
