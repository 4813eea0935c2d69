// The YAML loader's only job after validation: build the typed constructs, one Fleet stack per
// stack of the fleet file.
import type { Construct } from "constructs";
import { ExistingContact, ExistingContactGroup } from "../constructs/contact.js";
import { Fleet } from "../constructs/fleet.js";
import type { Gateway } from "../constructs/gateway.js";
import type { NotificationCommand } from "../constructs/notification-command.js";
import type { StateBackend } from "../constructs/state-backend.js";
import { notificationGateway } from "./cross-checks.js";
import { NO_GATEWAY, type BackendSpec, type FleetSpec, type PollerSpec, type SecretRef } from "./schema.js";

export interface BuildProps {
  /** A stack's local state file, relative to its directory in the synth output. @default - Fleet's default */
  localStatePath?: (stack: string) => string;
}

/**
 * Every stack of the fleet, the main one first: the central, every Centreon object and the pollers
 * in no `stacks` entry. Each entry of `stacks` is a stack of relays only, named <fleet>-<entry>.
 */
export function buildFleets(scope: Construct, spec: FleetSpec, props: BuildProps = {}): Fleet[] {
  const stackName = (s: { name: string }) => `${spec.name}-${s.name}`;
  const stackOf = new Map(spec.stacks.flatMap((s) => s.pollers.map((p) => [p, stackName(s)] as const)));
  const newFleet = (name: string, centreonStack?: string) =>
    new Fleet(scope, name, {
      engine: spec.engine,
      ssh: spec.ssh,
      strictHostKeys: spec.strictHostKeys,
      installCheckPlugins: spec.installCheckPlugins,
      localStatePath: props.localStatePath?.(name),
      backend: stateBackend(spec.backend),
      centreonStack,
    });
  const main = populate(newFleet(spec.name), spec, { pollers: spec.pollers.filter((p) => !stackOf.has(p.name)), elsewhere: stackOf });
  const relayStacks = spec.stacks.map((s) =>
    populate(newFleet(stackName(s), spec.name), spec, { pollers: spec.pollers.filter((p) => stackOf.get(p.name) === stackName(s)) }),
  );
  return [main, ...relayStacks];
}

/** The main stack (see buildFleets); the other stacks are built beside it in the same scope. */
export function buildFleet(scope: Construct, spec: FleetSpec, props: BuildProps = {}): Fleet {
  return buildFleets(scope, spec, props)[0];
}

function stateBackend(backend: BackendSpec | undefined): StateBackend | undefined {
  if (backend?.s3) return { s3: backend.s3 };
  if (backend?.http) return { http: backend.http };
  if (backend?.remote) return { remote: backend.remote };
  return undefined;
}

/** Adds this stack's part of the fleet: its pollers (and, in the main stack, everything else). */
function populate(fleet: Fleet, spec: FleetSpec, part: { pollers: PollerSpec[]; elsewhere?: Map<string, string> }): Fleet {
  const relaysOnly = fleet.centreonStack !== undefined;
  const here = new Set(part.pollers.map((p) => p.name));
  // The gateways this stack's relays send through. Each secret is a variable every deploy of the
  // stack needs, so a gateway's password is declared only where a relay logs in with it; a stack
  // of relays declares no other gateway (the main stack's notification commands read the others').
  const used = new Set(part.pollers.map((p) => p.gateway ?? spec.defaultGateway));
  if (!relaysOnly && spec.central && spec.central.gateway !== NO_GATEWAY) used.add(spec.central.gateway ?? spec.defaultGateway);
  const secret = (ref: SecretRef) => fleet.secret(ref.secret);
  const gateways = new Map<string, Gateway>();
  for (const [name, g] of Object.entries(spec.gateways)) {
    if (relaysOnly && !used.has(name)) continue;
    gateways.set(
      name,
      fleet.addGateway(name, {
        ...g,
        auth: g.auth && used.has(name) ? { username: g.auth.username, password: secret(g.auth.password) } : undefined,
      }),
    );
  }
  if (spec.defaultGateway && gateways.has(spec.defaultGateway)) fleet.setDefaultGateway(gateways.get(spec.defaultGateway)!);
  // In the fleet file's order, wherever each relay is deployed: the Centreon batch stays the same.
  for (const p of spec.pollers) {
    const stack = part.elsewhere?.get(p.name);
    if (stack) fleet.addPollerElsewhere({ name: p.name, address: p.address, stack });
    else if (here.has(p.name)) fleet.addPoller({ ...p, gateway: p.gateway ? gateways.get(p.gateway)! : undefined });
  }
  if (relaysOnly) {
    // The checks are Centreon objects of the main stack; here they only prepare the relays.
    for (const check of spec.smtpChecks.filter((c) => here.has(c.poller))) fleet.addSmtpCheck({ ...check, auth: undefined, contacts: [], groups: [] });
    if (spec.queueChecks) fleet.setQueueChecks({ warning: spec.queueChecks.warning, critical: spec.queueChecks.critical });
    setRollout(fleet, spec);
    return fleet;
  }
  if (spec.central) {
    const { gateway, clapi, ...central } = spec.central;
    fleet.setCentral({
      ...central,
      gateway: gateway === NO_GATEWAY ? "none" : gateway ? gateways.get(gateway)! : undefined,
      clapi: clapi ? { user: clapi.user, password: secret(clapi.password) } : undefined,
    });
  }
  const notificationCommands = new Map<string, NotificationCommand>();
  for (const c of spec.notificationCommands) {
    const gateway = notificationGateway(c, spec, [...gateways.keys()]);
    notificationCommands.set(
      c.name,
      fleet.addNotificationCommand({
        name: c.name,
        kind: c.kind,
        templates: c.languages,
        gateway: gateway ? gateways.get(gateway) : undefined,
        portalUrl: spec.central?.portalUrl,
      }),
    );
  }
  // A declared command's base name picks the contact's language; any other name is Centreon's own.
  const notifications = (n: FleetSpec["contacts"][number]["notifications"]) => {
    const side = <S extends { commands: string[] }>(s?: S) => s && { ...s, commands: s.commands.map((c) => notificationCommands.get(c) ?? c) };
    return { ...n, host: side(n.host), service: side(n.service) };
  };
  const groups = new Map(spec.contactGroups.map((g) => [g.name, fleet.addContactGroup(g)]));
  // A group named by a contact or a check: the fleet's, else one made outside it (central.existing).
  const group = (name: string) => groups.get(name) ?? new ExistingContactGroup(name);
  const contacts = new Map(
    spec.contacts.map((c) => [
      c.alias,
      fleet.addContact({
        ...c,
        password: c.password ? secret(c.password) : undefined,
        notifications: notifications(c.notifications),
        groups: c.groups.map(group),
      }),
    ]),
  );
  // Notify targets: the fleet's, else ones made outside it (central.existing).
  const notified = (notify: { contacts: string[]; groups: string[] }) => ({
    contacts: notify.contacts.map((alias) => contacts.get(alias) ?? new ExistingContact(alias)),
    groups: notify.groups.map(group),
  });
  for (const check of spec.smtpChecks) {
    fleet.addSmtpCheck({
      ...check,
      auth: check.auth ? { username: check.auth.username, password: secret(check.auth.password) } : undefined,
      ...notified(check.notify),
    });
  }
  if (spec.queueChecks) {
    const { notify, ...thresholds } = spec.queueChecks;
    fleet.setQueueChecks({ ...thresholds, ...notified(notify) });
  }
  setRollout(fleet, spec);
  return fleet;
}

/** Each stack rolls out on its own (Terraform orders only within a stack): its canaries first. */
function setRollout(fleet: Fleet, spec: FleetSpec): void {
  if (!spec.rollout) return;
  const here = new Set(fleet.relays.map((r) => r.hostName));
  fleet.setRollout({ ...spec.rollout, canary: spec.rollout.canary.filter((name) => here.has(name)) });
}
