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

  // One Secret per variable, so each expression below is one token however often it is used:
  // cdktf captures a stack trace for every token it creates, which dominated large syntheses.
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
    this.base64ForScript = Fn.nonsensitive(Fn.base64encode(variable.stringValue));
    this.sha256 = Fn.sha256(variable.stringValue);
  }

  /** How review artifacts show the secret. */
  get placeholder(): string {
    return `<secret:${this.name}>`;
  }
}
