/**
 * Terraform resource name of a host's resource or an object's record, <kind>_<name> with the
 * characters Terraform refuses replaced: stable, and part of the contract (renaming replaces).
 */
export function terraformName(kind: string, name: string): string {
  return `${kind}_${name.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

/**
 * A literal string inside Terraform JSON: `${` and `%{` would start a template, so they are
 * doubled ($${, %%{) to mean themselves.
 */
export function terraformLiteral(text: string): string {
  return text.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}
