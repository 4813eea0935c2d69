// The ONE place that turns "run this script on that host, with these secrets" into a Terraform
// resource: one SSH connection (host key pinned), one remote-exec, a root-only script path, the
// host's settings inline and the script body shared per stack (see shared-script-bodies.ts),
// secrets only as apply-time expressions, triggers that hash all of it.
import { createHash } from "node:crypto";
import { isAbsolute, relative, resolve } from "node:path";
import { Construct } from "constructs";
import {
  App,
  Fn,
  NullProvider,
  NullResource,
  TerraformResource,
  TerraformStack,
  type SSHProvisionerConnection,
  type TerraformResourceConfig,
} from "../cdktf.js";
import { render } from "../render/templates.js";
import type { Secret } from "../secret.js";
import { stringAtSynth, stringMapAtSynth } from "./at-synth.js";
import { terraformLiteral } from "./names.js";
import { SharedScriptBodies } from "./shared-script-bodies.js";

export type Engine = "null_resource" | "terraform_data";

export interface SshConnection {
  host: string;
  /** @default 22 */
  port?: number;
  /** @default "root" */
  user?: string;
  /** Private key file read by Terraform; a relative path is from the directory synth runs in. @default - the SSH agent */
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
  /**
   * Produces the script's body, free of secrets; called at synth, so later additions are included.
   * Keep host-specific values out of it (see hostSettings): identical bodies are shipped once per stack.
   */
  script: () => string;
  /** Shell lines run before the body, e.g. this host's name. @default - none */
  hostSettings?: () => string;
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

interface Rendered {
  hostSettings: string;
  body: string;
  secrets: [string, Secret][];
  /** Hash of everything pushed, secrets as placeholders. */
  forHash: string;
  /** The remote-exec line. */
  forHost: string;
}

export class RemoteScript extends Construct {
  readonly resource: TerraformResource;
  readonly connection: SshConnection;
  /** Terraform resource name (the contract: see RemoteScriptProps.terraformName). */
  readonly terraformName: string;
  /** Trigger name → value (resolved at synth); any change re-runs the script. */
  readonly triggers: Record<string, string>;
  /** sha256 of everything pushed (the payload_sha256 trigger): when it changes, the script runs again. */
  readonly payloadSha256: () => string;

  constructor(scope: Construct, id: string, props: RemoteScriptProps) {
    super(scope, id);
    const { connection } = props;
    this.connection = connection;
    this.terraformName = props.terraformName;
    const user = connection.user ?? "root";
    const port = connection.port ?? 22;
    /** Where the script runs, as the trigger and the upload's failure line name it. */
    const target = `${user}@${connection.host}:${port}`;
    // Rendered once per change of the script or its secrets: cdktf resolves each token several
    // times per synth, and the script is the largest string in the stack.
    const sharedBodies = SharedScriptBodies.of(this);
    let rendered: Rendered | undefined;
    const current = (): Rendered => {
      const hostSettings = props.hostSettings?.() ?? "";
      const body = props.script();
      const secrets = Object.entries(typeof props.secrets === "function" ? props.secrets() : (props.secrets ?? {})).sort(([a], [b]) =>
        a.localeCompare(b),
      );
      if (
        rendered?.hostSettings === hostSettings &&
        rendered.body === body &&
        rendered.secrets.length === secrets.length &&
        rendered.secrets.every(([env, secret], i) => env === secrets[i][0] && secret === secrets[i][1])
      ) {
        return rendered;
      }
      const bootstrap = (payload: string, secretValue: (secret: Secret) => string) =>
        render("remote/bootstrap.sh.hbs", {
          purpose: props.purpose,
          target: terraformLiteral(target),
          hostSettings: terraformLiteral(hostSettings),
          payload,
          secrets: secrets.map(([env, secret]) => ({ env, value: secretValue(secret) })),
          envNames: secrets.map(([env]) => env).join(","),
        });
      // The trigger hashes the body itself, not its compressed bytes (which may differ between
      // zlib builds), and the bootstrap around it with secrets as placeholders.
      const shipped = sharedBodies.ship(body);
      const forHash = createHash("sha256").update(bootstrap(shipped.bodySha256, (s) => s.placeholder)).digest("hex");
      const forHost = bootstrap(shipped.reference, (s) => s.base64ForScript);
      return (rendered = { hostSettings, body, secrets, forHash, forHost });
    };
    sharedBodies.add(() => current().body);
    this.payloadSha256 = () => current().forHash;

    const hostKey = pinnedHostKey(connection.hostKey);
    const triggers = () => {
      const { forHash, secrets } = current();
      return {
        host: target,
        // A new key means a reinstalled host (rebuilt at the same address): it needs the script again.
        ...(hostKey ? { host_key: hostKey } : {}),
        payload_sha256: forHash,
        ...Object.fromEntries(secrets.map(([, secret]) => [`secret_${secret.name}_sha256`, secret.sha256])),
      };
    };
    this.triggers = stringMapAtSynth(triggers);

    const ssh: SSHProvisionerConnection = {
      type: "ssh",
      host: connection.host,
      port,
      user,
      timeout: `${connection.timeoutSeconds ?? 30}s`,
      scriptPath: `${connection.scriptDirectory ?? "/root"}/.centreon-${props.purpose}.sh`,
      ...(connection.privateKeyFile ? { privateKey: keyFileExpression(this, connection.privateKeyFile) } : { agent: "true" }),
      ...(hostKey ? { hostKey } : {}),
    };
    const config: TerraformResourceConfig = {
      terraformResourceType: props.engine,
      connection: ssh,
      provisioners: [{ type: "remote-exec", inline: [stringAtSynth(() => current().forHost)] }],
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

/** The key Terraform pins: "TYPE BASE64" only, as a comment is not part of the key (and could hold a Terraform template). */
export function pinnedHostKey(hostKey: string | undefined): string | undefined {
  return hostKey?.trim().split(/\s+/).slice(0, 2).join(" ");
}

// One file() expression per key path: every host usually shares one key, and cdktf captures a
// stack trace for each token it creates (a quarter of a second at 1000 hosts).
const fileExpressions = new Map<string, string>();
/**
 * file(path) as Terraform reads it, in the stack's directory (<outdir>/stacks/<stack>): a relative
 * path names a file from the directory synth runs in, so it is made relative to the stack's.
 */
function keyFileExpression(scope: Construct, path: string): string {
  const stack = TerraformStack.of(scope);
  const fromStack = path.startsWith("~") || isAbsolute(path) ? path : relative(resolve(App.of(stack).outdir, "stacks", stack.node.id), resolve(path));
  let expression = fileExpressions.get(fromStack);
  if (expression === undefined) fileExpressions.set(fromStack, (expression = Fn.file(fromStack)));
  return expression;
}

export function ensureNullProvider(scope: Construct): void {
  const stack = TerraformStack.of(scope);
  if (!stack.node.tryFindChild("null")) new NullProvider(stack, "null");
}
