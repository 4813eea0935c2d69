// Checks that span sections of the fleet file: references, duplicates, combinations. They read the
// raw document defensively, so they run (and report) even when other fields are invalid.
import { rules, showValue } from "./rules.js";
import { terraformName } from "../remote/names.js";
import { refusedExtraParameter, SMTP_SECURITY, type GatewaySecurity } from "../postfix/relay-parameters.js";
import { queueCheckHostName, RESERVED_COMMAND_NAMES, SMTP_CONNECTOR } from "../clapi/objects.js";
import { PORTAL_URL_PLACEHOLDER } from "../clapi/notify-command.js";
import { NO_GATEWAY } from "./schema.js";
import { smtpTransport, transportMismatch } from "../constructs/gateway.js";

export interface FleetProblem {
  path: (string | number)[];
  message: string;
}

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

export function crossCheck(doc: unknown): FleetProblem[] {
  if (!isObject(doc)) return [];
  const problems: FleetProblem[] = [];
  const gateways = isObject(doc.gateways) ? doc.gateways : {};
  const gatewayNames = Object.keys(gateways);
  const pollers = Array.isArray(doc.pollers) ? doc.pollers : [];
  const central = isObject(doc.central) ? doc.central : undefined;
  const fleetSsh = isObject(doc.ssh) ? doc.ssh : {};

  // Every host that may have a relay: the pollers, then the central (see centralRelays below).
  const hosts: { path: (string | number)[]; host: Raw }[] = pollers.flatMap((p, i) =>
    isObject(p) ? [{ path: ["pollers", i], host: p }] : [],
  );
  if (central) hosts.push({ path: ["central"], host: central });

  const declaredGateways = gatewayNames.length ? gatewayNames.join(", ") : "none (add one under gateways)";
  const notDeclared = (gateway: string) => `${showValue(gateway)} is not a declared gateway: declared gateways are ${declaredGateways}`;
  if (gatewayNames.includes(NO_GATEWAY)) {
    problems.push({
      path: ["gateways", NO_GATEWAY],
      message: `"${NO_GATEWAY}" is reserved (central.gateway: ${NO_GATEWAY} means no relay on the central): choose another gateway name`,
    });
  }
  const defaultGateway = text(doc.defaultGateway);
  if (defaultGateway !== undefined && rules.objectName.test(defaultGateway) && !gatewayNames.includes(defaultGateway)) {
    problems.push({ path: ["defaultGateway"], message: notDeclared(defaultGateway) });
  }

  let inheritedUserReported = false;
  for (const { path, host } of hosts) {
    const gateway = text(host.gateway);
    const isCentral = path[0] === "central";
    if (host.gateway === undefined && !isCentral && defaultGateway === undefined) {
      problems.push({
        path: [...path, "gateway"],
        message: `is required because no defaultGateway is set: name one of the declared gateways (${declaredGateways}) here, or set defaultGateway`,
      });
    } else if (gateway === NO_GATEWAY && !isCentral) {
      problems.push({
        path: [...path, "gateway"],
        message: `"${NO_GATEWAY}" is only allowed for the central: a poller sends notifications, so it relays through a declared gateway (${declaredGateways}); omit gateway to use defaultGateway`,
      });
    } else if (gateway !== undefined && gateway !== NO_GATEWAY && rules.objectName.test(gateway) && !gatewayNames.includes(gateway)) {
      problems.push({ path: [...path, "gateway"], message: notDeclared(gateway) });
    }
    if (doc.strictHostKeys === true && host.hostKey === undefined) {
      problems.push({
        path: [...path, "hostKey"],
        message: "is required because strictHostKeys is true: pin the host's key (ssh-keyscan -t ed25519 HOST, without the host name)",
      });
    }
    const extra = isObject(host.postfixParameters) ? host.postfixParameters : {};
    for (const name of Object.keys(extra)) {
      const refused = refusedExtraParameter(name);
      if (refused) problems.push({ path: [...path, "postfixParameters", name], message: refused });
    }
    const ssh = isObject(host.ssh) ? host.ssh : {};
    const user = text(ssh.user) ?? text(fleetSsh.user) ?? "root";
    if (user !== "root" && ssh.scriptDirectory === undefined && fleetSsh.scriptDirectory === undefined) {
      // A user every host inherits: one problem, where one line fixes it for all.
      const inherited = ssh.user === undefined;
      if (!inherited || !inheritedUserReported) {
        inheritedUserReported ||= inherited;
        problems.push({
          path: inherited ? ["ssh", "scriptDirectory"] : [...path, "ssh", "scriptDirectory"],
          message: `is required when the SSH user is ${showValue(user)} (not root): name a directory only that user can read, e.g. /home/${user}/.cache${inherited ? " (here, for every host that does not set its own)" : ""}`,
        });
      }
    }
  }

  const seen = new Map<string, string>();
  /** False when another field already holds `value`. */
  const claim = (kind: string, value: unknown, path: (string | number)[]): boolean => {
    if (typeof value !== "string") return true;
    const key = `${kind}\0${value.toLowerCase()}`;
    const first = seen.get(key);
    if (first) problems.push({ path, message: `${showValue(value)} is already used by ${first}: each ${kind} must be unique` });
    else seen.set(key, formatPath(path));
    return !first;
  };
  for (const { path, host } of hosts) {
    // Distinct names can still map to one Terraform resource name ("a.b" and "a_b").
    if (claim("poller name", host.name, [...path, "name"]) && typeof host.name === "string") {
      claim("Terraform resource name", terraformName("relay", host.name), [...path, "name"]);
    }
    claim("fqdn", host.fqdn, [...path, "fqdn"]);
    // One address may front several hosts on their own ports (NAT, a bastion's forwards).
    const ssh = isObject(host.ssh) ? host.ssh : {};
    const port = ssh.port ?? fleetSsh.port ?? 22;
    if (typeof host.address === "string") claim("SSH address and port", `${host.address}:${port}`, [...path, "address"]);
  }

  for (const [name, gateway] of Object.entries(gateways)) {
    if (!isObject(gateway)) continue;
    const path = ["gateways", name];
    const { port, security, problem } = transport(gateway, path);
    if (problem) problems.push(problem);
    // The relay listens on the loopback's port 25 itself (inet_interfaces = loopback-only).
    if (port === 25 && /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i.test(text(gateway.host) ?? "")) {
      problems.push({
        path: [...path, "host"],
        message: `${showValue(gateway.host)} on port 25 is the relay's own Postfix: mail would loop back to it; name the SMTP gateway, or the port of a local forwarder`,
      });
    }
    if (typeof gateway.displayName === "string" && gateway.from === undefined) {
      problems.push({ path: [...path, "displayName"], message: "needs from: the display name is shown with the gateway's from address (set from too)" });
    }
    if (security === "none" && gateway.verifyCertificate === true) {
      problems.push({ path: [...path, "verifyCertificate"], message: `true needs TLS: set security to starttls or tls, or remove verifyCertificate` });
    }
    if (gateway.certificateName !== undefined && (security === "none" || gateway.verifyCertificate === false)) {
      problems.push({
        path: [...path, "certificateName"],
        message: `${showValue(gateway.certificateName)} needs a verified TLS connection: remove it, or set security to starttls or tls and verifyCertificate to true`,
      });
    }
  }
  // The central has a relay unless its gateway is "none" or it has none to inherit (see build.ts).
  const centralRelays = central !== undefined && (central.gateway === undefined ? doc.defaultGateway !== undefined : central.gateway !== NO_GATEWAY);
  if (central && !centralRelays && isObject(central.postfixParameters) && Object.keys(central.postfixParameters).length > 0) {
    problems.push({
      path: ["central", "postfixParameters"],
      message: `need a relay on the central, which has none (gateway ${central.gateway === undefined ? "not set, and no defaultGateway" : NO_GATEWAY}): give it a gateway, or remove them`,
    });
  }
  // Canaries must be hosts with a relay.
  const rollout = isObject(doc.rollout) ? doc.rollout : undefined;
  if (rollout && Array.isArray(rollout.canary)) {
    const relayHosts = hosts.filter(({ host }) => host !== central || centralRelays).flatMap(({ host }) => (typeof host.name === "string" ? [host.name] : []));
    const named = new Set<string>();
    rollout.canary.forEach((name, i) => {
      if (typeof name !== "string") return;
      if (!relayHosts.includes(name)) {
        problems.push({
          path: ["rollout", "canary", i],
          message: `${showValue(name)} is not a declared poller with a relay: declared ones are ${relayHosts.length ? relayHosts.join(", ") : "none"}`,
        });
      } else if (named.has(name)) {
        problems.push({ path: ["rollout", "canary", i], message: `${showValue(name)} is named twice: list each canary once` });
      }
      named.add(name);
    });
  }
  problems.push(...notificationCommandChecks(doc, gatewayNames));
  problems.push(...centreonChecks(doc, hosts.map(({ host }) => host.name).filter((n): n is string => typeof n === "string")));
  problems.push(...stackChecks(doc));
  return problems;
}

/** stacks: each poller in at most one, stack names that make valid, distinct stacks; backend per stack. */
function stackChecks(doc: Raw): FleetProblem[] {
  const problems: FleetProblem[] = [];
  const stacks = (Array.isArray(doc.stacks) ? doc.stacks : []).filter(isObject);
  const pollerNames = (Array.isArray(doc.pollers) ? doc.pollers : []).filter(isObject).map((p) => text(p.name));
  const centralName = isObject(doc.central) ? text(doc.central.name) : undefined;
  const fleetName = text(doc.name) ?? "";
  const stackOf = new Map<string, string>();
  const names = new Set<string>();
  stacks.forEach((stack, i) => {
    const name = text(stack.name);
    if (name === undefined) return;
    const full = `${fleetName}-${name}`;
    if (names.has(name)) problems.push({ path: ["stacks", i, "name"], message: `${showValue(name)} names two stacks: stack names must be unique` });
    names.add(name);
    // Only when the name itself is valid (else its own rule already said so): too long once joined.
    if (fleetName && rules.stackName.test(name) && !rules.stackName.test(full)) {
      problems.push({ path: ["stacks", i, "name"], message: `${showValue(name)} makes the stack ${showValue(full)}, which is not valid: it must be ${rules.stackName.allowed}` });
    }
    (Array.isArray(stack.pollers) ? stack.pollers : []).forEach((poller, j) => {
      const path = ["stacks", i, "pollers", j];
      if (typeof poller !== "string") return;
      if (poller === centralName) {
        problems.push({ path, message: `${showValue(poller)} is the central: it stays in the main stack ${showValue(fleetName)} with the Centreon objects` });
      } else if (!pollerNames.includes(poller)) {
        problems.push({ path, message: `${showValue(poller)} is not a declared poller: declared pollers are ${pollerNames.filter(Boolean).join(", ") || "none"}` });
      } else if (stackOf.has(poller)) {
        problems.push({ path, message: `${showValue(poller)} is already in stack ${showValue(stackOf.get(poller))}: a poller is deployed by one stack` });
      } else {
        stackOf.set(poller, name);
      }
    });
  });
  const s3 = isObject(doc.backend) && isObject(doc.backend.s3) ? doc.backend.s3 : undefined;
  const region = text(s3?.region);
  if (s3 && s3.endpoint === undefined && region !== undefined && rules.s3Region.test(region) && !rules.awsRegion.test(region)) {
    problems.push({ path: ["backend", "s3", "region"], message: `${showValue(region)} is not valid: it must be ${rules.awsRegion.allowed} (or set endpoint, for S3-compatible storage)` });
  }
  if (s3 && s3.endpoint !== undefined && s3.dynamodbTable !== undefined) {
    problems.push({
      path: ["backend", "s3", "dynamodbTable"],
      message: "with an endpoint (S3-compatible storage), Terraform would look the table up in AWS DynamoDB: lock with useLockfile instead (the default)",
    });
  }
  const http = isObject(doc.backend) && isObject(doc.backend.http) ? doc.backend.http : undefined;
  // Terraform's defaults are LOCK and UNLOCK: one method set alone pairs it with the other's default,
  // which a server such as GitLab (POST, DELETE) refuses, and the lock then stays.
  if (http && (http.lockMethod === undefined) !== (http.unlockMethod === undefined)) {
    const [set, unset] = http.lockMethod === undefined ? ["unlockMethod", "lockMethod"] : ["lockMethod", "unlockMethod"];
    const fallback = unset === "lockMethod" ? "LOCK" : "UNLOCK";
    problems.push({
      path: ["backend", "http", unset],
      message: `is required with ${set}: without it Terraform uses ${fallback}, which a server with its own methods refuses (GitLab: lockMethod POST, unlockMethod DELETE)`,
    });
  }
  if (http && http.lockAddress === undefined) {
    // Terraform would drop them without a word, and the operator would believe the state locked.
    for (const field of ["unlockAddress", "lockMethod", "unlockMethod"].filter((f) => http[f] !== undefined)) {
      problems.push({ path: ["backend", "http", field], message: `needs lockAddress: without it Terraform takes no lock, and ${field} is ignored` });
    }
  }
  if (http && stacks.length) {
    for (const field of ["address", "lockAddress", "unlockAddress"]) {
      const value = text(http[field]);
      if (value !== undefined && !value.includes("{stack}")) {
        problems.push({
          path: ["backend", "http", field],
          message: `is the same for every stack, so the stacks would overwrite each other's state: put {stack} where the stack name goes`,
        });
      }
    }
  }
  return problems;
}

/** The declared notification commands of one kind: their base names and their per-language names. */
function declaredNotificationCommands(doc: Raw, kind: "host" | "service"): { names: string[]; variants: string[] } {
  const commands = (Array.isArray(doc.notificationCommands) ? doc.notificationCommands : []).filter(
    (c): c is Raw => isObject(c) && c.kind === kind && typeof c.name === "string",
  );
  return {
    names: commands.map((c) => c.name as string),
    variants: commands.flatMap((c) => (isObject(c.languages) ? Object.keys(c.languages).map((l) => `${c.name}-${l}`) : [])),
  };
}

/**
 * The gateway a notification command takes its headers from: its own, else the central's, else the
 * fleet's defaultGateway, else the only one.
 */
export function notificationGateway(
  doc: { gateway?: unknown },
  fleet: { central?: { gateway?: unknown }; defaultGateway?: unknown },
  gatewayNames: string[],
): string | undefined {
  if (typeof doc.gateway === "string") return doc.gateway;
  if (typeof fleet.central?.gateway === "string" && fleet.central.gateway !== NO_GATEWAY) return fleet.central.gateway;
  if (typeof fleet.defaultGateway === "string") return fleet.defaultGateway;
  return gatewayNames.length === 1 ? gatewayNames[0] : undefined;
}

function notificationCommandChecks(doc: Raw, gatewayNames: string[]): FleetProblem[] {
  const problems: FleetProblem[] = [];
  const commands = Array.isArray(doc.notificationCommands) ? doc.notificationCommands : [];
  const central = isObject(doc.central) ? doc.central : undefined;
  const seen = new Map<string, string>();
  commands.forEach((command, i) => {
    if (!isObject(command)) return;
    const path = ["notificationCommands", i];
    const gateway = text(command.gateway);
    if (gateway !== undefined && rules.objectName.test(gateway) && !gatewayNames.includes(gateway)) {
      problems.push({
        path: [...path, "gateway"],
        message: `${showValue(gateway)} is not a declared gateway: declared gateways are ${gatewayNames.length ? gatewayNames.join(", ") : "none"}`,
      });
    }
    const languages = isObject(command.languages) ? command.languages : {};
    // Contacts name a command by its base name: it must not also be one Centreon or this project has.
    if (typeof command.name === "string" && RESERVED_COMMAND_NAMES.some((n) => n.toLowerCase() === String(command.name).toLowerCase())) {
      problems.push({ path: [...path, "name"], message: `${showValue(command.name)} is a command Centreon or this project already has: choose another name` });
    }
    for (const [language, template] of Object.entries(languages)) {
      if (typeof command.name === "string") {
        const name = `${command.name}-${language}`;
        const first = seen.get(name.toLowerCase());
        if (first) {
          problems.push({ path: [...path, "name"], message: `${showValue(command.name)} makes the command ${name}, already made by ${first}: each notification command name must be unique` });
        } else seen.set(name.toLowerCase(), `notificationCommands[${i}]`);
      }
      for (const field of ["subject", "body"] as const) {
        const value = isObject(template) ? text(template[field]) : undefined;
        if (value?.includes(`\${${PORTAL_URL_PLACEHOLDER}}`) && central?.portalUrl === undefined) {
          problems.push({
            path: [...path, "languages", language, field],
            message: "uses ${PORTALURL} but central.portalUrl is not set: give the Centreon web UI's address there (e.g. https://centreon.example.org/centreon)",
          });
        }
      }
    }
  });
  return problems;
}

export const STOCK_TIME_PERIODS = ["24x7", "workhours", "nonworkhours", "none"];
export const STOCK_NOTIFICATION_COMMANDS = { host: ["host-notify-by-email"], service: ["service-notify-by-email"] };

/** References and duplicates among the Centreon sections. */
function centreonChecks(doc: Raw, pollerNames: string[]): FleetProblem[] {
  const problems: FleetProblem[] = [];
  const list = (v: unknown) => (Array.isArray(v) ? v : []);
  const groups = list(doc.contactGroups).filter(isObject);
  const contacts = list(doc.contacts).filter(isObject);
  const checks = list(doc.smtpChecks);
  const central = isObject(doc.central) ? doc.central : undefined;
  // The relay script is what installs a check's plugin: a central without one runs no check.
  const centralName = text(central?.name);
  const centralRelays = central?.gateway !== NO_GATEWAY && (central?.gateway !== undefined || doc.defaultGateway !== undefined);
  const groupNames = groups.map((g) => text(g.name)).filter((n): n is string => !!n);
  const aliases = contacts.map((c) => text(c.alias)).filter((n): n is string => !!n);
  const how = (section: string) => `declare it in ${section}, or list one made in Centreon in central.existing.${section}`;
  // how: where else such a name can come from, said after the declared ones.
  const mustBeIn = (value: unknown, allowed: string[], kind: string, path: (string | number)[], how = "") => {
    if (typeof value === "string" && !allowed.includes(value)) {
      // Centreon would take it (it compares names without case), but this fleet looks names up as written.
      const sameButCase = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
      problems.push({
        path,
        message: sameButCase
          ? `${showValue(value)} differs only in case from the ${kind} ${showValue(sameButCase)}: write it ${showValue(sameButCase)}`
          : `${showValue(value)} is not a declared ${kind}: declared ones are ${allowed.length ? allowed.join(", ") : "none"}${how && `; ${how}`}`,
      });
    }
  };
  const notifyTargetsDeclared = (notify: unknown, path: (string | number)[]) => {
    if (!isObject(notify)) return;
    list(notify.contacts).forEach((c, j) => mustBeIn(c, [...aliases, ...existing.contacts], "contact alias", [...path, "contacts", j], how("contacts")));
    list(notify.groups).forEach((g, j) => mustBeIn(g, [...groupNames, ...existing.contactGroups], "contact group", [...path, "groups", j], how("contactGroups")));
  };
  const unique = (items: unknown[], field: string, kind: string, section: string) => {
    const firstAt = new Map<string, number>();
    items.forEach((item, i) => {
      const value = isObject(item) ? text(item[field]) : undefined;
      if (value === undefined) return;
      const key = value.toLowerCase();
      const first = firstAt.get(key);
      if (first === undefined) firstAt.set(key, i);
      else problems.push({ path: [section, i, field], message: `${showValue(value)} is already used by ${section}[${first}].${field}: each ${kind} must be unique` });
    });
  };
  unique(list(doc.contactGroups), "name", "contact group name", "contactGroups");
  unique(list(doc.contacts), "alias", "contact alias", "contacts");
  unique(list(doc.contacts), "name", "contact name", "contacts");
  unique(checks, "host", "SMTP check host", "smtpChecks");
  // Distinct names can map to one Terraform record name (j.doe and j_doe, two non-ASCII names, or a
  // contact group_ops and a group ops: contact_group_ops both).
  const records = new Map<string, { kind: string; value: string; path: (string | number)[] }>();
  // suffix: what the record name adds to the value (a notification command's language).
  const record = (kind: string, written: string | undefined, path: (string | number)[], suffix = "") => {
    if (written === undefined) return;
    const value = `${written}${suffix}`;
    const name = terraformName(kind, value);
    const first = records.get(name.toLowerCase());
    if (!first) records.set(name.toLowerCase(), { kind, value, path });
    // The same name twice is said once, above.
    else if (first.kind !== kind || first.value.toLowerCase() !== value.toLowerCase()) {
      problems.push({
        path,
        message: `${showValue(written)} and ${formatPath(first.path)} make the same Terraform resource name ${name}: rename one (letters, digits, '_' and '-' are kept as they are)`,
      });
    }
  };
  list(doc.contactGroups).forEach((g, i) => isObject(g) && record("contact_group", text(g.name), ["contactGroups", i, "name"]));
  list(doc.contacts).forEach((c, i) => isObject(c) && record("contact", text(c.alias), ["contacts", i, "alias"]));
  checks.forEach((c, i) => isObject(c) && record("smtp_check", text(c.host), ["smtpChecks", i, "host"]));
  list(doc.notificationCommands).forEach((c, i) => {
    const name = isObject(c) ? text(c.name) : undefined;
    if (name === undefined || !isObject(c.languages)) return;
    for (const language of Object.keys(c.languages)) record("notification_command", name, ["notificationCommands", i, "name"], `-${language}`);
  });

  // Objects made outside the fleet (central.existing) that contacts and checks may name. One the
  // fleet declares or makes too would be managed and left alone at once.
  const existingSpec = isObject(central?.existing) ? central.existing : {};
  const names = (v: unknown) => list(v).filter((n): n is string => typeof n === "string");
  const existing = {
    timePeriods: names(existingSpec.timePeriods),
    notificationCommands: names(existingSpec.notificationCommands),
    contacts: names(existingSpec.contacts),
    contactGroups: names(existingSpec.contactGroups),
  };
  const existingPath = (field: string, j: number) => ["central", "existing", field, j];
  const alsoDeclared = (field: "contacts" | "contactGroups", declared: string[]) =>
    existing[field].forEach((name, j) => {
      if (declared.some((d) => d.toLowerCase() === name.toLowerCase())) {
        problems.push({
          path: existingPath(field, j),
          message: `${showValue(name)} is declared in ${field}, so this fleet manages it: remove it from this list of objects made outside the fleet`,
        });
      }
    });
  alsoDeclared("contacts", aliases);
  alsoDeclared("contactGroups", groupNames);
  const made = (["host", "service"] as const).flatMap((kind) => Object.values(declaredNotificationCommands(doc, kind)).flat());
  existing.notificationCommands.forEach((name, j) => {
    if (made.some((m) => m.toLowerCase() === name.toLowerCase())) {
      problems.push({
        path: existingPath("notificationCommands", j),
        message: `${showValue(name)} is made by this fleet (notificationCommands): name it in contacts as it is, and remove it from this list of commands made outside the fleet`,
      });
    }
  });
  // CLAPI looks names up as written: a name whose spelling in Centreon is known here (a stock one,
  // the CLAPI user) written in another case would not be found.
  const clapiUser = isObject(central?.clapi) ? text(central.clapi.user) : undefined;
  const inOtherCase = (field: keyof typeof existing, known: string[], what: string, fix: string) =>
    existing[field].forEach((name, j) => {
      const same = known.find((n) => n !== name && n.toLowerCase() === name.toLowerCase());
      if (same) problems.push({ path: existingPath(field, j), message: `${showValue(name)} differs only in case from ${what} ${showValue(same)}: write it ${showValue(same)}${fix}` });
    });
  const stock = " where it is used, and leave it out of this list";
  inOtherCase("timePeriods", STOCK_TIME_PERIODS, "the stock time period", stock);
  inOtherCase("notificationCommands", [...STOCK_NOTIFICATION_COMMANDS.host, ...STOCK_NOTIFICATION_COMMANDS.service], "the stock notification command", stock);
  inOtherCase("contacts", clapiUser === undefined ? [] : [clapiUser], "the CLAPI user", "");

  list(doc.contacts).forEach((contact, i) => {
    if (!isObject(contact)) return;
    list(contact.groups).forEach((g, j) => mustBeIn(g, [...groupNames, ...existing.contactGroups], "contact group", ["contacts", i, "groups", j], how("contactGroups")));
    const notifications = isObject(contact.notifications) ? contact.notifications : {};
    for (const kind of ["host", "service"] as const) {
      const side = isObject(notifications[kind]) ? notifications[kind] : undefined;
      if (!side) continue;
      const path = ["contacts", i, "notifications", kind];
      mustBeIn(side.period, [...STOCK_TIME_PERIODS, ...existing.timePeriods], "time period", [...path, "period"], "list one made in Centreon in central.existing.timePeriods");
      const declared = declaredNotificationCommands(doc, kind);
      list(side.commands).forEach((command, j) =>
        mustBeIn(
          command,
          [...STOCK_NOTIFICATION_COMMANDS[kind], ...declared.names, ...declared.variants, ...existing.notificationCommands],
          `${kind} notification command`,
          [...path, "commands", j],
          "declare it in notificationCommands, or list one made in Centreon in central.existing.notificationCommands",
        ),
      );
    }
  });

  // Names this project gives objects of its own: a check host with one of them would merge with it.
  const generated = [...pollerNames.map(queueCheckHostName), SMTP_CONNECTOR.hostTemplate, SMTP_CONNECTOR.parentHostTemplate].map((n) =>
    n.toLowerCase(),
  );
  checks.forEach((check, i) => {
    if (!isObject(check)) return;
    if (typeof check.host === "string" && generated.includes(check.host.toLowerCase())) {
      problems.push({
        path: ["smtpChecks", i, "host"],
        message: `${showValue(check.host)} is a name this project uses for its own objects (queue-check hosts <poller>-postfix, the connector's templates): choose another`,
      });
    }
    const { problem } = transport(check, ["smtpChecks", i]);
    if (problem) problems.push(problem);
    mustBeIn(check.poller, pollerNames, "poller (or the central)", ["smtpChecks", i, "poller"]);
    if (typeof check.poller === "string" && check.poller === centralName && !centralRelays) {
      problems.push({
        path: ["smtpChecks", i, "poller"],
        message: `${showValue(check.poller)} is the central, which has no relay (its gateway is none, or there is no defaultGateway): nothing would install the SMTP plugin there; run the check on a poller, or give the central a gateway`,
      });
    }
    notifyTargetsDeclared(check.notify, ["smtpChecks", i, "notify"]);
  });
  if (isObject(doc.queueChecks)) notifyTargetsDeclared(doc.queueChecks.notify, ["queueChecks", "notify"]);

  contacts.forEach((contact, i) => {
    if (clapiUser !== undefined && text(contact.alias)?.toLowerCase() === clapiUser.toLowerCase()) {
      problems.push({
        path: ["contacts", i, "alias"],
        message: `${showValue(contact.alias)} is the CLAPI user (central.clapi.user): managing it as a contact would take its admin rights away; use another alias`,
      });
    }
  });

  const declaresObjects = contacts.length + groups.length + checks.length + list(doc.notificationCommands).length > 0 || doc.queueChecks !== undefined;
  if (declaresObjects && !central) {
    problems.push({ path: ["central"], message: "is required: the fleet declares Centreon objects, which are created through CLAPI on the central" });
  } else if (declaresObjects && central && central.clapi === undefined) {
    problems.push({ path: ["central", "clapi"], message: "is required: the fleet declares Centreon objects; give { user, password: { secret: NAME } }" });
  }
  return problems;
}

/** `pollers[0].fqdn` from ["pollers", 0, "fqdn"]. */
/** A gateway's or a check's port and security as its construct resolves them, and why they cannot work together. */
function transport(raw: Raw, path: (string | number)[]): { port?: number; security?: string; problem?: FleetProblem } {
  const security = text(raw.security);
  const port = typeof raw.port === "number" ? raw.port : undefined;
  if (security !== undefined && !(SMTP_SECURITY as readonly string[]).includes(security)) return { port, security }; // the schema says why
  const resolved = smtpTransport(port, security as GatewaySecurity | undefined);
  const mismatch = transportMismatch(resolved);
  return { ...resolved, ...(mismatch ? { problem: { path: [...path, "security"], message: mismatch } } : {}) };
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join("") || "(top level)";
}
