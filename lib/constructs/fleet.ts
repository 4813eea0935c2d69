import { Construct } from "constructs";
import { Annotations, LocalBackend, TerraformStack } from "../cdktf.js";
import { assertRule, rules } from "../fleet/rules.js";
import type { Engine } from "../remote/remote-script.js";
import { Secret } from "../secret.js";
import { Central, type CentralProps } from "./central.js";
import { Gateway, type GatewayProps } from "./gateway.js";
import type { HostProps, HostSshSettings } from "./host.js";
import { MailRelay, type MailRelayProps } from "./mail-relay.js";
import { Poller, type PollerProps } from "./poller.js";
import { Contact, ContactGroup, type CentreonObject, type ContactGroupProps, type ContactProps } from "./contact.js";
import { assertThresholds, SmtpCheck, type SmtpCheckProps, type Thresholds } from "./smtp-check.js";
import { QueueCheck } from "./queue-check.js";
import { NotificationCommand, NotificationCommandVariant, type NotificationCommandProps } from "./notification-command.js";
import { RESERVED_COMMAND_NAMES } from "../clapi/objects.js";
import { OS_PROFILES } from "../postfix/os.js";

export interface FleetProps {
  /** null_resource (hashicorp/null provider) or terraform_data (built in). @default "null_resource" */
  engine?: Engine;
  /** SSH settings for every host. @default - root on port 22, SSH agent, 30 s timeout, script in /root */
  ssh?: HostSshSettings;
  /** A host without hostKey fails synthesis instead of getting a warning. @default false */
  strictHostKeys?: boolean;
  /** Install the check plugins (SMTP plugin, check_mailq) on the hosts that run checks. @default true */
  installCheckPlugins?: boolean;
  /**
   * Terraform state file, relative to the stack's directory in the synth output.
   * @default - "../../../terraform.<name>.tfstate": the project root, for the default cdktf.out
   */
  localStatePath?: string;
}

/** The root of a fleet: one Terraform stack with its gateways, pollers and central. */
export class Fleet extends TerraformStack {
  readonly engine: Engine;
  readonly ssh: HostSshSettings;
  readonly strictHostKeys: boolean;
  readonly installCheckPlugins: boolean;
  private readonly gatewaysByName = new Map<string, Gateway>();
  private readonly pollersByName = new Map<string, Poller>();
  private centralHost?: Central;
  private readonly objects: CentreonObject[] = [];
  private queueChecks?: Thresholds;

  constructor(scope: Construct, name: string, props: FleetProps = {}) {
    super(scope, name);
    assertRule(rules.stackName, "fleet name", name);
    this.engine = props.engine ?? "null_resource";
    this.ssh = props.ssh ?? {};
    this.strictHostKeys = props.strictHostKeys ?? false;
    this.installCheckPlugins = props.installCheckPlugins ?? true;
    // An explicit backend: cdktf's default writes the checkout's absolute path into the JSON.
    new LocalBackend(this, { path: props.localStatePath ?? `../../../terraform.${name}.tfstate` });
  }

  addGateway(name: string, props: GatewayProps): Gateway {
    if (this.gatewaysByName.has(name)) throw new Error(`gateway ${name} is declared twice: gateway names must be unique`);
    const gateway = new Gateway(this, `gateway:${name}`, { ...props, name });
    this.gatewaysByName.set(name, gateway);
    return gateway;
  }

  gateway(name: string): Gateway {
    const gateway = this.gatewaysByName.get(name);
    if (!gateway) {
      throw new Error(`gateway ${name} is not declared: declared gateways are ${[...this.gatewaysByName.keys()].join(", ") || "none"}`);
    }
    return gateway;
  }

  addPoller(props: PollerProps): Poller {
    this.claimHostName(props.name);
    const poller = new Poller(this, `poller:${props.name}`, props);
    this.pollersByName.set(props.name, poller);
    this.addQueueCheck(poller.relay, props.address);
    return poller;
  }

  setCentral(props: CentralProps): Central {
    if (this.centralHost) throw new Error(`the central is already set (${this.centralHost.name}): a fleet has one central`);
    this.claimHostName(props.name);
    this.centralHost = new Central(this, "central", props);
    if (this.centralHost.relay) this.addQueueCheck(this.centralHost.relay, props.address);
    return this.centralHost;
  }

  addContactGroup(props: ContactGroupProps): ContactGroup {
    const group = new ContactGroup(this, `contact-group:${props.name}`, { ...props, engine: this.engine });
    this.objects.push(group);
    return group;
  }

  addContact(props: ContactProps): Contact {
    const contact = new Contact(this, `contact:${props.alias}`, { ...props, engine: this.engine });
    this.objects.push(contact);
    return contact;
  }

  /** An e-mail notification command: one Centreon command per language, `<name>-<language>`. */
  addNotificationCommand(props: NotificationCommandProps): NotificationCommand {
    if (RESERVED_COMMAND_NAMES.some((n) => n.toLowerCase() === props.name.toLowerCase())) {
      throw new Error(`notification command ${props.name} is a command Centreon or this project already has: choose another name`);
    }
    const command = new NotificationCommand(this, `notification-command:${props.name}`, { ...props, engine: this.engine });
    for (const variant of command.variants) {
      const taken = this.objects.flatMap((o) => (o instanceof NotificationCommandVariant ? [o.commandName] : []));
      if (taken.some((n) => n.toLowerCase() === variant.commandName.toLowerCase())) {
        throw new Error(`notification command ${variant.commandName} is declared twice: each notification command name must be unique`);
      }
      this.objects.push(variant);
    }
    return command;
  }

  /** An SMTP check run by the poller (or central) named `props.poller`, which gets the plugin. */
  addSmtpCheck(props: SmtpCheckProps): SmtpCheck {
    const relay = this.relays.find((r) => r.hostName === props.poller);
    if (!relay) {
      throw new Error(`SMTP check ${props.host}: poller ${props.poller} is not declared: declared pollers are ${this.relays.map((r) => r.hostName).join(", ") || "none"}`);
    }
    if (this.installCheckPlugins) {
      relay.addPackages({ debian: OS_PROFILES.debian.smtpPluginPackages, rhel: OS_PROFILES.rhel.smtpPluginPackages });
    }
    const check = new SmtpCheck(this, `smtp-check:${props.host}`, { ...props, engine: this.engine });
    this.objects.push(check);
    return check;
  }

  /** One Postfix queue check per relay host, present and future, with these thresholds. */
  setQueueChecks(thresholds: Thresholds): void {
    if (this.queueChecks) throw new Error("queue checks are already set: call setQueueChecks once");
    assertThresholds("queueChecks", thresholds);
    this.queueChecks = thresholds;
    for (const poller of this.pollers) this.addQueueCheck(poller.relay, poller.relay.remote.connection.host);
    if (this.centralHost?.relay) this.addQueueCheck(this.centralHost.relay, this.centralHost.relay.remote.connection.host);
  }

  /** Queue-check thresholds. @default - no queue check */
  get queueThresholds(): Thresholds | undefined {
    return this.queueChecks;
  }

  /** Every Centreon object the fleet declares, in declaration order. */
  get centreonObjects(): CentreonObject[] {
    return [...this.objects];
  }

  private addQueueCheck(relay: MailRelay, address: string): void {
    if (!this.queueChecks) return;
    relay.enableQueueCheck({ installPlugin: this.installCheckPlugins });
    this.objects.push(new QueueCheck(relay, "QueueCheck", { ...this.queueChecks, poller: relay.hostName, address, engine: this.engine }));
  }

  get gateways(): Gateway[] {
    return [...this.gatewaysByName.values()];
  }

  get central(): Central | undefined {
    return this.centralHost;
  }

  get pollers(): Poller[] {
    return [...this.pollersByName.values()];
  }

  /** Every relay: the pollers', then the central's. */
  get relays(): MailRelay[] {
    const relays = this.pollers.map((p) => p.relay);
    if (this.centralHost?.relay) relays.push(this.centralHost.relay);
    return relays;
  }

  /** Risky but legal choices found while building (unpinned host keys, unverified TLS...). */
  get warnings(): string[] {
    return [
      ...this.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data))),
      ...this.replyToWarnings(),
    ];
  }

  /** A relay rewrites every sender header to its own gateway's from: a Reply-To it does not know is lost. */
  private replyToWarnings(): string[] {
    const commands = this.node.findAll().filter((c): c is NotificationCommand => c instanceof NotificationCommand);
    return commands.flatMap((command) => {
      const replyTo = command.gateway?.settings.replyTo;
      if (!replyTo) return [];
      return this.relays
        .filter((r) => r.gateway.settings.from && r.gateway.settings.replyTo !== replyTo)
        .map(
          (r) =>
            `notification command ${command.name}: on ${r.hostName}, the relay (gateway ${r.gateway.gatewayName}) rewrites its Reply-To ${replyTo} to ${r.gateway.settings.from}; give gateway ${r.gateway.gatewayName} replyTo: ${replyTo}`,
        );
    });
  }

  /** The secret named `name`: a sensitive Terraform variable, supplied as TF_VAR_<name>. */
  secret(name: string): Secret {
    return Secret.fromVariable(this, name);
  }

  /** @internal How a host connects and what its relay runs, from the fleet's settings. */
  relayProps(host: HostProps, gateway?: Gateway): Omit<MailRelayProps, "gateway"> & { gateway?: Gateway } {
    assertRule(rules.objectName, "host name", host.name);
    assertRule(rules.sshAddress, `host ${host.name}: address`, host.address);
    const ssh = { ...this.ssh, ...host.ssh };
    const user = ssh.user ?? "root";
    assertRule(rules.unixUser, `host ${host.name}: ssh.user`, user);
    if (user !== "root" && !ssh.scriptDirectory) {
      throw new Error(
        `host ${host.name}: ssh.scriptDirectory is required when the SSH user is ${user} (not root): name a directory only that user can read`,
      );
    }
    if (host.hostKey !== undefined) {
      assertRule(rules.sshHostKey, `host ${host.name}: hostKey`, host.hostKey);
    } else if (this.strictHostKeys) {
      throw new Error(`host ${host.name}: hostKey is required because strictHostKeys is true: pin the host's SSH key`);
    } else {
      Annotations.of(this).addWarning(
        `host ${host.name}: no hostKey, so Terraform will accept any SSH host key at ${host.address}; pin it (ssh-keyscan -t ed25519 ${host.address})`,
      );
    }
    return {
      hostName: host.name,
      fqdn: host.fqdn,
      os: host.os,
      gateway,
      engine: this.engine,
      postfixParameters: host.postfixParameters,
      connection: {
        host: host.address,
        port: ssh.port,
        user,
        privateKeyFile: ssh.privateKeyFile,
        timeoutSeconds: ssh.timeoutSeconds,
        hostKey: host.hostKey,
        scriptDirectory: ssh.scriptDirectory,
      },
    };
  }

  private claimHostName(name: string): void {
    if (this.pollersByName.has(name) || this.centralHost?.name === name) {
      throw new Error(`poller ${name} is declared twice: poller names (the central's included) must be unique`);
    }
  }
}
