// npm run bench: synthesis and plan at fleet scale against the floor (a bare cdktf app / stack with
// the same resource count), and the cost of applies in the lab. Prints tables, writes
// bench/results.json. One run measures everything: the machine is noisy, ratios are what count.
// BENCH_QUICK=1 runs the small sizes only; the lab part needs root.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { readState } from "../test/clapi-double/state.js";
import { median } from "./median.js";
import { BENCH_OUT } from "./out.js";
import { LAB_SECRETS, LAB_USERS, labFleet, secretEnv, synthLab } from "../test/lab/fleet.js";
import { startLab } from "../test/lab/lab.js";
import { privilegedReason } from "../test/support/index.js";

const quick = !!process.env.BENCH_QUICK;
const results: Record<string, unknown> = {
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, date: new Date().toISOString() },
  outputDirectory: BENCH_OUT,
};

interface Measured {
  seconds: number;
  peakKb: number;
  out: { outdir: string; ms: Record<string, number> };
  resources: number;
}

/**
 * One synthesis in its own process, under /usr/bin/time (wall time, peak memory). The previous
 * step's writes are flushed first (sync), so that no measurement waits for another's disk writes.
 */
function synth(args: string[]): Measured {
  execFileSync("sync");
  const run = spawnSync("/usr/bin/time", ["-f", "%e %M", process.execPath, "--import", "tsx", "bench/synth-case.ts", ...args], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(run.stderr);
  const [seconds, peakKb] = run.stderr.trim().split("\n").pop()!.split(" ").map(Number);
  const out = JSON.parse(run.stdout.trim().split("\n").pop()!);
  return { seconds, peakKb, out, resources: countResources(join(out.outdir, "stacks", args[0] === "fleet" ? "bench" : "floor")) };
}

/** Resources in a synthesized stack, by reading its JSON (outside the measured process). */
function countResources(stackDir: string): number {
  const json = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8"));
  return Object.values<Record<string, unknown>>(json.resource).reduce((n, byName) => n + Object.keys(byName).length, 0);
}

const home = mkdtempSync(join(tmpdir(), "cmr-bench-home-"));
mkdirSync(join(home, ".ssh"));
writeFileSync(join(home, ".ssh", "id_ed25519"), "plan reads this file; nothing connects\n");
writeFileSync(join(home, "terraformrc"), "");
const tfEnv = {
  ...process.env,
  HOME: home,
  TF_CLI_CONFIG_FILE: join(home, "terraformrc"),
  CHECKPOINT_DISABLE: "1",
  TF_IN_AUTOMATION: "1",
  ...secretEnv({ smtp_password: "x", probe_password: "x", centreon_admin_password: "x" }),
};
/** terraform init + plan in a stack directory; the plan's wall time in seconds. */
function plan(stackDir: string): number {
  execFileSync("terraform", ["init", "-input=false"], { cwd: stackDir, env: tfEnv, stdio: "ignore" });
  execFileSync("sync");
  const start = process.hrtime.bigint();
  execFileSync("terraform", ["plan", "-input=false", "-refresh=false", "-lock=false"], { cwd: stackDir, env: tfEnv, stdio: "ignore", maxBuffer: 1 << 30 });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const series: [string, number, number][] = [
  ...(quick ? [10, 100] : [10, 100, 1000]).map((p) => [`${p} pollers`, p, 10] as [string, number, number]),
  ...(quick ? [100] : [100, 1000, 5000]).map((c) => [`${c} contacts`, 10, c] as [string, number, number]),
];
// Each size is measured RUNS times, fleet and floor alternating, and the medians compared: single
// runs on this machine move by 20% or more.
const runs = Number(process.env.BENCH_RUNS ?? 3);
const synthRows = [];
for (const [label, pollers, contacts] of series) {
  const samples: { fleet: Measured; floor: Measured; fleetPlan: number; floorPlan: number }[] = [];
  for (let run = 0; run < runs; run++) {
    const fleet = synth(["fleet", String(pollers), String(contacts)]);
    const floor = synth(["floor", String(fleet.resources)]);
    samples.push({ fleet, floor, fleetPlan: plan(join(fleet.out.outdir, "stacks", "bench")), floorPlan: plan(join(floor.out.outdir, "stacks", "floor")) });
    for (const m of [fleet, floor]) rmSync(m.out.outdir, { recursive: true, force: true });
  }
  const fleetSeconds = median(samples.map((s) => s.fleet.seconds));
  const floorSeconds = median(samples.map((s) => s.floor.seconds));
  const fleetPlan = median(samples.map((s) => s.fleetPlan));
  const floorPlan = median(samples.map((s) => s.floorPlan));
  // The phases of the run whose wall time is the median.
  const typical = samples.find((s) => s.fleet.seconds === fleetSeconds)!.fleet;
  const row = {
    label,
    pollers,
    contacts,
    resources: typical.resources,
    synth: { seconds: fleetSeconds, peakMb: Math.round(median(samples.map((s) => s.fleet.peakKb)) / 1024), phasesMs: typical.out.ms },
    floor: { seconds: floorSeconds, peakMb: Math.round(median(samples.map((s) => s.floor.peakKb)) / 1024) },
    synthRatio: +(fleetSeconds / floorSeconds).toFixed(2),
    plan: { seconds: +fleetPlan.toFixed(2), floorSeconds: +floorPlan.toFixed(2), ratio: +(fleetPlan / floorPlan).toFixed(2) },
    samples: samples.map((s) => ({ synth: s.fleet.seconds, floor: s.floor.seconds, plan: +s.fleetPlan.toFixed(2), floorPlan: +s.floorPlan.toFixed(2) })),
  };
  synthRows.push(row);
  console.log(
    `${label.padEnd(14)} ${String(row.resources).padStart(6)} resources  synth ${row.synth.seconds.toFixed(2)} s (floor ${row.floor.seconds.toFixed(2)} s, x${row.synthRatio}) ` +
      `${row.synth.peakMb} MB (floor ${row.floor.peakMb} MB)  plan ${row.plan.seconds} s (floor ${row.plan.floorSeconds} s, x${row.plan.ratio})  [medians of ${runs}]`,
  );
}
results.synthesis = synthRows;

// Linearity: between consecutive sizes of a series, how much each phase grew against the resources.
// A phase growing faster than linearly would show a ratio well above 1.
const growth = [];
for (const series of ["pollers", "contacts"] as const) {
  const rows = synthRows.filter((r) => r.label.endsWith(series));
  for (let i = 1; i < rows.length; i++) {
    const [small, large] = [rows[i - 1], rows[i]];
    const resources = large.resources / small.resources;
    const phases = Object.fromEntries(
      Object.entries(large.synth.phasesMs)
        .filter(([phase]) => small.synth.phasesMs[phase] >= 20) // shorter phases are start-up noise
        .map(([phase, ms]) => [phase, +(ms / small.synth.phasesMs[phase] / resources).toFixed(2)]),
    );
    growth.push({ from: small.label, to: large.label, resourcesGrowth: +resources.toFixed(1), phaseGrowthPerResourceGrowth: phases });
    console.log(`${small.label} → ${large.label}: resources x${resources.toFixed(1)}; phase growth / resource growth: ${JSON.stringify(phases)}`);
  }
}
results.linearity = growth;

if (privilegedReason()) {
  console.log(`lab applies skipped: ${privilegedReason()}`);
} else {
  const applyRows = [];
  for (const count of quick ? [1, 3] : [1, 3, 6]) {
    const pollerNames = Array.from({ length: count }, (_, i) => `poller-${i + 1}`);
    const lab = await startLab({ pollers: pollerNames, users: LAB_USERS, clapiAdminPassword: LAB_SECRETS.centreon_admin_password });
    try {
      const doc = labFleet(lab);
      const hosts = [...lab.pollers, lab.central];
      const connections = () => hosts.map((h) => h.connections());
      const clapiProcesses = () => readState(lab.clapiState).invocations.length;
      const timed = () => {
        const stackDir = synthLab(lab, doc);
        const start = process.hrtime.bigint();
        const result = lab.terraform(stackDir, ["apply", "-auto-approve", "-input=false", "-no-color"], secretEnv(LAB_SECRETS));
        if (result.code !== 0) throw new Error(result.output);
        return +(Number(process.hrtime.bigint() - start) / 1e9).toFixed(2);
      };
      const stackDir = synthLab(lab, doc);
      lab.terraform(stackDir, ["init", "-input=false"]);
      const c0 = connections();
      const p0 = clapiProcesses();
      const first = timed();
      const firstClapi = clapiProcesses() - p0;
      const c1 = connections();
      const noop = timed();
      const c2 = connections();
      doc.pollers[0].postfixParameters = { smtp_helo_timeout: "60s" };
      const oneChange = timed();
      const c3 = connections();
      const batchLines = readFileSync(join(lab.dir, "cdktf.out", "review", "lab", "central.clapi"), "utf8").trim().split("\n").length;
      const row = {
        pollers: count,
        firstApplySeconds: first,
        noopApplySeconds: noop,
        onePollerChangeSeconds: oneChange,
        sshPerHostFirstApply: c1.map((c, i) => c - c0[i]),
        sshPerHostNoop: c2.map((c, i) => c - c1[i]),
        sshOnePollerChange: { changed: c3[0] - c2[0], unchanged: c3.slice(1).map((c, i) => c - c2[i + 1]) },
        clapiProcessesFirstApply: firstClapi,
        clapiProcessesNaive: batchLines + count + 1,
      };
      applyRows.push(row);
      console.log(
        `lab ${count} poller(s): first apply ${first} s, no-op ${noop} s, one-poller change ${oneChange} s; ` +
          `SSH per host first ${row.sshPerHostFirstApply.join("/")}, no-op ${row.sshPerHostNoop.join("/")}, change: changed ${row.sshOnePollerChange.changed} unchanged ${row.sshOnePollerChange.unchanged.join("/")}; ` +
          `CLAPI processes ${firstClapi} (naive: ${row.clapiProcessesNaive})`,
      );
    } finally {
      await lab.stop();
    }
  }
  results.applies = applyRows;
}

rmSync(home, { recursive: true, force: true });
writeFileSync("bench/results.json", `${JSON.stringify(results, null, 2)}\n`);
console.log("wrote bench/results.json");
