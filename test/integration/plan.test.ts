// npm run plan on the example fleet with real Terraform (terraform_data: no provider download):
// what would change, without a saved plan file, whose binary would hold the secrets in clear
// (cdktf diff saves one in cdktf.out/stacks/<stack>/plan).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { offlineTerraformEnv } from "../support/index.js";

const SECRET = "Plan-Secret-Pa55!";
const work = mkdtempSync(join(tmpdir(), "cmr-plan-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every file under `dir`, recursively. */
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));

describe("npm run plan", () => {
  it("plans every stack and leaves no plan file, so no secret in the output directory; -detailed-exitcode's 2 is passed on", () => {
    const doc = parse(readFileSync("examples/fleet.yaml", "utf8"));
    doc.engine = "terraform_data";
    const fleetFile = join(work, "fleet.yaml");
    writeFileSync(fleetFile, stringify(doc));
    const outdir = join(work, "out");
    // A plan file an earlier cdktf diff left behind is removed by the synth, also in the directory
    // of a stack that has since left the fleet (a renamed or removed `stacks` entry).
    for (const stack of ["acme-monitoring", "acme-monitoring-gone"]) {
      mkdirSync(join(outdir, "stacks", stack), { recursive: true });
      writeFileSync(join(outdir, "stacks", stack, "plan"), `stale plan holding ${SECRET}`);
    }
    writeFileSync(join(outdir, "stacks", ".DS_Store"), "a file beside the stacks is left alone");

    const plan = (...options: string[]) =>
      spawnSync("npm", ["run", "--silent", "plan", ...(options.length ? ["--", ...options] : [])], {
        encoding: "utf8",
        env: {
          ...process.env,
          FLEET_FILE: fleetFile,
          CDKTF_OUTDIR: outdir,
          ...offlineTerraformEnv(work),
          TF_VAR_smtp_password: SECRET,
          TF_VAR_centreon_admin_password: SECRET,
        },
        timeout: 240_000,
      });
    const run = plan();
    expect(run.status, run.stderr + run.stdout.slice(-3000)).toBe(0);
    expect(run.stdout).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy\./);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
    expect(existsSync(join(outdir, "stacks", "acme-monitoring", "plan"))).toBe(false);
    expect(existsSync(join(outdir, "stacks", "acme-monitoring-gone", "plan"))).toBe(false);
    for (const file of files(outdir).filter((f) => !f.includes("/.terraform/"))) {
      expect(readFileSync(file).includes(SECRET), file).toBe(false);
    }

    // -detailed-exitcode, passed on to terraform plan: 2 says changes are pending, not a failure.
    const detailed = plan("-detailed-exitcode");
    expect(detailed.status, detailed.stderr + detailed.stdout.slice(-3000)).toBe(2);
    expect(detailed.stdout).toMatch(/Plan: \d+ to add, 0 to change, 0 to destroy\./);
    expect(detailed.stdout).not.toContain("FAILED");
  });
});
