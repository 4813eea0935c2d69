// Rollout waves end to end: `npm run deploy` (scripts/deploy.ts) on the lab fleet with
// rollout { canary: [poller-3], batchSize: 2 }: waves [poller-3], [poller-1, poller-2], [Central].
// Real Terraform orders them (depends_on); every host probes the gateway after its reload; a canary
// whose probe fails stops the rollout before any other host is touched, and the table says so.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { writeFileSync } from "node:fs";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isMessage, requirePrivileged, type UpstreamMessage } from "../support/index.js";
import { LAB_POLLERS, LAB_SECRETS, LAB_USERS, labFleet, secretEnv } from "./fleet.js";
import { PROJECT_DIR, startLab, type Lab, type LabHost } from "./lab.js";

const privileged = requirePrivileged("rollout lab (network namespaces, sshd, Postfix, terraform)");
const PROBE_SUBJECT = /^centreon-mail-as-code probe from (.+)$/;

describe.skipIf(!privileged)("rollout waves and the deploy table, with real Terraform", () => {
  let lab: Lab;
  let doc: Record<string, any>;

  const hosts = () => [...lab.pollers, lab.central];
  const connections = () => Object.fromEntries(hosts().map((h) => [h.name, h.connections()]));
  const delta = (before: Record<string, number>) => Object.fromEntries(hosts().map((h) => [h.name, h.connections() - before[h.name]]));
  const poller = (name: string) => lab.pollers.find((p) => p.name === name)!;
  const senderMap = async (host: LabHost) => (await host.scratch.exec("postconf -h sender_canonical_maps")).stdout.trim();
  /** Probes the gateway received so far, in arrival order: [host, authenticated user]. */
  const probes = () =>
    lab.gateway.upstream
      .records()
      .filter((r): r is UpstreamMessage => isMessage(r) && PROBE_SUBJECT.test(r.subject))
      .map((m) => [PROBE_SUBJECT.exec(m.subject)![1], m.user]);

  /** npm run deploy, as an operator runs it: the fleet file, TF_VAR_s, the project's script. */
  const deploy = (secrets: Record<string, string>) => {
    const fleetFile = join(lab.dir, "fleet.yaml");
    writeFileSync(fleetFile, stringify(doc));
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
    const run = spawnSync(process.execPath, ["--import", tsx, join(PROJECT_DIR, "scripts/deploy.ts")], {
      cwd: lab.dir,
      env: {
        ...process.env,
        ...secretEnv(secrets),
        FLEET_FILE: fleetFile,
        CDKTF_OUTDIR: join(lab.dir, "cdktf.out"),
        TF_CLI_CONFIG_FILE: join(lab.dir, "terraformrc"),
        CHECKPOINT_DISABLE: "1",
        TF_IN_AUTOMATION: "1",
      },
      encoding: "utf8",
      timeout: 300_000,
    });
    const output = `${run.stdout}${run.stderr}`;
    return { code: run.status ?? 1, output, table: output.slice(output.lastIndexOf("centreon-mail-as-code deploy of lab:")) };
  };
  const expectDeployed = (result: { code: number; output: string }) => {
    if (result.code !== 0) throw new Error(`npm run deploy failed:\n${result.output.slice(-5000)}`);
  };
  /** The table's status column for `host` (first row with that host and role). */
  const status = (table: string, host: string, role = "relay") =>
    table
      .split("\n")
      .map((l) => l.split(/\s{2,}/))
      .find((cells) => cells[0] === host && cells[2] === role)?.[3];

  beforeAll(async () => {
    lab = await startLab({ pollers: LAB_POLLERS, users: LAB_USERS, clapiAdminPassword: LAB_SECRETS.centreon_admin_password });
    doc = labFleet(lab);
    doc.rollout = { canary: ["poller-3"], batchSize: 2, probe: { recipient: "mail-probe@example.org", timeoutSeconds: 20 } };
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("a: canary, then waves of 2, in order; every host's probe reaches the gateway; the table says changed", async () => {
    const result = deploy(LAB_SECRETS);
    expectDeployed(result);
    // Terraform started each wave only once the previous one was complete...
    const at = (pattern: string) => result.output.indexOf(pattern);
    const complete = (host: string) => at(`terraform_data.relay_${host}: Creation complete`);
    const creating = (host: string) => at(`terraform_data.relay_${host}: Creating...`);
    expect(complete("poller-3")).toBeGreaterThan(0);
    expect(creating("poller-1")).toBeGreaterThan(complete("poller-3"));
    expect(creating("poller-2")).toBeGreaterThan(complete("poller-3"));
    expect(creating("Central")).toBeGreaterThan(Math.max(complete("poller-1"), complete("poller-2")));
    // ...and the gateway received the probes in that order, each authenticated as its host's gateway user.
    const received = probes();
    expect(received[0]).toEqual(["poller-3", "relay-backup"]);
    expect(received.slice(1, 3).sort()).toEqual([["poller-1", "relay-corporate"], ["poller-2", "relay-corporate"]]);
    expect(received[3]).toEqual(["Central", "relay-corporate"]);
    for (const host of hosts()) expect(await host.scratch.exec("postqueue -j")).toMatchObject({ stdout: "" });
    for (const host of ["poller-3", "poller-1", "poller-2", "Central"]) expect(status(result.table, host)).toBe("changed");
    expect(status(result.table, "Central", "Centreon objects")).toBe("changed");
  });

  it("a: an unchanged canary forces nothing: no-op deploy without SSH; a change in wave 1 touches that host only", async () => {
    let before = connections();
    const noop = deploy(LAB_SECRETS);
    expectDeployed(noop);
    expect(noop.output).toContain("No changes.");
    expect(delta(before)).toEqual({ "poller-1": 0, "poller-2": 0, "poller-3": 0, central: 0 });
    for (const host of ["poller-3", "poller-1", "poller-2", "Central"]) expect(status(noop.table, host)).toBe("unchanged");

    before = connections();
    doc.pollers[0].postfixParameters = { maximal_queue_lifetime: "4d" };
    const one = deploy(LAB_SECRETS);
    expectDeployed(one);
    expect(delta(before)).toEqual({ "poller-1": 1, "poller-2": 0, "poller-3": 0, central: 0 });
    expect(status(one.table, "poller-1")).toBe("changed");
    expect(status(one.table, "poller-3")).toBe("unchanged");
  });

  it("b: a canary whose probe the gateway refuses stops the rollout: one line with host, step and fix; no other host touched", async () => {
    const before = connections();
    const probesBefore = probes().length;
    for (const g of Object.values<any>(doc.gateways)) g.from = "noc@lab.example.org";
    // The canary (poller-3) relays through "backup": only its password is wrong.
    const failed = deploy({ ...LAB_SECRETS, backup_smtp_password: "not-the-backup-password" });
    expect(failed.code).not.toBe(0);
    // Terraform's stream shows the host's line after "terraform_data.relay_poller-3 (remote-exec): ";
    // the summary under the table repeats it as is, once.
    expect(failed.output).toContain("terraform_data.relay_poller-3 (remote-exec): centreon-mail-as-code: poller-3: probe failed: ");
    const lines = failed.output.split("\n").filter((l) => l.startsWith("centreon-mail-as-code: poller-3: "));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^centreon-mail-as-code: poller-3: probe failed: the probe was deferred \(SASL authentication failed; .* said: 535 [^)]*\); the probe was removed from the queue; the previous configuration was put back\. Fix: the gateway refused the login of relay-backup: set TF_VAR_backup_smtp_password to its password/,
    );
    expect(failed.output).not.toContain("not-the-backup-password");
    expect(delta(before)).toEqual({ "poller-1": 0, "poller-2": 0, "poller-3": 1, central: 0 });
    // The canary is back on its previous configuration; the others were never touched.
    for (const name of ["poller-3", "poller-1", "poller-2"]) expect(await senderMap(poller(name))).toBe("static:centreon@lab.example.org");
    expect(await senderMap(lab.central)).toBe("static:centreon@lab.example.org");
    expect(probes().length).toBe(probesBefore);
    expect((await poller("poller-3").scratch.exec("postqueue -j")).stdout).toBe("");
    expect(status(failed.table, "poller-3")).toBe("FAILED at probe");
    for (const host of ["poller-1", "poller-2", "Central"]) expect(status(failed.table, host)).toBe("not run: waiting for failed canary poller-3");
    expect(status(failed.table, "Central", "Centreon objects")).toBe("unchanged");

    // The fix: the right password; the rollout resumes and converges.
    const fixed = deploy(LAB_SECRETS);
    expectDeployed(fixed);
    for (const host of ["poller-3", "poller-1", "poller-2", "Central"]) expect(status(fixed.table, host)).toBe("changed");
    for (const host of hosts()) expect(await senderMap(host)).toBe("static:noc@lab.example.org");
    expect(probes().slice(probesBefore).map(([host]) => host)[0]).toBe("poller-3");
    const again = deploy(LAB_SECRETS);
    expectDeployed(again);
    expect(again.output).toContain("No changes.");
  });
});
