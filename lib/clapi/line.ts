// One CLAPI import line, `OBJECT;ACTION;f1;f2...`. CLAPI splits on EVERY ';' (no escaping) and
// lists on '|': a value holding one would silently cut or shift the fields, so none gets in.
import type { Secret } from "../secret.js";

/** A value known only at apply time. */
export type DeferredValue =
  /** singleQuoted: a check's command line passes the value between single quotes, so it cannot hold one. */
  | { secret: Secret; singleQuoted?: true }
  /** A fresh random password meeting Centreon's policy, generated on the central. */
  | { generatedPassword: true };

export type Field = string | DeferredValue;

/**
 * Where a line's effect lands: every poller's engine (contacts, commands...), one poller's, or
 * only Centreon's web UI ("web": a contact's login, password, language...), which no APPLYCFG needs.
 */
export type Scope = "global" | "web" | { poller: string };

export interface ClapiLine {
  object: string;
  action: string;
  fields: Field[];
  scope: Scope;
  /** Fields (0-based) only the web UI uses, in a line whose scope is an engine's (a contact's ADD): left out of its scope's hash. */
  webFields?: number[];
}

export const GENERATED_PASSWORD_PLACEHOLDER = "<generated-password>";

/** Whether `value` holds text the central's executor would replace with a secret. */
export function holdsPlaceholder(value: string): boolean {
  return value.includes("<secret:") || value.includes(GENERATED_PASSWORD_PLACEHOLDER);
}

export class ClapiValueError extends Error {}

function checkValue(value: string, what: string): string {
  if (holdsPlaceholder(value)) {
    throw new ClapiValueError(`${what} ${JSON.stringify(value)} holds a placeholder the central would replace with a secret`);
  }
  if (/[;\r\n]/.test(value)) {
    throw new ClapiValueError(`${what} ${JSON.stringify(value)} cannot go through CLAPI: ';' and line breaks split its fields (there is no escaping)`);
  }
  return value;
}

/** Each element that names an earlier one again, as [its index, the earlier one's]; Centreon compares names without case. */
export function repeats(values: readonly string[]): [number, number][] {
  const firstAt = new Map<string, number>();
  return values.flatMap((value, i): [number, number][] => {
    const first = firstAt.get(value.toLowerCase());
    if (first === undefined) firstAt.set(value.toLowerCase(), i);
    return first === undefined ? [] : [[i, first]];
  });
}

/** A '|' list for one field; an element holding '|' would become two, one named twice is a slip. */
export function list(values: readonly string[], what: string): string {
  for (const value of values) {
    if (value.includes("|")) throw new ClapiValueError(`${what} ${JSON.stringify(value)} cannot go in a CLAPI list: '|' separates its elements`);
  }
  const [repeat] = repeats(values);
  if (repeat) throw new ClapiValueError(`${what} ${JSON.stringify(values[repeat[0]])} is listed twice: list each once`);
  return values.join("|");
}

export function line(object: string, action: string, fields: Field[], scope: Scope = "global"): ClapiLine {
  fields.forEach((f, i) => typeof f === "string" && checkValue(f, `${object};${action} field ${i + 1}`));
  return { object, action, fields, scope };
}

/** The line as the review shows it and as the central receives it, deferred values as placeholders. */
export function renderLine(clapiLine: ClapiLine): string {
  const fields = clapiLine.fields.map((f) =>
    typeof f === "string" ? f : "secret" in f ? f.secret.placeholder : GENERATED_PASSWORD_PLACEHOLDER,
  );
  return [clapiLine.object, clapiLine.action, ...fields].join(";");
}

export function scopeName(scope: Scope): string {
  return typeof scope === "string" ? scope : `poller:${scope.poller}`;
}

/** The poller a line's effect lands on, as the review shows it: a name, "all", or "none" (web UI only). */
export function scopePoller(scope: Scope): string {
  return scope === "global" ? "all" : scope === "web" ? "none" : scope.poller;
}
