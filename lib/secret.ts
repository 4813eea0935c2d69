// A secret is a sensitive Terraform variable: its value exists only at apply time, never in the
// synthesized JSON, the review artifacts or the state (only its sha256 reaches the triggers).
import { Construct } from "constructs";
import { Fn, TerraformStack, TerraformVariable } from "./cdktf.js";
import { assertRule, rules } from "./fleet/rules.js";

export class Secret {
  /** The secret named `name` in `scope`'s stack; declared once, shared by every user. */
  static fromVariable(scope: Construct, name: string): Secret {
    assertRule(rules.secretName, "secret name", name);
    const stack = TerraformStack.of(scope);
    const id = `secret:${name}`;
    const existing = stack.node.tryFindChild(id);
    if (existing instanceof TerraformVariable) return new Secret(name, existing);
    const variable = new TerraformVariable(stack, id, {
      type: "string",
      sensitive: true,
      nullable: false,
      description: `Secret ${name}: supply it as TF_VAR_${name} (never in the fleet file)`,
    });
    variable.overrideLogicalId(name);
    return new Secret(name, variable);
  }

  private constructor(
    readonly name: string,
    readonly variable: TerraformVariable,
  ) {}

  /**
   * Terraform expression for a provisioner's script: the value base64-encoded at apply time (safe
   * inside shell quotes), unmarked as sensitive. Terraform replaces ALL the output of a provisioner
   * whose configuration holds a sensitive value, which would hide every diagnostic our scripts
   * print. Provisioner configuration is never shown in plans, kept in state or printed; the
   * scripts never print a secret (the lab's secret scan counts every occurrence to prove it).
   */
  get base64ForScript(): string {
    return Fn.nonsensitive(Fn.base64encode(this.variable.stringValue));
  }

  /** Terraform expression: the value's sha256, so a changed secret changes a trigger. */
  get sha256(): string {
    return Fn.sha256(this.variable.stringValue);
  }

  /** How review artifacts show the secret. */
  get placeholder(): string {
    return `<secret:${this.name}>`;
  }
}
