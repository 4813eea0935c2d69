// `centreon` CLAPI test double: command-line entry point (run by the `centreon` bash wrapper next to it).
// State file: $CENTREON_DOUBLE_STATE (see state.ts); the logic is in clapi.ts.
import { existsSync, readFileSync } from "node:fs";
import { runCli } from "./clapi.js";
import { updateState } from "./state.js";

const file = process.env.CENTREON_DOUBLE_STATE;
if (!file) {
  process.stderr.write("centreon CLAPI test double: CENTREON_DOUBLE_STATE is not set (path of a state file made by initState)\n");
  process.exit(2);
}
if (!existsSync(file)) {
  process.stderr.write(`centreon CLAPI test double: state file ${file} does not exist (create it with initState)\n`);
  process.exit(2);
}

const result = updateState(file, (state) =>
  runCli(state, process.argv.slice(2), {
    readFile: (path) => (existsSync(path) ? readFileSync(path, "utf8") : null),
    now: () => new Date(),
  }),
);
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.exit;
