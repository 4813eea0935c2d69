// Runs a synthesized provisioning resource on a scratch host the way Terraform's remote-exec does:
// the inline lines in one file after "#!/bin/sh", apply-time expressions evaluated, run by path.
import { writeFileSync } from "node:fs";
import type { ExecResult, ScratchHost } from "./scratch-host.js";

/** Where the script is uploaded on a host (its /tmp: private to a scratch host by default). */
export const scriptPath = (host: ScratchHost) => `/tmp/.centreon-script-${host.name}.sh`;

/**
 * Evaluates the only expressions our inline uses, ${nonsensitive(base64encode(var.NAME))}, then
 * Terraform's template escapes ($${ and %%{ stand for ${ and %{).
 */
export function evaluateInline(resource: any, secrets: Record<string, string>): string {
  const inline: string[] = resource.provisioner[0]["remote-exec"].inline;
  const text = inline.join("\n").replace(/\$\{nonsensitive\(base64encode\(var\.(\w+)\)\)\}/g, (_all, name: string) => {
    if (!(name in secrets)) throw new Error(`no value for secret ${name}`);
    return Buffer.from(secrets[name], "utf8").toString("base64");
  });
  if (/(?<!\$)\$\{|(?<!%)%\{/.test(text)) throw new Error("the inline holds a Terraform expression this runner does not evaluate");
  return `#!/bin/sh\n${text.replace(/\$\$\{/g, "${").replace(/%%\{/g, "%{")}\n`;
}

export async function provisionLikeTerraform(
  host: ScratchHost,
  resource: any,
  secrets: Record<string, string>,
  env: Record<string, string> = {},
  /** How the session runs the uploaded script, e.g. through a pipe that closes early. */
  run: (script: string) => string = (script) => script,
): Promise<ExecResult> {
  writeFileSync(host.path(scriptPath(host)), evaluateInline(resource, secrets), { mode: 0o700 });
  return host.exec(run(scriptPath(host)), { timeoutMs: 120_000, env });
}
