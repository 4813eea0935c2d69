// One synthesis, measured from inside: `fleet` synthesizes a generated fleet (each poller with a
// relay, 2 SMTP checks and a queue check; `contacts` contacts) exactly as main.ts does; `floor` is a
// bare cdktf app with as many bare resources (terraform_data with an SSH connection and one
// remote-exec). Prints one JSON line: the output directory and milliseconds per phase (the caller
// counts the resources: reading the stack back is not part of a synthesis).
import { mkdirSync, mkdtempSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { App, TerraformResource, TerraformStack } from "../lib/cdktf.js";
import { BENCH_OUT } from "./out.js";

// fleet POLLERS CONTACTS | floor RESOURCES
const [mode, a, b] = process.argv.slice(2);
mkdirSync(BENCH_OUT, { recursive: true });
const outdir = mkdtempSync(join(BENCH_OUT, "synth-"));
const start = performance.now();

if (mode === "fleet") {
  // Loaded here: the floor, a bare cdktf app, loads cdktf only.
  const { validateFleet } = await import("../lib/fleet/load.js");
  const { synthesize } = await import("../lib/synthesize.js");
  const { generatedFleet } = await import("./generate.js");
  const imported = performance.now();
  const [pollers, contacts] = [Number(a), Number(b)];
  const spec = validateFleet(generatedFleet(pollers, contacts), "generated");
  const validated = performance.now();
  const { phasesMs } = await synthesize(spec, outdir);
  const done = performance.now();
  console.log(JSON.stringify({ mode, pollers, contacts, outdir, ms: { import: imported - start, validate: validated - imported, ...phasesMs, total: done - start } }));
} else {
  // The floor: the same number of resources the fleet makes, each as plain as cdktf allows.
  const count = Number(a);
  const app = new App({ outdir });
  const stack = new TerraformStack(app, "floor");
  for (let i = 0; i < count; i++) {
    new TerraformResource(stack, `r${i}`, {
      terraformResourceType: "terraform_data",
      connection: { type: "ssh", host: `192.0.2.${i % 250}`, user: "root" },
      provisioners: [{ type: "remote-exec", inline: ["true"] }],
    });
  }
  app.synth();
  const done = performance.now();
  console.log(JSON.stringify({ mode, resources: count, outdir, ms: { total: done - start } }));
}
