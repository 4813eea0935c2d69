// Times synthesis of a fleet file in-process (load + validate + build + synth + review files),
// and the whole `npm run synth` process, several runs each; prints the median and the spread.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { loadFleetFile } from "../lib/fleet/load.js";
import { synthesize } from "../lib/synthesize.js";
import { median } from "../bench/median.js";
import { BENCH_OUT } from "../bench/out.js";

const fleetFile = process.env.FLEET_FILE ?? "examples/fleet.yaml";
const runs = Number(process.env.RUNS ?? 10);

const outdirs: string[] = [];
mkdirSync(BENCH_OUT, { recursive: true });
const scratch = () => outdirs[outdirs.push(mkdtempSync(join(BENCH_OUT, "synth-"))) - 1];

const inProcess: number[] = [];
for (let i = 0; i < runs; i++) {
  const outdir = scratch();
  const start = performance.now();
  await synthesize(loadFleetFile(fleetFile), outdir);
  inProcess.push(performance.now() - start);
}

const wholeProcess: number[] = [];
for (let i = 0; i < Math.min(runs, 5); i++) {
  const start = performance.now();
  execFileSync("npx", ["tsx", "main.ts"], { env: { ...process.env, FLEET_FILE: fleetFile, CDKTF_OUTDIR: scratch() }, stdio: "ignore" });
  wholeProcess.push(performance.now() - start);
}

for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });

const fmt = (v: number) => `${(v / 1000).toFixed(3)} s`;
console.log(`fleet: ${fleetFile}`);
console.log(`in-process synth (${runs} runs; first includes module warm-up): median ${fmt(median(inProcess))}, first ${fmt(inProcess[0])}, max ${fmt(Math.max(...inProcess))}`);
console.log(`npx tsx main.ts (${wholeProcess.length} runs, Node start-up included): median ${fmt(median(wholeProcess))}, max ${fmt(Math.max(...wholeProcess))}`);
