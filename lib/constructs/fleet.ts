import { Construct } from "constructs";
import { Annotations, TerraformStack } from "../cdktf.js";
import { assertDistinct, assertRule, rules } from "../fleet/rules.js";
import type { Engine } from "../remote/remote-script.js";
import { Secret } from "../secret.js";
import { Central, type CentralProps } from "./central.js";
import { Gateway, type GatewayProps } from "./gateway.js";
import type { HostProps, HostSshSettings } from "./host.js";
import { MailRelay, type MailRelayProps } from "./mail-relay.js";
import { Poller, type PollerProps } from "./poller.js";
import {
  Contact,
  ContactGroup,
  type CentreonObject,
  type ContactGroupProps,
  type ContactProps,
  type ContactRef,
  type ContactGroupRef,
} from "./contact.js";
import { assertThresholds, SmtpCheck, type SmtpCheckProps, type Thresholds } from "./smtp-check.js";
import { QueueCheck, type QueueCheckSettings } from "./queue-check.js";
import { NotificationCommand, NotificationCommandVariant, type NotificationCommandProps } from "./notification-command.js";
import { RESERVED_COMMAND_NAMES } from "../clapi/objects.js";
import { OS_PROFILES } from "../postfix/os.js";
import { declareStateBackend, type StateBackend } from "./state-backend.js";
import { rolloutWaves, type RolloutProps } from "./rollout.js";

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
  /** Where the state lives (s3, http, remote). @default - the local file at localStatePath */
  backend?: StateBackend;
  /**
   * The stack holding the central and every Centreon object, when it is not this one: this stack
   * then holds relays only, prepared for the checks declared there (plugins, queue access).
   * @default - this stack holds them
   */
  centreonStack?: string;
}

/** A poller whose relay another stack of the fleet deploys; the Centreon objects here can name it. */
export interface PollerElsewhere {
  name: string;
  /** Its address, for the Centreon host of its queue check. */
  address: string;
  /** The stack that deploys its relay. */
  stack: string;
}

/** The root of a fleet: one Terraform stack with its gateways, pollers and central. */
export class Fleet extends TerraformStack {
  readonly engine: Engine;
  readonly ssh: HostSshSettings;
  readonly strictHostKeys: boolean;
  readonly installCheckPlugins: boolean;
  private readonly gatewaysByName = new Map<string, Gateway>();
  private readonly pollersByName = new Map<string, Poller>();
  private readonly pollersElsewhere = new Map<string, PollerElsewhere>();
  private readonly pollerOrder: string[] = [];
  readonly centreonStack?: string;
  /** Where the stack's Terraform state is, without credentials (see declareStateBackend). */
  readonly stateLocation: string;
  private centralHost?: Central;
  private defaultGatewayChoice?: Gateway;
  private readonly objects: CentreonObject[] = [];
  private queueChecks?: QueueCheckSettings;
  private rollout?: RolloutProps;

  constructor(scope: Construct, name: string, props: FleetProps = {}) {
    super(scope, name);
    assertRule(rules.stackName, "fleet name", name);
    this.engine = props.engine ?? "null_resource";
    this.ssh = props.ssh ?? {};
    this.strictHostKeys = props.strictHostKeys ?? false;
    this.installCheckPlugins = props.installCheckPlugins ?? true;
    this.centreonStack = props.centreonStack;
    this.stateLocation = declareStateBackend(this, props.backend, props.localStatePath ?? `../../../terraform.${name}.tfstate`);
  }

  /**
   * cdktf resolves the whole stack once before synthesizing it, only to find references to other
   * stacks. A fleet's stacks never refer to each other (each holds its own gateways, secrets and
   * backend), so that pass is skipped: it was 40% of a 1000-poller synthesis.
   */
  prepareStack(): void {
    this.ensureBackendExists();
  }

  addGateway(name: string, props: GatewayProps): Gateway {
    if (this.gatewaysByName.has(name)) throw new Error(`gateway ${name} is declared twice: gateway names must be unique`);
    const gateway = new Gateway(this, `gateway:${name}`, { ...props, name });
    this.gatewaysByName.set(name, gateway);
    return gateway;
  }

  /**
   * The gateway of every poller added afterwards without its own, and of the central unless it
   * names one or "none". Set it before adding those hosts: their relays are built when added.
   */
  setDefaultGateway(gateway: Gateway): void {
    if (this.defaultGatewayChoice) {
      throw new Error(`the default gateway is already set (${this.defaultGatewayChoice.gatewayName}): a fleet has one default gateway`);
    }
    if (this.gatewaysByName.get(gateway.gatewayName) !== gateway) {
      throw new Error(`gateway ${gateway.gatewayName} is not one of this fleet's gateways: add it with addGateway first`);
    }
    this.defaultGatewayChoice = gateway;
  }

  /** @default - no default gateway: every poller names its own, the central has no relay unless it names one */
  get defaultGateway(): Gateway | undefined {
    return this.defaultGatewayChoice;
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
    this.pollerOrder.push(props.name);
    this.addQueueCheck(poller.relay, props.address);
    this.applyRollout();
    return poller;
  }

  /** A poller deployed by another stack of the fleet, so this stack's Centreon objects can name it. */
  addPollerElsewhere(poller: PollerElsewhere): void {
    this.claimHostName(poller.name);
    this.pollersElsewhere.set(poller.name, poller);
    this.pollerOrder.push(poller.name);
    if (this.queueChecks) this.addQueueCheckElsewhere(poller);
  }

  setCentral(props: CentralProps): Central {
    this.assertHoldsCentreon(`central ${props.name}`);
    if (this.centralHost) throw new Error(`the central is already set (${this.centralHost.name}): a fleet has one central`);
    this.claimHostName(props.name);
    this.centralHost = new Central(this, "central", props);
    if (this.centralHost.relay) this.addQueueCheck(this.centralHost.relay, props.address);
    this.applyRollout();
    return this.centralHost;
  }

  addContactGroup(props: ContactGroupProps): ContactGroup {
    this.assertHoldsCentreon(`contact group ${props.name}`);
    const group = new ContactGroup(this, `contact-group:${props.name}`, { ...props, engine: this.engine });
    this.objects.push(group);
    return group;
  }

  addContact(props: ContactProps): Contact {
    this.assertHoldsCentreon(`contact ${props.alias}`);
    const contact = new Contact(this, `contact:${props.alias}`, { ...props, engine: this.engine });
    this.objects.push(contact);
    return contact;
  }

  /** An e-mail notification command: one Centreon command per language, `<name>-<language>`. */
  addNotificationCommand(props: NotificationCommandProps): NotificationCommand {
    this.assertHoldsCentreon(`notification command ${props.name}`);
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

  /**
   * An SMTP check run by the poller (or central) named `props.poller`, which gets the plugin. In a
   * stack of relays only, the check is declared in the central's stack: only the plugin is added.
   */
  addSmtpCheck(props: SmtpCheckProps): SmtpCheck | undefined {
    const relay = this.pollersByName.get(props.poller)?.relay ?? (this.centralHost?.name === props.poller ? this.centralHost.relay : undefined);
    if (!relay && !this.pollersElsewhere.has(props.poller)) {
      const declared = [...this.relays.map((r) => r.hostName), ...this.pollersElsewhere.keys()];
      throw new Error(`SMTP check ${props.host}: poller ${props.poller} is not declared: declared pollers are ${declared.join(", ") || "none"}`);
    }
    if (relay && this.installCheckPlugins) {
      relay.addPackages({ debian: OS_PROFILES.debian.smtpPluginPackages, rhel: OS_PROFILES.rhel.smtpPluginPackages });
    }
    if (this.centreonStack) return undefined;
    const check = new SmtpCheck(this, `smtp-check:${props.host}`, { ...props, engine: this.engine });
    this.objects.push(check);
    return check;
  }

  /** One Postfix queue check per relay host, present and future, with these thresholds and notify targets. */
  setQueueChecks(settings: QueueCheckSettings): void {
    if (this.queueChecks) throw new Error("queue checks are already set: call setQueueChecks once");
    assertThresholds("queueChecks", settings, { counts: true });
    assertDistinct("queueChecks: contact", (settings.contacts ?? []).map((c) => c.alias));
    assertDistinct("queueChecks: contact group", (settings.groups ?? []).map((g) => g.name));
    this.queueChecks = settings;
    // In declaration order, wherever each relay is deployed: splitting a fleet keeps its batch.
    for (const name of this.pollerOrder) {
      const poller = this.pollersByName.get(name);
      if (poller) this.addQueueCheck(poller.relay, poller.relay.remote.connection.host);
      else this.addQueueCheckElsewhere(this.pollersElsewhere.get(name)!);
    }
    if (this.centralHost?.relay) this.addQueueCheck(this.centralHost.relay, this.centralHost.relay.remote.connection.host);
  }

  /**
   * Rolls the relay configuration out in waves: the canaries first, then `batchSize` hosts at a
   * time, each wave only after the previous one succeeded, every host probed after its reload.
   * Hosts added later join the last waves.
   */
  setRollout(props: RolloutProps): void {
    if (this.rollout) throw new Error("the rollout is already set: call setRollout once");
    this.rollout = props;
    this.applyRollout();
  }

  /** The rollout settings. @default - none: every host at once, no probe */
  get rolloutSettings(): RolloutProps | undefined {
    return this.rollout;
  }

  /** Host names per wave, in order. @default - one wave, no order, no probe */
  get waves(): string[][] {
    const hosts = this.relays.map((r) => r.hostName);
    return this.rollout ? rolloutWaves(hosts, this.rollout.canary, this.rollout.batchSize) : [hosts];
  }

  // Recomputed whenever a host joins: each relay waits for the whole previous wave.
  private applyRollout(): void {
    if (!this.rollout) return;
    const relays = new Map(this.relays.map((r) => [r.hostName, r]));
    let previous: MailRelay[] = [];
    for (const wave of this.waves) {
      const current = wave.map((name) => relays.get(name)!);
      for (const relay of current) {
        relay.setProbe(this.rollout.probe);
        relay.remote.runAfter(previous.map((r) => r.remote));
      }
      previous = current;
    }
  }

  /** Queue-check thresholds. @default - no queue check */
  get queueThresholds(): Thresholds | undefined {
    return this.queueChecks && { warning: this.queueChecks.warning, critical: this.queueChecks.critical };
  }

  /** Every Centreon object the fleet declares, in declaration order. */
  get centreonObjects(): CentreonObject[] {
    return [...this.objects];
  }

  private addQueueCheck(relay: MailRelay, address: string): void {
    if (!this.queueChecks) return;
    relay.enableQueueCheck({ installPlugin: this.installCheckPlugins });
    if (this.centreonStack) return;
    this.objects.push(new QueueCheck(relay, "QueueCheck", { ...this.queueChecks, poller: relay.hostName, address, engine: this.engine }));
  }

  private addQueueCheckElsewhere(poller: PollerElsewhere): void {
    const queueCheck = { ...this.queueChecks!, poller: poller.name, address: poller.address, engine: this.engine };
    this.objects.push(new QueueCheck(this, `queue-check:${poller.name}`, queueCheck));
  }

  private assertHoldsCentreon(what: string): void {
    if (this.centreonStack) {
      throw new Error(`${what}: stack ${this.node.id} holds relays only; declare it in stack ${this.centreonStack}, with the central`);
    }
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

  /** Every poller's name in declaration order: this stack's and those other stacks deploy. */
  get pollerNames(): string[] {
    return [...this.pollerOrder];
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
      ...this.notifyWarnings(),
    ];
  }

  /**
   * A check's alerts are service notifications: a check notifying nobody, or a contact who gets no
   * service notification (notifications off, or no service events: the default), alerts no one.
   */
  private notifyWarnings(): string[] {
    const checks: [string, { contacts?: readonly ContactRef[]; groups?: readonly ContactGroupRef[] }][] = this.objects
      .filter((o): o is SmtpCheck => o instanceof SmtpCheck)
      .map((check) => [`SMTP check ${check.host}`, check.notifyTargets]);
    if (this.queueChecks && !this.centreonStack) checks.push(["queueChecks", this.queueChecks]);
    return checks.flatMap(([what, { contacts = [], groups = [] }]) =>
      contacts.length + groups.length === 0
        ? [`${what}: notifies nobody, so its alerts reach no one; give it notify contacts or groups`]
        : contacts
            // A contact made outside the fleet: its settings are not known here.
            .filter((c) => c instanceof Contact && !c.receivesServiceNotifications)
            .map((c) => `${what}: contact ${c.alias} is notified but gets no service notification (notifications disabled, or no notifications.service.events); give it service events (critical, recovery...)`),
    );
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
  relayProps(host: HostProps): Omit<MailRelayProps, "gateway"> {
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
    if (this.pollersByName.has(name) || this.pollersElsewhere.has(name) || this.centralHost?.name === name) {
      throw new Error(`poller ${name} is declared twice: poller names (the central's included) must be unique`);
    }
  }
}
