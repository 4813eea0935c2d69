// Loads the fleet file named by FLEET_FILE, builds the stack, synthesizes it into CDKTF_OUTDIR and
// writes the review artifacts beside it. Bad input: every problem listed, exit 1, nothing written.
import { relative, resolve, join } from "node:path";
import { App } from "./lib/cdktf.js";
import { buildFleet } from "./lib/fleet/build.js";
import { FleetValidationError, loadFleetFile } from "./lib/fleet/load.js";
import { writeReview } from "./lib/review/artifacts.js";

const fleetFile = process.env.FLEET_FILE ?? "examples/fleet.yaml";
const outdir = process.env.CDKTF_OUTDIR ?? "cdktf.out";

try {
  const spec = loadFleetFile(fleetFile);
  const app = new App({ outdir });
  // State beside the project, whatever the outdir: relative, so no checkout path lands in the JSON.
  const stackDir = join(resolve(outdir), "stacks", spec.name);
  const fleet = buildFleet(app, spec, { localStatePath: relative(stackDir, resolve(`terraform.${spec.name}.tfstate`)) });
  app.synth();
  const warnings = fleet.warnings;
  for (const warning of warnings) console.warn(`warning: ${warning}`);
  const reviewDir = writeReview(outdir, fleet, warnings);
  console.log(`synthesized ${fleetFile}: ${fleet.relays.length} host(s); review files in ${reviewDir}`);
} catch (error) {
  if (error instanceof FleetValidationError) console.error(error.message);
  else console.error(`${fleetFile}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
