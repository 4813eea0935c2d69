// Review artifacts: what a reviewer reads in a merge request, written at every synth.
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import type { Fleet } from "../constructs/fleet.js";
import { tlsLevelOf } from "../postfix/relay-parameters.js";
import { render } from "../render/templates.js";
import { reviewModel } from "./model.js";

/** The review model's file in a review directory: what `npm run review` compares. */
export const REVIEW_MODEL_FILE = "review.json";

/** A review file's content: one string, or parts written one after another (see writeReview). */
export type ReviewFile = string | readonly string[];

/**
 * The review files of a stack, by path under <outdir>/review/<stack>/: pollers/<host>/{main.cf,
 * sasl_passwd,provision.sh}, central.clapi, review.json (the review model) and SUMMARY.md.
 */
export function reviewFiles(fleet: Fleet, warnings: string[] = []): Map<string, ReviewFile> {
  const files = new Map<string, ReviewFile>();
  for (const relay of fleet.relays) {
    for (const [name, parts] of Object.entries(relay.reviewFileParts())) files.set(join("pollers", relay.hostName, name), parts);
  }
  const configuration = fleet.central?.configuration;
  if (configuration) files.set("central.clapi", configuration.batch().text);
  const model = reviewModel(fleet);
  files.set(REVIEW_MODEL_FILE, `${JSON.stringify(model, null, 2)}\n`);
  files.set("SUMMARY.md", summary(fleet, warnings, model));
  return files;
}

/**
 * Writes <outdir>/review/<stack>/ afresh; resolves to the directory once every file is written.
 * The files are computed before this returns (an error leaves the old directory alone), then a
 * worker thread replaces the directory: thousands of small files take a third of a second, which
 * the caller spends synthesizing meanwhile (see synthesize.ts). A part many files share (the
 * script body of hosts alike) is passed to the worker once, not once per host: at 1000 pollers
 * that copy was 40 MB (peak memory 325 MB, now 290 MB).
 */
export async function writeReview(outdir: string, fleet: Fleet, warnings: string[] = []): Promise<string> {
  const dir = join(outdir, "review", fleet.node.id);
  const parts: string[] = [];
  const partIndex = new Map<string, number>();
  const indexOf = (part: string) => partIndex.get(part) ?? (partIndex.set(part, parts.push(part) - 1), parts.length - 1);
  const files = [...reviewFiles(fleet, warnings)].map(([name, content]) => [
    join(dir, name),
    typeof content === "string" ? [indexOf(content)] : content.map(indexOf),
  ]);
  const worker = new Worker(DIRECTORY_WRITER, { eval: true, workerData: { dir, parts, files } });
  return new Promise((resolve, reject) => {
    worker.once("error", reject);
    worker.once("exit", (code) => (code === 0 ? resolve(dir) : reject(new Error(`writing the review files in ${dir} failed (worker exit code ${code})`))));
  });
}

/** The worker's code: plain JavaScript, so it runs the same under tsx, vitest or compiled. */
const DIRECTORY_WRITER = `
const { workerData } = require("node:worker_threads");
const { mkdirSync, rmSync, writeFileSync } = require("node:fs");
const { dirname } = require("node:path");
rmSync(workerData.dir, { recursive: true, force: true });
const made = new Set();
for (const [path, parts] of workerData.files) {
  const dir = dirname(path);
  if (!made.has(dir)) mkdirSync(dir, { recursive: true }), made.add(dir);
  writeFileSync(path, parts.map((i) => workerData.parts[i]).join(""));
}
`;

export function summary(fleet: Fleet, warnings: string[] = [], model = reviewModel(fleet)): string {
  // A gateway no relay of this stack sends through (one a notification command names for its From):
  // its login is another stack's business.
  const sentThrough = new Set(fleet.relays.map((r) => r.gateway));
  const gateways = fleet.gateways.map((g) => ({
    name: g.gatewayName,
    relayhost: g.relayhost,
    security: g.settings.security,
    tlsLevel: tlsLevelOf(g.settings),
    username: sentThrough.has(g) ? (g.settings.username ?? "(none)") : "(no relay of this stack)",
    password: sentThrough.has(g) ? (g.password?.placeholder ?? "(none)") : "(no relay of this stack)",
    from: [
      g.settings.from ?? "(unchanged)",
      g.displayName ? ` shown as "${g.displayName.replace(/\|/g, "\\|")}"` : "",
      g.settings.replyTo ? `, Reply-To ${g.settings.replyTo}` : "",
    ].join(""),
    state: g.settings.enabled ? "enabled" : "DISABLED: mail held in the queue",
  }));
  const relays = fleet.relays;
  const hosts = model.hosts.map((host, i) => {
    const c = relays[i].remote.connection;
    return {
      name: host.name,
      role: host.role,
      ssh: host.settings.ssh,
      fqdn: relays[i].fqdn,
      os: host.settings.os,
      gateway: host.settings.gateway,
      hostKey: c.hostKey ? `pinned (${c.hostKey.split(" ")[0]})` : "NOT PINNED",
    };
  });
  // myhostname is in the hosts table; hosts that get the same other parameters are listed once
  // together, so a fleet of many alike pollers stays readable.
  const parameterGroups = new Map<string, { hosts: string[]; parameters: { name: string; value: string; note: string | null }[] }>();
  for (const host of model.hosts) {
    const shared = Object.entries(host.parameters).filter(([name]) => name !== "myhostname");
    const key = JSON.stringify(shared);
    const group = parameterGroups.get(key) ?? { hosts: [], parameters: shared.map(([name, p]) => ({ name, value: p.value, note: p.note ?? null })) };
    group.hosts.push(host.name);
    parameterGroups.set(key, group);
  }
  const batch = fleet.central?.configuration?.batch();
  // An object's parts follow it and lie within its lines (see ObjectLines.parts): counted as theirs.
  const ownLines = (batch?.objects ?? []).map((o, i, all) => {
    let own = o.lineCount;
    for (let j = i + 1; j < all.length && all[j].addLine < o.addLine + o.lineCount; j++) own -= all[j].lineCount;
    return own;
  });
  const objects = model.objects.map((o, i) => ({
    kind: o.kind,
    key: o.key,
    poller: o.poller,
    lines: ownLines[i] ?? 0,
    fields: Object.entries(o.fields).map(([name, value]) => ({ name, value })),
  }));
  const rollout = fleet.rolloutSettings;
  return render("review/SUMMARY.md.hbs", {
    rollout: rollout
      ? {
          waves: fleet.waves.map((hosts, i) => ({ wave: i === 0 && rollout.canary?.length ? "0 (canaries)" : String(i), hosts: hosts.join(", ") })),
          recipient: rollout.probe.recipient,
          timeoutSeconds: rollout.probe.timeoutSeconds ?? 60,
        }
      : null,
    name: fleet.node.id,
    engine: fleet.engine,
    gateways,
    hosts,
    parameterGroups: [...parameterGroups.values()],
    warnings,
    centreon: batch
      ? {
          central: fleet.central!.name,
          lineCount: batch.lines.length,
          objects,
          memberships: batch.memberships.map(([g, a]) => `${a} in ${g}`),
          existing: Object.entries({
            "time periods": fleet.central!.existing.timePeriods,
            "notification commands": fleet.central!.existing.notificationCommands,
            contacts: fleet.central!.existing.contacts,
            "contact groups": fleet.central!.existing.contactGroups,
          })
            .filter(([, names]) => names.length)
            .map(([kind, names]) => `${kind} ${names.join(", ")}`)
            .join("; "),
        }
      : null,
  });
}
