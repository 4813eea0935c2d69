// The YAML loader's only job after validation: build the typed constructs.
import type { Construct } from "constructs";
import { Fleet, type FleetProps } from "../constructs/fleet.js";
import type { Gateway } from "../constructs/gateway.js";
import type { NotificationCommand } from "../constructs/notification-command.js";
import { notificationGateway } from "./cross-checks.js";
import type { FleetSpec, SecretRef } from "./schema.js";

export function buildFleet(scope: Construct, spec: FleetSpec, props: Pick<FleetProps, "localStatePath"> = {}): Fleet {
  const fleet = new Fleet(scope, spec.name, {
    ...props,
    engine: spec.engine,
    ssh: spec.ssh,
    strictHostKeys: spec.strictHostKeys,
    installCheckPlugins: spec.installCheckPlugins,
  });
  const secret = (ref: SecretRef) => fleet.secret(ref.secret);
  const gateways = new Map<string, Gateway>();
  for (const [name, g] of Object.entries(spec.gateways)) {
    gateways.set(
      name,
      fleet.addGateway(name, {
        ...g,
        auth: g.auth ? { username: g.auth.username, password: secret(g.auth.password) } : undefined,
      }),
    );
  }
  for (const p of spec.pollers) fleet.addPoller({ ...p, gateway: gateways.get(p.gateway)! });
  if (spec.central) {
    const { gateway, clapi, ...central } = spec.central;
    fleet.setCentral({
      ...central,
      gateway: gateway ? gateways.get(gateway) : undefined,
      clapi: clapi ? { user: clapi.user, password: secret(clapi.password) } : undefined,
    });
  }
  const notificationCommands = new Map<string, NotificationCommand>();
  for (const c of spec.notificationCommands) {
    const gateway = notificationGateway(c, spec.central, [...gateways.keys()]);
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
  const contacts = new Map(
    spec.contacts.map((c) => [
      c.alias,
      fleet.addContact({
        ...c,
        password: c.password ? secret(c.password) : undefined,
        notifications: notifications(c.notifications),
        groups: c.groups.map((g) => groups.get(g)!),
      }),
    ]),
  );
  for (const check of spec.smtpChecks) {
    fleet.addSmtpCheck({
      ...check,
      auth: check.auth ? { username: check.auth.username, password: secret(check.auth.password) } : undefined,
      contacts: check.notify.contacts.map((alias) => contacts.get(alias)!),
      groups: check.notify.groups.map((g) => groups.get(g)!),
    });
  }
  if (spec.queueChecks) fleet.setQueueChecks(spec.queueChecks);
  return fleet;
}
