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

  private readonly producers: (() => string)[] = [];
  private readonly shipped = new Map<string, ShippedBody>();

  /**
   * A body as shipped: gzipped (a third of its base64 size: less for cdktf to resolve, for
   * Terraform to parse at every plan, for SSH to carry), then base64; each distinct body once.
   * Hosts alike share the same body string: it is compressed and hashed once, not once per host.
   */
  ship(body: string): ShippedBody {
    let shipped = this.shipped.get(body);
    if (shipped === undefined) {
      const payload = gzipSync(body).toString("base64");
      const local = `script_body_${createHash("sha256").update(payload).digest("hex").slice(0, 16)}`;
      shipped = { payload, local, reference: `\${local.${local}}`, bodySha256: createHash("sha256").update(body).digest("hex") };
      this.shipped.set(body, shipped);
    }
    return shipped;
  }

  /** Ships the body this producer gives at synth (identical bodies once). */
  add(body: () => string): void {
    this.producers.push(body);
  }

  toTerraform(): unknown {
    const locals = Object.fromEntries(this.producers.map((body) => this.ship(body())).map((s) => [s.local, s.payload]));
    return Object.keys(locals).length ? { locals } : {};
  }
}

export interface ShippedBody {
  /** The body, gzipped and base64-encoded. */
  payload: string;
  /** Name of the Terraform local that holds the payload. */
  local: string;
  /** The Terraform expression that stands for the payload in a remote-exec line. */
  reference: string;
  /** The body's own hash (the compressed bytes may differ between zlib builds). */
  bodySha256: string;
}
