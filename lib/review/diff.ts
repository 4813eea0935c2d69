// What changes between two review models (base: e.g. main, head: the merge request), host by host
// and object by object. Pure: models in, data out; render.ts turns it into CHANGES.md.
import { REVIEW_MODEL_VERSION, type HostReview, type ReviewModel } from "./model.js";

export interface ShownValue {
  value: string;
  note?: string;
}

/** One setting, parameter or field; before null: added, after null: removed. */
export interface FieldChange {
  name: string;
  before: ShownValue | null;
  after: ShownValue | null;
  /** Secrets whose placeholder either side holds: their values are not part of the comparison. */
  secrets: string[];
}

export type Status = "added" | "removed" | "changed";

export interface HostChange {
  name: string;
  role: HostReview["role"];
  status: Status;
  settings: FieldChange[];
  parameters: FieldChange[];
  /** A change of a host in both models touches the host: false when only labels changed (see LABEL_SETTINGS). */
  runs: boolean;
}

/** Host settings that are labels for the reviewer: neither the host's script nor its trigger holds them. */
const LABEL_SETTINGS = ["gateway"];
/**
 * The hash of all a host's script run holds: it explains nothing by itself, so it is shown only
 * for a changed host no other change explains (a new release's templates): its script runs.
 */
const SCRIPT_HASH = "script sha256";

export interface ObjectChange {
  kind: string;
  key: string;
  poller: string;
  status: Status;
  fields: FieldChange[];
}

export interface ReviewDiff {
  stack: string;
  /** The base's stack name when it differs (a renamed stack starts from empty records), else null. */
  renamedFrom: string | null;
  /** The base's state location when the state moves (and the stack keeps its name), else null. */
  stateMoved: { from: string; to: string } | null;
  hosts: HostChange[];
  objects: ObjectChange[];
  /** Secrets the head references, by name → where: changing only their values shows nowhere here. */
  secrets: Record<string, string[]>;
  /** Secrets the head references and the base did not: CI must supply them before deploying. */
  newSecrets: string[];
}

/** The model of a stack that declares nothing: the base of a first deploy, the head of a removal. */
export function emptyModel(stack: string): ReviewModel {
  return { version: REVIEW_MODEL_VERSION, stack, hosts: [], objects: [], secrets: {} };
}

export function diffReviews(base: ReviewModel, head: ReviewModel): ReviewDiff {
  const secretNames = [...new Set([...Object.keys(base.secrets), ...Object.keys(head.secrets)])];
  const compare = (before: Record<string, ShownValue>, after: Record<string, ShownValue>) =>
    compareFields(before, after, secretNames);

  const hosts = pair(base.hosts, head.hosts, (h) => h.name).flatMap(([b, h]): HostChange[] => {
    const either = (h ?? b)!;
    const parameters = compare(b?.parameters ?? {}, h?.parameters ?? {});
    let settings = compare(shown(b?.settings ?? {}), shown(h?.settings ?? {}));
    const status = statusOf(b, h, settings.length + parameters.length);
    const explained = parameters.length > 0 || settings.some((s) => s.name !== SCRIPT_HASH && !LABEL_SETTINGS.includes(s.name));
    const unexplained = status === "changed" && !explained;
    settings = settings.flatMap((s) =>
      s.name !== SCRIPT_HASH ? [s] : unexplained && s.after ? [{ ...s, after: { ...s.after, note: "what the host runs changed: this project's templates?" } }] : [],
    );
    const runs = status !== "changed" || settings.some((s) => !LABEL_SETTINGS.includes(s.name)) || parameters.length > 0;
    return status ? [{ name: either.name, role: either.role, status, settings, parameters, runs }] : [];
  });
  const objects = pair(base.objects, head.objects, (o) => `${o.kind}\0${o.key}`).flatMap(([b, h]): ObjectChange[] => {
    const either = (h ?? b)!;
    const fields = compare(shown(b?.fields ?? {}), shown(h?.fields ?? {}));
    const status = statusOf(b, h, fields.length);
    return status ? [{ kind: either.kind, key: either.key, poller: either.poller, status, fields }] : [];
  });
  return {
    stack: head.stack,
    renamedFrom: base.stack !== head.stack ? base.stack : null,
    stateMoved:
      base.stack === head.stack && base.state !== undefined && head.state !== undefined && base.state !== head.state
        ? { from: base.state, to: head.state }
        : null,
    hosts,
    objects,
    secrets: head.secrets,
    newSecrets: Object.keys(head.secrets).filter((name) => !(name in base.secrets)),
  };
}

/** The pairs [base, head] by key: head order first, then what only the base had. */
function pair<T>(base: readonly T[], head: readonly T[], key: (item: T) => string): [T | undefined, T | undefined][] {
  const before = new Map(base.map((item) => [key(item), item]));
  const after = new Set(head.map(key));
  return [
    ...head.map((item): [T | undefined, T] => [before.get(key(item)), item]),
    ...base.filter((item) => !after.has(key(item))).map((item): [T, undefined] => [item, undefined]),
  ];
}

function statusOf(before: unknown, after: unknown, changes: number): Status | null {
  if (!before) return "added";
  if (!after) return "removed";
  return changes > 0 ? "changed" : null;
}

const shown = (values: Record<string, string>): Record<string, ShownValue> =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { value }]));

function compareFields(before: Record<string, ShownValue>, after: Record<string, ShownValue>, secretNames: string[]): FieldChange[] {
  const names = [...new Set([...Object.keys(after), ...Object.keys(before)])];
  return names.flatMap((name) => {
    const b = before[name] ?? null;
    const a = after[name] ?? null;
    if (b && a && b.value === a.value && b.note === a.note) return [];
    const text = `${b?.value ?? ""}\n${a?.value ?? ""}`;
    return [{ name, before: b, after: a, secrets: secretNames.filter((s) => text.includes(`<secret:${s}>`)) }];
  });
}
