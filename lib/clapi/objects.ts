// Typed builders: each desired Centreon object → its CLAPI lines. ADD first (it fails with
// "Object already exists" once the object is there), then SETPARAM of every managed field, so a
// re-run converges and a field edited by hand is put back.
import type { Secret } from "../secret.js";
import type { GatewaySecurity } from "../postfix/relay-parameters.js";
import { line, list, type ClapiLine, type Field, type Scope } from "./line.js";
import {
  enableNotificationsValue,
  hostNotificationOptions,
  serviceNotificationOptions,
  type HostEvent,
  type NotificationSwitch,
  type ServiceEvent,
} from "./notifications.js";
import { notifyCommandLine, type NotifyCommandModel } from "./notify-command.js";

/** Object kinds whose DEL this project may run, with the field DEL takes (`host;service` for SERVICE). */
export type ObjectKind = "CMD" | "HTPL" | "STPL" | "CG" | "CONTACT" | "HOST" | "SERVICE";

/** What one desired object contributes to the batch. */
export interface ObjectLines {
  kind: ObjectKind;
  /** The key DEL takes: alias for contacts, name otherwise. */
  key: string;
  /** Order in the batch: objects before the lines that use them. */
  phase: Phase;
  lines: ClapiLine[];
  /** Group memberships this object declares: [group, contact alias]. */
  memberships?: [string, string][];
  /** Who its problems notify, empty lists included (see NotifyTargets). */
  notify?: NotifyTargets;
  /**
   * Objects within its lines that come and go on their own (a check's optional service): created,
   * owned and pruned as objects of their own. offset: index of the part's ADD in `lines`.
   */
  parts?: { kind: ObjectKind; key: string; offset: number; lineCount: number }[];
}

/**
 * Who a check's problems notify, on its host and each of its services: SETCONTACT and
 * SETCONTACTGROUP, sent only for a list that is not empty. CLAPI cannot set an empty list, so the
 * executor removes the targets it set earlier (DELCONTACT, DELCONTACTGROUP).
 */
export interface NotifyTargets {
  host: string;
  services: string[];
  /** `a|b`, or "" for none. */
  contacts: string;
  /** `a|b`, or "" for none. */
  groups: string;
}

/** Something the fleet declares in Centreon: a contact, a group, a check, a command. */
export interface CentreonObject {
  clapiLines(comment: string): ObjectLines;
  /** Grows with every change made after construction (group memberships, notify targets). */
  readonly revision: number;
}

/** The comment that marks, on each object, the stack that manages it. */
export function managedComment(stackName: string): string {
  return `Managed by centreon-mail-as-code (stack ${stackName}): changes made here are overwritten`;
}

const linesMemo = new WeakMap<CentreonObject, { revision: number; comment: string; lines: ObjectLines }>();

/** object.clapiLines(comment), computed again only after a change: the batch and the object's record both ask. */
export function linesOf(object: CentreonObject, comment: string): ObjectLines {
  let memo = linesMemo.get(object);
  if (memo?.revision !== object.revision || memo.comment !== comment) {
    memo = { revision: object.revision, comment, lines: object.clapiLines(comment) };
    linesMemo.set(object, memo);
  }
  return memo.lines;
}

export enum Phase {
  Commands = 1,
  Templates = 2,
  Groups = 3,
  Contacts = 4,
  Memberships = 5,
  Hosts = 6,
}

export interface NotificationSide<E> {
  events: readonly E[];
  period: string;
  commands: readonly string[];
}

export interface ContactModel {
  name: string;
  alias: string;
  email: string;
  /** @default - generated on the central when the contact is created */
  password?: Secret;
  admin: boolean;
  guiAccess: boolean;
  language: string;
  authtype: "local" | "ldap";
  enabled: NotificationSwitch;
  host?: NotificationSide<HostEvent>;
  service?: NotificationSide<ServiceEvent>;
  groups: readonly string[];
}

const bool = (b: boolean) => (b ? "1" : "0");

export function contactLines(c: ContactModel, comment: string): ObjectLines {
  const set = (param: string, value: Field) => line("CONTACT", "SETPARAM", [c.alias, param, value]);
  // What only Centreon's web UI uses: a change there needs no APPLYCFG (a password rotation reloaded every poller).
  const setWeb = (param: string, value: Field) => line("CONTACT", "SETPARAM", [c.alias, param, value], "web");
  const password: Field = c.password ? { secret: c.password } : { generatedPassword: true };
  const lines = [
    { ...line("CONTACT", "ADD", [c.name, c.alias, c.email, password, bool(c.admin), bool(c.guiAccess), c.language, c.authtype]), webFields: [3, 4, 5, 6, 7] },
    set("name", c.name),
    set("email", c.email),
    setWeb("admin", bool(c.admin)),
    setWeb("access", bool(c.guiAccess)),
    setWeb("lang", c.language),
    setWeb("authtype", c.authtype),
    // A generated password is set once, at creation: changing it every run would change state.
    ...(c.password ? [setWeb("password", { secret: c.password })] : []),
    set("hostnotifopt", hostNotificationOptions(c.host?.events ?? [])),
    ...(c.host ? [set("hostnotifperiod", c.host.period), set("hostnotifcmd", list(c.host.commands, "host notification command"))] : []),
    set("servicenotifopt", serviceNotificationOptions(c.service?.events ?? [])),
    ...(c.service
      ? [set("svcnotifperiod", c.service.period), set("svcnotifcmd", list(c.service.commands, "service notification command"))]
      : []),
    set("enable_notifications", enableNotificationsValue(c.enabled)),
    set("activate", "1"),
    set("comment", comment),
  ];
  return { kind: "CONTACT", key: c.alias, phase: Phase.Contacts, lines, memberships: c.groups.map((g) => [g, c.alias]) };
}

export interface ContactGroupModel {
  name: string;
  alias: string;
}

export function contactGroupLines(g: ContactGroupModel, comment: string): ObjectLines {
  return {
    kind: "CG",
    key: g.name,
    phase: Phase.Groups,
    lines: [
      line("CG", "ADD", [g.name, g.alias]),
      line("CG", "SETPARAM", [g.name, "alias", g.alias]),
      line("CG", "SETPARAM", [g.name, "activate", "1"]),
      line("CG", "SETPARAM", [g.name, "comment", comment]),
    ],
  };
}

/** CG;ADDCONTACT adds without removing the members someone else put in the group. */
export function membershipLines(memberships: readonly [string, string][]): ClapiLine[] {
  const byGroup = new Map<string, string[]>();
  for (const [group, alias] of memberships) byGroup.set(group, [...(byGroup.get(group) ?? []), alias]);
  return [...byGroup].map(([group, aliases]) => line("CG", "ADDCONTACT", [group, list(aliases, "contact alias")]));
}

/** The SMTP monitoring connector's names (seed 004). */
export const SMTP_CONNECTOR = {
  hostTemplate: "App-Protocol-SMTP-custom",
  /** The pack's parent host template: a host may not take its name either. */
  parentHostTemplate: "generic-active-host-custom",
  login: { template: "App-Protocol-SMTP-Login-custom", service: "SMTP-Login", command: "App-Protocol-SMTP-Login-cmd" },
  message: { template: "App-Protocol-SMTP-Message-custom", service: "SMTP-Message", command: "App-Protocol-SMTP-Message-cmd" },
  plugin: "/usr/lib/centreon/plugins/centreon_protocol_smtp.pl",
} as const;

export interface SmtpCheckModel {
  host: string;
  address: string;
  poller: string;
  port: number;
  security: GatewaySecurity;
  username?: string;
  password?: Secret;
  login: { warning: number; critical: number };
  message?: { from: string; to: string; warning: number; critical: number };
  contacts: readonly string[];
  groups: readonly string[];
}

/** The connector's TLS layer (Email::Send::SMTP::Gmail's -layer, set by --smtp-options); STARTTLS is its default. */
const SMTP_LAYER: Record<GatewaySecurity, string | undefined> = { starttls: undefined, tls: "ssl", none: "none" };

function smtpExtraOptions({ port, security }: SmtpCheckModel): string {
  const layer = SMTP_LAYER[security];
  return [`--port=${port}`, ...(layer ? [`--smtp-options=layer=${layer}`] : [])].join(" ");
}

export function smtpCheckLines(c: SmtpCheckModel, comment: string): ObjectLines {
  const scope: Scope = { poller: c.poller };
  const host = (action: string, fields: Field[]) => line("HOST", action, [c.host, ...fields], scope);
  // Each declared service is added by name, not by HOST;APPLYTPL: that would add every service of
  // the template, SMTP-Message too, and deleting it again would delete one made by hand on a host
  // the fleet adopts.
  const service = ({ service: name, template }: { service: string; template: string }, macros: [string, string][]) => [
    line("SERVICE", "ADD", [c.host, name, template], scope),
    line("SERVICE", "SETPARAM", [c.host, name, "template", template], scope),
    ...macros.map(([macro, value]) => line("SERVICE", "SETMACRO", [c.host, name, macro, value, "0", ""], scope)),
  ];
  const services = [SMTP_CONNECTOR.login.service, ...(c.message ? [SMTP_CONNECTOR.message.service] : [])];
  const lines: ClapiLine[] = [
    host("ADD", [c.host, c.address, SMTP_CONNECTOR.hostTemplate, c.poller, ""]),
    host("SETPARAM", ["alias", c.host]),
    host("SETPARAM", ["address", c.address]),
    // ADD silently falls back to the default poller for an unknown name; SETINSTANCE says so.
    host("SETINSTANCE", [c.poller]),
    // ADD, not SET: a host that was there already (adopted) keeps its own templates; SET would strip them.
    host("ADDTEMPLATE", [SMTP_CONNECTOR.hostTemplate]),
    host("SETMACRO", ["SMTPUSERNAME", c.username ?? "", "0", ""]),
    host("SETMACRO", ["SMTPPASSWORD", c.password ? { secret: c.password, singleQuoted: true } : "", "1", ""]),
    host("SETMACRO", ["SMTPEXTRAOPTIONS", smtpExtraOptions(c), "0", ""]),
    host("SETPARAM", ["activate", "1"]),
    host("SETPARAM", ["comment", comment]),
  ];
  // Each service is an object of its own, recorded as created or found: on a host made outside
  // the fleet, one this stack created is deleted when the check goes, one that was there stays.
  const login = service(SMTP_CONNECTOR.login, [
    ["WARNING", String(c.login.warning)],
    ["CRITICAL", String(c.login.critical)],
  ]);
  const parts: ObjectLines["parts"] = [{ kind: "SERVICE", key: `${c.host};${SMTP_CONNECTOR.login.service}`, offset: lines.length, lineCount: login.length }];
  lines.push(...login);
  if (c.message) {
    const message = service(SMTP_CONNECTOR.message, [
      ["SMTPFROM", c.message.from],
      ["SMTPTO", c.message.to],
      ["WARNING", String(c.message.warning)],
      ["CRITICAL", String(c.message.critical)],
    ]);
    parts.push({ kind: "SERVICE", key: `${c.host};${SMTP_CONNECTOR.message.service}`, offset: lines.length, lineCount: message.length });
    lines.push(...message);
  }
  const notify = notifyTargets(c, c.host, services);
  lines.push(...notifyLines(notify, scope));
  return { kind: "HOST", key: c.host, phase: Phase.Hosts, lines, notify, parts };
}

function notifyTargets({ contacts, groups }: { contacts: readonly string[]; groups: readonly string[] }, host: string, services: string[]): NotifyTargets {
  return { host, services, contacts: list(contacts, "contact alias"), groups: list(groups, "contact group") };
}

/** SETCONTACT and SETCONTACTGROUP on the check's host, then on each service, for the lists that are not empty. */
function notifyLines(n: NotifyTargets, scope: Scope): ClapiLine[] {
  const targets: [string, string[]][] = [["HOST", [n.host]], ...n.services.map((service): [string, string[]] => ["SERVICE", [n.host, service]])];
  return targets.flatMap(([object, key]) => [
    ...(n.contacts ? [line(object, "SETCONTACT", [...key, n.contacts], scope)] : []),
    ...(n.groups ? [line(object, "SETCONTACTGROUP", [...key, n.groups], scope)] : []),
  ]);
}

/** Commands and templates of the SMTP connector, for a central without its pack. */
export function smtpConnectorTemplateLines(comment: string): ObjectLines[] {
  const command = (mode: string, extra: string) =>
    `${SMTP_CONNECTOR.plugin} --plugin=apps::protocols::smtp::plugin --mode=${mode} --hostname=$HOSTADDRESS$ ` +
    `--username='$_HOSTSMTPUSERNAME$' --password='$_HOSTSMTPPASSWORD$' $_HOSTSMTPEXTRAOPTIONS$${extra} ` +
    `--warning='$_SERVICEWARNING$' --critical='$_SERVICECRITICAL$' $_SERVICEEXTRAOPTIONS$`;
  const commands = [
    checkCommand(SMTP_CONNECTOR.login.command, command("login", ""), comment),
    checkCommand(SMTP_CONNECTOR.message.command, command("message", " --smtp-from='$_SERVICESMTPFROM$' --smtp-to='$_SERVICESMTPTO$'"), comment),
  ];
  const hostTemplate: ObjectLines = {
    kind: "HTPL",
    key: SMTP_CONNECTOR.hostTemplate,
    phase: Phase.Templates,
    lines: [
      line("HTPL", "ADD", [SMTP_CONNECTOR.hostTemplate, "SMTP server", "", "", "", ""]),
      ...["SMTPUSERNAME", "SMTPPASSWORD", "SMTPEXTRAOPTIONS"].map((m) =>
        line("HTPL", "SETMACRO", [SMTP_CONNECTOR.hostTemplate, m, "", m === "SMTPPASSWORD" ? "1" : "0", ""]),
      ),
    ],
  };
  return [
    ...commands,
    hostTemplate,
    // The pack's templates inherit their schedule from generic-active-service-custom; these have no parent.
    serviceTemplate(SMTP_CONNECTOR.login, CHECK_SCHEDULE, ["WARNING", "CRITICAL", "EXTRAOPTIONS"].map((m) => [m, ""]), SMTP_CONNECTOR.hostTemplate),
    serviceTemplate(
      SMTP_CONNECTOR.message,
      CHECK_SCHEDULE,
      ["SMTPFROM", "SMTPTO", "WARNING", "CRITICAL", "EXTRAOPTIONS"].map((m) => [m, ""]),
      SMTP_CONNECTOR.hostTemplate,
    ),
  ];
}

/** A service template: its check command, parameters, macros (description empty, not a password). */
function serviceTemplate(
  t: { template: string; service: string; command: string },
  params: [string, string][],
  macros: [string, string][],
  hostTemplate?: string,
): ObjectLines {
  return {
    kind: "STPL",
    key: t.template,
    phase: Phase.Templates,
    lines: [
      line("STPL", "ADD", [t.template, t.service, ""]),
      line("STPL", "SETPARAM", [t.template, "check_command", t.command]),
      ...params.map(([param, value]) => line("STPL", "SETPARAM", [t.template, param, value])),
      ...macros.map(([name, value]) => line("STPL", "SETMACRO", [t.template, name, value, "", "0"])),
      ...(hostTemplate ? [line("STPL", "ADDHOSTTEMPLATE", [t.template, hostTemplate])] : []),
    ],
  };
}

function checkCommand(name: string, commandLine: string, comment: string): ObjectLines {
  return {
    kind: "CMD",
    key: name,
    phase: Phase.Commands,
    lines: [
      line("CMD", "ADD", [name, "check", commandLine]),
      line("CMD", "SETPARAM", [name, "line", commandLine]),
      line("CMD", "SETPARAM", [name, "comment", comment]),
    ],
  };
}

/** What Centreon Engine needs to schedule a check on an object without a template of its own. */
const CHECK_SCHEDULE: [string, string][] = [
  ["max_check_attempts", "3"],
  ["normal_check_interval", "5"],
  ["retry_check_interval", "1"],
  ["check_period", "24x7"],
];
const HOST_CHECK_SCHEDULE: [string, string][] = [
  ["max_check_attempts", "3"],
  ["check_interval", "5"],
  ["retry_check_interval", "1"],
  ["check_period", "24x7"],
];

export const QUEUE_CHECK = {
  command: "check-postfix-queue",
  template: "Postfix-Queue-custom",
  service: "Postfix-Queue",
  commandLine: "$USER1$/check_mailq -M postfix -w $_SERVICEWARNING$ -c $_SERVICECRITICAL$",
} as const;

/** The command and service template every queue check uses. */
export function queueCheckTemplateLines(comment: string, warning: number, critical: number): ObjectLines[] {
  return [
    checkCommand(QUEUE_CHECK.command, QUEUE_CHECK.commandLine, comment),
    serviceTemplate(QUEUE_CHECK, CHECK_SCHEDULE, [
      ["WARNING", String(warning)],
      ["CRITICAL", String(critical)],
    ]),
  ];
}

export interface QueueCheckModel {
  poller: string;
  address: string;
  warning: number;
  critical: number;
  contacts: readonly string[];
  groups: readonly string[];
}

/** The queue check of one poller: a host for its relay and the Postfix-Queue service on it. */
export function queueCheckLines(q: QueueCheckModel, comment: string): ObjectLines {
  const hostName = queueCheckHostName(q.poller);
  const scope: Scope = { poller: q.poller };
  const host = (action: string, fields: Field[]) => line("HOST", action, [hostName, ...fields], scope);
  const service = (action: string, fields: Field[]) => line("SERVICE", action, [hostName, QUEUE_CHECK.service, ...fields], scope);
  const notify = notifyTargets(q, hostName, [QUEUE_CHECK.service]);
  return {
    kind: "HOST",
    key: hostName,
    phase: Phase.Hosts,
    notify,
    lines: [
      host("ADD", [`Postfix relay of ${q.poller}`, q.address, "", q.poller, ""]),
      host("SETPARAM", ["address", q.address]),
      host("SETINSTANCE", [q.poller]),
      // No check_command: a fresh Centreon ships none (the Base-Generic connector brings
      // base_host_alive), and naming a missing one fails the line. The host carries the service.
      ...HOST_CHECK_SCHEDULE.map(([param, value]) => host("SETPARAM", [param, value])),
      host("SETPARAM", ["activate", "1"]),
      host("SETPARAM", ["comment", comment]),
      service("ADD", [QUEUE_CHECK.template]),
      service("SETPARAM", ["template", QUEUE_CHECK.template]),
      service("SETMACRO", ["WARNING", String(q.warning), "0", ""]),
      service("SETMACRO", ["CRITICAL", String(q.critical), "0", ""]),
      service("SETPARAM", ["comment", comment]),
      ...notifyLines(notify, scope),
    ],
  };
}

export function queueCheckHostName(poller: string): string {
  return `${poller}-postfix`;
}

/** Commands Centreon ships or this project creates: a notification command may not take their names. */
export const RESERVED_COMMAND_NAMES = [
  "host-notify-by-email",
  "service-notify-by-email",
  "host-notify-by-epager",
  "service-notify-by-epager",
  "base_host_alive",
  SMTP_CONNECTOR.login.command,
  SMTP_CONNECTOR.message.command,
  QUEUE_CHECK.command,
];

export interface NotificationCommandModel extends NotifyCommandModel {
  /** The Centreon command name (one per language variant). */
  name: string;
}

/** An e-mail notification command; run by the engine directly (enable_shell 0: no shell reads the values). */
export function notificationCommandLines(c: NotificationCommandModel, comment: string): ObjectLines {
  const commandLine = notifyCommandLine(c);
  return {
    kind: "CMD",
    key: c.name,
    phase: Phase.Commands,
    lines: [
      line("CMD", "ADD", [c.name, "notif", commandLine]),
      line("CMD", "SETPARAM", [c.name, "type", "notif"]),
      line("CMD", "SETPARAM", [c.name, "line", commandLine]),
      line("CMD", "SETPARAM", [c.name, "enable_shell", "0"]),
      line("CMD", "SETPARAM", [c.name, "activate", "1"]),
      line("CMD", "SETPARAM", [c.name, "comment", comment]),
    ],
  };
}
