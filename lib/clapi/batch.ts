// The ONE import batch sent to the central: every desired object's lines, in an order CLAPI
// accepts (objects before the lines that use them), with what the executor needs to prune and
// to know which pollers to apply.
import { createHash } from "node:crypto";
import type { Secret } from "../secret.js";
import { renderLine, scopeName, type ClapiLine, type Scope } from "./line.js";
import { membershipLines, Phase, type NotifyTargets, type ObjectKind, type ObjectLines } from "./objects.js";

export interface BatchObject {
  kind: ObjectKind;
  key: string;
  /** 1-based line number of its ADD in the batch. */
  addLine: number;
  /** Its lines, those of its parts included (see ObjectLines.parts). */
  lineCount: number;
  /** The poller its lines apply to, or every poller. */
  scope: Scope;
}

export interface Batch {
  lines: ClapiLine[];
  /** Each line as the central receives it (renderLine), in the same order. */
  rendered: string[];
  /** central.clapi: one line per command, secrets as <secret:NAME>, no comments. */
  text: string;
  objects: BatchObject[];
  memberships: [string, string][];
  /** Every check's notify targets, empty lists included (see NotifyTargets). */
  notify: NotifyTargets[];
  /** Scope name → hash of its lines and the secrets its lines carry. */
  scopes: Map<string, { hash: string; secrets: string[] }>;
  secrets: Secret[];
  /** Secrets a check's command line passes between single quotes (see DeferredValue). */
  singleQuotedSecrets: string[];
}

export function assembleBatch(objects: readonly ObjectLines[]): Batch {
  const memberships = objects.flatMap((o) => o.memberships ?? []);
  const ordered = [
    ...objects.filter((o) => o.phase < Phase.Memberships),
    { phase: Phase.Memberships, lines: membershipLines(memberships) },
    ...objects.filter((o) => o.phase > Phase.Memberships),
  ].sort((a, b) => a.phase - b.phase); // stable: declaration order within a phase

  const lines: ClapiLine[] = [];
  const batchObjects: BatchObject[] = [];
  for (const group of ordered) {
    if ("kind" in group) {
      const addLine = lines.length + 1;
      batchObjects.push({ kind: group.kind, key: group.key, addLine, lineCount: group.lines.length, scope: group.lines[0].scope });
      // After the object they are in: the executor records the host before its service.
      for (const part of group.parts ?? []) {
        batchObjects.push({ kind: part.kind, key: part.key, addLine: addLine + part.offset, lineCount: part.lineCount, scope: group.lines[part.offset].scope });
      }
    }
    lines.push(...group.lines);
  }

  const rendered = lines.map(renderLine);
  const secrets = new Map<string, Secret>();
  const singleQuoted = new Set<string>();
  const scopes = new Map<string, { text: string[]; secrets: Set<string> }>();
  lines.forEach((l, n) => {
    const name = scopeName(l.scope);
    const scope = scopes.get(name) ?? { text: [], secrets: new Set<string>() };
    // Web-only fields count for no engine's scope: a change there applies no poller.
    scope.text.push(l.webFields ? renderLine({ ...l, fields: l.fields.map((f, i) => (l.webFields!.includes(i) ? "" : f)) }) : rendered[n]);
    l.fields.forEach((field, i) => {
      if (typeof field !== "string" && "secret" in field) {
        secrets.set(field.secret.name, field.secret);
        if (!l.webFields?.includes(i)) scope.secrets.add(field.secret.name);
        if (field.singleQuoted) singleQuoted.add(field.secret.name);
      }
    });
    scopes.set(name, scope);
  });
  return {
    lines,
    rendered,
    text: rendered.length ? `${rendered.join("\n")}\n` : "",
    objects: batchObjects,
    memberships,
    notify: objects.flatMap((o) => (o.notify ? [o.notify] : [])),
    scopes: new Map(
      [...scopes].map(([name, s]) => [
        name,
        { hash: createHash("sha256").update(s.text.join("\n")).digest("hex"), secrets: [...s.secrets].sort() },
      ]),
    ),
    secrets: [...secrets.values()].sort((a, b) => a.name.localeCompare(b.name)),
    singleQuotedSecrets: [...singleQuoted].sort(),
  };
}
