import { Construct } from "constructs";
import { OS_FAMILIES, OS_PROFILES, type OsChoice, type OsFamily } from "../postfix/os.js";
import {
  LEGACY_PARAMETERS,
  MANAGED_PARAMETER_NAMES,
  relayParameters,
  type RelayParameter,
} from "../postfix/relay-parameters.js";
import { RemoteScript, type Engine, type SshConnection } from "../remote/remote-script.js";
import { terraformName } from "../remote/names.js";
import { render } from "../render/templates.js";
import { assertRule, rules } from "../fleet/rules.js";
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
  engine: Engine;
  connection: SshConnection;
  /** Extra main.cf parameters, set after the managed ones. @default - none */
  postfixParameters?: Record<string, string>;
}

/** Environment variable that carries the gateway password to the script (base64). */
const PASSWORD_ENV = "RELAY_SMTP_PASSWORD_B64";

/** Postfix on one host, relaying to a gateway: one provisioning resource, its review files. */
export class MailRelay extends Construct {
  readonly hostName: string;
  readonly fqdn: string;
  readonly os: OsChoice;
  readonly gateway: Gateway;
  readonly remote: RemoteScript;
  private readonly extraParameters: Record<string, string>;
  private readonly extraPackages: Record<OsFamily, Set<string>> = { debian: new Set(), rhel: new Set() };
  private queueCheck = false;
  private probe?: ProbeSettings;

  constructor(scope: Construct, id: string, props: MailRelayProps) {
    super(scope, id);
    assertRule(rules.fqdn, `host ${props.hostName}: fqdn (Postfix myhostname)`, props.fqdn);
    this.hostName = props.hostName;
    this.fqdn = props.fqdn;
    this.os = props.os ?? "auto";
    this.gateway = props.gateway;
    this.extraParameters = {};
    for (const [name, value] of Object.entries(props.postfixParameters ?? {})) this.addPostfixParameter(name, value);
    const password = props.gateway.password;
    this.remote = new RemoteScript(this, "Provision", {
      engine: props.engine,
      connection: props.connection,
      purpose: "mail-relay",
      terraformName: terraformName("relay", props.hostName),
      script: () => this.provisionScript(),
      secrets: password ? { [PASSWORD_ENV]: password } : {},
    });
  }

  /** Sets one more main.cf parameter on this host (not one the relay manages). */
  addPostfixParameter(name: string, value: string): void {
    assertRule(rules.postfixParameterName, `host ${this.hostName}: postfixParameters name`, name);
    assertRule(rules.postfixParameterValue, `host ${this.hostName}: postfixParameters.${name}`, value);
    if ((MANAGED_PARAMETER_NAMES as readonly string[]).includes(name)) {
      throw new Error(
        `host ${this.hostName}: postfixParameters.${name} is managed from the gateway and host settings: set it there instead`,
      );
    }
    this.extraParameters[name] = value;
  }

  /** Installs these packages too (per distribution family), e.g. the check plugins. */
  addPackages(packages: Record<OsFamily, readonly string[]>): void {
    for (const family of OS_FAMILIES) for (const p of packages[family]) this.extraPackages[family].add(p);
  }

  /** The host runs a Postfix queue check: let Centreon's engine read the queue, install check_mailq. */
  enableQueueCheck(options: { installPlugin: boolean } = { installPlugin: true }): void {
    this.queueCheck = true;
    if (options.installPlugin) {
      this.addPackages({ debian: OS_PROFILES.debian.queuePluginPackages, rhel: OS_PROFILES.rhel.queuePluginPackages });
    }
  }

  /** After its reload, the host sends a probe through the gateway and fails unless it was sent. */
  setProbe(probe: ProbeSettings): void {
    assertRule(rules.email, `host ${this.hostName}: probe recipient`, probe.recipient);
    const timeoutSeconds = probe.timeoutSeconds ?? 60;
    if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 5 || timeoutSeconds > 600) {
      throw new Error(`host ${this.hostName}: probe timeoutSeconds ${timeoutSeconds} is not valid: it must be an integer from 5 to 600`);
    }
    this.probe = { recipient: probe.recipient, timeoutSeconds };
  }

  get parameters(): RelayParameter[] {
    return relayParameters(this.gateway.settings, this.fqdn, { queueCheck: this.queueCheck });
  }

  provisionScript(): string {
    const parameters = this.parameters.map((p) => {
      const variable = typeof p.value === "string" ? null : `os_${p.name}`;
      return {
        name: p.name,
        onlyWithoutSyslog: p.onlyWithoutSyslog ?? false,
        variable,
        assignment: typeof p.value === "string" ? `${p.name}=${p.value}` : null,
        assignmentPrefix: `${p.name}=`,
      };
    });
    const perOs = this.parameters.filter((p) => typeof p.value !== "string");
    const password = this.gateway.password;
    return render("postfix/provision.sh.hbs", {
      host: { name: this.hostName, fqdn: this.fqdn },
      relayhost: this.gateway.relayhost,
      os: this.os,
      osProfiles: OS_FAMILIES.map((family) => ({
        family,
        ids: OS_PROFILES[family].osReleaseIds,
        packages: [...OS_PROFILES[family].relayPackages, ...this.extraPackages[family]].join(" "),
        osValues: perOs.map((p) => ({ variable: `os_${p.name}`, value: (p.value as Record<OsFamily, string>)[family] })),
      })),
      parameters,
      legacyParameters: LEGACY_PARAMETERS.join(" "),
      extraParameters: Object.entries(this.extraParameters).map(([name, value]) => ({ assignment: `${name}=${value}` })),
      credentials: password
        ? {
            key: this.gateway.relayhost,
            username: this.gateway.settings.username,
            secretEnv: PASSWORD_ENV,
            secretName: password.name,
          }
        : null,
      held: !this.gateway.settings.enabled,
      probe: this.probe ?? null,
    });
  }

  /** The review artifacts of this host: file name → content. */
  reviewFiles(): Record<string, string> {
    const osNote =
      this.os === "auto"
        ? "os: auto — values that differ per distribution show the Debian one, with the RHEL one above it."
        : "";
    const parameters = [
      ...this.parameters.map((p) => {
        const notes: string[] = [];
        let value: string;
        if (typeof p.value === "string") value = p.value;
        else if (this.os === "auto") {
          value = p.value.debian;
          notes.push(`on RHEL: ${p.value.rhel}`);
        } else value = p.value[this.os];
        if (p.onlyWithoutSyslog) notes.push("set only on hosts without syslog (/dev/log)");
        return { name: p.name, value, comment: notes.join("; ") || null };
      }),
      ...Object.entries(this.extraParameters).map(([name, value]) => ({ name, value, comment: "from postfixParameters" })),
    ];
    const password = this.gateway.password;
    return {
      "main.cf": render("postfix/main.cf.hbs", { host: { name: this.hostName }, osNote, parameters }),
      ...(password
        ? {
            sasl_passwd: render("postfix/sasl_passwd.hbs", {
              key: this.gateway.relayhost,
              username: this.gateway.settings.username,
              password: password.placeholder,
            }),
          }
        : {}),
      "provision.sh": this.provisionScript(),
    };
  }
}
