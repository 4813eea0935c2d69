// Loads the fleet file named by FLEET_FILE, builds its stacks, synthesizes them into CDKTF_OUTDIR and
// writes the review artifacts beside them. Bad input: every problem listed, exit 1, nothing written.
import { relative, resolve, join } from "node:path";
import { App } from "./lib/cdktf.js";
import { buildFleets } from "./lib/fleet/build.js";
import { FleetValidationError, loadFleetFile } from "./lib/fleet/load.js";
import { writeReview } from "./lib/review/artifacts.js";

const fleetFile = process.env.FLEET_FILE ?? "examples/fleet.yaml";
const outdir = process.env.CDKTF_OUTDIR ?? "cdktf.out";

try {
  const spec = loadFleetFile(fleetFile);
  const app = new App({ outdir });
  // State beside the project, whatever the outdir: relative, so no checkout path lands in the JSON.
  const fleets = buildFleets(app, spec, {
    localStatePath: (stack) => relative(join(resolve(outdir), "stacks", stack), resolve(`terraform.${stack}.tfstate`)),
  });
  app.synth();
  for (const fleet of fleets) {
    const warnings = fleet.warnings;
    const stack = fleets.length > 1 ? `${fleet.node.id}: ` : "";
    for (const warning of warnings) console.warn(`warning: ${stack}${warning}`);
    const reviewDir = writeReview(outdir, fleet, warnings);
    console.log(`synthesized stack ${fleet.node.id} from ${fleetFile}: ${fleet.relays.length} host(s); review files in ${reviewDir}`);
  }
} catch (error) {
  if (error instanceof FleetValidationError) console.error(error.message);
  else console.error(`${fleetFile}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
