// The end-of-deploy table, read from REAL terraform apply output captured in the lab
// (test/fixtures/terraform-apply/: the lab fleet with rollout { canary: [poller-3], batchSize: 2 }):
// a first apply, a no-op, a canary whose probe the gateway refused (wrong password), the fix; an
// unreachable canary; a missing TF_VAR_; an interrupted deploy of the example fleet. Plus one
// bare Terraform run with a long variable name (missing-long-variable.txt).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deployTargets, failureLines, failureMessages, formatTable, readApply, terraformErrors, type DeployTarget } from "../../lib/deploy/report.js";
import { baseFleet, synthFleet } from "../fixtures/fleets.js";

const capture = (name: string) => readFileSync(join(import.meta.dirname, "../fixtures/terraform-apply", `${name}.txt`), "utf8");

const LAB_TARGETS: DeployTarget[] = [
  { host: "poller-3", address: "terraform_data.relay_poller-3", wave: 0, role: "relay", canary: true },
  { host: "poller-1", address: "terraform_data.relay_poller-1", wave: 1, role: "relay" },
  { host: "poller-2", address: "terraform_data.relay_poller-2", wave: 1, role: "relay" },
  { host: "Central", address: "terraform_data.relay_Central", wave: 2, role: "relay" },
  { host: "Central", address: "terraform_data.clapi_Central", role: "Centreon objects" },
];
/** The same lab with rollout { canary: [poller-2], batchSize: 2 } and poller-2's sshd stopped. */
const UNREACHABLE_TARGETS: DeployTarget[] = [
  { host: "poller-2", address: "terraform_data.relay_poller-2", wave: 0, role: "relay", canary: true },
  { host: "poller-1", address: "terraform_data.relay_poller-1", wave: 1, role: "relay" },
  { host: "poller-3", address: "terraform_data.relay_poller-3", wave: 1, role: "relay" },
  { host: "Central", address: "terraform_data.relay_Central", wave: 2, role: "relay" },
  { host: "Central", address: "terraform_data.clapi_Central", role: "Centreon objects" },
];
const statuses = (name: string, code: number) => readApply(capture(name), LAB_TARGETS, code).map((r) => [r.address, r.status]);

describe("reading terraform apply's output per host", () => {
  it("first apply: every host changed", () => {
    expect(statuses("first", 0).map(([, s]) => s)).toEqual(Array(5).fill({ kind: "changed" }));
  });

  it("no-op apply: every host unchanged", () => {
    expect(statuses("noop", 0).map(([, s]) => s)).toEqual(Array(5).fill({ kind: "unchanged" }));
  });

  it("failed canary: the canary FAILED at probe with its one line; the later waves not run; the executor unchanged", () => {
    const line =
      "centreon-mail-as-code: poller-3: probe failed: the probe was deferred (SASL authentication failed; server 198.18.53.5[198.18.53.5] said: 535 Invalid username or password); the probe was removed from the queue. Fix: the gateway refused the login of relay-backup: set TF_VAR_backup_smtp_password to its password on [198.18.53.5]:587 (or correct auth.username), then deploy again";
    const notRun = { kind: "not-run", reason: "waiting for failed canary poller-3" };
    expect(statuses("failed-canary", 1)).toEqual([
      ["terraform_data.relay_poller-3", { kind: "failed", step: "probe", message: line }],
      ["terraform_data.relay_poller-1", notRun],
      ["terraform_data.relay_poller-2", notRun],
      ["terraform_data.relay_Central", notRun],
      ["terraform_data.clapi_Central", { kind: "unchanged" }],
    ]);
    expect(failureMessages(readApply(capture("failed-canary"), LAB_TARGETS, 1))).toEqual([line]);
  });

  it("the fix: the tainted canary and every waiting host changed", () => {
    expect(readApply(capture("fixed"), LAB_TARGETS, 0).map((r) => r.status.kind)).toEqual(["changed", "changed", "changed", "changed", "unchanged"]);
  });

  it("an unreachable canary: FAILED at ssh with a one-line fix; the later waves not run; the executor changed", () => {
    const results = readApply(capture("unreachable-canary"), UNREACHABLE_TARGETS, 1);
    expect(results.map((r) => [r.host, r.role, r.status.kind === "failed" ? `failed at ${r.status.step}` : r.status.kind])).toEqual([
      ["poller-2", "relay", "failed at ssh"],
      ["poller-1", "relay", "not-run"],
      ["poller-3", "relay", "not-run"],
      ["Central", "relay", "not-run"],
      ["Central", "Centreon objects", "changed"],
    ]);
    expect(failureMessages(results)).toEqual([
      "centreon-mail-as-code: poller-2: ssh failed: remote-exec provisioner error: timeout - last error: dial tcp 198.18.52.22:22: connect: connection refused. Fix: check that the host is up and reachable at its address and SSH port, and that hostKey is the key it presents (ssh-keyscan -t ed25519 HOST)",
    ]);
  });

  it("a failed wave that is not a canary is named as a wave", () => {
    const withoutCanary = UNREACHABLE_TARGETS.map(({ canary: _canary, ...t }) => t);
    expect(readApply(capture("unreachable-canary"), withoutCanary, 1)[1].status).toEqual({ kind: "not-run", reason: "waiting for failed wave 0: poller-2" });
  });

  it("a missing TF_VAR_: Terraform stops before applying, every host not run, and the report names the variables", () => {
    expect(readApply(capture("missing-variable"), LAB_TARGETS, 1).map((r) => r.status)).toEqual(
      Array(5).fill({ kind: "not-run", reason: "terraform stopped before applying" }),
    );
    expect(terraformErrors(capture("missing-variable"))).toEqual([
      "terraform: No value for required variable (3 times): set TF_VAR_backup_smtp_password, TF_VAR_centreon_admin_password, TF_VAR_smtp_password",
    ]);
  });

  // missing-long-variable.txt: real terraform apply -no-color output for two unset variables, the
  // longer name's sentence wrapped by Terraform before "is not set".
  it("names a missing TF_VAR_ whose sentence Terraform wrapped (a long secret name)", () => {
    expect(terraformErrors(capture("missing-long-variable"))).toEqual([
      "terraform: No value for required variable (2 times): set TF_VAR_corporate_gateway_smtp_relay_password_2025, TF_VAR_smtp_password",
    ]);
  });

  // interrupted.txt: the example fleet with rollout { canary: [poller-paris] }, every SSH port
  // closed, SIGINT to npm run deploy while the canary and the executor retried their connections.
  const EXAMPLE_TARGETS: DeployTarget[] = [
    { host: "poller-paris", address: "terraform_data.relay_poller-paris", wave: 0, role: "relay", canary: true },
    { host: "poller-lyon", address: "terraform_data.relay_poller-lyon", wave: 1, role: "relay" },
    { host: "Central", address: "terraform_data.relay_Central", wave: 1, role: "relay" },
    { host: "Central", address: "terraform_data.clapi_Central", role: "Centreon objects" },
  ];
  it("an interrupted deploy: what Terraform cut short is INTERRUPTED, what it had not started is not run, and its halts are not listed as errors", () => {
    expect(readApply(capture("interrupted"), EXAMPLE_TARGETS, 1, true).map((r) => r.status)).toEqual([
      { kind: "interrupted" },
      { kind: "not-run", reason: "the deploy was interrupted" },
      { kind: "not-run", reason: "the deploy was interrupted" },
      { kind: "interrupted" },
    ]);
    expect(terraformErrors(capture("interrupted"), true)).toEqual([]);
    expect(terraformErrors(capture("interrupted"))).toEqual(["terraform: execution halted (4 times)"]);
  });

  it("after an interrupt, a host that had failed on its own still shows its failure and its fix, and holds its waves back", () => {
    const results = readApply(capture("unreachable-canary"), UNREACHABLE_TARGETS, 1, true);
    expect(results[0].status).toMatchObject({ kind: "failed", step: "ssh" });
    expect(failureMessages(results)).toHaveLength(1);
    expect(readApply(capture("failed-canary"), LAB_TARGETS, 1, true)[1].status).toEqual({ kind: "not-run", reason: "waiting for failed canary poller-3" });
  });

  it("an interrupt before Terraform ran anything: every host not run because of it", () => {
    expect(readApply("", LAB_TARGETS, 130, true).map((r) => r.status)).toEqual(Array(5).fill({ kind: "not-run", reason: "the deploy was interrupted" }));
  });

  it("an interrupt after a no-op apply finished: every host unchanged, not 'not run'", () => {
    expect(readApply(capture("noop"), LAB_TARGETS, 0, true).map((r) => r.status)).toEqual(Array(5).fill({ kind: "unchanged" }));
  });

  it("a host's failure is not repeated as a Terraform error: its own line says it", () => {
    expect(terraformErrors(capture("failed-canary"))).toEqual([]);
  });

  it("Terraform's own error beside a failed host (a state lock it could not release) is listed after the host's line", () => {
    const output = `${capture("failed-canary")}\nError: Error releasing the state lock\n\nError message: HTTP remote state endpoint invalid auth\n`;
    const lines = failureLines(readApply(output, LAB_TARGETS, 1), output, 1, false);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^centreon-mail-as-code: poller-3: probe failed: /);
    expect(lines[1]).toBe("terraform: Error releasing the state lock");
    expect(failureLines(readApply(capture("noop"), LAB_TARGETS, 0), capture("noop"), 0, false)).toEqual([]);
    expect(failureLines([], "", 1, false)).toEqual(["terraform exited with code 1: see its output above"]);
  });
});

describe("the table", () => {
  it("shows each host, its wave, its role and its status, aligned", () => {
    expect(formatTable(readApply(capture("failed-canary"), LAB_TARGETS, 1))).toBe(
      [
        "host      wave  role              status",
        `--------  ----  ----------------  ${"-".repeat("not run: waiting for failed canary poller-3".length)}`,
        "poller-3  0     relay             FAILED at probe",
        "poller-1  1     relay             not run: waiting for failed canary poller-3",
        "poller-2  1     relay             not run: waiting for failed canary poller-3",
        "Central   2     relay             not run: waiting for failed canary poller-3",
        "Central   -     Centreon objects  unchanged",
      ].join("\n"),
    );
  });

  it("targets come from the fleet: relays in wave order with their contractual addresses, then the executor", () => {
    const doc = { ...baseFleet(), rollout: { canary: ["poller-lille"], batchSize: 2, probe: { recipient: "mail-probe@example.org" } } };
    expect(deployTargets(synthFleet(doc).fleet)).toEqual([
      { host: "poller-lille", address: "null_resource.relay_poller-lille", wave: 0, role: "relay", canary: true },
      { host: "poller-paris", address: "null_resource.relay_poller-paris", wave: 1, role: "relay" },
      { host: "poller-lyon", address: "null_resource.relay_poller-lyon", wave: 1, role: "relay" },
      { host: "Central", address: "null_resource.relay_Central", wave: 2, role: "relay" },
      { host: "Central", address: "null_resource.clapi_Central", role: "Centreon objects" },
    ]);
  });
});

// npm run deploy up to the point where Terraform would start: nothing here reaches a host.
describe("npm run deploy before Terraform", () => {
  const deploy = (env: Record<string, string>) =>
    spawnSync(process.execPath, ["--import", "tsx", "scripts/deploy.ts"], {
      env: { ...process.env, CDKTF_OUTDIR: mkdtempSync(join(tmpdir(), "cmr-deploy-")), ...env },
      encoding: "utf8",
    });

  it("refuses an empty STACKS (an unset CI variable) instead of deploying nothing and passing", () => {
    const run = deploy({ STACKS: "" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("STACKS is set but names no stack: unset it to deploy every stack, or name some of acme-monitoring");
  });

  it("says so when terraform is not on PATH", () => {
    const run = deploy({ PATH: "/nonexistent" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("terraform could not be started (spawn terraform ENOENT): put Terraform 1.5 or later on PATH");
  });
});
