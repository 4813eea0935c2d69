// Reads a fleet file and reports EVERY problem at once, each with its path and line in the file.
import { readFileSync } from "node:fs";
import { LineCounter, parseDocument } from "yaml";
import { crossCheck, formatPath, type FleetProblem } from "./cross-checks.js";
import { closest, distance } from "fastest-levenshtein";
import { knownFields } from "./json-schema.js";
import { describeIssue, FleetSpec, secretShapeMessage } from "./schema.js";

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
        problems.map((p) => `  ${p.line ? `line ${p.line}: ` : ""}${p.path.length ? `${formatPath(p.path)}: ` : ""}${p.message}`).join("\n"),
    );
    this.name = "FleetValidationError";
  }
}

/** "unknown field", with the allowed name it most likely misspells (at most 2 edits away). */
function unknownField(key: string, known: string[]): string {
  if (key === "<<") return "YAML merge keys (<<) are not supported: write the fields out";
  if (key === "version") return "there is no version field (this file format is version 1): remove it";
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
    if (issue.code === "unrecognized_keys" && issue.message !== secretShapeMessage) {
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

const MAX_YAML_ERRORS = 5;

/** What to look at for the YAML errors a hand-edited fleet file most often has. */
const INDENTATION_HINT = "check the indentation of this line and the next one, with spaces only";
const YAML_HINTS: Partial<Record<string, string>> = {
  DUPLICATE_KEY: "this key is already set above in the same section: keep one",
  BAD_INDENT: INDENTATION_HINT,
  BLOCK_AS_IMPLICIT_KEY: INDENTATION_HINT,
  MULTILINE_IMPLICIT_KEY: INDENTATION_HINT,
  TAB_AS_INDENT: "indent with spaces, not tabs",
};

export function parseFleet(text: string, file = "fleet.yaml"): FleetSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    // One misplaced line can make hundreds of errors after it: the first ones say where.
    const shown: LocatedProblem[] = doc.errors
      .slice(0, MAX_YAML_ERRORS)
      .map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        const hint = YAML_HINTS[e.code];
        return { path: [], line, message: `YAML syntax error at column ${col}: ${e.message.split("\n")[0]}${hint ? ` (${hint})` : ""}` };
      });
    const more = doc.errors.length - shown.length;
    if (more > 0) shown.push({ path: [], message: `${more} more YAML syntax error${more > 1 ? "s" : ""}, most likely caused by the ones above` });
    throw new FleetValidationError(file, shown);
  }
  // No content, or only a document marker (`---`).
  const data: unknown = doc.toJS();
  if (data === null || data === undefined) throw new FleetValidationError(file, [{ path: [], message: "the fleet file is empty: start from examples/fleet.yaml" }]);
  const locate = (path: (string | number)[]) => {
    // The nearest node that exists: a missing field points at its parent.
    for (let depth = path.length; depth >= 0; depth--) {
      const node = doc.getIn(path.slice(0, depth), true) as { range?: [number, number, number] } | undefined;
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return validateFleet(data, file, locate);
}

export function loadFleetFile(path: string): FleetSpec {
  return parseFleet(readFileSync(path, "utf8"), path);
}
