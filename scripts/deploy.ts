// npm run deploy [-- terraform apply options]: synthesizes the fleet file exactly as npm run synth
// does (FLEET_FILE, CDKTF_OUTDIR), runs terraform init and apply on each stack, streams
// Terraform's output, then ends with one row per host (changed / unchanged / FAILED at a step /
// not run) and each failed host's one-line reason and fix. Exits non-zero if anything failed.
// npm run plan (--plan) runs terraform plan instead, without saving a plan file: `cdktf diff`
// saves one (cdktf.out/stacks/<stack>/plan) that holds the secrets in clear.
// Secrets come from TF_VAR_<name> as for cdktf deploy; nothing here prints them.
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { App } from "../lib/cdktf.js";
import { buildFleets } from "../lib/fleet/build.js";
import { FleetValidationError, loadFleetFile } from "../lib/fleet/load.js";
import { deployTargets, failureLines, formatTable, readApply } from "../lib/deploy/report.js";
import { TerraformRunner } from "../lib/deploy/terraform.js";

const fleetFile = process.env.FLEET_FILE ?? "examples/fleet.yaml";
const outdir = process.env.CDKTF_OUTDIR ?? "cdktf.out";
const planOnly = process.argv[2] === "--plan";
const terraformOptions = process.argv.slice(planOnly ? 3 : 2);
// terraform plan -detailed-exitcode exits 2 for "changes pending": not a failure, and passed on.
const detailedExitCode = planOnly && terraformOptions.includes("-detailed-exitcode");
let pending = false;

// From here on a Ctrl-C or a CI cancel stops the deploy cleanly (see lib/deploy/terraform.ts).
const terraform = new TerraformRunner();

// 1. Synthesize with main.ts itself, so what is applied is exactly what npm run synth writes.
const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
// Not spawnSync: the event loop stays free, so a cancel is handled as it comes.
console.log(`centreon-mail-as-code: synthesizing ${fleetFile}`);
const synth = spawn(process.execPath, ["--import", tsx, join(import.meta.dirname, "../main.ts")], { stdio: "inherit" });
const synthCode = await new Promise<number>((done) => synth.once("close", (code) => done(code ?? 1)));
if (terraform.interrupted) process.exit(terraform.interruptedExitCode);
if (synthCode !== 0) process.exit(synthCode);

// 2. The stacks (STACKS=a,b picks some: one CI job per stack), their hosts and waves, from the same
// fleet file (building the constructs writes nothing).
let stacks: { name: string; targets: ReturnType<typeof deployTargets> }[];
try {
  const fleets = buildFleets(new App({ outdir, skipValidation: true }), loadFleetFile(fleetFile));
  const wanted = process.env.STACKS?.split(",").map((s) => s.trim()).filter(Boolean);
  // An unset CI variable expands to "": deploying nothing and passing would hide it.
  if (wanted?.length === 0) throw new Error(`STACKS is set but names no stack: unset it to deploy every stack, or name some of ${fleets.map((f) => f.node.id).join(", ")}`);
  const unknown = wanted?.filter((name) => !fleets.some((f) => f.node.id === name)) ?? [];
  if (unknown.length) throw new Error(`STACKS names ${unknown.join(", ")}: the fleet's stacks are ${fleets.map((f) => f.node.id).join(", ")}`);
  stacks = fleets.filter((f) => !wanted || wanted.includes(f.node.id)).map((f) => ({ name: f.node.id, targets: deployTargets(f) }));
} catch (error) {
  console.error(error instanceof FleetValidationError ? error.message : `${fleetFile}: ${(error as Error).message}`);
  process.exit(1);
}

// Each stack is applied even when another failed: stacks do not depend on one another. After a
// cancel, the stack under way reports what it did and no other starts.
let failed = false;
const outcomes: string[] = [];
const outcome = (stack: string, ok: boolean, text: string) => {
  failed ||= !ok;
  outcomes.push(`${stack}: ${text}`);
};
/** How a step that did not succeed is named: a cancel is not a failure of the stack. */
const notDone = () => (terraform.interrupted ? "interrupted" : "FAILED");
try {
  for (const { name, targets } of stacks) {
    if (await terraform.cancelled()) {
      outcome(name, false, `not started: the deploy was interrupted (${terraform.interrupted})`);
      continue;
    }
    const stackDir = join(resolve(outdir), "stacks", name);
    // 3. terraform init every time (a changed backend or engine needs it; otherwise it reuses what
    // is installed), then apply or plan, streaming the output as it comes.
    const init = await terraform.run(["init", "-input=false", "-no-color"], stackDir);
    if (init.code !== 0) {
      outcome(name, false, `${notDone()} at terraform init (above): nothing applied`);
      console.log(`\ncentreon-mail-as-code deploy of ${outcomes.at(-1)}`);
      continue;
    }
    if (planOnly) {
      const plan = await terraform.run(["plan", "-input=false", "-no-color", ...terraformOptions], stackDir);
      const changes = detailedExitCode && plan.code === 2;
      pending ||= changes;
      outcome(name, plan.code === 0 || changes, plan.code === 0 ? "planned" : changes ? "planned, changes pending" : `${notDone()} at terraform plan (above)`);
      continue;
    }
    const apply = await terraform.run(["apply", "-auto-approve", "-input=false", "-no-color", ...terraformOptions], stackDir);

    // 4. The table, and the failures again where the operator looks last.
    const results = readApply(apply.output, targets, apply.code, !!terraform.interrupted);
    console.log(`\ncentreon-mail-as-code deploy of ${name}:\n${formatTable(results)}`);
    const failures = failureLines(results, apply.output, apply.code, !!terraform.interrupted);
    if (failures.length) console.log(`\n${failures.join("\n")}`);
    const hostFailed = results.some((r) => r.status.kind === "failed");
    const ok = apply.code === 0 && !hostFailed;
    outcome(name, ok, ok ? "applied" : `${hostFailed ? "FAILED" : notDone()} (see its report above)`);
  }
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
// With several stacks, each one's report is far up in the log: one line per stack at the end.
if (stacks.length > 1) console.log(`\ncentreon-mail-as-code stacks:\n${outcomes.map((o) => `  ${o}`).join("\n")}`);
if (terraform.interrupted) console.log(`\ncentreon-mail-as-code: the deploy was interrupted (${terraform.interrupted}); deploy again to finish it.`);
process.exit(terraform.interrupted ? terraform.interruptedExitCode : failed ? 1 : pending ? 2 : 0);
