// Synthesis as `npm run synth` runs it (main.ts, and the benchmark): a fleet's stacks into
// <outdir>/stacks, their review artifacts into <outdir>/review.
import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { App } from "./cdktf.js";
import type { Fleet } from "./constructs/fleet.js";
import { buildFleets, type BuildProps } from "./fleet/build.js";
import type { FleetSpec } from "./fleet/schema.js";
import { writeReview } from "./review/artifacts.js";

export interface SynthesizedStack {
  fleet: Fleet;
  /** Risky but legal choices (see Fleet.warnings), also listed in SUMMARY.md. */
  warnings: string[];
  reviewDir: string;
}

export interface Synthesis {
  /** The main stack first (see buildFleets). */
  stacks: SynthesizedStack[];
  /** Milliseconds spent building the constructs, computing the review, synthesizing, then finishing the review writes. */
  phasesMs: { build: number; review: number; synth: number; reviewWrites: number };
}

export async function synthesize(spec: FleetSpec, outdir: string, props: BuildProps = {}): Promise<Synthesis> {
  const start = performance.now();
  const app = new App({ outdir });
  const fleets = buildFleets(app, spec, props);
  const built = performance.now();
  // The review is computed first (synth then reuses the scripts and the batch it rendered), and
  // its files are written by a worker thread while cdktf synthesizes.
  const warnings = fleets.map((fleet) => fleet.warnings);
  const reviews = fleets.map((fleet, i) => writeReview(outdir, fleet, warnings[i]));
  const reviewed = performance.now();
  try {
    app.synth();
  } catch (error) {
    await Promise.allSettled(reviews);
    rmSync(join(outdir, "review"), { recursive: true, force: true });
    throw error;
  }
  // A plan file an earlier `cdktf diff` saved holds the secrets in clear: never leave one, in the
  // directory of a stack that has since left the fleet neither.
  const stacksDir = join(outdir, "stacks");
  for (const entry of readdirSync(stacksDir, { withFileTypes: true })) {
    if (entry.isDirectory()) rmSync(join(stacksDir, entry.name, "plan"), { force: true });
  }
  const synthesized = performance.now();
  const reviewDirs = await Promise.all(reviews);
  const done = performance.now();
  return {
    stacks: fleets.map((fleet, i) => ({ fleet, warnings: warnings[i], reviewDir: reviewDirs[i] })),
    phasesMs: { build: built - start, review: reviewed - built, synth: synthesized - reviewed, reviewWrites: done - synthesized },
  };
}
