import { z } from "zod";
import { FleetSpec } from "./schema.js";

type JsonSchema = { properties?: Record<string, JsonSchema>; items?: JsonSchema; additionalProperties?: JsonSchema | boolean; anyOf?: JsonSchema[] };

let schemaObject: JsonSchema | undefined;
const fleetSchema = (): JsonSchema => (schemaObject ??= z.toJSONSchema(FleetSpec, { io: "input", unrepresentable: "any" }) as JsonSchema);

/** The fleet file's JSON Schema, for editors (yaml-language-server) and review. */
export function fleetJsonSchema(): string {
  return `${JSON.stringify({ ...fleetSchema(), title: "Centreon mail fleet file, version 1" }, null, 2)}\n`;
}

/** The field names the fleet file allows in the object at `path` (none when it is not an object with named fields). */
export function knownFields(path: readonly (string | number)[]): string[] {
  let node: JsonSchema | undefined = fleetSchema();
  for (const step of path) {
    const options: JsonSchema[] = node?.anyOf ?? (node ? [node] : []);
    node = options
      .map((o) => (typeof step === "number" ? o.items : (o.properties?.[step] ?? (typeof o.additionalProperties === "object" ? o.additionalProperties : undefined))))
      .find((n) => n !== undefined);
  }
  return Object.keys(node?.properties ?? {});
}
