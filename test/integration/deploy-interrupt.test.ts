// npm run deploy cancelled (Ctrl-C, a CI job cancelled) while real Terraform applies: Terraform
// gets exactly one interrupt, so it stops cleanly (state saved, lock released) instead of dying
// mid-apply; the table still says what happened; the next stack is not started. The hosts' SSH
// port is closed, so Terraform keeps retrying its connection until it is interrupted: no root needed.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { PROJECT_DIR } from "../lab/lab.js";
import { offlineTerraformEnv } from "../support/index.js";

const SSH_TIMEOUT_SECONDS = 240;

/** A loopback port nothing listens on: connections to it are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The local state's lock file, there while Terraform holds the lock (the state is in the deploy's cwd). */
const lockFile = (work: string) => join(work, ".terraform.acme-monitoring.tfstate.lock.info");

/** Processes whose working directory is under `dir` (a Terraform left running in a stack). */
function processesIn(dir: string): number[] {
  return readdirSync("/proc")
    .filter((pid) => /^\d+$/.test(pid))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`).startsWith(dir);
      } catch {
        return false; // gone, or not ours to read
      }
    })
    .map(Number);
}

/**
 * The example fleet, split in two stacks, every host on a closed loopback port; the deploy is
 * started as an operator starts it (the tsx CLI, which relays SIGINT and SIGTERM to the script)
 * in its own process group, and `interrupt` is called once Terraform is connecting to the hosts.
 */
async function interruptedDeploy(interrupt: (deploy: ChildProcess) => void, when: "applying" | "synthesizing" = "applying") {
  const work = mkdtempSync(join(tmpdir(), "cmr-interrupt-"));
  const doc = parse(readFileSync(join(PROJECT_DIR, "examples/fleet.yaml"), "utf8"));
  doc.engine = "terraform_data";
  doc.ssh = { ...doc.ssh, port: await closedPort(), timeoutSeconds: SSH_TIMEOUT_SECONDS };
  doc.central.address = "127.0.0.10";
  doc.pollers.forEach((poller: { address: string }, i: number) => (poller.address = `127.0.0.${11 + i}`));
  doc.stacks = [{ name: "north", pollers: ["poller-lille"] }];
  // Waves: poller-paris alone, then the rest; the interrupt comes while the canary connects.
  doc.rollout = { canary: ["poller-paris"], probe: { recipient: "probe@example.org" } };
  writeFileSync(join(work, "fleet.yaml"), stringify(doc));

  const deploy = spawn(process.execPath, [join(PROJECT_DIR, "node_modules/tsx/dist/cli.mjs"), join(PROJECT_DIR, "scripts/deploy.ts")], {
    cwd: work,
    detached: true,
    env: {
      ...process.env,
      FLEET_FILE: join(work, "fleet.yaml"),
      CDKTF_OUTDIR: join(work, "out"),
      ...offlineTerraformEnv(work),
      TF_VAR_smtp_password: "not-used",
      TF_VAR_centreon_admin_password: "not-used",
    },
  });
  let output = "";
  let interrupted = false;
  let lockHeldWhenInterrupted = false;
  // Interrupted once both the canary and the Centreon executor are retrying their connections.
  const connecting = (address: string) => output.includes(`${address} (remote-exec): Connecting to remote host via SSH...`);
  const ready = () => (when === "synthesizing" ? output.includes("centreon-mail-as-code: synthesizing") : connecting("terraform_data.relay_poller-paris") && connecting("terraform_data.clapi_Central"));
  const read = (chunk: Buffer) => {
    output += chunk.toString();
    if (!interrupted && ready()) {
      interrupted = true;
      setTimeout(() => {
        lockHeldWhenInterrupted = existsSync(lockFile(work));
        interrupt(deploy);
      }, when === "synthesizing" ? 0 : 500);
    }
  };
  deploy.stdout.on("data", read);
  deploy.stderr.on("data", read);
  const stop = () => {
    // Terraform is in a process group of its own: stop it as well as the deploy's.
    for (const pid of processesIn(join(work, "out", "stacks"))) process.kill(pid, "SIGKILL");
    process.kill(-deploy.pid!, "SIGKILL");
  };
  const guard = setTimeout(stop, 80_000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => deploy.once("close", (c, s) => resolve([c, s])));
  clearTimeout(guard);
  // The deploy script may outlive the process we started (a closed terminal kills tsx, not it):
  // give the Terraform it runs time to stop.
  for (let i = 0; i < 300 && processesIn(join(work, "out", "stacks")).length; i++) await new Promise((r) => setTimeout(r, 100));
  const leftRunning = processesIn(join(work, "out", "stacks"));
  if (leftRunning.length) stop();
  return { work, output, code, signal, interrupted, leftRunning, lockHeldWhenInterrupted };
}

/** The status column of the table of `stack`, by "host role". */
function table(output: string, stack: string): Record<string, string> {
  const start = output.indexOf(`centreon-mail-as-code deploy of ${stack}:`);
  if (start === -1) return {};
  const rows = output.slice(start).split("\n").slice(3);
  const end = rows.findIndex((row) => row.trim() === "");
  return Object.fromEntries(
    rows.slice(0, end === -1 ? undefined : end).map((row) => {
      const [host, , role, status] = row.split(/\s{2,}/);
      return [`${host} ${role}`, status];
    }),
  );
}

function expectStoppedCleanly(run: Awaited<ReturnType<typeof interruptedDeploy>>, signal: string) {
  const { output } = run;
  expect(run.interrupted, output.slice(-3000)).toBe(true);
  // No Terraform left running: it was in its own process group, so it would have outlived us.
  expect(run.leftRunning).toEqual([]);
  // One interrupt reached Terraform: it stopped its provisioners instead of exiting at once.
  expect(output.match(/Interrupt received/g) ?? [], output.slice(-3000)).toHaveLength(1);
  expect(output).not.toContain("Two interrupts received");
  expect(output).toContain("interrupted - last error: dial tcp");
  expect(output).toContain(`centreon-mail-as-code: ${signal} received: Terraform is asked to stop`);
  // The table of the stack under way, and the one never started.
  expect(table(output, "acme-monitoring")).toEqual({
    "poller-paris relay": "INTERRUPTED: runs again at the next deploy",
    "poller-lyon relay": "not run: the deploy was interrupted",
    "Central relay": "not run: the deploy was interrupted",
    "Central Centreon objects": "INTERRUPTED: runs again at the next deploy",
  });
  expect(output).toContain(`acme-monitoring-north: not started: the deploy was interrupted (${signal})`);
  expect(output).not.toContain("centreon-mail-as-code deploy of acme-monitoring-north:");
  expect(output).toContain(`the deploy was interrupted (${signal}); deploy again to finish it.`);
  // The state was saved (the interrupted hosts marked to run again) and its lock released.
  const state = JSON.parse(readFileSync(join(run.work, "terraform.acme-monitoring.tfstate"), "utf8"));
  const status = Object.fromEntries(
    state.resources.map((r: { name: string; instances: { status?: string }[] }) => [r.name, r.instances[0].status ?? "created"]),
  );
  expect([status["relay_poller-paris"], status.clapi_Central, status["relay_poller-lyon"]]).toEqual(["tainted", "tainted", undefined]);
  expect(run.lockHeldWhenInterrupted).toBe(true);
  expect(existsSync(lockFile(run.work))).toBe(false);
}

describe("npm run deploy, cancelled while Terraform applies", () => {
  it("Ctrl-C (SIGINT to the whole process group): Terraform stops once, cleanly; the table says INTERRUPTED; exit 130", async () => {
    const run = await interruptedDeploy((deploy) => process.kill(-deploy.pid!, "SIGINT"));
    expectStoppedCleanly(run, "SIGINT");
    expect(run.code).toBe(130);
  });

  it("SIGTERM while synthesizing: the synth finishes, no Terraform command starts; exit 143", async () => {
    const run = await interruptedDeploy((deploy) => process.kill(deploy.pid!, "SIGTERM"), "synthesizing");
    expect(run.output).toContain("centreon-mail-as-code: SIGTERM received");
    expect(run.output).toContain("synthesized stack acme-monitoring");
    expect(run.output).not.toContain("Initializing the backend");
    expect(run.code).toBe(143);
    expect(run.leftRunning).toEqual([]);
  });

  it("SIGTERM to the deploy process only: forwarded to Terraform as one interrupt; exit 143", async () => {
    const run = await interruptedDeploy((deploy) => process.kill(deploy.pid!, "SIGTERM"));
    expectStoppedCleanly(run, "SIGTERM");
    expect(run.code).toBe(143);
  });
  it("a closed terminal (SIGHUP to the group, the output gone): Terraform still stops cleanly", async () => {
    const run = await interruptedDeploy((deploy) => {
      deploy.stdout!.destroy();
      deploy.stderr!.destroy();
      process.kill(-deploy.pid!, "SIGHUP");
    });
    expect(run.interrupted).toBe(true);
    expect(run.leftRunning).toEqual([]);
    // Without its output, the script still waited for Terraform, which saved the state and released the lock.
    const state = JSON.parse(readFileSync(join(run.work, "terraform.acme-monitoring.tfstate"), "utf8"));
    const relay = state.resources.find((r: { name: string }) => r.name === "relay_poller-paris");
    expect(relay.instances[0].status).toBe("tainted");
    expect(run.lockHeldWhenInterrupted).toBe(true);
    expect(existsSync(lockFile(run.work))).toBe(false);
  });
});
