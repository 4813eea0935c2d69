/** Terraform resource name for a host's resource: stable, and part of the contract (renaming replaces). */
export function terraformName(purpose: string, hostName: string): string {
  return `${purpose}_${hostName.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

/**
 * A literal string inside Terraform JSON: `${` and `%{` would start a template, so they are
 * doubled ($${, %%{) to mean themselves.
 */
export function terraformLiteral(text: string): string {
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}
