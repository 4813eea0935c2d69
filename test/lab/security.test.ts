// Security, proven in the lab: where the secrets are after a full apply, a changed-password apply
// and a failed one; host keys; an interrupted apply; CLAPI failing midway.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readState, updateState } from "../clapi-double/state.js";
import { isMessage, requirePrivileged, type UpstreamMessage } from "../support/index.js";
import { LAB_POLLERS, labFleet, secretEnv, synthLabWithOutput } from "./fleet.js";
import { startLab, type Lab, type LabHost } from "./lab.js";
import { SecretScan, Watcher } from "./secrets-scan.js";

// Distinctive values; the gateway password holds every character a shell or a config file could
// misread, spaces and non-ASCII.
export const SECURITY_SECRETS = {
  smtp_password: `Gw'"$;|&<>\`\\ pass é ${"CANARY-7a1"}`,
  backup_smtp_password: "Backup CANARY-7a2 \\ $(id)",
  probe_password: "Probe-CANARY-7a3!",
  centreon_admin_password: "Admin-CANARY-7a4!",
};
const ROTATED = `Rotated'"$;|&<>\`\\ é CANARY-7a5`;
const users = (smtp: string) => ({
  "relay-corporate": smtp,
  "relay-backup": SECURITY_SECRETS.backup_smtp_password,
  probe: SECURITY_SECRETS.probe_password,
});

/**
 * Allowed places: a poller's credentials map, the Centreon double's state (Centreon's database)
 * and the lab gateway's own user table (the company's SMTP server knows its users' passwords).
 */
export const isAllowedPlace = (place: string) =>
  place.endsWith(": credentials map") || place === "Centreon (CLAPI double) state" || place === "SMTP gateway's user table (lab)";

const privileged = requirePrivileged("security lab (network namespaces, sshd, Postfix, terraform)");

describe.skipIf(!privileged)("security in the lab", () => {
  let lab: Lab;
  let doc: Record<string, any>;
  let secrets: Record<string, string> = { ...SECURITY_SECRETS };
  const scan = new SecretScan({ ...SECURITY_SECRETS, rotated_smtp_password: ROTATED });
  let watcher: Watcher;
  const started = Date.now();
  const hosts = () => [...lab.pollers, lab.central];
  const outputs: string[] = [];

  /** Synth + apply, scanning what both print; the watcher samples processes and map modes meanwhile. */
  const apply = async () => {
    const { stackDir, output } = synthLabWithOutput(lab, doc);
    scan.scan("cdktf synth output (main.ts)", output);
    const { done } = lab.terraformAsync(stackDir, ["apply", "-auto-approve", "-input=false", "-no-color"], secretEnv(secrets));
    const result = await done;
    scan.scan("terraform output", result.output);
    outputs.push(result.output);
    return { ...result, stackDir };
  };
  const send = async (host: LabHost, subject: string) => {
    await host.scratch.exec("sendmail -f nagios ops@example.org", { input: `Subject: ${subject}\n\nbody\n` });
    return (await lab.gateway.upstream.waitFor((r) => isMessage(r) && r.subject === subject, 30_000)) as UpstreamMessage;
  };

  beforeAll(async () => {
    lab = await startLab({ pollers: LAB_POLLERS, users: users(SECURITY_SECRETS.smtp_password), clapiAdminPassword: SECURITY_SECRETS.centreon_admin_password });
    doc = labFleet(lab);
    const { stackDir } = synthLabWithOutput(lab, doc);
    const init = lab.terraform(stackDir, ["init", "-input=false", "-no-color"]);
    if (init.code !== 0) throw new Error(init.output);
    watcher = new Watcher(scan, () =>
      hosts().flatMap((h) => {
        const tmp = h.scratch.path("/tmp");
        const staged = readdirSync(tmp)
          .filter((d) => d.startsWith("centreon-mail-"))
          .flatMap((d) => [join(tmp, d, "stage"), join(tmp, d, "check"), join(tmp, d, "backup"), join(tmp, d, "etc")]);
        return [h.scratch.path("/etc/postfix"), ...staged];
      }),
    );
  });
  afterAll(async () => {
    await watcher?.stop();
    await lab?.stop();
  });

  it("a full apply, a changed-password apply and a failed apply leave secrets only where they belong", async () => {
    // 1. Full apply; mail flows with the hostile password.
    const first = await apply();
    expect(first.code, first.output.slice(-3000)).toBe(0);
    expect((await send(lab.pollers[0], "hostile password works")).user).toBe("relay-corporate");

    // 2. Changed password.
    secrets = { ...secrets, smtp_password: ROTATED };
    await lab.gateway.upstream.setUsers(users(ROTATED));
    const rotated = await apply();
    expect(rotated.code, rotated.output.slice(-3000)).toBe(0);
    expect((await send(lab.pollers[1], "rotated password works")).user).toBe("relay-corporate");

    // 3. A failed apply: poller-3's script stops at validation, after decoding its password.
    doc.pollers[2].postfixParameters = { smtp_sasl_auth_enabel: "yes" };
    const failed = await apply();
    expect(failed.code).not.toBe(0);
    delete doc.pollers[2].postfixParameters;
    await watcher.stop();

    // Where the secrets are now.
    scan.scanTree(join(lab.dir, "cdktf.out", "stacks"), () => "synthesized JSON");
    scan.scanTree(join(lab.dir, "cdktf.out", "review"), () => "review artifacts");
    scan.scan("terraform state file", readFileSync(join(lab.dir, "terraform.lab.tfstate")));
    scan.scan("terraform show -json", lab.terraform(failed.stackDir, ["show", "-json"]).output);
    scan.scan("Centreon (CLAPI double) state", readFileSync(lab.clapiState));
    for (const host of hosts()) {
      scan.scanTree(host.scratch.root, (path) =>
        /etc-postfix\/sasl_passwd(\.db|\.lmdb)?$/.test(path) ? `${host.name}: credentials map` : `${host.name}: other files`,
      );
    }
    // The central uses the machine's /tmp: whatever was written there since the lab started.
    scan.scanTree("/tmp", (path) => (/^\/tmp\/upstream-smtp-[^/]+\/config\.json$/.test(path) ? "SMTP gateway's user table (lab)" : "machine /tmp (files written during the test)"), started);
    for (const [key, pids] of watcher.commandLines) {
      scan.counts[`process arguments (${key.split(":")[0]})`] ??= {};
      scan.counts[`process arguments (${key.split(":")[0]})`][key.split(": ")[1]] = pids.size;
    }
    writeFileSync(join(lab.dir, "..", `cmr-security-figures-${process.pid}.json`), JSON.stringify({ counts: scan.counts, samples: watcher.samples, mapModes: [...watcher.mapModes.keys()] }, null, 2));

    // The maps exist where promised, and nowhere else is there any secret, in clear or base64.
    for (const poller of lab.pollers) expect(scan.counts[`${poller.name}: credentials map`]).not.toEqual({});
    // CLAPI takes its password only as -p: documented in SECURITY.md, counted, not hidden.
    expect(scan.leaks((place) => isAllowedPlace(place) || place === "process arguments (CLAPI -p)")).toEqual({});
    // Every map file seen, at any sample, was root:root 0600.
    expect(watcher.samples).toBeGreaterThan(50);
    expect([...watcher.mapModes.keys()]).toEqual(["0:0:600"]);
  });

  it("a host presenting another key fails before any command runs on it", async () => {
    const victim = lab.pollers[0];
    const before = victim.connections();
    const newKey = await victim.replaceHostKey();
    doc.gateways.corporate.from = "noc@lab.example.org";
    const result = await apply();
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/key mismatch/);
    expect(victim.connections()).toBe(before);
    expect((await victim.scratch.exec("postconf -h sender_canonical_maps")).stdout.trim()).toBe("static:centreon@lab.example.org");
    // The operator checks the new key and pins it: the apply goes through.
    doc.pollers[0].hostKey = newKey;
    const fixed = await apply();
    expect(fixed.code, fixed.output.slice(-2000)).toBe(0);
  });

  // `kill` (SIGTERM), as a CI system cancelling a job does first: Terraform stops its provisioners
  // and saves the host as tainted. (After kill -9 Terraform may already have saved the host as
  // created: see docs/SECURITY.md.)
  it("killing terraform while a poller's script runs leaves old or new config, never a mix, and no secret on disk", async () => {
    const victim = lab.pollers[1];
    const oldMainCf = readFileSync(victim.scratch.path("/etc/postfix/main.cf"), "utf8");
    doc.gateways.corporate.from = "interrupted@lab.example.org";
    const { stackDir } = synthLabWithOutput(lab, doc);
    const { child, done } = lab.terraformAsync(stackDir, ["apply", "-auto-approve", "-input=false", "-no-color"], secretEnv(secrets));
    // Wait until the victim's script is inside its work (its scratch copy exists), then kill.
    const tmp = victim.scratch.path("/tmp");
    for (let i = 0; i < 3000 && !readdirSync(tmp).some((d) => d.startsWith("centreon-mail-relay.")); i++) await new Promise((r) => setTimeout(r, 5));
    child.kill("SIGTERM");
    await done;
    await new Promise((r) => setTimeout(r, 1500)); // sshd hangs up the session; the script cleans up
    const interrupted = readFileSync(victim.scratch.path("/etc/postfix/main.cf"), "utf8");
    expect((await victim.scratch.exec("postfix status")).code).toBe(0);
    const leftovers = new SecretScan(secrets);
    leftovers.scanTree(victim.scratch.root, (p) => (/etc-postfix\/sasl_passwd(\.db)?$/.test(p) ? "map" : "other"));
    expect(leftovers.leaks((p) => p === "map")).toEqual({});

    const converged = await apply();
    expect(converged.code, converged.output.slice(-2000)).toBe(0);
    const newMainCf = readFileSync(victim.scratch.path("/etc/postfix/main.cf"), "utf8");
    expect(newMainCf, `killed run:\n${(await done).output.slice(-3000)}\nconverging run:\n${converged.output.slice(-3000)}`).toContain("static:interrupted@lab.example.org");
    // What the kill left was exactly the old file or exactly the new one.
    expect([oldMainCf, newMainCf]).toContain(interrupted);
    expect((await apply()).output).toContain("No changes.");
  });

  it("CLAPI failing on line N fails the apply with that line; the next apply converges", async () => {
    updateState(lab.clapiState, (state) => {
      state.failOnLine = 5;
    });
    doc.contacts[0].email = "on-call@example.org";
    const failed = await apply();
    expect(failed.code).not.toBe(0);
    expect(failed.output).toMatch(/line 5: /);
    updateState(lab.clapiState, (state) => {
      state.failOnLine = null;
    });
    const converged = await apply();
    expect(converged.code, converged.output.slice(-2000)).toBe(0);
    expect(readState(lab.clapiState).contacts.find((c) => c.cols.contact_alias === "jdoe")!.cols.contact_email).toBe("on-call@example.org");
  });
});
