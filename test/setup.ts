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
