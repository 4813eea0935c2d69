import { fileURLToPath } from "node:url";

/** Where the benchmarks synthesize: bench/.out in the checkout (git-ignored, removed after each use). */
export const BENCH_OUT = fileURLToPath(new URL("./.out", import.meta.url));
