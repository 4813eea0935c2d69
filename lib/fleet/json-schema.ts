import { z } from "zod";
import { FleetSpec } from "./schema.js";

/** The fleet file's JSON Schema, for editors (yaml-language-server) and review. */
export function fleetJsonSchema(): string {
  const schema = z.toJSONSchema(FleetSpec, { io: "input", unrepresentable: "any" });
  return `${JSON.stringify({ ...schema, title: "Centreon mail fleet file, version 1" }, null, 2)}\n`;
}
