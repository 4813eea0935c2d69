// Rollout waves: which relay hosts Terraform provisions first. Computed once, here; the Fleet turns
// each wave into depends_on on the previous wave's resources, so Terraform itself enforces the order
// and never starts a wave after a failed one.

/** How a relay host checks itself after a reload: a probe message through the gateway. */
export interface ProbeSettings {
  /** Address the probe is sent to through the gateway. */
  recipient: string;
  /** How long the host waits for Postfix to report the probe sent. @default 60 */
  timeoutSeconds?: number;
}

export interface RolloutProps {
  /** Hosts provisioned and probed before any other (wave 0). @default - no canary */
  canary?: string[];
  /** Hosts per wave after the canaries. @default - all the others in one wave */
  batchSize?: number;
  /** Every relay host sends a probe after its reload and fails unless it was sent. */
  probe: ProbeSettings;
}

/**
 * The waves, in order: the canaries (declaration order of `canary`), then the other hosts in
 * their declaration order, `batchSize` at a time. Empty waves are left out.
 */
export function rolloutWaves(hosts: readonly string[], canary: readonly string[] = [], batchSize?: number): string[][] {
  for (const name of canary) {
    if (!hosts.includes(name)) {
      throw new Error(`rollout.canary: ${JSON.stringify(name)} is not a host with a relay: declared ones are ${hosts.join(", ") || "none"}`);
    }
  }
  if (new Set(canary).size !== canary.length) throw new Error(`rollout.canary: a host is named twice (${canary.join(", ")})`);
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) {
    throw new Error(`rollout.batchSize: ${batchSize} is not valid: it must be an integer of at least 1`);
  }
  const rest = hosts.filter((h) => !canary.includes(h));
  const size = batchSize ?? Math.max(rest.length, 1);
  const waves: string[][] = canary.length ? [[...canary]] : [];
  for (let i = 0; i < rest.length; i += size) waves.push(rest.slice(i, i + size));
  return waves;
}
