// A secret is a sensitive Terraform variable: its value exists only at apply time, never in the
// synthesized JSON, the review artifacts or the state (only its sha256 reaches the triggers).
import { Construct } from "constructs";
import { TerraformStack, TerraformVariable } from "./cdktf.js";
import { assertRule, rules } from "./fleet/rules.js";

export class Secret {
  /** The secret named `name` in `scope`'s stack; declared once, shared by every user. */
  static fromVariable(scope: Construct, name: string): Secret {
    assertRule(rules.secretName, "secret name", name);
    const stack = TerraformStack.of(scope);
    const id = `secret:${name}`;
    const existing = stack.node.tryFindChild(id);
    if (existing instanceof TerraformVariable) return Secret.byVariable.get(existing)!;
    const variable = new TerraformVariable(stack, id, {
      type: "string",
      sensitive: true,
      nullable: false,
      description: `Secret ${name}: supply it as TF_VAR_${name} (never in the fleet file)`,
    });
    variable.overrideLogicalId(name);
    const secret = new Secret(name, variable);
    Secret.byVariable.set(variable, secret);
    return secret;
  }

  // One Secret per variable: scripts compare secrets by identity.
  private static readonly byVariable = new WeakMap<TerraformVariable, Secret>();

  /**
   * Terraform expression for a provisioner's script: the value base64-encoded at apply time (safe
   * inside shell quotes), unmarked as sensitive. Terraform replaces ALL the output of a provisioner
   * whose configuration holds a sensitive value, which would hide every diagnostic our scripts
   * print. Provisioner configuration is never shown in plans, kept in state or printed; the
   * scripts never print a secret (the lab's secret scan counts every occurrence to prove it).
   */
  readonly base64ForScript: string;
  /** Terraform expression: the value's sha256, so a changed secret changes a trigger. */
  readonly sha256: string;

  private constructor(
    readonly name: string,
    readonly variable: TerraformVariable,
  ) {
    // Plain expressions, not cdktf tokens: they land in every host's resource, and resolving
    // tokens there was a tenth of a 1000-poller synthesis. The variable is named after the secret.
    this.base64ForScript = `\${nonsensitive(base64encode(var.${name}))}`;
    this.sha256 = `\${sha256(var.${name})}`;
  }

  /** How review artifacts show the secret. */
  get placeholder(): string {
    return `<secret:${this.name}>`;
  }
}
