// The ONE place that turns "run this script on that host, with these secrets" into a Terraform
// resource: one SSH connection (host key pinned), one remote-exec, a root-only script path,
// the script as base64, secrets only as apply-time expressions, triggers that hash all of it.
import { createHash } from "node:crypto";
import { Construct } from "constructs";
import {
  Fn,
  Lazy,
  NullProvider,
  Token,
  NullResource,
  TerraformResource,
  TerraformStack,
  type SSHProvisionerConnection,
  type TerraformResourceConfig,
} from "../cdktf.js";
import { render } from "../render/templates.js";
import type { Secret } from "../secret.js";

export type Engine = "null_resource" | "terraform_data";

export interface SshConnection {
  host: string;
  /** @default 22 */
  port?: number;
  /** @default "root" */
  user?: string;
  /** Private key file read by Terraform. @default - the SSH agent */
  privateKeyFile?: string;
  /** @default 30 */
  timeoutSeconds?: number;
  /** Pinned host public key. @default - not checked (a warning is added) */
  hostKey?: string;
  /** Directory, readable by the SSH user only, for the uploaded script. @default "/root" */
  scriptDirectory?: string;
}

export interface RemoteScriptProps {
  engine: Engine;
  connection: SshConnection;
  /** Short name of what the script does (file names, triggers), e.g. "mail-relay". */
  purpose: string;
  /** Terraform resource name; part of the contract: renaming it replaces the resource. */
  terraformName: string;
  /** Produces the script, free of secrets; called at synth, so later additions are included. */
  script: () => string;
  /**
   * Environment variable name → secret, exported (base64-encoded) for the script at apply time;
   * a function is called at synth, so secrets added later are included.
   */
  secrets?: Record<string, Secret> | (() => Record<string, Secret>);
}

/** terraform_data: built into Terraform, needs no provider download. */
export class TerraformData extends TerraformResource {
  static readonly tfResourceType = "terraform_data";

  constructor(
    scope: Construct,
    id: string,
    private readonly triggersReplace: Record<string, string>,
    config: TerraformResourceConfig,
  ) {
    super(scope, id, { ...config, terraformResourceType: "terraform_data" });
  }

  protected synthesizeAttributes(): { [name: string]: unknown } {
    return Object.keys(this.triggersReplace).length ? { triggers_replace: this.triggersReplace } : {};
  }
}

export class RemoteScript extends Construct {
  readonly resource: TerraformResource;
  readonly connection: SshConnection;
  /** Terraform resource name (the contract: see RemoteScriptProps.terraformName). */
  readonly terraformName: string;
  /** Trigger name → value (resolved at synth); any change re-runs the script. */
  readonly triggers: Record<string, string>;

  constructor(scope: Construct, id: string, props: RemoteScriptProps) {
    super(scope, id);
    const { connection } = props;
    this.connection = connection;
    this.terraformName = props.terraformName;
    const user = connection.user ?? "root";
    const secretsNow = () =>
      Object.entries(typeof props.secrets === "function" ? props.secrets() : (props.secrets ?? {})).sort(([a], [b]) =>
        a.localeCompare(b),
      );
    const bootstrap = (secretValue: (secret: Secret) => string) => {
      const secrets = secretsNow();
      return render("remote/bootstrap.sh.hbs", {
        purpose: props.purpose,
        payload: Buffer.from(props.script(), "utf8").toString("base64"),
        secrets: secrets.map(([env, secret]) => ({ env, value: secretValue(secret) })),
        envNames: secrets.map(([env]) => env).join(","),
      });
    };

    const triggers = () => ({
      host: `${user}@${connection.host}:${connection.port ?? 22}`,
      // Everything pushed, with secrets as placeholders: their hashes follow.
      payload_sha256: createHash("sha256").update(bootstrap((s) => s.placeholder)).digest("hex"),
      ...Object.fromEntries(secretsNow().map(([, secret]) => [`secret_${secret.name}_sha256`, secret.sha256])),
    });
    this.triggers = Token.asStringMap(Lazy.anyValue({ produce: triggers }));

    const ssh: SSHProvisionerConnection = {
      type: "ssh",
      host: connection.host,
      port: connection.port ?? 22,
      user,
      timeout: `${connection.timeoutSeconds ?? 30}s`,
      scriptPath: `${connection.scriptDirectory ?? "/root"}/.centreon-${props.purpose}.sh`,
      ...(connection.privateKeyFile ? { privateKey: Fn.file(connection.privateKeyFile) } : { agent: "true" }),
      // "TYPE BASE64" only: a comment is not part of the key (and could hold a Terraform template).
      ...(connection.hostKey ? { hostKey: connection.hostKey.trim().split(/\s+/).slice(0, 2).join(" ") } : {}),
    };
    const config: TerraformResourceConfig = {
      terraformResourceType: props.engine,
      connection: ssh,
      provisioners: [{ type: "remote-exec", inline: [Lazy.stringValue({ produce: () => bootstrap((s) => s.base64ForScript) })] }],
    };

    if (props.engine === "terraform_data") {
      this.resource = new TerraformData(this, "Resource", this.triggers, config);
    } else {
      ensureNullProvider(this);
      this.resource = new NullResource(this, "Resource", { ...config, triggers: this.triggers });
    }
    this.resource.overrideLogicalId(props.terraformName);
  }

  /**
   * Runs only after every one of `others` was applied successfully (Terraform depends_on): a
   * failed one stops this one. Replaces any earlier call. Ordering only: an unchanged dependency
   * does not make this resource run.
   */
  runAfter(others: readonly RemoteScript[]): void {
    // Plain addresses: depends_on takes references, not "${...}" templates.
    this.resource.dependsOn = others.length ? others.map((o) => `${o.resource.terraformResourceType}.${o.terraformName}`) : undefined;
  }
}

export function ensureNullProvider(scope: Construct): void {
  const stack = TerraformStack.of(scope);
  if (!stack.node.tryFindChild("null")) new NullProvider(stack, "null");
}
