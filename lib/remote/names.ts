/** Terraform resource name for a host's resource: stable, and part of the contract (renaming replaces). */
export function terraformName(purpose: string, hostName: string): string {
  return `${purpose}_${hostName.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}
