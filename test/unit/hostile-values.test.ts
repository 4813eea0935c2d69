// Property-based tests over every string a fleet file can carry. Each generated value, put into one
// field of a valid base fleet, is either refused by parseFleet with a FleetValidationError naming that
// field, or reaches its destination byte-exact:
//   - Postfix: the review main.cf and the provisioning script's `postconf -e` arguments (the script's
//     own lines run by sh with postconf stubbed), and for a sample, real postconf reading both back;
//   - CLAPI: the executor's batch (decoded from its script, secrets substituted by the executor's own
//     awk or a model of it) imported into the CLAPI double, the value read back from the double's state;
//   - Terraform: the construct's connection, and for a sample the synthesized JSON (as Terraform reads
//     it: `${` and `%{` are templates there);
//   - the shell lines of the provisioning and executor scripts that carry the value.
// The product bugs this file found are kept as regression tests at the end; an open one is listed in
// KNOWN_BUGS, reproduced by an it.fails, and counted (not failed on) by the properties.
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import fc from "fast-check";
import { stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { App, Testing } from "../../lib/cdktf.js";
import type { Fleet } from "../../lib/constructs/fleet.js";
import type { MailRelay } from "../../lib/constructs/mail-relay.js";
import type { SshConnection } from "../../lib/remote/remote-script.js";
import { buildFleet } from "../../lib/fleet/build.js";
import { formatPath } from "../../lib/fleet/cross-checks.js";
import { FleetValidationError, parseFleet } from "../../lib/fleet/load.js";
import { rules, showValue } from "../../lib/fleet/rules.js";
import type { FleetSpec } from "../../lib/fleet/schema.js";
import { PLACEHOLDERS, SENDMAIL } from "../../lib/clapi/notify-command.js";
import { runImport } from "../clapi-double/clapi.js";
import { expandMacros, splitLikeEngine } from "../support/centreon-engine.js";
import { createState, hashPassword, type DoubleState, type HostRow } from "../clapi-double/state.js";
import * as arb from "../fixtures/arbitraries.js";
import { baseFleet, withScriptBodies } from "../fixtures/fleets.js";

type Path = (string | number)[];
type Doc = Record<string, any>;

// ================================================================== known product bugs
// Bugs still in the product. For the values a field's predicate names, a property counts (instead of
// failing on) the one assertion the bug breaks; everything else is checked. When a bug is fixed, its
// it.fails reproduction below starts failing: delete its entry here and turn the reproduction into an it.
// None open now: every bug this file found is fixed (see the regression tests at the end).
const KNOWN_BUGS: Record<string, { what: string }> = {};
type BugId = string;

/** Names Terraform refuses for a variable (its own list, not the product's). */
const TERRAFORM_RESERVED_VARIABLE_NAMES = ["source", "version", "providers", "count", "for_each", "lifecycle", "depends_on", "locals"];

/**
 * The CLAPI line an operator ran to make `v` by hand, unless Centreon already has an object of that
 * name (it compares names without case, so it would refuse a second one).
 */
const madeUnlessThere =
  (rows: (state: DoubleState) => { cols: Record<string, string | null> }[], column: string, line: (v: string) => string) =>
  (v: string, state: DoubleState): string =>
    rows(state).some((r) => r.cols[column]?.toLowerCase() === v.toLowerCase()) ? "" : line(v);
/** The batch's lines about object `kind` named `v` (without case, as Centreon compares): CONTACT;ADD names its alias in field 3, every other line in field 2. */
function linesNaming(batch: string, kind: "CONTACT" | "CG", v: string): string[] {
  return batch.split("\n").filter((l) => {
    const f = l.split(";");
    return f[0] === kind && f[kind === "CONTACT" && f[1] === "ADD" ? 3 : 2]?.toLowerCase() === v.toLowerCase();
  });
}
const GROUP_MADE_BY_HAND = madeUnlessThere((s) => s.contactGroups, "cg_name", (v) => `CG;ADD;${v};made by hand\n`);

// ================================================================== the base fleet
/** baseFleet() with the Centreon sections of test/unit/clapi.test.ts, SMTP auth and probe message, and one extra Postfix parameter. */
function baseDoc(withQueueChecks = true): Doc {
  const doc = baseFleet();
  doc.pollers[0].postfixParameters = { smtpd_banner: "$myhostname ESMTP" };
  doc.contactGroups = [{ name: "ops", alias: "Operations" }];
  doc.contacts = [
    {
      name: "John Doe",
      alias: "jdoe",
      email: "jdoe@example.org",
      groups: ["ops"],
      notifications: {
        enabled: true,
        host: { events: ["down", "recovery"], period: "24x7", commands: ["host-notify-by-email"] },
        service: { events: ["critical"], period: "workhours", commands: ["service-notify-by-email"] },
      },
    },
  ];
  doc.smtpChecks = [
    {
      host: "smtp-corporate",
      address: "smtp.example.org",
      poller: "poller-paris",
      auth: { username: "probe@example.org", password: { secret: "smtp_password" } },
      message: { from: "probe@example.org", to: "postmaster@example.org", warning: 10, critical: 20 },
      notify: { contacts: ["jdoe"], groups: ["ops"] },
    },
  ];
  if (withQueueChecks) doc.queueChecks = { warning: 50, critical: 200 };
  return doc;
}

const OUTDIR = mkdtempSync(join(tmpdir(), "hostile-values."));
chmodSync(OUTDIR, 0o755); // nobody, who runs the scripts' lines, reaches the real-postconf directories
afterAll(() => rmSync(OUTDIR, { recursive: true, force: true }));

// ================================================================== destinations: helpers

const comment = (stack: string) => `Managed by centreon-mail-as-code (stack ${stack}): changes made here are overwritten`;
/** A value for each secret, as TF_VAR_<name> would supply it: policy-compliant, no ';' or line break. */
const secretValue = (name: string) => `S3cret!${name}-Pa55`;
const generatedPassword = (i: number) => `Generated${i}-Pa55@`;
const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
/** How postconf -h prints a value: whitespace runs become one space (the file keeps them). */
const postconfShown = (s: string) => s.replace(/[ \t\n\v\f\r]+/g, " ");

/** The literal text Terraform reads from a JSON string, or null when it holds a template (`${`, `%{`). */
function hclLiteral(s: string): string | null {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const three = s.slice(i, i + 3);
    if (three === "$${" || three === "%%{") {
      out += three.slice(1);
      i += 2;
    } else if (three.startsWith("${") || three.startsWith("%{")) return null;
    else out += s[i];
  }
  return out;
}

/** main.cf as Postfix reads it (name = value lines, no continuation lines here), by name. */
function mainCfValues(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z][A-Za-z0-9_]*) =(?: ([^\n]*))?$/.exec(line);
    if (m) values.set(m[1], m[2] ?? "");
  }
  return values;
}

const valueOf = (p: { value: string | Record<string, string> }) => (typeof p.value === "string" ? p.value : p.value.debian);

let knownPostfixNames: Set<string> | undefined;
function postfixKnows(name: string): boolean {
  knownPostfixNames ??= new Set(
    spawnSync("postconf", ["-d"], { encoding: "utf8", env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C" } })
      .stdout.split("\n")
      .map((l) => l.split(" = ")[0])
      .filter(Boolean),
  );
  return knownPostfixNames.has(name);
}

// ================================================================== one property run

interface Stats {
  field: string;
  runs: number;
  accepted: number;
  refused: number;
  bugHits: Partial<Record<BugId, number>>;
  shell: number;
  postconf: number;
  synth: number;
  imports: number;
  awk: number;
}
const ALL_STATS: Stats[] = [];
/** Milliseconds spent per step, over the whole file (reported after the run). */
const TIMES = { parse: 0, build: 0, checks: 0, clapiImport: 0, synth: 0, awaitingBackground: 0 };
function timed<T>(key: keyof typeof TIMES, fn: () => T): T {
  const start = performance.now();
  try {
    return fn();
  } finally {
    TIMES[key] += performance.now() - start;
  }
}

interface Field {
  id: string;
  /** The field's path in the fleet file: a refusal names it (or one of `also`, the other places the value was put). */
  path: Path | ((v: string) => Path);
  also?: Path[];
  values: fc.Arbitrary<string>;
  numRuns: number;
  apply(doc: Doc, v: string): void;
  /** literal: a string where { secret: NAME } belongs; name: the NAME. Refusals must not echo the value. */
  secret?: "literal" | "name";
  /** Destination checks for an accepted value; none: every value must be refused. */
  check?(a: Accepted, v: string): void;
  /** For which values a known bug breaks this field's destination checks. */
  bugs?: Partial<Record<BugId, (v: string) => boolean>>;
  /** The destination is Terraform JSON: a larger synthesis sample (20 cases instead of 5). */
  terraform?: boolean;
  /** The base without queueChecks (whose 60 CLAPI lines the field does not touch): a cheaper import. */
  lean?: boolean;
  /** The value lands in main.cf: a sample is read back by real postconf. */
  postfix?: boolean;
  /** CLAPI lines an operator ran by hand before the batch: the objects the fleet names but does not make. */
  madeByHand?(v: string, state: DoubleState): string;
}

interface ShellPiece {
  id: string;
  code: string;
  verify(records: string[][], noise: string, status: string): void;
}

/** Failures of the checks that run in the background (sh, real postconf), by field, awaited at the end. */
const DEFERRED = new Map<string, Promise<string[]>>();

class Run {
  readonly stats: Stats;
  readonly shell: { v: string; label: string; pieces: ShellPiece[] }[] = [];
  readonly failures: string[] = [];
  private synthBudget: number;
  private postconfBudget = 45;
  private awkBudget = 25;

  constructor(
    readonly field: Field,
    readonly strict: boolean,
  ) {
    this.stats = { field: field.id, runs: 0, accepted: 0, refused: 0, bugHits: {}, shell: 0, postconf: 0, synth: 0, imports: 0, awk: 0 };
    this.synthBudget = field.terraform ? 20 : 5;
  }

  /** Runs `fn`; a failure is only counted (not thrown) when a known bug explains it for value `v`. */
  soft(v: string, bugs: BugId[], fn: () => void): void {
    const active = this.strict ? [] : bugs.filter((b) => this.field.bugs?.[b]?.(v) ?? false);
    if (active.length === 0) return fn();
    try {
      fn();
    } catch {
      for (const b of active) this.stats.bugHits[b] = (this.stats.bugHits[b] ?? 0) + 1;
    }
  }

  /** Terraform synthesis costs ~25 ms: every strict case, else a sample favouring values Terraform could misread. */
  wantsSynth(v: string): boolean {
    if (this.strict) return this.field.terraform === true || /[{}$%"\\]/.test(v);
    const interesting = /[{}$%"\\]|[^\x20-\x7e]/.test(v) || this.stats.accepted % 12 === 1;
    if (this.synthBudget <= 0 || !interesting) return false;
    this.synthBudget--;
    return true;
  }

  /** Real postconf: every strict case, else every other accepted case up to 45 per property. */
  wantsPostconf(): boolean {
    if (this.strict) return true;
    if (this.postconfBudget <= 0 || this.stats.accepted % 2 === 0) return false;
    this.postconfBudget--;
    return true;
  }

  wantsAwk(v: string): boolean {
    if (this.strict || v.includes("<")) return true;
    return this.stats.accepted % 15 === 3 && this.awkBudget-- > 0;
  }

  /**
   * The checks that need other processes: the scripts' lines run by sh with stubbed commands (for a
   * sample, the postconf stub also hands the very same arguments to real postconf). They run in a
   * background process, on another core while the next property runs; returns the failures.
   */
  async deferred(): Promise<string[]> {
    try {
      for (let i = 0; i < this.shell.length; i += 200) await runShellBatch(this.shell.slice(i, i + 200), this.failures);
      this.stats.shell = this.shell.length;
    } catch (e) {
      this.failures.push(`the deferred checks could not run: ${(e as Error).stack}`);
    }
    return this.failures;
  }
}

/** Runs one value through one field: refused with its path, or arriving byte-exact. */
function runCase(field: Field, v: string, run: Run): void {
  run.stats.runs++;
  const doc = baseDoc(!field.lean);
  field.apply(doc, v);
  let spec: FleetSpec;
  try {
    spec = timed("parse", () => quietStacks(() => parseFleet(stringify(doc), "hostile.yaml")));
  } catch (error) {
    if (!(error instanceof FleetValidationError)) {
      throw new Error(`${field.id} = ${showValue(v)}: parseFleet threw ${String(error)} instead of a FleetValidationError`);
    }
    run.stats.refused++;
    expectRefusalNamesField(field, v, error, run);
    return;
  }
  if (!field.check) throw new Error(`${field.id} = ${showValue(v)} was accepted: this field must never take a string`);
  let fleet: Fleet;
  try {
    fleet = timed("build", () => quietStacks(() => buildFleet(Testing.app({ outdir: OUTDIR }), spec)));
  } catch (error) {
    throw new Error(`${field.id} = ${showValue(v)} passed validation, then building the stack threw: ${String(error)}`);
  }
  run.stats.accepted++;
  const a = new Accepted(run, v, spec, fleet);
  const before = TIMES.clapiImport + TIMES.synth;
  const start = performance.now();
  field.check(a, v);
  a.finish();
  TIMES.checks += performance.now() - start - (TIMES.clapiImport + TIMES.synth - before);
}

const pathOf = (field: Field, v: string) => (typeof field.path === "function" ? field.path(v) : field.path);
/**
 * cdktf captures a full stack trace for every token it creates (Fn calls, references), and vitest maps
 * each frame through source maps: that alone doubled the cost of a build. Product code runs here
 * without the formatting.
 */
function quietStacks<T>(fn: () => T): T {
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = () => "";
  try {
    return fn();
  } finally {
    Error.prepareStackTrace = previous;
  }
}

const startsWith = (path: Path, prefix: Path) => prefix.every((p, i) => path[i] === p);

function expectRefusalNamesField(field: Field, v: string, error: FleetValidationError, run: Run): void {
  const wanted = [pathOf(field, v), ...(field.also ?? [])];
  // A duplicate is reported at the later field, naming the earlier one ("is already used by pollers[0].fqdn").
  const named = error.problems.some((p) => wanted.some((w) => startsWith(p.path, w) || p.message.includes(`by ${formatPath(w)}:`)));
  expect(named, `${field.id} = ${showValue(v)} was refused, but no problem names ${formatPath(wanted[0])}:\n${error.message}`).toBe(true);
  if (field.secret) {
    run.soft(v, [], () => {
      for (const { message } of error.problems) {
        // What is allowed may name words (the reserved variable names): only the rest could echo the value.
        const own = message.split(rules.secretName.allowed).join("");
        expect(own.includes(showValue(v)) || (v.length >= 8 && own.includes(v)), `a secret field's value is echoed: ${message}`).toBe(false);
      }
      expect(error.message.includes(showValue(v)), `a secret field's value is echoed: ${error.message}`).toBe(false);
    });
  }
}

// ================================================================== an accepted value: its destinations

interface ClapiRun {
  state: DoubleState;
  stdout: string;
  batch: string;
}

class Accepted {
  private readonly reviews = new Map<string, Record<string, string>>();
  private readonly relayCases = new Map<string, { expect: [string, string][] }>();
  private clapiRun?: ClapiRun;
  private readonly terraformChecks: ((json: any) => void)[] = [];
  private executorQueued = false;

  constructor(
    readonly run: Run,
    readonly v: string,
    readonly spec: FleetSpec,
    readonly fleet: Fleet,
  ) {}

  soft(bugs: BugId[], fn: () => void): void {
    this.run.soft(this.v, bugs, fn);
  }

  /** `actual` must be `expected` exactly. */
  same(actual: unknown, expected: unknown, what: string, bugs: BugId[] = []): void {
    this.soft(bugs, () => expect(actual, `${what} (input ${showValue(this.v)})`).toEqual(expected));
  }

  relay(host: string): MailRelay {
    const relay = this.fleet.relays.find((r) => r.hostName === host);
    expect(relay, `no relay for ${host}`).toBeDefined();
    return relay!;
  }

  review(host: string): Record<string, string> {
    let files = this.reviews.get(host);
    if (!files) this.reviews.set(host, (files = this.relay(host).reviewFiles()));
    return files;
  }

  /** Postfix parameter `param` of `host` is `expected`: in the review main.cf, in the script's postconf -e, in real postconf (sample). */
  postfix(host: string, param: string, expected: string, bugs: BugId[] = []): void {
    this.same(mainCfValues(this.review(host)["main.cf"]).get(param), expected, `${host}: review main.cf ${param}`, bugs);
    this.relayScript(host).expect.push([param, expected]);
  }

  /** Queues the provisioning script's lines that carry values, run by sh (postconf, postmap stubbed). */
  relayScript(host: string): { expect: [string, string][] } {
    const existing = this.relayCases.get(host);
    if (existing) return existing;
    const relay = this.relay(host);
    const script = relay.provisionScript();
    const lines = script.split("\n");
    const find = (test: (l: string) => boolean, what: string) => {
      const i = lines.findIndex(test);
      if (i < 0) throw new Error(`${host}: no ${what} line in the provisioning script`);
      return i;
    };
    const osCaseStart = find((l) => l === 'case "$os" in', "case \"$os\" in");
    const osCase = lines.slice(osCaseStart, lines.indexOf("esac", osCaseStart) + 1).join("\n");
    const mainStart = find((l) => l === 'postconf -c "$stage" -e \\', "postconf -e");
    const main = lines.slice(mainStart, lines.findIndex((l, i) => i > mainStart && l.trimStart().startsWith("|| fail 12")) + 1).join("\n");
    const extras = lines.filter((l) => l.startsWith(`postconf -c "$stage" -e '`)).join("\n");
    // The host settings the script starts with (host_fqdn is myhostname's value).
    const hostSettings = lines.slice(0, lines.indexOf("set -eu")).filter((l) => !l.startsWith("#")).join("\n");
    const expectedMain = relay.parameters.filter((p) => !p.onlyWithoutSyslog).map((p) => `${p.name}=${valueOf(p)}`);
    const hostSpec = [...this.spec.pollers, ...(this.spec.central ? [this.spec.central] : [])].find((h) => h.name === host)!;
    const expectedExtras = Object.entries(hostSpec.postfixParameters ?? {}).map(([n, x]) => `${n}=${x}`);
    const fieldExpect: [string, string][] = [];
    const soft = (bugs: BugId[], fn: () => void) => this.soft(bugs, fn);
    const same = (actual: unknown, expected: unknown, what: string, bugs: BugId[] = []) => soft(bugs, () => expect(actual, what).toEqual(expected));
    const quiet = (noise: string, status: string, bugs: BugId[] = []) =>
      soft(bugs, () => expect({ noise, status }, `sh output and status: ${JSON.stringify({ noise, status })}`).toEqual({ noise: "", status: "0" }));
    const expected: [string, string][] = [...expectedMain, ...expectedExtras].map((x) => [x.slice(0, x.indexOf("=")), x.slice(x.indexOf("=") + 1)]);
    // A sample also runs real postconf: the stub passes the very arguments sh built to /usr/sbin/postconf.
    const real = this.run.field.postfix && this.run.wantsPostconf() ? postconfDirs(this.review(host)["main.cf"]) : undefined;

    const pieces: ShellPiece[] = [
      {
        id: "parameters",
        code: `${real ? `real=${shellQuote(real.applied)}\n` : ""}${hostSettings}\nstage=/stage\nos=debian\n${osCase}\n${main}\n${extras}`,
        verify: (records, noise, status) => {
          quiet(noise, status);
          const calls = records.filter((r) => r[0] === "postconf");
          same(calls[0], ["postconf", "-c", "/stage", "-e", ...expectedMain], `${host}: the relay parameters postconf -e receives`);
          same(calls.slice(1).map((c) => c.slice(1)), expectedExtras.map((x) => ["-c", "/stage", "-e", x]), `${host}: the postfixParameters postconf -e receives`);
          const assignments = calls.flatMap((c) => c.slice(4));
          for (const [param, value] of fieldExpect) {
            same(assignments.filter((x) => x.startsWith(`${param}=`)), [`${param}=${value}`], `${host}: postconf -e ${param}`);
          }
        },
      },
    ];
    if (real) {
      this.run.stats.postconf++;
      const known = expected.filter(([name]) => postfixKnows(name));
      const names = known.map(([n]) => shellQuote(n)).join(" ");
      const canonical = expected.find(([n]) => n === "sender_canonical_maps")?.[1];
      pieces.push({
        id: "real-postconf",
        code: [
          `out=$(/usr/sbin/postconf -c ${shellQuote(real.applied)} -h ${names} 2>/dev/null); emit applied "$?" "$out"`,
          `out=$(/usr/sbin/postconf -c ${shellQuote(real.review)} -h ${names} 2>/dev/null); emit review "$?" "$out"`,
          ...(canonical?.startsWith("static:") ? [`emit static "$(/usr/sbin/postmap -c ${shellQuote(real.clean)} -q anyone@example.org ${shellQuote(canonical)} 2>&1)"`] : []),
        ].join("\n"),
        verify: (records, noise, status) => {
          quiet(noise, status);
          soft([], () => {
            for (const [tag, what] of [["applied", "after the script's postconf -e"], ["review", "on the review main.cf"]]) {
              const [, code, out] = records.find((r) => r[0] === tag) ?? [];
              expect(code, `postconf -h ${what}: exit status`).toBe("0");
              const shown = out.split("\n");
              known.forEach(([name, value], k) => expect(shown[k] ?? "", `postconf -h ${name} ${what}`).toBe(postconfShown(value)));
            }
          });
          // postconf -h shows whitespace runs as one space; the file, which the daemons read, keeps them.
          const written = mainCfValues(readFileSync(join(real.applied, "main.cf"), "utf8"));
          soft([], () => {
            for (const [name, value] of expected) expect(written.get(name), `main.cf line written by postconf -e ${name}`).toBe(value);
          });
          if (canonical?.startsWith("static:")) {
            same(records.find((r) => r[0] === "static")?.[1], canonical.slice("static:".length), "the static: map returns the sender unchanged");
          }
        },
      });
    }
    // The other lines that carry values, in one subshell: say (host name), and with SASL the credentials
    // map line, the postmap -q key, the expected value, the empty-password message (secret name).
    const say = lines[find((l) => l.startsWith("say() {"), "say()")];
    const rest: string[] = [hostSettings, say, 'emit say "$(say probe)"'];
    const expectedRest: string[][] = [["say", `centreon-mail-relay[${host}] probe`]];
    const gateway = relay.gateway;
    if (gateway.password) {
      const key = gateway.relayhost;
      const user = gateway.settings.username!;
      const secret = gateway.password.name;
      const line = (test: (l: string) => boolean, what: string) => lines[find(test, what)];
      // The script keeps the key and the user in shell variables, set once from quoted values.
      const assignments = lines.filter((l) => /^(relay_key|sasl_user)=/.test(l));
      rest.push(...assignments);
      rest.push(
        `emit credentials "$(${line((l) => /^\s*printf '%s %s:' /.test(l), "credentials printf")})"`,
        "stage=/stage; db_type=hash",
        line((l) => l.startsWith("found=$(postmap "), "postmap -q"),
        'emit found "$found"',
        "password_b64=cHc=",
        line((l) => l.startsWith("expected=$("), "expected="),
        'emit expected "$expected"',
        "password_b64=",
        line((l) => l.startsWith('[ -n "$password_b64" ] || fail 12'), "empty password check"),
      );
      expectedRest.push(["credentials", `${key} ${user}:`], ["found", key], ["expected", `${user}:pw`]);
      pieces.push({
        id: "user-check",
        code: [...assignments, "found=", line((l) => l.includes("fail 13") && l.includes("${found%%:*}"), "user check")].join("\n"),
        verify: (records, noise, status) => {
          soft([], () => {
            expect({ noise, status }, `${host}: the user check's sh output and status`).toEqual({ noise: "", status: "0" });
            expect(records.length, `${host}: one fail call`).toBe(1);
            const [fn, code, message] = records[0];
            expect([fn, code]).toEqual(["fail", "13"]);
            if (message.includes("does not return the user")) expect(message).toBe(`postmap -q ${key} does not return the user ${user}`);
          });
        },
      });
      pieces.push({
        id: "lines",
        code: rest.join("\n"),
        verify: (records, noise, status) => {
          quiet(noise, status);
          same(records.slice(0, -1), expectedRest, `${host}: say, credentials line, postmap -q key, expected value`);
          const fail12 = records.at(-1)!;
          same(fail12.slice(0, 2), ["fail", "12"], `${host}: the empty-password check`);
          expect(fail12[2]).toContain(`(${secret})`);
          expect(fail12[3]).toContain(`TF_VAR_${secret}`);
        },
      });
    } else {
      pieces.push({
        id: "lines",
        code: rest.join("\n"),
        verify: (records, noise, status) => {
          quiet(noise, status);
          same(records, expectedRest, `${host}: say`);
        },
      });
    }
    this.run.shell.push({ v: this.v, label: `${this.run.field.id}: ${host}'s provision.sh`, pieces });
    const entry = { expect: fieldExpect };
    this.relayCases.set(host, entry);
    return entry;
  }

  /** Queues the executor's lines that carry values: say (central name), state file (stack), CLAPI user, empty-password check. */
  executorScript(): void {
    if (this.executorQueued) return;
    this.executorQueued = true;
    const conf = this.fleet.central!.configuration!;
    const lines = conf.script().split("\n");
    const line = (test: (l: string) => boolean, what: string) => {
      const found = lines.find(test);
      if (found === undefined) throw new Error(`no ${what} line in the executor script`);
      return found;
    };
    const central = this.fleet.central!.name;
    const stack = this.fleet.node.id;
    const user = this.spec.central!.clapi!.user;
    const secret = this.spec.central!.clapi!.password.secret;
    const same = (actual: unknown, expected: unknown, what: string) => this.same(actual, expected, what);
    const code = [
      line((l) => l.startsWith("say() {"), "say()"),
      'emit say "$(say probe)"',
      "state_dir=/sd",
      line((l) => l.startsWith('state="$state_dir/'), "state="),
      'emit state "$state"',
      line((l) => l.startsWith("clapi_user="), "clapi_user="),
      'emit user "$clapi_user"',
      "clapi_password=",
      line((l) => l.startsWith('[ -n "$clapi_password" ] || fail 20'), "empty CLAPI password check"),
    ].join("\n");
    const pieces: ShellPiece[] = [
      {
        id: "executor",
        code,
        verify: (r, n, s) => {
          same(
            { r: r.slice(0, 3), n, s, fail: r[3]?.slice(0, 2) },
            { r: [["say", `centreon-clapi[${central}] probe`], ["state", `/sd/${stack}.state`], ["user", user]], n: "", s: "0", fail: ["fail", "20"] },
            "executor: say (central name), state file (stack name), CLAPI user, empty-password check",
          );
          expect(r[3][2]).toContain(`(${secret})`);
        },
      },
    ];
    this.run.shell.push({ v: this.v, label: `${this.run.field.id}: the executor script`, pieces });
  }

  /** The executor's batch, as it ships (decoded from its script), secrets substituted as its awk does, imported into a fresh double. */
  clapi(importBugs: BugId[] = []): ClapiRun {
    if (this.clapiRun) return this.clapiRun;
    const conf = this.fleet.central!.configuration!;
    const script = conf.script();
    const shipped = /printf '%s' '([A-Za-z0-9+/=]*)' \| base64 -d >"\$work\/batch\.clapi"/.exec(script);
    expect(shipped, "the executor ships the batch as base64").not.toBeNull();
    const batch = Buffer.from(shipped![1], "base64").toString("utf8");
    const secrets = conf.batch().secrets.map((s) => s.name);
    let importText = substituteLikeExecutor(batch, secrets);
    if (this.run.wantsAwk(this.v)) {
      this.run.stats.awk++;
      const real = executorAwk(script, batch, secrets);
      expect(real, "the executor's own awk substitutes like the model of it").toBe(importText);
      importText = real;
    }
    const state = createState({ adminPassword: "Admin-Pa55word!", adminUser: this.spec.central!.clapi!.user, pollers: [...this.fleet.pollers.map((p) => p.name), this.fleet.central!.name] });
    const byHand = this.run.field.madeByHand?.(this.v, state);
    if (byHand) {
      const made = runImport(state, byHand);
      expect([made.stdout.trim(), made.stderr, made.exit], "the objects made by hand").toEqual(["", "", 0]);
    }
    const result = timed("clapiImport", () => runImport(state, importText));
    this.run.stats.imports++;
    this.soft(importBugs, () => {
      expect(result.stderr, "CLAPI import stderr").toBe("");
      // A new contact's password line: refused because its ADD just set it, which the executor expects.
      const answered = result.stdout.replace(/^Line \d+ : You can't change your password because the delay before changing password is not over\.\n/gm, "");
      expect(answered.trim(), `CLAPI answered lines of the batch (input ${showValue(this.v)}):\n${result.stdout}`).toBe("");
    });
    this.clapiRun = { state, stdout: result.stdout, batch };
    return this.clapiRun;
  }

  /** A check on the synthesized Terraform JSON, run when this case is synthesized. */
  terraform(check: (json: any) => void): void {
    this.terraformChecks.push(check);
  }

  finish(): void {
    if (!this.run.wantsSynth(this.v)) return;
    this.run.stats.synth++;
    const json = timed("synth", () => withScriptBodies(quietStacks(() => Testing.synth(this.fleet))));
    // Record triggers carry CLAPI lines, connections carry hosts, users, keys: Terraform must read them literally.
    for (const [name, resource] of Object.entries<any>(json.resource?.null_resource ?? {})) {
      const literal = (value: unknown, what: string, bugs: BugId[]) =>
        this.soft(bugs, () => expect(hclLiteral(String(value)), `${name}.${what} is a Terraform template: ${String(value)}`).not.toBeNull());
      if (!resource.provisioner) for (const [k, x] of Object.entries(resource.triggers ?? {})) literal(x, `triggers.${k}`, []);
      for (const k of ["host", "user", "host_key", "script_path"]) if (resource.connection?.[k] !== undefined) literal(resource.connection[k], `connection.${k}`, []);
    }
    for (const check of this.terraformChecks) check(json);
  }
}

/** What the executor's awk does to the batch: <secret:NAME> → that secret's file (empty when it has none), <generated-password> → the next generated one. */
function substituteLikeExecutor(batch: string, secrets: string[]): string {
  const lines = batch.split("\n");
  const generated = lines.filter((l) => l.includes("<generated-password>")).length; // grep -c
  let used = 0;
  return lines
    .map((l, i) =>
      i === lines.length - 1 && l === ""
        ? l
        : l.replace(/<secret:[A-Za-z0-9_]+>|<generated-password>/g, (token) => {
            if (token === "<generated-password>") return ++used <= generated ? generatedPassword(used) : "";
            const name = token.slice(8, -1);
            return secrets.includes(name) ? secretValue(name) : "";
          }),
    )
    .join("\n");
}

/** The executor script's own awk program, run on the batch with its secret files and generated passwords. */
function executorAwk(script: string, batch: string, secrets: string[]): string {
  const m = /with_secrets\(\) \{\n  awk -v dir="\$work" '([\s\S]*?)' "\$work\/generated" "\$1" -\n\}/.exec(script);
  expect(m, "the executor's substitution awk").not.toBeNull();
  const dir = mkdtempSync(join(OUTDIR, "awk."));
  try {
    for (const s of secrets) writeFileSync(join(dir, `secret.${s}`), secretValue(s));
    const count = batch.split("\n").filter((l) => l.includes("<generated-password>")).length;
    writeFileSync(join(dir, "generated"), Array.from({ length: count }, (_, i) => `${generatedPassword(i + 1)}\n`).join(""));
    writeFileSync(join(dir, "unchanged-passwords"), "");
    const r = spawnSync("awk", ["-v", `dir=${dir}`, m![1], join(dir, "generated"), join(dir, "unchanged-passwords"), "-"], {
      input: Buffer.from(batch, "utf8"),
      env: { PATH: "/usr/bin:/bin", LC_ALL: "C" },
      maxBuffer: 64 << 20,
    });
    expect(r.stderr.toString(), "awk stderr").toBe("");
    return r.stdout.toString("utf8");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ================================================================== sh: the scripts' own lines, values inert

const SH_PRELUDE = [
  String.raw`emit() { printf '\036%s' "$1"; shift; for _a in "$@"; do printf '\037%s' "$_a"; done; printf '\000'; }`,
  // The stub records the arguments; for a real-postconf sample ($real set), it also gives them to postconf.
  "postconf() {",
  '  emit postconf "$@"',
  `  if [ -n "\${real:-}" ] && [ "$1" = -c ]; then shift 2; /usr/sbin/postconf -c "$real" "$@" 2>&1; /usr/bin/touch -d '10 seconds ago' "$real/main.cf"; fi`,
  "}",
  `postmap() { while [ $# -gt 0 ]; do if [ "$1" = -q ]; then printf '%s' "$2"; return 0; fi; shift; done; return 1; }`,
  'fail() { emit fail "$@"; }',
  "base64() { printf 'pw'; }",
  "",
].join("\n");

/** Runs argv with stdin from `input` and stdout/stderr to files (a background process never blocks on a pipe). */
function runInBackground(argv: string[], input: string, env: NodeJS.ProcessEnv): Promise<{ stdout: Buffer; stderr: string; status: number | null }> {
  const dir = mkdtempSync(join(OUTDIR, "job."));
  const files = { in: join(dir, "in"), out: join(dir, "out"), err: join(dir, "err") };
  writeFileSync(files.in, input);
  const fds = [openSync(files.in, "r"), openSync(files.out, "w"), openSync(files.err, "w")];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: fds, env, cwd: "/" });
    for (const fd of fds) closeSync(fd);
    child.on("error", reject);
    child.on("close", (status) => {
      resolve({ stdout: readFileSync(files.out), stderr: readFileSync(files.err, "utf8"), status });
      rmSync(dir, { recursive: true, force: true });
    });
  });
}

/** `\x1dID\0` segments of an output; in each, `\x1e`-led records of `\x1f`-separated fields ending in `\0`, and the rest. */
function segments(output: string): Map<string, { records: string[][]; noise: string }> {
  const results = new Map<string, { records: string[][]; noise: string }>();
  for (const segment of output.split("\x1d").slice(1)) {
    const id = segment.slice(0, segment.indexOf("\0"));
    const records: string[][] = [];
    let noise = "";
    const body = segment.slice(id.length + 1);
    for (let i = 0; i < body.length; ) {
      if (body[i] === "\x1e") {
        const end = body.indexOf("\0", i);
        records.push(body.slice(i + 1, end === -1 ? body.length : end).split("\x1f"));
        i = end === -1 ? body.length : end + 1;
      } else noise += body[i++];
    }
    results.set(id, { records, noise });
  }
  return results;
}

/**
 * Runs queued pieces in one sh, each in its own subshell through eval (a syntax error stays there), with
 * no command on PATH and, as root, as nobody: a value that escapes its quoting can run nothing real.
 */
async function runShellBatch(cases: Run["shell"], failures: string[]): Promise<void> {
  const parts = [SH_PRELUDE];
  cases.forEach((c, i) =>
    c.pieces.forEach((p) => parts.push(`printf '\\035%s\\000' '${i}:${p.id}'\n( eval ${shellQuote(p.code)} ) 2>&1\nemit status "$?"\n`)),
  );
  const sandbox = process.getuid?.() === 0 ? ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-s"] : ["/bin/sh", "-s"];
  const r = await runInBackground(sandbox, parts.join(""), { PATH: "/nonexistent", LC_ALL: "C" });
  const results = segments(r.stdout.toString("utf8"));
  cases.forEach((c, i) => {
    for (const p of c.pieces) {
      const result = results.get(`${i}:${p.id}`);
      try {
        expect(result, `sh produced nothing for this piece (sh stderr: ${r.stderr.slice(0, 300)})`).toBeDefined();
        const status = result!.records.at(-1);
        expect(status?.[0], "the piece's status record").toBe("status");
        p.verify(result!.records.slice(0, -1), result!.noise, status![1]);
      } catch (e) {
        failures.push(`${c.label}, ${p.id} (input ${showValue(c.v)}): ${(e as Error).message}\n--- code:\n${p.code.slice(0, 1500)}`);
      }
    }
  });
}

// ================================================================== real postconf: both main.cf files read back

const backdate = (file: string) => {
  const past = new Date(Date.now() - 10_000);
  utimesSync(file, past, past);
};

/**
 * Three Postfix configuration directories for a real-postconf sample: `applied` (an empty main.cf, for the
 * script's postconf -e calls), `review` (the review main.cf) and `clean` (for postmap). As root, owned by
 * nobody, who runs the scripts' lines.
 */
function postconfDirs(review: string): { applied: string; review: string; clean: string } {
  const root = mkdtempSync(join(OUTDIR, "postconf."));
  const dir = (name: string, mainCf: string) => {
    const d = join(root, name);
    mkdirSync(d);
    copyFileSync("/etc/postfix/master.cf", join(d, "master.cf"));
    writeFileSync(join(d, "main.cf"), mainCf);
    for (const f of ["master.cf", "main.cf"]) backdate(join(d, f));
    return d;
  };
  const dirs = { applied: dir("applied", ""), review: dir("review", review), clean: dir("clean", "") };
  if (process.getuid?.() === 0) {
    for (const d of [root, ...Object.values(dirs)]) chownSync(d, 65534, 65534);
    for (const f of ["main.cf", "master.cf"]) for (const d of Object.values(dirs)) chownSync(join(d, f), 65534, 65534);
  }
  return dirs;
}

// ================================================================== the double's state

const contactRow = (s: DoubleState, alias: string) => s.contacts.find((c) => c.register === 1 && c.cols.contact_alias === alias);
const groupRow = (s: DoubleState, name: string) => s.contactGroups.find((g) => g.cols.cg_name === name);
const hostRow = (s: DoubleState, name: string) => s.hosts.find((h) => h.register === 1 && h.cols.host_name === name);
const instanceId = (s: DoubleState, name: string) => s.instances.find((i) => i.cols.name === name)?.id;
const serviceRow = (s: DoubleState, host: HostRow, description: string) =>
  s.services.find((x) => x.register === 1 && x.hosts.includes(host.id) && x.cols.service_description === description);
const macroValue = (macros: { name: string; value: string }[], name: string) => macros.find((m) => m.name === name)?.value;

function expectHost(a: Accepted, name: string): HostRow {
  const host = hostRow(a.clapi().state, name);
  expect(host, `Centreon host ${showValue(name)}`).toBeDefined();
  return host!;
}

// ================================================================== notification commands
const PORTAL = "https://centreon.example.org/centreon";
/** A value for every placeholder a service notification may use (PORTALURL: the portal URL). */
const MACRO_VALUES: Record<string, string> = Object.fromEntries(
  PLACEHOLDERS.service.map((p) => [p, p === "PORTALURL" ? PORTAL : p === "CONTACTEMAIL" ? "jdoe@example.org" : `${p.toLowerCase()}-value`]),
);

/** One service notification command in en, the portal URL, the gateway's display name and reply-to. */
function withNotification(doc: Doc): void {
  doc.central.portalUrl = PORTAL;
  Object.assign(doc.gateways.corporate, { displayName: "Centreon Supervision", replyTo: "noc@example.org" });
  doc.notificationCommands = [
    { name: "notify-service-by-email", kind: "service", languages: { en: { subject: "${HOSTNAME} is ${SERVICESTATE}", body: "Info: ${SERVICEOUTPUT}\nLink: ${PORTALURL}/x" } } },
  ];
}

const SCRATCH = mkdtempSync(join(tmpdir(), "hostile-notify-"));
afterAll(() => rmSync(SCRATCH, { recursive: true, force: true }));

/**
 * The message the command CLAPI stored sends: its line expanded and split like Centreon Engine, the
 * script run with a stand-in sendmail that keeps what it is given.
 */
function notificationMessage(a: Accepted): { headers: Record<string, string>; body: string } {
  const stored = a.clapi().state.commands.find((c) => c.cols.command_name === "notify-service-by-email-en");
  expect(stored, "the notification command in CLAPI").toBeDefined();
  const argv = splitLikeEngine(expandMacros(stored!.cols.command_line!, MACRO_VALUES));
  const out = join(SCRATCH, "message");
  const fake = join(SCRATCH, "sendmail");
  writeFileSync(fake, `#!/bin/sh\ncat >${out}\n`, { mode: 0o755 });
  argv[2] = argv[2].replace(SENDMAIL, fake);
  const run = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", env: { PATH: "/usr/bin:/bin" } });
  expect(`${run.status} ${run.stderr}`, "the notification script").toBe("0 ");
  const text = readFileSync(out, "utf8");
  const split = text.indexOf("\n\n");
  const headers = Object.fromEntries(text.slice(0, split).split("\n").map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 2)]));
  return { headers, body: text.slice(split + 2) };
}

/** A header as this project writes text: as is when ASCII, one RFC 2047 encoded word otherwise. */
const encodedHeader = (text: string) => (/^[\x20-\x7e]*$/.test(text) ? text : `=?UTF-8?B?${Buffer.from(text, "utf8").toString("base64")}?=`);
/** What a template becomes: placeholders replaced by their values. */
const filled = (template: string) => template.replace(/\$\{([A-Z]+)\}/g, (_all, name: string) => MACRO_VALUES[name]);

const NOTIFICATION_FIELDS: Field[] = [
  {
    id: "gateways.corporate.displayName",
    lean: true,
    path: ["gateways", "corporate", "displayName"],
    values: arb.fieldValues(fc.constantFrom("Centreon Supervision", "Équipe NOC", 'NOC "24/7" \\ desk', "Supervisión", "x".repeat(64))),
    numRuns: 150,
    apply(doc, v) {
      withNotification(doc);
      doc.gateways.corporate.displayName = v;
    },
    check(a, v) {
      const phrase = /^[\x20-\x7e]*$/.test(v) ? `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"` : encodedHeader(v);
      a.same(notificationMessage(a).headers.from, `${phrase} <centreon@example.org>`, "the From header");
    },
  },
  {
    id: "gateways.corporate.replyTo",
    lean: true,
    postfix: true,
    path: ["gateways", "corporate", "replyTo"],
    values: arb.fieldValues(arb.email),
    numRuns: 150,
    apply(doc, v) {
      withNotification(doc);
      doc.gateways.corporate.replyTo = v;
    },
    check(a, v) {
      a.postfix("poller-paris", "sender_canonical_maps", `inline:{ ${v}=${v} }, static:centreon@example.org`);
      a.same(notificationMessage(a).headers["reply-to"], v, "the Reply-To header");
    },
  },
  {
    id: "central.portalUrl",
    lean: true,
    path: ["central", "portalUrl"],
    values: arb.fieldValues(fc.constantFrom(PORTAL, "http://10.0.0.10/centreon", "https://centreon.example.org:8443/centreon/x?a=b&c=%20d#top", "https://monitoring.example.fr")),
    numRuns: 150,
    apply(doc, v) {
      withNotification(doc);
      doc.central.portalUrl = v;
    },
    check(a, v) {
      a.same(notificationMessage(a).body, `Info: ${MACRO_VALUES.SERVICEOUTPUT}\nLink: ${v}/x\n`, "the body's link");
    },
  },
  {
    id: "notificationCommands[0].languages.en.subject",
    lean: true,
    path: ["notificationCommands", 0, "languages", "en", "subject"],
    values: arb.fieldValues(fc.constantFrom("** ${NOTIFICATIONTYPE}: ${HOSTNAME}/${SERVICEDESC} is ${SERVICESTATE} **", "l'hôte ${HOSTNAME} est ${HOSTSTATE}", "${SERVICEOUTPUT}", "Alerte 100% $ {x} \\n")),
    numRuns: 200,
    apply(doc, v) {
      withNotification(doc);
      doc.notificationCommands[0].languages.en.subject = v;
    },
    check(a, v) {
      a.same(notificationMessage(a).headers.subject, encodedHeader(filled(v)), "the Subject header");
    },
  },
  {
    id: "notificationCommands[0].languages.en.body",
    lean: true,
    path: ["notificationCommands", 0, "languages", "en", "body"],
    values: arb.fieldValues(fc.constantFrom("Host: ${HOSTNAME}\nInfo: ${SERVICEOUTPUT}\n\n${PORTALURL}/x", "\n\t'quoted' \"x\" \\ ${HOSTNAME}\\\n", "Hôte : ${HOSTNAME} — ${LONGSERVICEOUTPUT}")),
    numRuns: 200,
    apply(doc, v) {
      withNotification(doc);
      doc.notificationCommands[0].languages.en.body = v;
    },
    check(a, v) {
      a.same(notificationMessage(a).body, `${filled(v)}\n`, "the body");
    },
  },
];

// ================================================================== the fields

const set = (path: Path) => (doc: Doc, v: string) => {
  let node = doc;
  for (const p of path.slice(0, -1)) node = node[p];
  node[path.at(-1)!] = v;
};
/** Where the base fleet names the corporate gateway. */
const CORPORATE_REFERENCES: Path[] = [["pollers", 0, "gateway"], ["pollers", 2, "gateway"], ["central", "gateway"]];

/** The Terraform side of an SSH setting on every relay (and the executor, when the fleet's). */
function connectionChecks(a: Accepted, hosts: string[], withExecutor: boolean, expected: { user?: string; privateKeyFile?: string; scriptDirectory?: string; host?: string; hostKey?: string }) {
  const connections: [string, SshConnection][] = hosts.map((h) => [`relay ${h}`, a.relay(h).remote.connection]);
  if (withExecutor) connections.push(["executor", a.fleet.central!.configuration!.remote.connection]);
  for (const [what, c] of connections) {
    for (const [k, x] of Object.entries(expected)) a.same(c[k as keyof typeof c], x, `${what}: connection.${k}`);
  }
  const tfNames = [...hosts.map((h) => `relay_${h.replace(/[^A-Za-z0-9_-]/g, "_")}`), ...(withExecutor ? [`clapi_${a.fleet.central!.name.replace(/[^A-Za-z0-9_-]/g, "_")}`] : [])];
  a.terraform((json) => {
    for (const name of tfNames) {
      const c = json.resource.null_resource[name]?.connection;
      expect(c, `Terraform resource ${name}`).toBeDefined();
      const literal = (x: unknown) => hclLiteral(String(x));
      if (expected.user !== undefined) a.same(literal(c.user), expected.user, `${name}: connection.user in Terraform`);
      if (expected.host !== undefined) a.same(literal(c.host), expected.host, `${name}: connection.host in Terraform`);
      // Terraform pins "TYPE BASE64": the comment is not part of the key.
      if (expected.hostKey !== undefined) a.same(literal(c.host_key), expected.hostKey.trim().split(/\s+/).slice(0, 2).join(" "), `${name}: connection.host_key in Terraform`);
      if (expected.privateKeyFile !== undefined) {
        // The file Terraform opens, run in the stack's directory: the one synth named from its own.
        const stackDir = resolve(App.of(a.fleet).outdir, "stacks", a.fleet.node.id);
        const opened = /^\$\{file\("(.*)"\)\}$/.exec(c.private_key)?.[1] ?? "";
        const file = expected.privateKeyFile;
        a.same(file.startsWith("~") ? opened : resolve(stackDir, opened), file.startsWith("~") ? file : resolve(file), `${name}: connection.private_key in Terraform`);
      }
      if (expected.scriptDirectory !== undefined) {
        a.same(c.script_path, `${expected.scriptDirectory}/.centreon-${name.startsWith("clapi_") ? "clapi" : "mail-relay"}.sh`, `${name}: connection.script_path`);
      }
    }
  });
}

function secretNameChecks(a: Accepted, v: string) {
  a.same(a.fleet.node.tryFindChild(`secret:${v}`) !== undefined, true, `a Terraform variable for secret ${v}`);
  a.terraform((json) => {
    expect(TERRAFORM_RESERVED_VARIABLE_NAMES, "Terraform reserves this variable name").not.toContain(v);
    expect(json.variable?.[v]?.sensitive, `variable ${v} in Terraform, sensitive`).toBe(true);
  });
}

const gatewayHosts = ["poller-paris", "poller-lille", "Central"]; // the corporate gateway's relays

const FIELDS: Field[] = [
  // ---------------------------------------------------------------- fleet
  {
    id: "name",
    path: ["name"],
    values: arb.fieldValues(arb.stackName),
    numRuns: 200,
    apply: set(["name"]),
    check(a, v) {
      a.same(a.fleet.node.id, v, "the stack");
      const { state } = a.clapi();
      a.same(contactRow(state, "jdoe")?.cols.contact_comment, comment(v), "CONTACT comment");
      a.same(groupRow(state, "ops")?.cols.cg_comment, comment(v), "CG comment");
      a.same(hostRow(state, "smtp-corporate")?.cols.host_comment, comment(v), "HOST comment");
      a.same(hostRow(state, "poller-paris-postfix")?.cols.host_comment, comment(v), "queue-check HOST comment");
      a.executorScript();
    },
  },
  {
    id: "ssh.user",
    path: ["ssh", "user"],
    values: arb.fieldValues(arb.unixUser),
    numRuns: 200,
    terraform: true,
    apply(doc, v) {
      doc.ssh.user = v;
      doc.ssh.scriptDirectory = "/var/lib/centreon-mail";
    },
    check: (a, v) => connectionChecks(a, ["poller-paris", "poller-lyon", "poller-lille", "Central"], true, { user: v }),
  },
  {
    id: "ssh.privateKeyFile",
    path: ["ssh", "privateKeyFile"],
    values: arb.fieldValues(arb.keyFilePath),
    numRuns: 200,
    terraform: true,
    apply: set(["ssh", "privateKeyFile"]),
    check: (a, v) => connectionChecks(a, ["poller-paris", "poller-lyon", "poller-lille", "Central"], true, { privateKeyFile: v }),
  },
  {
    id: "ssh.scriptDirectory",
    path: ["ssh", "scriptDirectory"],
    values: arb.fieldValues(arb.absolutePath),
    numRuns: 200,
    terraform: true,
    apply: set(["ssh", "scriptDirectory"]),
    check: (a, v) => connectionChecks(a, ["poller-paris", "poller-lyon", "poller-lille", "Central"], true, { scriptDirectory: v }),
  },
  // ---------------------------------------------------------------- gateways
  {
    id: "gateways.<name> (the record key)",
    path: (v) => ["gateways", v],
    also: CORPORATE_REFERENCES,
    values: arb.fieldValues(arb.objectName),
    numRuns: 250,
    apply(doc, v) {
      const { corporate, backup } = doc.gateways;
      // The key and every reference to it; "backup" would be a duplicate key, which YAML cannot hold.
      doc.gateways = Object.fromEntries(v === "backup" ? [[v, backup]] : [[v, corporate], ["backup", backup]]);
      for (const [i, j] of [[0, "gateway"], [2, "gateway"]] as const) doc.pollers[i][j] = v;
      doc.central.gateway = v;
    },
    check(a, v) {
      a.same(a.fleet.gateway(v).gatewayName, v, "the gateway's name");
      for (const h of gatewayHosts) a.same(a.relay(h).gateway.gatewayName, v, `${h}'s gateway`);
    },
  },
  {
    id: "gateways.corporate.host",
    postfix: true,
    path: ["gateways", "corporate", "host"],
    values: arb.fieldValues(arb.gatewayHost),
    numRuns: 250,
    apply: set(["gateways", "corporate", "host"]),
    check(a, v) {
      a.postfix("poller-paris", "relayhost", `[${v}]:587`);
      a.same(a.review("poller-paris").sasl_passwd.replace(/^#.*\n/, ""), `[${v}]:587 alerts@example.org:<secret:smtp_password>\n`, "review sasl_passwd");
    },
  },
  {
    id: "gateways.corporate.caFile",
    postfix: true,
    path: ["gateways", "corporate", "caFile"],
    values: arb.fieldValues(arb.absolutePath),
    numRuns: 250,
    apply: set(["gateways", "corporate", "caFile"]),
    check: (a, v) => a.postfix("poller-paris", "smtp_tls_CAfile", v),
  },
  {
    id: "gateways.corporate.auth.username",
    path: ["gateways", "corporate", "auth", "username"],
    values: arb.fieldValues(arb.saslUsername, { valid: 5 }),
    numRuns: 300,
    apply: set(["gateways", "corporate", "auth", "username"]),
    check(a, v) {
      a.same(a.review("poller-paris").sasl_passwd.replace(/^#.*\n/, ""), `[smtp.example.org]:587 ${v}:<secret:smtp_password>\n`, "review sasl_passwd");
      a.same(a.relay("poller-paris").gateway.settings.username, v, "the relay's SASL user");
      a.relayScript("poller-paris"); // credentials line, postmap -q key, expected value, user check
    },
  },
  {
    id: "gateways.corporate.auth.password (a literal)",
    path: ["gateways", "corporate", "auth", "password"],
    values: arb.fieldValues(arb.saslUsername),
    numRuns: 150,
    secret: "literal",
    apply: set(["gateways", "corporate", "auth", "password"]),
  },
  {
    id: "gateways.corporate.auth.password.secret",
    path: ["gateways", "corporate", "auth", "password", "secret"],
    values: arb.fieldValues(arb.secretName),
    numRuns: 200,
    secret: "name",
    terraform: true,
    apply: set(["gateways", "corporate", "auth", "password", "secret"]),
    check(a, v) {
      secretNameChecks(a, v);
      a.same(a.review("poller-paris").sasl_passwd.replace(/^#.*\n/, ""), `[smtp.example.org]:587 alerts@example.org:<secret:${v}>\n`, "review sasl_passwd");
      a.relayScript("poller-paris"); // the empty-password message names it
      a.terraform((json) => a.same(json.resource.null_resource["relay_poller-paris"].triggers[`secret_${v}_sha256`], `\${sha256(var.${v})}`, "relay trigger"));
    },
  },
  {
    id: "gateways.corporate.from",
    postfix: true,
    path: ["gateways", "corporate", "from"],
    values: arb.fieldValues(arb.email),
    numRuns: 250,
    apply: set(["gateways", "corporate", "from"]),
    check: (a, v) => a.postfix("poller-paris", "sender_canonical_maps", `static:${v}`),
  },
  // ---------------------------------------------------------------- pollers
  {
    id: "pollers[0].name",
    path: ["pollers", 0, "name"],
    also: [["smtpChecks", 0, "poller"]],
    values: arb.fieldValues(arb.objectName),
    numRuns: 250,
    apply(doc, v) {
      doc.pollers[0].name = v;
      doc.smtpChecks[0].poller = v;
    },
    check(a, v) {
      a.relayScript(v);
      const { state } = a.clapi();
      const queueHost = expectHost(a, `${v}-postfix`);
      a.same(queueHost.cols.host_alias, `Postfix relay of ${v}`, "queue-check host alias");
      a.same(queueHost.instance, instanceId(state, v), "queue-check host's poller");
      a.same(expectHost(a, "smtp-corporate").instance, instanceId(state, v), "SMTP check host's poller");
      a.terraform((json) => expect(json.resource.null_resource[`relay_${v.replace(/[^A-Za-z0-9_-]/g, "_")}`]).toBeDefined());
    },
  },
  {
    id: "pollers[0].address",
    path: ["pollers", 0, "address"],
    values: arb.fieldValues(arb.sshAddress),
    numRuns: 250,
    terraform: true,
    apply: set(["pollers", 0, "address"]),
    check(a, v) {
      connectionChecks(a, ["poller-paris"], false, { host: v });
      a.terraform((json) => a.same(json.resource.null_resource["relay_poller-paris"].triggers.host, `root@${v}:22`, "relay trigger host"));
      a.same(expectHost(a, "poller-paris-postfix").cols.host_address, v, "queue-check host address");
    },
  },
  {
    id: "pollers[0].fqdn",
    postfix: true,
    path: ["pollers", 0, "fqdn"],
    values: arb.fieldValues(arb.fqdn),
    numRuns: 250,
    apply: set(["pollers", 0, "fqdn"]),
    check: (a, v) => a.postfix("poller-paris", "myhostname", v),
  },
  {
    id: "pollers[0].hostKey",
    path: ["pollers", 0, "hostKey"],
    values: arb.fieldValues(arb.sshHostKey, { valid: 5 }),
    numRuns: 250,
    terraform: true,
    apply: set(["pollers", 0, "hostKey"]),
    check: (a, v) => connectionChecks(a, ["poller-paris"], false, { hostKey: v }),
  },
  {
    id: "pollers[0].gateway (a reference)",
    path: ["pollers", 0, "gateway"],
    values: arb.fieldValues(arb.gatewayReference),
    numRuns: 200,
    apply: set(["pollers", 0, "gateway"]),
    check: (a, v) => a.same(a.relay("poller-paris").gateway.gatewayName, v, "poller-paris's gateway"),
  },
  {
    id: "pollers[0].ssh.user",
    path: ["pollers", 0, "ssh", "user"],
    values: arb.fieldValues(arb.unixUser),
    numRuns: 150,
    terraform: true,
    apply(doc, v) {
      doc.pollers[0].ssh = { user: v, scriptDirectory: "/var/lib/centreon-mail" };
    },
    check: (a, v) => connectionChecks(a, ["poller-paris"], false, { user: v }),
  },
  {
    id: "pollers[0].ssh.privateKeyFile",
    path: ["pollers", 0, "ssh", "privateKeyFile"],
    values: arb.fieldValues(arb.keyFilePath),
    numRuns: 150,
    terraform: true,
    apply: (doc, v) => void (doc.pollers[0].ssh = { privateKeyFile: v }),
    check: (a, v) => connectionChecks(a, ["poller-paris"], false, { privateKeyFile: v }),
  },
  {
    id: "pollers[0].ssh.scriptDirectory",
    path: ["pollers", 0, "ssh", "scriptDirectory"],
    values: arb.fieldValues(arb.absolutePath),
    numRuns: 150,
    terraform: true,
    apply: (doc, v) => void (doc.pollers[0].ssh = { scriptDirectory: v }),
    check: (a, v) => connectionChecks(a, ["poller-paris"], false, { scriptDirectory: v }),
  },
  {
    id: "pollers[0].postfixParameters.<name>",
    postfix: true,
    path: (v) => ["pollers", 0, "postfixParameters", v],
    values: arb.fieldValues(arb.postfixParameterName),
    numRuns: 250,
    apply: (doc, v) => void (doc.pollers[0].postfixParameters = Object.fromEntries([[v, "from the fleet file"]])),
    check: (a, v) => a.postfix("poller-paris", v, "from the fleet file"),
  },
  {
    id: "pollers[0].postfixParameters.smtpd_banner (the value)",
    postfix: true,
    path: ["pollers", 0, "postfixParameters", "smtpd_banner"],
    values: arb.fieldValues(arb.postfixParameterValue),
    numRuns: 300,
    apply: set(["pollers", 0, "postfixParameters", "smtpd_banner"]),
    check: (a, v) => a.postfix("poller-paris", "smtpd_banner", v),
  },
  // ---------------------------------------------------------------- central
  {
    id: "central.name",
    path: ["central", "name"],
    values: arb.fieldValues(arb.objectName),
    numRuns: 150,
    apply: set(["central", "name"]),
    check(a, v) {
      a.relayScript(v);
      a.executorScript();
      const { state } = a.clapi();
      a.same(expectHost(a, `${v}-postfix`).instance, instanceId(state, v), "the central's queue-check host's poller");
    },
  },
  {
    id: "central.address",
    path: ["central", "address"],
    values: arb.fieldValues(arb.sshAddress),
    numRuns: 150,
    terraform: true,
    apply: set(["central", "address"]),
    check(a, v) {
      connectionChecks(a, ["Central"], true, { host: v });
      a.same(expectHost(a, "Central-postfix").cols.host_address, v, "the central's queue-check host address");
    },
  },
  {
    id: "central.fqdn",
    postfix: true,
    path: ["central", "fqdn"],
    values: arb.fieldValues(arb.fqdn),
    numRuns: 150,
    apply: set(["central", "fqdn"]),
    check: (a, v) => a.postfix("Central", "myhostname", v),
  },
  {
    id: "central.hostKey",
    path: ["central", "hostKey"],
    values: arb.fieldValues(arb.sshHostKey, { valid: 5 }),
    numRuns: 150,
    terraform: true,
    apply: set(["central", "hostKey"]),
    check: (a, v) => connectionChecks(a, ["Central"], true, { hostKey: v }),
  },
  {
    id: "central.clapi.user",
    lean: true,
    path: ["central", "clapi", "user"],
    also: [["contacts", 0, "alias"]], // the CLAPI user cannot also be a managed contact
    values: arb.fieldValues(arb.contactAlias),
    numRuns: 200,
    apply: set(["central", "clapi", "user"]),
    check(a) {
      a.executorScript();
      a.clapi();
    },
  },
  {
    id: "central.clapi.password (a literal)",
    path: ["central", "clapi", "password"],
    values: arb.fieldValues(arb.saslUsername),
    numRuns: 100,
    secret: "literal",
    apply: set(["central", "clapi", "password"]),
  },
  {
    id: "central.clapi.password.secret",
    path: ["central", "clapi", "password", "secret"],
    values: arb.fieldValues(arb.secretName),
    numRuns: 150,
    secret: "name",
    terraform: true,
    apply: set(["central", "clapi", "password", "secret"]),
    check(a, v) {
      secretNameChecks(a, v);
      a.executorScript();
    },
  },
  // ---------------------------------------------------------------- contact groups
  {
    id: "contactGroups[0].name",
    lean: true,
    path: ["contactGroups", 0, "name"],
    also: [["contacts", 0, "groups", 0], ["smtpChecks", 0, "notify", "groups", 0]],
    values: arb.fieldValues(arb.centreonName),
    numRuns: 250,
    apply(doc, v) {
      doc.contactGroups[0].name = v;
      doc.contacts[0].groups = [v];
      doc.smtpChecks[0].notify.groups = [v];
    },
    check(a, v) {
      const { state } = a.clapi();
      const group = groupRow(state, v);
      a.same(group?.cols.cg_name, v, "CG name");
      a.same(group?.contacts.includes(contactRow(state, "jdoe")!.id), true, "jdoe is a member");
      const host = expectHost(a, "smtp-corporate");
      a.same(group && host.contactGroups.includes(group.id), true, "the SMTP check host notifies the group");
      a.same(group && serviceRow(state, host, "SMTP-Login")?.contactGroups.includes(group.id), true, "SMTP-Login notifies the group");
    },
  },
  {
    id: "contactGroups[0].alias",
    lean: true,
    path: ["contactGroups", 0, "alias"],
    values: arb.fieldValues(arb.clapiValue),
    numRuns: 250,
    apply: set(["contactGroups", 0, "alias"]),
    check(a, v) {
      // An empty alias is stored as NULL, which Centreon shows as empty.
      a.same(groupRow(a.clapi().state, "ops")?.cols.cg_alias ?? "", v, "CG alias");
    },
  },
  // ---------------------------------------------------------------- contacts
  {
    id: "contacts[0].name",
    lean: true,
    path: ["contacts", 0, "name"],
    values: arb.fieldValues(arb.centreonName),
    numRuns: 250,
    apply: set(["contacts", 0, "name"]),
    check: (a, v) => a.same(contactRow(a.clapi().state, "jdoe")?.cols.contact_name, v, "CONTACT name"),
  },
  {
    id: "contacts[0].alias",
    lean: true,
    path: ["contacts", 0, "alias"],
    also: [["smtpChecks", 0, "notify", "contacts", 0]],
    values: arb.fieldValues(arb.contactAlias),
    numRuns: 250,
    apply(doc, v) {
      doc.contacts[0].alias = v;
      doc.smtpChecks[0].notify.contacts = [v];
    },
    check(a, v) {
      const { state } = a.clapi();
      const contact = contactRow(state, v);
      a.same(contact?.cols.contact_name, "John Doe", "the contact under its alias");
      a.same(contact && groupRow(state, "ops")?.contacts.includes(contact.id), true, "member of ops");
      a.same(contact && expectHost(a, "smtp-corporate").contacts.includes(contact.id), true, "the SMTP check host notifies the contact");
    },
  },
  {
    id: "contacts[0].email",
    lean: true,
    path: ["contacts", 0, "email"],
    values: arb.fieldValues(arb.email),
    numRuns: 250,
    apply: set(["contacts", 0, "email"]),
    check: (a, v) => a.same(contactRow(a.clapi().state, "jdoe")?.cols.contact_email, v, "CONTACT email"),
  },
  {
    id: "contacts[0].language",
    lean: true,
    path: ["contacts", 0, "language"],
    values: arb.fieldValues(arb.language, { valid: 6 }),
    numRuns: 200,
    apply: set(["contacts", 0, "language"]),
    check(a, v) {
      const row = contactRow(a.clapi().state, "jdoe");
      a.same(row?.cols.contact_lang, v === "browser" ? v : `${v}.UTF-8`, "CONTACT lang (CLAPI appends .UTF-8)");
    },
  },
  {
    id: "contacts[0].groups[1] (a declared group)",
    lean: true,
    path: ["contactGroups", 1, "name"],
    also: [["contacts", 0, "groups", 1]],
    values: arb.fieldValues(arb.centreonName),
    numRuns: 200,
    apply(doc, v) {
      doc.contactGroups.push({ name: v });
      doc.contacts[0].groups = ["ops", v];
    },
    check(a, v) {
      const { state } = a.clapi();
      a.same(groupRow(state, v)?.contacts.includes(contactRow(state, "jdoe")!.id), true, `jdoe is a member of ${v}`);
    },
  },
  {
    id: "contacts[0].groups[1] (one made outside the fleet)",
    lean: true,
    path: ["central", "existing", "contactGroups", 0],
    also: [["contacts", 0, "groups", 1]],
    values: arb.fieldValues(arb.centreonName),
    numRuns: 100,
    apply(doc, v) {
      doc.central.existing = { contactGroups: [v] };
      doc.contacts[0].groups = ["ops", v];
    },
    madeByHand: GROUP_MADE_BY_HAND,
    check(a, v) {
      const { state, batch } = a.clapi();
      a.same(groupRow(state, v)?.contacts.includes(contactRow(state, "jdoe")!.id), true, `jdoe is a member of ${v}`);
      const own = linesNaming(batch, "CG", v).filter((l) => l.split(";")[1] !== "ADDCONTACT");
      a.same(JSON.stringify(own), "[]", "no CG line of the group made by hand but the membership");
    },
  },
  {
    id: "contacts[0].groups[1] (an undeclared reference)",
    lean: true,
    path: ["contacts", 0, "groups", 1],
    // "admins" is declared (accepted); "ops", listed first, is refused as a repeat.
    values: arb.fieldValues(fc.oneof(fc.constant("admins"), fc.constant("ops"), arb.centreonName)),
    numRuns: 150,
    apply(doc, v) {
      doc.contactGroups.push({ name: "admins" });
      doc.contacts[0].groups = ["ops", v];
    },
    check(a, v) {
      const { state } = a.clapi();
      a.same(groupRow(state, v)?.contacts.includes(contactRow(state, "jdoe")!.id), true, `jdoe is a member of ${v}`);
    },
  },
  {
    id: "contacts[0].notifications.host.period",
    lean: true,
    path: ["contacts", 0, "notifications", "host", "period"],
    values: arb.fieldValues(arb.timePeriod, { valid: 5 }),
    numRuns: 200,
    apply: set(["contacts", 0, "notifications", "host", "period"]),
    check(a, v) {
      const { state } = a.clapi();
      const tp = state.timeperiods.find((t) => String(t.id) === contactRow(state, "jdoe")?.cols.timeperiod_tp_id);
      a.same(tp?.cols.tp_name, v, "the contact's host notification period");
    },
  },
  // Made outside the fleet: in Centreon before the batch (unless Centreon already has one of that
  // name, which it finds whatever the case), named by the contact as listed.
  {
    id: "central.existing.timePeriods[0]",
    lean: true,
    path: ["central", "existing", "timePeriods", 0],
    also: [["contacts", 0, "notifications", "host", "period"]],
    values: arb.fieldValues(arb.timePeriod),
    numRuns: 100,
    apply(doc, v) {
      doc.central.existing = { timePeriods: [v] };
      doc.contacts[0].notifications.host.period = v;
    },
    madeByHand: madeUnlessThere((s) => s.timeperiods, "tp_name", (v) => `TP;ADD;${v};made by hand\n`),
    check(a, v) {
      const { state } = a.clapi();
      const tp = state.timeperiods.find((t) => String(t.id) === contactRow(state, "jdoe")?.cols.timeperiod_tp_id);
      a.same(tp?.cols.tp_name?.toLowerCase(), v.toLowerCase(), "the contact's host notification period");
    },
  },
  {
    id: "central.existing.notificationCommands[0]",
    lean: true,
    path: ["central", "existing", "notificationCommands", 0],
    also: [["contacts", 0, "notifications", "service", "commands", 0]],
    values: arb.fieldValues(arb.serviceNotificationCommand),
    numRuns: 100,
    apply(doc, v) {
      doc.central.existing = { notificationCommands: [v] };
      doc.contacts[0].notifications.service.commands = [v];
    },
    madeByHand: madeUnlessThere((s) => s.commands, "command_name", (v) => `CMD;ADD;${v};notif;/usr/local/bin/send-sms $CONTACTPAGER$\n`),
    check(a, v) {
      const { state } = a.clapi();
      const ids = contactRow(state, "jdoe")?.svcNotifCmds ?? [];
      a.same(JSON.stringify(ids.map((id) => state.commands.find((c) => c.id === id)?.cols.command_name?.toLowerCase())), JSON.stringify([v.toLowerCase()]), "service notification commands");
    },
  },
  {
    id: "contacts[0].notifications.host.commands[0]",
    lean: true,
    path: ["contacts", 0, "notifications", "host", "commands", 0],
    values: arb.fieldValues(arb.hostNotificationCommand, { valid: 8 }),
    numRuns: 150,
    apply: (doc, v) => void (doc.contacts[0].notifications.host.commands = [v]),
    check(a, v) {
      const { state } = a.clapi();
      const ids = contactRow(state, "jdoe")?.hostNotifCmds ?? [];
      a.same(JSON.stringify(ids.map((id) => state.commands.find((c) => c.id === id)?.cols.command_name)), JSON.stringify([v]), "host notification commands");
    },
  },
  {
    id: "contacts[0].notifications.service.commands[0]",
    lean: true,
    path: ["contacts", 0, "notifications", "service", "commands", 0],
    values: arb.fieldValues(arb.serviceNotificationCommand, { valid: 8 }),
    numRuns: 150,
    apply: (doc, v) => void (doc.contacts[0].notifications.service.commands = [v]),
    check(a, v) {
      const { state } = a.clapi();
      const ids = contactRow(state, "jdoe")?.svcNotifCmds ?? [];
      a.same(JSON.stringify(ids.map((id) => state.commands.find((c) => c.id === id)?.cols.command_name)), JSON.stringify([v]), "service notification commands");
    },
  },
  {
    id: "contacts[0].password (a literal)",
    lean: true,
    path: ["contacts", 0, "password"],
    values: arb.fieldValues(arb.saslUsername),
    numRuns: 100,
    secret: "literal",
    apply: set(["contacts", 0, "password"]),
  },
  {
    id: "contacts[0].password.secret",
    lean: true,
    path: ["contacts", 0, "password", "secret"],
    values: arb.fieldValues(arb.secretName),
    numRuns: 150,
    secret: "name",
    apply: (doc, v) => void (doc.contacts[0].password = { secret: v }),
    check(a, v) {
      secretNameChecks(a, v);
      a.same(contactRow(a.clapi().state, "jdoe")?.passwordHash, hashPassword(secretValue(v)), "the contact's password is the secret");
    },
  },
  // ---------------------------------------------------------------- SMTP checks
  {
    id: "smtpChecks[0].host",
    path: ["smtpChecks", 0, "host"],
    values: arb.fieldValues(arb.smtpCheckHost),
    numRuns: 250,
    apply: set(["smtpChecks", 0, "host"]),
    bugs: {},
    check(a, v) {
      const { state } = a.clapi([]);
      a.soft([], () => {
        const host = expectHost(a, v);
        a.same(host.cols.host_alias, v, "HOST alias");
        a.same(host.cols.host_address, "smtp.example.org", "HOST address");
        a.same(host.templates.length, 1, "one template");
        for (const s of ["SMTP-Login", "SMTP-Message"]) expect(serviceRow(state, host, s), `${s} on ${v}`).toBeDefined();
      });
    },
  },
  {
    id: "smtpChecks[0].address",
    lean: true,
    path: ["smtpChecks", 0, "address"],
    values: arb.fieldValues(arb.gatewayHost),
    numRuns: 250,
    apply: set(["smtpChecks", 0, "address"]),
    check: (a, v) => a.same(expectHost(a, "smtp-corporate").cols.host_address, v, "HOST address"),
  },
  {
    id: "smtpChecks[0].poller",
    lean: true,
    path: ["smtpChecks", 0, "poller"],
    values: arb.fieldValues(arb.pollerReference, { valid: 5 }),
    numRuns: 200,
    apply: set(["smtpChecks", 0, "poller"]),
    check: (a, v) => a.same(expectHost(a, "smtp-corporate").instance, instanceId(a.clapi().state, v), "the check's poller"),
  },
  {
    id: "smtpChecks[0].auth.username",
    lean: true,
    path: ["smtpChecks", 0, "auth", "username"],
    values: arb.fieldValues(arb.clapiValue),
    numRuns: 250,
    apply: set(["smtpChecks", 0, "auth", "username"]),
    check(a, v) {
      a.same(macroValue(expectHost(a, "smtp-corporate").macros, "$_HOSTSMTPUSERNAME$"), v, "SMTPUSERNAME macro");
    },
  },
  {
    id: "smtpChecks[0].auth.password (a literal)",
    lean: true,
    path: ["smtpChecks", 0, "auth", "password"],
    values: arb.fieldValues(arb.saslUsername),
    numRuns: 100,
    secret: "literal",
    apply: set(["smtpChecks", 0, "auth", "password"]),
  },
  {
    id: "smtpChecks[0].auth.password.secret",
    lean: true,
    path: ["smtpChecks", 0, "auth", "password", "secret"],
    values: arb.fieldValues(arb.secretName),
    numRuns: 150,
    secret: "name",
    apply: set(["smtpChecks", 0, "auth", "password", "secret"]),
    check(a, v) {
      secretNameChecks(a, v);
      const password = expectHost(a, "smtp-corporate").macros.find((m) => m.name === "$_HOSTSMTPPASSWORD$");
      a.same(password?.value, secretValue(v), "SMTPPASSWORD macro is the secret");
      a.same(password?.isPassword, 1, "SMTPPASSWORD is a password macro");
    },
  },
  ...(["from", "to"] as const).map(
    (side): Field => ({
      id: `smtpChecks[0].message.${side}`,
      lean: true,
      path: ["smtpChecks", 0, "message", side],
      values: arb.fieldValues(arb.email),
      numRuns: 200,
      apply: set(["smtpChecks", 0, "message", side]),
      check(a, v) {
        const service = serviceRow(a.clapi().state, expectHost(a, "smtp-corporate"), "SMTP-Message");
        a.same(macroValue(service?.macros ?? [], `$_SERVICESMTP${side.toUpperCase()}$`), v, `SMTP${side.toUpperCase()} macro`);
      },
    }),
  ),
  {
    id: "smtpChecks[0].notify.contacts[1] (a declared contact)",
    lean: true,
    path: ["contacts", 1, "alias"],
    also: [["smtpChecks", 0, "notify", "contacts", 1]],
    values: arb.fieldValues(arb.contactAlias),
    numRuns: 200,
    apply(doc, v) {
      doc.contacts.push({ name: "Probe Watcher", alias: v, email: "watcher@example.org" });
      doc.smtpChecks[0].notify.contacts = ["jdoe", v];
    },
    check(a, v) {
      const { state } = a.clapi();
      const contact = contactRow(state, v);
      a.same(contact?.cols.contact_name, "Probe Watcher", "the contact under its alias");
      a.same(contact && expectHost(a, "smtp-corporate").contacts.includes(contact.id), true, "the SMTP check host notifies the contact");
    },
  },
  {
    id: "smtpChecks[0].notify.contacts[1] (one made outside the fleet)",
    lean: true,
    path: ["central", "existing", "contacts", 0],
    also: [["smtpChecks", 0, "notify", "contacts", 1]],
    values: arb.fieldValues(arb.contactAlias),
    numRuns: 100,
    apply(doc, v) {
      doc.central.existing = { contacts: [v] };
      doc.smtpChecks[0].notify.contacts = ["jdoe", v];
    },
    madeByHand: madeUnlessThere((s) => s.contacts, "contact_alias", (v) => `CONTACT;ADD;On call;${v};oncall@example.org;Pre-Existing-Pa55!;1;1;en_US;local\n`),
    check(a, v) {
      const { state, batch } = a.clapi();
      const contact = contactRow(state, v);
      a.same(JSON.stringify(linesNaming(batch, "CONTACT", v)), "[]", "no CONTACT line for the contact made by hand");
      a.same(contact && expectHost(a, "smtp-corporate").contacts.includes(contact.id), true, "the SMTP check host notifies the contact");
    },
  },
  {
    id: "smtpChecks[0].notify.groups[1] (one made outside the fleet)",
    lean: true,
    path: ["central", "existing", "contactGroups", 0],
    also: [["smtpChecks", 0, "notify", "groups", 1]],
    values: arb.fieldValues(arb.centreonName),
    numRuns: 100,
    apply(doc, v) {
      doc.central.existing = { contactGroups: [v] };
      doc.smtpChecks[0].notify.groups = ["ops", v];
    },
    madeByHand: GROUP_MADE_BY_HAND,
    check(a, v) {
      const { state, batch } = a.clapi();
      const group = groupRow(state, v);
      a.same(JSON.stringify(linesNaming(batch, "CG", v)), "[]", "no CG line for the group made by hand");
      a.same(group && expectHost(a, "smtp-corporate").contactGroups.includes(group.id), true, "the SMTP check host notifies the group");
    },
  },
  {
    id: "smtpChecks[0].notify.groups[1] (a declared group)",
    lean: true,
    path: ["contactGroups", 1, "name"],
    also: [["smtpChecks", 0, "notify", "groups", 1]],
    values: arb.fieldValues(arb.centreonName),
    numRuns: 200,
    apply(doc, v) {
      doc.contactGroups.push({ name: v });
      doc.smtpChecks[0].notify.groups = ["ops", v];
    },
    check(a, v) {
      const group = groupRow(a.clapi().state, v);
      a.same(group && expectHost(a, "smtp-corporate").contactGroups.includes(group.id), true, "the SMTP check host notifies the group");
    },
  },
];

FIELDS.push(...NOTIFICATION_FIELDS);

const TOTAL_RUNS = FIELDS.reduce((n, f) => n + f.numRuns, 0);

// ================================================================== the properties

describe("the base fleet", () => {
  it("is accepted, and every destination check passes on it", async () => {
    for (const field of FIELDS.filter((f) => f.check)) {
      const run = new Run(field, true);
      // The value the base already holds (or a neutral valid one) must arrive.
      const doc = baseDoc();
      const current = typeof field.path === "function" ? undefined : field.path.reduce<any>((node, p) => node?.[p], doc);
      if (typeof current === "string") runCase(field, current, run);
      const failures = await run.deferred();
      expect(failures, failures.join("\n\n")).toEqual([]);
    }
  });
});

describe("every string field: refused with its path, or byte-exact at its destination", () => {
  it(`runs at least 10,000 generated cases (${TOTAL_RUNS})`, () => {
    expect(TOTAL_RUNS).toBeGreaterThanOrEqual(10_000);
  });

  for (const field of FIELDS) {
    it(`${field.id} (${field.numRuns} cases)`, async () => {
      const run = new Run(field, false);
      fc.assert(
        fc.property(field.values, (v) => runCase(field, v, run)),
        { numRuns: field.numRuns },
      );
      DEFERRED.set(field.id, run.deferred());
      ALL_STATS.push(run.stats);
      // Both branches are exercised (a field that never takes a string has only the refused one).
      expect(run.stats.refused, "refused cases").toBeGreaterThan(0);
      if (field.check) expect(run.stats.accepted, "accepted cases").toBeGreaterThanOrEqual(5);
    });
  }
});

describe("the checks that ran in the background (the scripts' lines in sh, real postconf)", () => {
  for (const field of FIELDS) {
    it(`${field.id}`, async () => {
      const start = performance.now();
      const failures = (await DEFERRED.get(field.id)) ?? [];
      TIMES.awaitingBackground += performance.now() - start;
      expect(failures, failures.join("\n\n")).toEqual([]);
    });
  }
});

afterAll(() => {
  if (ALL_STATS.length === 0) return;
  const total = (k: keyof Omit<Stats, "field" | "bugHits">) => ALL_STATS.reduce((n, s) => n + s[k], 0);
  const hits: Partial<Record<BugId, number>> = {};
  for (const s of ALL_STATS) for (const [b, n] of Object.entries(s.bugHits)) hits[b as BugId] = (hits[b as BugId] ?? 0) + (n ?? 0);
  console.log(
    [
      `hostile values: ${total("runs")} generated cases in ${ALL_STATS.length} properties, ${total("accepted")} accepted, ${total("refused")} refused;`,
      `  ${total("shell")} script line sets run by sh, ${total("postconf")} real postconf read-backs, ${total("imports")} CLAPI imports, ${total("awk")} executor awk runs, ${total("synth")} Terraform syntheses`,
      `  known-bug hits: ${JSON.stringify(hits)}`,
      `  time (ms): ${JSON.stringify(Object.fromEntries(Object.entries(TIMES).map(([k, t]) => [k, Math.round(t)])))}`,
      ...ALL_STATS.map((s) => `  ${s.field}: ${s.runs} runs, ${s.accepted} accepted${Object.keys(s.bugHits).length ? `, bugs ${JSON.stringify(s.bugHits)}` : ""}`),
    ].join("\n"),
  );
});

// ================================================================== explicit values, on every field

const EXAMPLES: [string, string][] = [
  ["$(reboot)", "$(reboot)"],
  ["backticks", "`reboot`"],
  ["'; rm -rf /'", "'; rm -rf /'"],
  ["a line break then relayhost = evil", "x\nrelayhost = evil"],
  ["a leading dash", "-x"],
  ["a leading double dash", "--help"],
  ["5000 characters", "relay-é.".repeat(625)],
  ["é in a name", "équipe-été"],
  ["ops;admins", "ops;admins"],
  ["a|b", "a|b"],
];

/** The known bugs a value triggers on a field, by the field's predicates: such a pair is an it.fails. */
function predictedBugs(field: Field, v: string): BugId[] {
  return Object.entries(field.bugs ?? {})
    .filter(([, p]) => p?.(v) ?? false)
    .map(([b]) => b as BugId);
}

/** One value through one field, every assertion enforced. */
async function strictCase(field: Field, v: string): Promise<void> {
  const run = new Run(field, true);
  runCase(field, v, run);
  const failures = await run.deferred();
  expect(failures, failures.join("\n\n")).toEqual([]);
}

describe("explicit hostile values on every field: refused with the path, or byte-exact", () => {
  for (const [label, value] of EXAMPLES) {
    const clean = FIELDS.filter((f) => predictedBugs(f, value).length === 0);
    it(`${label}: ${clean.length} fields`, async () => {
      const failures: string[] = [];
      for (const field of clean) {
        try {
          await strictCase(field, value);
        } catch (e) {
          failures.push(`${field.id}: ${(e as Error).message}`);
        }
      }
      expect(failures, failures.join("\n\n")).toEqual([]);
    });
    for (const field of FIELDS.filter((f) => predictedBugs(f, value).length > 0)) {
      it.fails(`${label} in ${field.id}: known bug ${predictedBugs(field, value).join(", ")}`, () => strictCase(field, value));
    }
  }
});

// ================================================================== the bugs this file found

const fieldById = (id: string) => FIELDS.find((f) => f.id === id)!;
const regression = (field: string, value: string) => () => strictCase(fieldById(field), value);

describe("fixed: the pack's parent host template name", () => {
  it("smtpChecks[0].host generic-active-host-custom is refused with its path", regression("smtpChecks[0].host", "generic-active-host-custom"));
});

describe("fixed product bugs this file found: each value now refused with its path, or byte-exact", () => {
  it('auth.username a"b no longer breaks the provisioning script (it was unquoted in a double-quoted message)', regression("gateways.corporate.auth.username", 'a"b'));
  it("auth.username $(reboot) is not run by the provisioning script", regression("gateways.corporate.auth.username", "$(reboot)"));
  it('a contact group alias ${upper("x")} is not a Terraform template in its record', regression("contactGroups[0].alias", '${upper("x")}'));
  it("a host-key comment %{if true}x%{endif} is not a Terraform template in connection.host_key", () =>
    strictCase(fieldById("pollers[0].hostKey"), `${baseFleet().pollers[0].hostKey} %{if true}x%{endif}`),
  );
  it("a contact group alias 'Operations ' (CLAPI would trim it)", regression("contactGroups[0].alias", "Operations "));
  it("an SMTP check username ' probe' (CLAPI would trim it)", regression("smtpChecks[0].auth.username", " probe"));
  it("language de_AT (CLAPI answered Invalid locale)", regression("contacts[0].language", "de_AT"));
  it("{ secret: Hunter2-P@ss! } is refused without echoing the value", regression("gateways.corporate.auth.password.secret", "Hunter2-P@ss!"));
  it("{ secret: count } (Terraform reserves the variable name)", regression("gateways.corporate.auth.password.secret", "count"));
  it("smtpChecks[0].host poller-lyon-postfix (it merged with poller-lyon's queue-check host)", regression("smtpChecks[0].host", "poller-lyon-postfix"));
  it("contacts[0].alias admin (it adopted the CLAPI user and demoted it)", regression("contacts[0].alias", "admin"));
  it("a Postfix parameter value 'price 5$ each' (postconf could not read main.cf)", regression("pollers[0].postfixParameters.smtpd_banner (the value)", "price 5$ each"));
  it("a Postfix parameter value with a lone surrogate (it arrived as U+FFFD)", regression("pollers[0].postfixParameters.smtpd_banner (the value)", "a\ud800b"));
  it("a contact group name with a lone surrogate", regression("contactGroups[0].name", "\udc00ops"));
  it("a contact group alias <secret:smtp_password> (the executor put the SMTP password there)", regression("contactGroups[0].alias", "<secret:smtp_password>"));
  it("a contact group alias <generated-password> x5 (the contact then had no password)", regression("contactGroups[0].alias", "<generated-password>".repeat(5)));
});
