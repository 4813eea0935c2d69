import { Construct } from "constructs";
import { OS_FAMILIES, OS_PROFILES, type OsChoice, type OsFamily } from "../postfix/os.js";
import {
  LEGACY_PARAMETERS,
  refusedExtraParameter,
  relayParameters,
  type RelayParameter,
} from "../postfix/relay-parameters.js";
import { RemoteScript, type Engine, type SshConnection } from "../remote/remote-script.js";
import { terraformName } from "../remote/names.js";
import { render } from "../render/templates.js";
import { assertRule, rules } from "../fleet/rules.js";
import type { Secret } from "../secret.js";
import type { Gateway } from "./gateway.js";
import type { ProbeSettings } from "./rollout.js";

export interface MailRelayProps {
  /** Centreon poller name of the host. */
  hostName: string;
  /** Postfix myhostname: the EHLO name the gateway sees. */
  fqdn: string;
  /** @default "auto" */
  os?: OsChoice;
  gateway: Gateway;
  /** The gateway is the fleet's default, not one the host named (the review says so). @default false */
  gatewayInherited?: boolean;
  engine: Engine;
  connection: SshConnection;
  /** Extra main.cf parameters, set after the managed ones. @default - none */
  postfixParameters?: Record<string, string>;
}

/** One main.cf parameter as a reviewer reads it on this host. */
export interface ReviewedParameter {
  name: string;
  /** The host's value; with os auto, the Debian one where the distributions differ. */
  value: string;
  /** Why or where it differs: the RHEL value, syslog-only, from postfixParameters. */
  note?: string;
}

/** The SASL credentials map's one entry: its key must equal relayhost exactly. */
export interface RelayCredentials {
  key: string;
  username: string;
  password: Secret;
}

/** Environment variable that carries the gateway password to the script (base64). */
const PASSWORD_ENV = "RELAY_SMTP_PASSWORD_B64";
/** Parameters whose value is a host setting: the script body stays the same for every host. */
const FROM_HOST_SETTINGS: Record<string, string> = { myhostname: "host_fqdn" };

/** Script bodies already rendered for a gateway's hosts, by template context. */
const renderedBodies = new WeakMap<Gateway, Map<string, string>>();

/** Postfix on one host, relaying to a gateway: one provisioning resource, its review files. */
export class MailRelay extends Construct {
  readonly hostName: string;
  readonly fqdn: string;
  readonly os: OsChoice;
  readonly gateway: Gateway;
  readonly gatewayInherited: boolean;
  readonly remote: RemoteScript;
  private readonly extraParameters: Record<string, string>;
  private readonly extraPackages: Record<OsFamily, Set<string>> = { debian: new Set(), rhel: new Set() };
  private queueCheck = false;
  // provisionScript() is asked for several times per synth: rendered again only after a change.
  private revision = 0;
  private body?: { revision: number; text: string };
  private parametersMemo?: { revision: number; parameters: RelayParameter[] };
  private settings?: string;
  private probe?: ProbeSettings;

  constructor(scope: Construct, id: string, props: MailRelayProps) {
    super(scope, id);
    assertRule(rules.fqdn, `host ${props.hostName}: fqdn (Postfix myhostname)`, props.fqdn);
    this.hostName = props.hostName;
    this.fqdn = props.fqdn;
    this.os = props.os ?? "auto";
    this.gateway = props.gateway;
    this.gatewayInherited = props.gatewayInherited ?? false;
    this.extraParameters = {};
    for (const [name, value] of Object.entries(props.postfixParameters ?? {})) this.addPostfixParameter(name, value);
    const password = props.gateway.password;
    this.remote = new RemoteScript(this, "Provision", {
      engine: props.engine,
      connection: props.connection,
      purpose: "mail-relay",
      terraformName: terraformName("relay", props.hostName),
      hostSettings: () => this.hostSettings(),
      script: () => this.scriptBody(),
      secrets: password ? { [PASSWORD_ENV]: password } : {},
    });
  }

  /** Sets one more main.cf parameter on this host (not one the relay manages). */
  addPostfixParameter(name: string, value: string): void {
    assertRule(rules.postfixParameterName, `host ${this.hostName}: postfixParameters name`, name);
    assertRule(rules.postfixParameterValue, `host ${this.hostName}: postfixParameters.${name}`, value);
    const refused = refusedExtraParameter(name);
    if (refused) throw new Error(`host ${this.hostName}: postfixParameters.${name} ${refused}`);
    this.extraParameters[name] = value;
    this.revision++;
  }

  /** Installs these packages too (per distribution family), e.g. the check plugins. */
  addPackages(packages: Record<OsFamily, readonly string[]>): void {
    for (const family of OS_FAMILIES) for (const p of packages[family]) this.extraPackages[family].add(p);
    this.revision++;
  }

  /** The host runs a Postfix queue check: let Centreon's engine read the queue, install check_mailq. */
  enableQueueCheck(options: { installPlugin: boolean } = { installPlugin: true }): void {
    this.queueCheck = true;
    this.revision++;
    if (options.installPlugin) {
      this.addPackages({ debian: OS_PROFILES.debian.queuePluginPackages, rhel: OS_PROFILES.rhel.queuePluginPackages });
    }
  }

  /** The rollout probe it sends after its reload, if any (see setProbe). */
  get probeSettings(): ProbeSettings | undefined {
    return this.probe;
  }

  /** After its reload, the host sends a probe through the gateway and fails unless it was sent. */
  setProbe(probe: ProbeSettings): void {
    assertRule(rules.email, `host ${this.hostName}: probe recipient`, probe.recipient);
    const timeoutSeconds = probe.timeoutSeconds ?? 60;
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 5 || timeoutSeconds > 600) {
      throw new Error(`host ${this.hostName}: probe timeoutSeconds ${timeoutSeconds} is not valid: it must be an integer from 5 to 600`);
    }
    this.probe = { recipient: probe.recipient, timeoutSeconds };
    this.revision++;
  }

  get parameters(): RelayParameter[] {
    if (this.parametersMemo?.revision !== this.revision) {
      this.parametersMemo = { revision: this.revision, parameters: relayParameters(this.gateway.settings, this.fqdn, { queueCheck: this.queueCheck }) };
    }
    return this.parametersMemo.parameters;
  }

  /** The script as the host runs it: its host settings, then the body. */
  provisionScript(): string {
    return this.provisionScriptParts().join("");
  }

  /** provisionScript() in two parts: the body is one string shared by every host alike. */
  private provisionScriptParts(): string[] {
    return [`${this.hostSettings()}\n`, this.scriptBody()];
  }

  private hostSettings(): string {
    // Name and fqdn never change: rendered once.
    this.settings ??= render("postfix/host-settings.sh.hbs", { name: this.hostName, fqdn: this.fqdn }).trimEnd();
    return this.settings;
  }

  private scriptBody(): string {
    if (this.body?.revision !== this.revision) this.body = { revision: this.revision, text: this.renderScriptBody() };
    return this.body.text;
  }

  private renderScriptBody(): string {
    const parameters = this.parameters.map((p) => {
      const variable = FROM_HOST_SETTINGS[p.name] ?? (typeof p.value === "string" ? null : `os_${p.name}`);
      return {
        name: p.name,
        onlyWithoutSyslog: p.onlyWithoutSyslog ?? false,
        variable,
        assignment: typeof p.value === "string" && !variable ? `${p.name}=${p.value}` : null,
        assignmentPrefix: `${p.name}=`,
      };
    });
    const perOs = this.parameters.filter((p) => typeof p.value !== "string");
    const credentials = this.credentials;
    const context = {
      relayhost: this.gateway.relayhost,
      // How Postfix names the gateway in a delivery's relay= field (host names in lower case).
      gatewayHop: `${this.gateway.settings.host.toLowerCase()}:${this.gateway.settings.port}`,
      gatewayPort: String(this.gateway.settings.port),
      // The SMTP client's settings the relay manages: master.cf must not override them.
      clientParameterNames: this.parameters.filter((p) => p.name.startsWith("smtp_")).map((p) => p.name).join("|"),
      os: this.os,
      osProfiles: OS_FAMILIES.map((family) => ({
        family,
        ids: OS_PROFILES[family].osReleaseIds,
        packages: OS_PROFILES[family].relayPackages.join(" "),
        checkPackages: [...this.extraPackages[family]].join(" "),
        osValues: perOs.map((p) => ({ variable: `os_${p.name}`, value: (p.value as Record<OsFamily, string>)[family] })),
      })),
      parameters,
      legacyParameters: LEGACY_PARAMETERS.join(" "),
      // Set on every run (the conditional ones are added by the script when it sets them).
      setParameterNames: [...this.parameters.filter((p) => !p.onlyWithoutSyslog).map((p) => p.name), ...Object.keys(this.extraParameters)].join(" "),
      extraParameters: Object.entries(this.extraParameters).map(([name, value]) => ({ assignment: `${name}=${value}` })),
      credentials: credentials
        ? { key: credentials.key, username: credentials.username, secretEnv: PASSWORD_ENV, secretName: credentials.password.name }
        : null,
      held: !this.gateway.settings.enabled,
      probe: this.probe ?? null,
    };
    // Hosts alike render alike: one render per distinct context (rendering is the costly part).
    const bodies = renderedBodies.get(this.gateway) ?? renderedBodies.set(this.gateway, new Map()).get(this.gateway)!;
    const key = JSON.stringify(context);
    let body = bodies.get(key);
    if (body === undefined) bodies.set(key, (body = render("postfix/provision.sh.hbs", context)));
    return body;
  }

  /** Packages the script installs on a host of this distribution family. */
  packages(family: OsFamily): string[] {
    return [...OS_PROFILES[family].relayPackages, ...this.extraPackages[family]];
  }

  /** @default - none: the gateway takes mail without SASL authentication */
  get credentials(): RelayCredentials | undefined {
    const password = this.gateway.password;
    const username = this.gateway.settings.username;
    return password && username !== undefined ? { key: this.gateway.relayhost, username, password } : undefined;
  }

  /** The main.cf parameters set on this host, managed then postfixParameters, as the review shows them. */
  reviewedParameters(): ReviewedParameter[] {
    return [
      ...this.parameters.map((p) => {
        const notes: string[] = [];
        let value: string;
        if (typeof p.value === "string") value = p.value;
        else if (this.os === "auto") {
          value = p.value.debian;
          notes.push(`on RHEL: ${p.value.rhel}`);
        } else value = p.value[this.os];
        if (p.onlyWithoutSyslog) notes.push("set only on hosts without syslog (/dev/log)");
        return { name: p.name, value, ...(notes.length ? { note: notes.join("; ") } : {}) };
      }),
      ...Object.entries(this.extraParameters).map(([name, value]) => ({ name, value, note: "from postfixParameters" })),
    ];
  }

  /** The review artifacts of this host: file name → content. */
  reviewFiles(): Record<string, string> {
    return Object.fromEntries(Object.entries(this.reviewFileParts()).map(([name, parts]) => [name, parts.join("")]));
  }

  /** reviewFiles() as parts written one after another: hosts alike share their script body's string. */
  reviewFileParts(): Record<string, string[]> {
    const osNote =
      this.os === "auto"
        ? "os: auto — values that differ per distribution show the Debian one, with the RHEL one above it."
        : "";
    const parameters = this.reviewedParameters().map((p) => ({ name: p.name, value: p.value, comment: p.note ?? null }));
    const credentials = this.credentials;
    return {
      "main.cf": [render("postfix/main.cf.hbs", { host: { name: this.hostName }, osNote, parameters })],
      ...(credentials
        ? {
            sasl_passwd: [
              render("postfix/sasl_passwd.hbs", {
                key: credentials.key,
                username: credentials.username,
                password: credentials.password.placeholder,
              }),
            ],
          }
        : {}),
      "provision.sh": this.provisionScriptParts(),
    };
  }
}
