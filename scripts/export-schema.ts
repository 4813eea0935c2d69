// Regenerates schema/fleet.schema.json from the fleet schema (a test fails when it is stale).
import { writeFileSync } from "node:fs";
import { fleetJsonSchema } from "../lib/fleet/json-schema.js";

writeFileSync(new URL("../schema/fleet.schema.json", import.meta.url), fleetJsonSchema());
console.log("wrote schema/fleet.schema.json");
