// What a `terraform apply` did to each host, read from its own output (-no-color): the plan it
// printed (which resources it meant to create or replace), the resources it completed, the errors
// it reported (with the failing resource) and the one line our host scripts print on failure
// ("centreon-mail-as-code: HOST: STEP failed: WHAT. Fix: WHAT TO DO").
import type { Fleet } from "../constructs/fleet.js";
import type { RemoteScript } from "../remote/remote-script.js";

/** One host's Terraform resource, and the wave it belongs to (0 = canaries). */
export interface DeployTarget {
  /** Host (or object) name shown to the operator. */
  host: string;
  /** Terraform address, e.g. terraform_data.relay_poller-1. */
  address: string;
  /** Rollout wave; undefined for resources outside the rollout (the CLAPI executor). */
  wave?: number;
  /** A rollout canary. @default false */
  canary?: boolean;
  /** What the resource does, e.g. "relay" or "Centreon objects". */
  role: string;
}

export type HostStatus =
  | { kind: "changed" }
  | { kind: "unchanged" }
  | { kind: "failed"; step: string; message?: string }
  /** The deploy was cancelled while Terraform worked on it: its script may have stopped part-way. */
  | { kind: "interrupted" }
  | { kind: "not-run"; reason: string };

export interface HostResult extends DeployTarget {
  status: HostStatus;
}

/** The failure line our scripts print; Terraform prefixes it with "<address> (remote-exec): ". */
const FAILURE_LINE = /^(\S+) \(remote-exec\): (centreon-mail-as-code: (.+?): (\S+) failed: .*)$/;
const PLANNED = /^\s*# (\S+) (?:will be created|must be replaced|will be replaced|is tainted, so must be replaced|will be updated in-place)/;
const COMPLETED = /^(\S+): (?:Creation|Modifications) complete after/;
const ERROR_WITH = /^\s*with (\S+),$/;
/** How Terraform words an error that its interrupt caused (a connection or a script it cut short). */
const INTERRUPTED_ERROR = /\binterrupted\b|execution halted|context canceled|remote command exited without exit status/i;

/**
 * Per-target status from the output of `terraform apply -no-color` and its exit code. `interrupted`:
 * the deploy was cancelled (Terraform was sent an interrupt): an error worded as the interrupt's is
 * INTERRUPTED, not a failure, and what did not run in a failed apply did not run because of it.
 */
export function readApply(output: string, targets: readonly DeployTarget[], exitCode: number, interrupted = false): HostResult[] {
  const lines = output.replace(/\r/g, "").split("\n");
  const planned = new Set<string>();
  const completed = new Set<string>();
  const failureLine = new Map<string, { step: string; message: string }>();
  const errors = new Map<string, string>();
  let errorTitle: string | undefined;
  for (const [i, line] of lines.entries()) {
    const plan = PLANNED.exec(line);
    if (plan) planned.add(plan[1]);
    const done = COMPLETED.exec(line);
    if (done) completed.add(done[1]);
    const failure = FAILURE_LINE.exec(line);
    if (failure && !failureLine.has(failure[1])) failureLine.set(failure[1], { step: failure[4], message: failure[2] });
    if (line.startsWith("Error: ")) errorTitle = line.slice("Error: ".length);
    const withAddress = ERROR_WITH.exec(line);
    if (withAddress && errorTitle !== undefined) {
      // After "with ADDRESS," come "on FILE line N" and the source line, a blank line, then the
      // detail (wrapped at 78 columns) up to the next blank line.
      const blank = lines.findIndex((l, j) => j > i && l.trim() === "");
      const start = blank === -1 ? lines.length : blank + 1;
      const stop = lines.findIndex((l, j) => j >= start && l.trim() === "");
      const detail = lines.slice(start, stop === -1 ? undefined : stop).join(" ").replace(/\s+/g, " ").trim();
      errors.set(withAddress[1], `${errorTitle}: ${detail}`);
      errorTitle = undefined;
    }
  }

  // An error the interrupt caused is not the host's failure.
  const cutShort = (address: string) => interrupted && INTERRUPTED_ERROR.test(errors.get(address) ?? "");
  const failedHere = (t: DeployTarget) => failureLine.has(t.address) || (errors.has(t.address) && !cutShort(t.address));
  const failedWaves = targets.filter((t) => t.wave !== undefined && failedHere(t)).map((t) => t.wave!);
  const firstFailedWave = failedWaves.length ? Math.min(...failedWaves) : undefined;
  const failedInWave = (wave: number) => targets.filter((t) => t.wave === wave && failedHere(t));

  return targets.map((target) => {
    const status = ((): HostStatus => {
      const line = failureLine.get(target.address);
      if (line) return { kind: "failed", step: line.step, message: line.message };
      const error = errors.get(target.address);
      if (cutShort(target.address)) return { kind: "interrupted" };
      if (error) {
        const step = stepOfTerraformError(error);
        return { kind: "failed", step, message: `centreon-mail-as-code: ${target.host}: ${step} failed: ${error}. Fix: ${TERRAFORM_ERROR_FIX[step] ?? TERRAFORM_ERROR_FIX.terraform}` };
      }
      if (completed.has(target.address)) return { kind: "changed" };
      if (!planned.has(target.address)) {
        if (exitCode === 0 || planned.size > 0) return { kind: "unchanged" };
        return { kind: "not-run", reason: interrupted ? "the deploy was interrupted" : "terraform stopped before applying" };
      }
      if (firstFailedWave !== undefined && target.wave !== undefined && target.wave > firstFailedWave) {
        const failed = failedInWave(firstFailedWave);
        const what = failed.every((t) => t.canary) ? `canary${failed.length > 1 ? "s" : ""}` : `wave ${firstFailedWave}:`;
        return { kind: "not-run", reason: `waiting for failed ${what} ${failed.map((t) => t.host).join(", ")}` };
      }
      if (interrupted && exitCode !== 0) return { kind: "not-run", reason: "the deploy was interrupted" };
      return { kind: "not-run", reason: "terraform stopped after an error" };
    })();
    return { ...target, status };
  });
}

/** The step of a Terraform error that our scripts did not report themselves. */
function stepOfTerraformError(error: string): string {
  if (/knownhosts|key mismatch|timeout - last error|dial tcp|ssh: handshake failed|connection refused/i.test(error)) return "ssh";
  return /Process exited with status \d+/.test(error) ? "script" : "terraform";
}

const TERRAFORM_ERROR_FIX: Record<string, string> = {
  ssh: "check that the host is up and reachable at its address and SSH port, and that hostKey is the key it presents (ssh-keyscan -t ed25519 HOST)",
  script: "read the host's output above (the script stopped before saying why)",
  terraform: "read Terraform's error above",
};

const describe = (status: HostStatus): string => {
  switch (status.kind) {
    case "changed":
      return "changed";
    case "unchanged":
      return "unchanged";
    case "failed":
      return `FAILED at ${status.step}`;
    case "interrupted":
      return "INTERRUPTED: runs again at the next deploy";
    case "not-run":
      return `not run: ${status.reason}`;
  }
};

/** The end-of-deploy table: one row per host, in wave order. */
export function formatTable(results: readonly HostResult[]): string {
  const rows = [
    ["host", "wave", "role", "status"],
    ...results.map((r) => [r.host, r.wave === undefined ? "-" : String(r.wave), r.role, describe(r.status)]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  const format = (row: string[]) => row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]))).join("  ");
  return [format(rows[0]), widths.map((w, c) => "-".repeat(c === widths.length - 1 ? Math.max(w, 6) : w)).join("  "), ...rows.slice(1).map(format)].join("\n");
}

/** The failure lines to repeat under the table, so the operator finds them without scrolling. */
export function failureMessages(results: readonly HostResult[]): string[] {
  return results.flatMap((r) => (r.status.kind === "failed" && r.status.message ? [r.status.message] : []));
}

/**
 * What failed, for the end of the report: each failed host's line, then, when Terraform failed,
 * its own errors (beside a failed host too: a state lock it could not release, a state it could
 * not save would otherwise stay far up in the log); at least Terraform's exit code.
 */
export function failureLines(results: readonly HostResult[], output: string, code: number, interrupted: boolean): string[] {
  const lines = failureMessages(results);
  if (code === 0) return lines;
  lines.push(...terraformErrors(output, interrupted));
  if (!lines.length && !interrupted) lines.push(`terraform exited with code ${code}: see its output above`);
  return lines;
}

/**
 * Terraform's own errors, once each, that no host's failure line explains (a missing TF_VAR_, a
 * held state lock, an unreachable backend). After an interrupt, the errors it caused ("execution
 * halted") are not repeated.
 */
export function terraformErrors(output: string, interrupted = false): string[] {
  const counts = new Map<string, number>();
  for (const [, title] of output.matchAll(/^(?:│ )?Error: (.+)$/gm)) {
    if (title === "remote-exec provisioner error" || (interrupted && INTERRUPTED_ERROR.test(title))) continue;
    counts.set(title, (counts.get(title) ?? 0) + 1);
  }
  // Terraform wraps its text at 76 columns: a long name puts "is not set" on the next line.
  const unset = [...new Set([...output.matchAll(/input variable[\s│]+"(\w+)"[\s│]+is not set/g)].map(([, name]) => `TF_VAR_${name}`))];
  return [...counts].map(
    ([title, n]) =>
      `terraform: ${title}${n > 1 ? ` (${n} times)` : ""}${title === "No value for required variable" && unset.length ? `: set ${unset.join(", ")}` : ""}`,
  );
}

/** The hosts' resources of a fleet, in wave order, then the central's CLAPI executor. */
export function deployTargets(fleet: Fleet): DeployTarget[] {
  const address = (remote: RemoteScript) => `${remote.resource.terraformResourceType}.${remote.terraformName}`;
  const relays = new Map(fleet.relays.map((r) => [r.hostName, r]));
  const canaries = fleet.rolloutSettings?.canary ?? [];
  const targets: DeployTarget[] = fleet.waves.flatMap((wave, index) =>
    wave.map((host) => ({ host, address: address(relays.get(host)!.remote), wave: index, role: "relay", ...(canaries.includes(host) ? { canary: true } : {}) })),
  );
  const configuration = fleet.central?.configuration;
  if (configuration) targets.push({ host: fleet.central!.name, address: address(configuration.remote), role: "Centreon objects" });
  return targets;
}
