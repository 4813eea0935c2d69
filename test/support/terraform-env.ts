// The environment npm run deploy / plan gets in tests that run real Terraform against no real host.
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A HOME under `dir` with ~/.ssh/id_ed25519 (a real key: Terraform parses it before it dials, even
 * when nothing answers), an empty CLI configuration (no provider download), no checkpoint call.
 */
export function offlineTerraformEnv(dir: string): Record<string, string> {
  const home = join(dir, "home");
  mkdirSync(join(home, ".ssh"), { recursive: true });
  writeFileSync(join(home, ".ssh", "id_ed25519"), generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  writeFileSync(join(home, "terraformrc"), "");
  return { HOME: home, TF_CLI_CONFIG_FILE: join(home, "terraformrc"), CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
}
