// Security, proven in the lab: where the secrets are after a full apply, a changed-password apply
// and a failed one; host keys; an interrupted apply; CLAPI failing midway.
import { readdirSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readState, updateState } from "../clapi-double/state.js";
import { requirePrivileged } from "../support/index.js";
import { secretEnv, synthLabWithOutput } from "./fleet.js";
import { CLAPI_COMMAND_LINE, isAllowedPlace, SecurityLab } from "./security-scenario.js";
import { SecretScan } from "./secrets-scan.js";

const privileged = requirePrivileged("security lab (network namespaces, sshd, Postfix, terraform)");

describe.skipIf(!privileged)("security in the lab", () => {
  let security: SecurityLab;
  const apply = () => security.apply();

  beforeAll(async () => {
    security = await SecurityLab.start();
  });
  afterAll(async () => {
    await security?.stop();
  });

  it("a full apply, a changed-password apply and a failed apply leave secrets only where they belong", async () => {
    const report = await security.secretScenario();
    // The maps exist where promised...
    for (const poller of security.lab.pollers) expect(Object.keys(report.counts[`${poller.name}: credentials map`])).not.toEqual([]);
    // ...and nowhere else is there any secret, in clear or base64. CLAPI's -p is counted, documented.
    expect(security.scan.leaks((place) => isAllowedPlace(place) || place === CLAPI_COMMAND_LINE)).toEqual({});
    // Every credentials-map file seen, at any sample, in place or in a scratch copy, was root:root 0600.
    expect(report.samples).toBeGreaterThan(50);
    expect(report.mapModes).toEqual(["0:0:600"]);
  });

  it("a host presenting another key fails before any command runs on it", async () => {
    const { lab, doc } = security;
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
    const { lab, doc } = security;
    const victim = lab.pollers[1];
    const oldMainCf = readFileSync(victim.scratch.path("/etc/postfix/main.cf"), "utf8");
    doc.gateways.corporate.from = "interrupted@lab.example.org";
    const { stackDir } = synthLabWithOutput(lab, doc);
    const { child, done } = lab.terraformAsync(stackDir, ["apply", "-auto-approve", "-input=false", "-no-color"], secretEnv(security.secrets));
    // Wait until the victim's script is inside its work (its scratch copy exists), then kill.
    const tmp = victim.scratch.path("/tmp");
    for (let i = 0; i < 3000 && !readdirSync(tmp).some((d) => d.startsWith("centreon-mail-relay.")); i++) await new Promise((r) => setTimeout(r, 5));
    child.kill("SIGTERM");
    await done;
    await new Promise((r) => setTimeout(r, 1500)); // sshd hangs up the session; the script cleans up
    const interrupted = readFileSync(victim.scratch.path("/etc/postfix/main.cf"), "utf8");
    expect((await victim.scratch.exec("postfix status")).code).toBe(0);
    const leftovers = new SecretScan(security.secrets);
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
    const { lab, doc } = security;
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
