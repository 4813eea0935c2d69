import { fileURLToPath } from "node:url";

/**
 * Where the benchmarks synthesize: $BENCH_OUT, or bench/.out in the checkout (git-ignored), where
 * `cdktf synth` would write. Each output is removed after use.
 */
export const BENCH_OUT = process.env.BENCH_OUT ?? fileURLToPath(new URL("./.out", import.meta.url));
