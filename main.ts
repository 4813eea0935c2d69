// Loads the fleet file named by FLEET_FILE, builds its stacks, synthesizes them into CDKTF_OUTDIR and
// writes the review artifacts beside them. Bad input: every problem listed, exit 1, nothing written.
import { relative, resolve, join } from "node:path";
import { FleetValidationError, loadFleetFile } from "./lib/fleet/load.js";
import { synthesize } from "./lib/synthesize.js";

// Said plainly: an argument would otherwise be ignored (the example fleet synthesized in its
// place), an empty FLEET_FILE read as the file ''.
const args = process.argv.slice(2);
const misuse = args.length
  ? `main.ts takes no arguments (given: ${args.join(" ")}): name the fleet file with FLEET_FILE, e.g. FLEET_FILE=${args[0]} npm run synth`
  : process.env.FLEET_FILE === ""
    ? "FLEET_FILE is set but empty: name the fleet file (e.g. FLEET_FILE=fleets/prod.yaml), or unset it for examples/fleet.yaml"
    : undefined;
if (misuse) {
  console.error(misuse);
  process.exit(1);
}
const fleetFile = process.env.FLEET_FILE ?? "examples/fleet.yaml";
const outdir = process.env.CDKTF_OUTDIR ?? "cdktf.out";

try {
  const spec = loadFleetFile(fleetFile);
  // State beside the project, whatever the outdir: relative, so no checkout path lands in the JSON.
  const { stacks } = await synthesize(spec, outdir, {
    localStatePath: (stack) => relative(join(resolve(outdir), "stacks", stack), resolve(`terraform.${stack}.tfstate`)),
  });
  for (const { fleet, warnings, reviewDir } of stacks) {
    const stack = stacks.length > 1 ? `${fleet.node.id}: ` : "";
    for (const warning of warnings) console.warn(`warning: ${stack}${warning}`);
    console.log(`synthesized stack ${fleet.node.id} from ${fleetFile}: ${fleet.relays.length} host(s); review files in ${reviewDir}`);
  }
} catch (error) {
  if (error instanceof FleetValidationError) console.error(error.message);
  else console.error(`${fleetFile}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
