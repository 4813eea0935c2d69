// Script bodies shipped once per stack. Hosts on the same gateway run the same body (only their
// host settings differ), so the stack holds each distinct body once, as a Terraform local that the
// hosts' remote-exec lines refer to. Terraform parses every string of the configuration at every
// plan: at 1000 pollers, one copy per host was a third of the plan time.
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { Construct } from "constructs";
import { TerraformElement, TerraformStack } from "../cdktf.js";

export class SharedScriptBodies extends TerraformElement {
  /** The stack's one instance. */
  static of(scope: Construct): SharedScriptBodies {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild("shared-script-bodies");
    return existing instanceof SharedScriptBodies ? existing : new SharedScriptBodies(stack, "shared-script-bodies");
  }

  private readonly payloads: (() => string)[] = [];
  private readonly compressed = new Map<string, string>();

  /**
   * A body as shipped: gzipped (a third of its base64 size: less for cdktf to resolve, for
   * Terraform to parse at every plan, for SSH to carry), then base64; each distinct body once.
   */
  payloadOf(body: string): string {
    let payload = this.compressed.get(body);
    if (payload === undefined) this.compressed.set(body, (payload = gzipSync(body).toString("base64")));
    return payload;
  }

  /** Ships the payload this producer gives at synth (identical payloads once). */
  add(payload: () => string): void {
    this.payloads.push(payload);
  }

  /** The Terraform expression that stands for a payload in a remote-exec line. */
  static reference(payload: string): string {
    return `\${local.${SharedScriptBodies.localName(payload)}}`;
  }

  private static localName(payload: string): string {
    return `script_body_${createHash("sha256").update(payload).digest("hex").slice(0, 16)}`;
  }

  toTerraform(): unknown {
    const locals = Object.fromEntries(this.payloads.map((payload) => [SharedScriptBodies.localName(payload()), payload()]));
    return Object.keys(locals).length ? { locals } : {};
  }
}
