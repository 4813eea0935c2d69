import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { Testing } from "../lib/cdktf.js";

Testing.setupJest();

interface CdktfMatchers<R = unknown> {
  toHaveResource(resourceType: { tfResourceType: string }): R;
  toHaveResourceWithProperties(resourceType: { tfResourceType: string }, properties: Record<string, unknown>): R;
  toHaveProvider(providerType: { tfResourceType: string }): R;
  toBeValidTerraform(): R;
}

declare module "vitest" {
  interface Matchers<T = any> extends CdktfMatchers<T> {}
}

// Every temporary directory a test file makes (Testing.app()'s cdktf.outdir.*, the tests' own
// mkdtemp) goes under one directory per test file, removed when the file is done: thousands of
// synth outputs were left in /tmp otherwise.
// Mode 1777 like /tmp: child processes running as other users (postfix, the lab's SSH users) use it too.
const scratch = mkdtempSync(join(tmpdir(), "cmr-test-"));
chmodSync(scratch, 0o1777);
process.env.TMPDIR = scratch;
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
