import { Construct } from "constructs";
import { assembleBatch, type Batch } from "../clapi/batch.js";
import { linesOf, managedComment, queueCheckTemplateLines, smtpConnectorTemplateLines, type ObjectLines } from "../clapi/objects.js";
import { render } from "../render/templates.js";
import { terraformName } from "../remote/names.js";
import { RemoteScript, type Engine, type SshConnection } from "../remote/remote-script.js";
import type { Secret } from "../secret.js";
import type { CentreonObject } from "./contact.js";
import { SmtpCheck, type Thresholds } from "./smtp-check.js";

export interface CentreonConfigurationProps {
  stackName: string;
  centralName: string;
  clapiUser: string;
  clapiPassword: Secret;
  /** pack: the SMTP connector pack is installed; create: this project creates its templates. */
  smtpTemplates: "pack" | "create";
  engine: Engine;
  connection: SshConnection;
  /** The desired objects, read at synth. */
  objects: () => CentreonObject[];
  /** Queue-check thresholds (the template's defaults), read at synth. */
  queueChecks: () => Thresholds | undefined;
  /** Every poller of the platform, the central's included: APPLYCFG candidates. */
  pollers: () => string[];
}

/** The central's executor: ONE CLAPI import batch over one SSH connection, then APPLYCFG. */
export class CentreonConfiguration extends Construct {
  readonly remote: RemoteScript;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: CentreonConfigurationProps,
  ) {
    super(scope, id);
    this.remote = new RemoteScript(this, "Executor", {
      engine: props.engine,
      connection: props.connection,
      purpose: "clapi",
      terraformName: terraformName("clapi", props.centralName),
      script: () => this.script(),
      secrets: () => ({
        CLAPI_PASSWORD_B64: props.clapiPassword,
        ...Object.fromEntries(this.batch().secrets.map((s) => [`SECRET_${s.name}_B64`, s])),
      }),
    });
  }

  /** The CLAPI login's password (the review lists where each secret is used). */
  get clapiPassword(): Secret {
    return this.props.clapiPassword;
  }

  /** Marks what this stack manages, in each object's comment. */
  get comment(): string {
    return managedComment(this.props.stackName);
  }

  private cached?: { key: string; batch: Batch };

  /** The batch; assembled again only when objects were added or changed (synth asks several times). */
  batch(): Batch {
    const declared = this.props.objects();
    const key = `${declared.map((o) => o.revision).join(",")}/${JSON.stringify(this.props.queueChecks() ?? null)}`;
    if (this.cached?.key === key) return this.cached.batch;
    const batch = this.assemble(declared);
    this.cached = { key, batch };
    return batch;
  }

  private assemble(declared: CentreonObject[]): Batch {
    const objects: ObjectLines[] = declared.map((o) => linesOf(o, this.comment));
    if (this.props.smtpTemplates === "create" && declared.some((o) => o instanceof SmtpCheck)) {
      objects.unshift(...smtpConnectorTemplateLines(this.comment));
    }
    const queue = this.props.queueChecks();
    if (queue) objects.unshift(...queueCheckTemplateLines(this.comment, queue.warning, queue.critical));
    return assembleBatch(objects);
  }

  script(): string {
    const batch = this.batch();
    const hostAddLines = new Map(batch.objects.filter((o) => o.kind === "HOST").map((o) => [o.key, o.addLine]));
    const declared = [
      ...batch.objects.map((o) => ["object", o.kind, o.key, String(o.addLine)]),
      ...batch.memberships.map(([group, alias]) => ["member", group, alias]),
      ...[...batch.scopes].map(([name, s]) => ["scope", name, s.hash, s.secrets.join(" ")]),
      ...this.props.pollers().map((p) => ["poller", p]),
      ...batch.notify.map((n) => ["notify", n.host, n.services.join("|"), n.contacts, n.groups]),
      // Each contact password line (SETPARAM), its contact and secret: sent only when the secret changed.
      ...batch.lines.flatMap(({ object, action, fields: [alias, param, value] }, i) =>
        object === "CONTACT" && action === "SETPARAM" && param === "password" && typeof value === "object" && "secret" in value
          ? [["password", String(i + 1), alias as string, value.secret.name]]
          : [],
      ),
      // Each host macro holding a secret, with its host's ADD line: CLAPI writes a macro's value in
      // clear in Centreon's audit log, so it too is sent only when the secret changed (or the host is new).
      ...batch.lines.flatMap(({ object, action, fields: [host, macro, value] }, i) =>
        object === "HOST" && action === "SETMACRO" && typeof value === "object" && "secret" in value
          ? [["macro", String(i + 1), `${host as string};${macro as string}`, value.secret.name, String(hostAddLines.get(host as string))]]
          : [],
      ),
    ]
      .map((fields) => `${fields.join("\t")}\n`)
      .join("");
    return render("clapi/executor.sh.hbs", {
      stack: this.props.stackName,
      central: this.props.centralName,
      clapiUser: this.props.clapiUser,
      clapiPasswordSecret: this.props.clapiPassword.name,
      batchBase64: Buffer.from(batch.text).toString("base64"),
      declaredBase64: Buffer.from(declared).toString("base64"),
      lineCount: batch.lines.length,
      secrets: batch.secrets.map((s) => ({ name: s.name, singleQuoted: batch.singleQuotedSecrets.includes(s.name) })),
    });
  }
}
