// Reads a fleet file and reports EVERY problem at once, each with its path and line in the file.
import { readFileSync } from "node:fs";
import { LineCounter, parseDocument } from "yaml";
import { crossCheck, formatPath, type FleetProblem } from "./cross-checks.js";
import { closest, distance } from "fastest-levenshtein";
import { knownFields } from "./json-schema.js";
import { describeIssue, FleetSpec } from "./schema.js";

export interface LocatedProblem extends FleetProblem {
  /** 1-based line in the fleet file, when the path (or its nearest parent) is in it. */
  line?: number;
}

export class FleetValidationError extends Error {
  constructor(
    readonly file: string,
    readonly problems: LocatedProblem[],
  ) {
    super(
      `${file}: ${problems.length} problem${problems.length > 1 ? "s" : ""}, no Terraform written:\n` +
        problems.map((p) => `  ${p.line ? `line ${p.line}: ` : ""}${formatPath(p.path)}: ${p.message}`).join("\n"),
    );
    this.name = "FleetValidationError";
  }
}

/** "unknown field", with the allowed name it most likely misspells (at most 2 edits away). */
function unknownField(key: string, known: string[]): string {
  const guess = known.length ? closest(key, known) : undefined;
  const hint = guess !== undefined && distance(key.toLowerCase(), guess.toLowerCase()) <= 2 ? `did you mean "${guess}"? ` : "";
  return `unknown field: ${hint}check the spelling against schema/fleet.schema.json`;
}

/** Validates a fleet already parsed into plain data; `locate` maps a path to a line when known. */
export function validateFleet(
  data: unknown,
  file = "fleet",
  locate: (path: (string | number)[]) => number | undefined = () => undefined,
): FleetSpec {
  const parsed = FleetSpec.safeParse(data, { error: describeIssue });
  const problems: FleetProblem[] = [];
  for (const issue of parsed.error?.issues ?? []) {
    const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    if (issue.code === "unrecognized_keys") {
      // One problem per unknown key, at the key itself, so the line points at the typo.
      for (const key of issue.keys) problems.push({ path: [...path, key], message: unknownField(key, knownFields(path)) });
    } else {
      problems.push({ path, message: issue.message });
    }
  }
  problems.push(...crossCheck(data));
  if (problems.length > 0) {
    const located = problems
      .map((p) => ({ ...p, line: locate(p.path) }))
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || formatPath(a.path).localeCompare(formatPath(b.path)));
    throw new FleetValidationError(file, located);
  }
  return parsed.data!;
}

export function parseFleet(text: string, file = "fleet.yaml"): FleetSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new FleetValidationError(
      file,
      doc.errors.map((e) => ({ path: [], line: lineCounter.linePos(e.pos[0]).line, message: `YAML syntax error: ${e.message.split("\n")[0]}` })),
    );
  }
  const locate = (path: (string | number)[]) => {
    // The nearest node that exists: a missing field points at its parent.
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return validateFleet(doc.toJS(), file, locate);
}

export function loadFleetFile(path: string): FleetSpec {
  return parseFleet(readFileSync(path, "utf8"), path);
}
