// State of the CLAPI test double: one JSON file, shaped like the rows of Centreon's own tables
// (column names are Centreon's, so SETPARAM can be checked against "columns that exist").
// Written atomically (temp file + rename) under an exclusive lock file.
import { createHash, randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, readlinkSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";

export type ClapiVersion = "22.10" | "23.10" | "24.10";

/** A table row: Centreon column name → value (`null` is SQL NULL). */
export type Columns = Record<string, string | null>;

export interface Macro {
  /** Stored name, wrapped like Centreon stores it: `$_HOSTSMTPPASSWORD$`, `$_SERVICEWARNING$`. */
  name: string;
  value: string;
  isPassword: number;
  description: string | null;
  order: number;
}

/** Table `contact`: contacts (register 1, also the CLAPI users) and contact templates (register 0). */
export interface ContactRow {
  id: number;
  register: 0 | 1;
  cols: Columns;
  /** `sha256:<hex>` of a clear password given to the double, or a bcrypt hash given as is; never the clear text. */
  passwordHash: string | null;
  /** Table `contact_password`: the last 3 passwords set by ADD or SETPARAM, with their creation time (epoch seconds). */
  passwordHistory?: { hash: string; createdAt: number }[];
  hostNotifCmds: number[];
  svcNotifCmds: number[];
}

export interface ContactGroupRow { id: number; cols: Columns; contacts: number[] }
export interface CommandRow { id: number; cols: Columns }
export interface TimePeriodRow { id: number; cols: Columns; include: number[]; exclude: number[] }
export interface HostGroupRow { id: number; cols: Columns }

/** Table `host`: hosts (register 1) and host templates (register 0) share it, and its name space. */
export interface HostRow {
  id: number;
  register: 0 | 1;
  cols: Columns;
  /** Host templates (ids of register-0 rows), in order. */
  templates: number[];
  hostGroups: number[];
  contacts: number[];
  contactGroups: number[];
  /** Poller (`instances[].id`); always null for a template. */
  instance: number | null;
  macros: Macro[];
}

/** Table `service`: services (register 1) and service templates (register 0). */
export interface ServiceRow {
  id: number;
  register: 0 | 1;
  cols: Columns;
  /** host_service_relation: the host of a service; the host templates a service template is linked to. */
  hosts: number[];
  contacts: number[];
  contactGroups: number[];
  macros: Macro[];
}

/** Table `nagios_server`: the pollers (INSTANCE objects). */
export interface InstanceRow { id: number; cols: Columns; isDefault: boolean }

export interface Invocation {
  /** argv after `centreon`, with the `-p` value replaced by `***`. */
  argv: string[];
  exit: number;
}

export interface DoubleState {
  format: "centreon-clapi-double/1";
  version: ClapiVersion;
  packInstalled: boolean;
  /** Check the password policy for LDAP contacts too (Centreon before 22.10.6). */
  ldapPasswordPolicy: boolean;
  /** The local security policy's rules for a password change (SETPARAM password). */
  passwordChange: { delayBeforeNewPasswordSeconds: number; canReusePasswords: boolean };
  /** Added to the clock, so a test can let an hour pass. */
  clockOffsetSeconds: number;
  /** Import line number (1-based, counted like CLAPI counts file lines) that fails with `Line N : Simulated failure`. */
  failOnLine: number | null;
  /** Poller names whose APPLYCFG / POLLERTEST fails (configuration test error, `Return code end : 1`). */
  failApplyFor: string[];
  nextIds: Record<string, number>;
  contacts: ContactRow[];
  contactGroups: ContactGroupRow[];
  commands: CommandRow[];
  timeperiods: TimePeriodRow[];
  hostGroups: HostGroupRow[];
  hosts: HostRow[];
  services: ServiceRow[];
  instances: InstanceRow[];
  /** Poller names APPLYCFG succeeded for, in order. */
  applied: string[];
  /** One record per `centreon` process. */
  invocations: Invocation[];
  /**
   * The macro values CLAPI writes, in clear, into Centreon's audit log (centreon_storage
   * log_action_modification) at each HOST/SERVICE/STPL SETMACRO, password macros included. The real
   * CLAPI logs every change there; only macros are kept here.
   */
  macroAudit: { object: string; macro: string; value: string }[];
}

export interface ExtraUser {
  alias: string;
  password: string;
  /** @default false - a non-admin user gets `You don't have permissions for CLAPI.` */
  admin?: boolean;
  /** @default true */
  active?: boolean;
}

export interface InitStateOptions {
  /** @default "admin" */
  adminUser?: string;
  adminPassword: string;
  /** Poller (INSTANCE) names besides `Central`, which always exists (id 1, the default poller). */
  pollers: string[];
  /** The SMTP monitoring connector (pack) is installed. @default true */
  packInstalled?: boolean;
  /** @default "22.10" */
  version?: ClapiVersion;
  /** Import line that fails (fault injection). @default - none */
  failOnLine?: number;
  /** Pollers whose configuration test fails at APPLYCFG. @default - none */
  failApplyFor?: string[];
  /** Other CLAPI users (contacts), e.g. a non-admin one. @default - none */
  extraUsers?: ExtraUser[];
  /** Password policy for LDAP contacts too. @default true for 22.10 (as 22.10.0-22.10.5), false after */
  ldapPasswordPolicy?: boolean;
  /** @default Centreon's: { delayBeforeNewPasswordSeconds: 3600, canReusePasswords: false } */
  passwordChange?: DoubleState["passwordChange"];
}

export function hashPassword(clear: string): string {
  return "sha256:" + createHash("sha256").update(clear, "utf8").digest("hex");
}

export function allocId(state: DoubleState, table: string): number {
  const id = state.nextIds[table] ?? 1;
  state.nextIds[table] = id + 1;
  return id;
}

const TP_DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"] as const;

function timeperiod(state: DoubleState, name: string, alias: string, days: Partial<Record<(typeof TP_DAYS)[number], string>>): TimePeriodRow {
  const cols: Columns = { tp_name: name, tp_alias: alias };
  for (const d of TP_DAYS) cols[`tp_${d}`] = days[d] ?? null;
  return { id: allocId(state, "timeperiod"), cols, include: [], exclude: [] };
}

const CMD_TYPE = { notif: "1", check: "2", misc: "3", discovery: "4" } as const;

function command(state: DoubleState, name: string, type: keyof typeof CMD_TYPE, line: string): CommandRow {
  return {
    id: allocId(state, "command"),
    cols: {
      command_name: name, command_type: CMD_TYPE[type], command_line: line, command_example: null,
      command_comment: null, command_activate: "1", enable_shell: "0", graph_id: null, connector_id: null,
    },
  };
}

/** Column defaults of a new contact row (CentreonContact's constructor + table defaults). */
export function contactDefaults(): Columns {
  return {
    contact_name: null, contact_alias: null, contact_email: null, contact_pager: null, contact_comment: null,
    contact_admin: "0", contact_oreon: "1", contact_lang: null, contact_auth_type: "local",
    contact_host_notification_options: "n", contact_service_notification_options: "n",
    contact_enable_notifications: "0", contact_activate: "1", contact_location: "0", contact_type_msg: "txt",
    contact_template_id: null, timeperiod_tp_id: null, timeperiod_tp_id2: null, default_page: null,
  };
}

/** Column defaults of a new host or host template row (CentreonHost's constructor + table defaults). */
export function hostDefaults(register: 0 | 1): Columns {
  const cols: Columns = {
    host_name: null, host_alias: null, host_address: null, host_comment: null, host_activate: "1", host_register: String(register),
    command_command_id: null, command_command_id_arg1: null, command_command_id2: null, command_command_id_arg2: null,
    timeperiod_tp_id: null, timeperiod_tp_id2: null, host_location: null, geo_coords: null,
    host_notification_options: null, host_max_check_attempts: null, host_check_interval: null, host_retry_check_interval: null,
    ehi_notes: null, ehi_notes_url: null, ehi_action_url: null,
  };
  for (const c of ["active_checks_enabled", "passive_checks_enabled", "checks_enabled", "obsess_over_host", "check_freshness",
    "event_handler_enabled", "flap_detection_enabled", "process_perf_data", "retain_status_information",
    "retain_nonstatus_information", "notifications_enabled"]) cols[`host_${c}`] = "2";
  return cols;
}

/** Column defaults of a new service or service template row. */
export function serviceDefaults(register: 0 | 1): Columns {
  const cols: Columns = {
    service_description: null, service_alias: null, service_comment: null, service_activate: "1", service_register: String(register),
    service_template_model_stm_id: null, command_command_id: null, command_command_id_arg: null, command_command_id2: null,
    command_command_id_arg2: null, timeperiod_tp_id: null, timeperiod_tp_id2: null, service_notification_options: null,
    service_max_check_attempts: null, service_normal_check_interval: null, service_retry_check_interval: null,
    esi_notes: null, esi_notes_url: null, esi_action_url: null,
  };
  for (const c of ["is_volatile", "active_checks_enabled", "passive_checks_enabled", "parallelize_check", "obsess_over_service",
    "check_freshness", "event_handler_enabled", "flap_detection_enabled", "process_perf_data", "retain_status_information",
    "retain_nonstatus_information", "notifications_enabled"]) cols[`service_${c}`] = "2";
  return cols;
}

export function instanceDefaults(name: string, address: string, localhost: boolean): Columns {
  return {
    name, ns_ip_address: address, localhost: localhost ? "1" : "0", ns_activate: "1", ssh_port: "22",
    gorgone_communication_type: "1", gorgone_port: "5556",
    engine_restart_command: "service centengine restart", engine_reload_command: "service centengine reload",
    broker_reload_command: "service cbd reload", nagios_bin: "/usr/sbin/centengine", nagiostats_bin: "/usr/bin/centenginestats",
  };
}

function macro(kind: "HOST" | "SERVICE", name: string, order: number, isPassword = 0): Macro {
  return { name: `$_${kind}${name}$`, value: "", isPassword, description: null, order };
}

/** A fresh state in memory (what `initState` writes). */
export function createState(opts: InitStateOptions): DoubleState {
  const version = opts.version ?? "22.10";
  if (!["22.10", "23.10", "24.10"].includes(version)) throw new Error(`centreon CLAPI test double: unsupported version ${version}`);
  const state: DoubleState = {
    format: "centreon-clapi-double/1",
    version,
    packInstalled: opts.packInstalled ?? true,
    ldapPasswordPolicy: opts.ldapPasswordPolicy ?? version === "22.10",
    passwordChange: opts.passwordChange ?? { delayBeforeNewPasswordSeconds: 3600, canReusePasswords: false },
    clockOffsetSeconds: 0,
    failOnLine: opts.failOnLine ?? null,
    failApplyFor: [...(opts.failApplyFor ?? [])],
    nextIds: {},
    contacts: [], contactGroups: [], commands: [], timeperiods: [], hostGroups: [], hosts: [], services: [], instances: [],
    applied: [], invocations: [], macroAudit: [],
  };

  const users: ExtraUser[] = [{ alias: opts.adminUser ?? "admin", password: opts.adminPassword, admin: true, active: true }, ...(opts.extraUsers ?? [])];
  for (const u of users) {
    const cols = contactDefaults();
    Object.assign(cols, {
      contact_name: u.alias === (opts.adminUser ?? "admin") && u.admin ? "Administrator" : u.alias, contact_alias: u.alias,
      contact_email: `${u.alias}@localhost`, contact_admin: u.admin ? "1" : "0", contact_activate: u.active === false ? "0" : "1",
      contact_lang: "browser",
    });
    state.contacts.push({ id: allocId(state, "contact"), register: 1, cols, passwordHash: hashPassword(u.password), hostNotifCmds: [], svcNotifCmds: [] });
  }

  const allDay = "00:00-24:00";
  state.timeperiods.push(
    timeperiod(state, "24x7", "Always", Object.fromEntries(TP_DAYS.map((d) => [d, allDay]))),
    timeperiod(state, "none", "Never", {}),
    timeperiod(state, "nonworkhours", "Non-Work Hours", {
      sunday: allDay, monday: "00:00-09:00,17:00-24:00", tuesday: "00:00-09:00,17:00-24:00", wednesday: "00:00-09:00,17:00-24:00",
      thursday: "00:00-09:00,17:00-24:00", friday: "00:00-09:00,17:00-24:00", saturday: allDay,
    }),
    timeperiod(state, "workhours", "Work hours", {
      monday: "09:00-17:00", tuesday: "09:00-17:00", wednesday: "09:00-17:00", thursday: "09:00-17:00", friday: "09:00-17:00",
    }),
  );

  state.commands.push(
    command(state, "host-notify-by-email", "notif",
      '/usr/bin/printf "%b" "***** centreon Notification *****\\n\\nType:$NOTIFICATIONTYPE$\\nHost: $HOSTNAME$\\nState: $HOSTSTATE$\\nAddress: $HOSTADDRESS$\\nInfo: $HOSTOUTPUT$\\nDate/Time: $DATE$" | @MAILER@ -s "** $NOTIFICATIONTYPE$ Host Alert: $HOSTNAME$ is $HOSTSTATE$ **" $CONTACTEMAIL$'),
    command(state, "service-notify-by-email", "notif",
      '/usr/bin/printf "%b" "***** centreon Notification *****\\n\\nNotification Type: $NOTIFICATIONTYPE$\\n\\nService: $SERVICEDESC$\\nHost: $HOSTALIAS$\\nAddress: $HOSTADDRESS$\\nState: $SERVICESTATE$\\n\\nDate/Time: $DATE$ Additional Info : $SERVICEOUTPUT$" | @MAILER@ -s "** $NOTIFICATIONTYPE$ Service Alert: $HOSTALIAS$/$SERVICEDESC$ is $SERVICESTATE$ **" $CONTACTEMAIL$'),
  );

  state.instances.push({ id: allocId(state, "instance"), cols: instanceDefaults("Central", "127.0.0.1", true), isDefault: true });
  opts.pollers.forEach((name, i) => {
    if (name === "Central") return;
    state.instances.push({ id: allocId(state, "instance"), cols: instanceDefaults(name, `192.0.2.${(i % 250) + 2}`, false), isDefault: false });
  });

  if (state.packInstalled) installSmtpPack(state);
  return state;
}

function installSmtpPack(state: DoubleState): void {
  const plugin = "$CENTREONPLUGINS$/centreon_protocol_smtp.pl --plugin=apps::protocols::smtp::plugin";
  const login = command(state, "App-Protocol-SMTP-Login", "check",
    `${plugin} --mode=login --hostname=$HOSTADDRESS$ --username='$_HOSTSMTPUSERNAME$' --password='$_HOSTSMTPPASSWORD$' --warning='$_SERVICEWARNING$' --critical='$_SERVICECRITICAL$' $_HOSTSMTPEXTRAOPTIONS$ $_SERVICEEXTRAOPTIONS$`);
  const message = command(state, "App-Protocol-SMTP-Message", "check",
    `${plugin} --mode=message --hostname=$HOSTADDRESS$ --username='$_HOSTSMTPUSERNAME$' --password='$_HOSTSMTPPASSWORD$' --smtp-from='$_SERVICESMTPFROM$' --smtp-to='$_SERVICESMTPTO$' --warning='$_SERVICEWARNING$' --critical='$_SERVICECRITICAL$' $_HOSTSMTPEXTRAOPTIONS$ $_SERVICEEXTRAOPTIONS$`);
  // The Base-Generic connector, which the SMTP connector requires, brings the host-alive command.
  const ping = command(state, "base_host_alive", "check", "$USER1$/check_icmp -H $HOSTADDRESS$ -w 3000.0,80% -c 5000.0,100% -p 1");
  state.commands.push(login, message, ping);

  const hostTemplate = (name: string, alias: string, templates: number[], macros: Macro[]): HostRow => {
    const cols = hostDefaults(0);
    Object.assign(cols, { host_name: name, host_alias: alias, command_command_id: String(ping.id) });
    const row: HostRow = { id: allocId(state, "host"), register: 0, cols, templates, hostGroups: [], contacts: [], contactGroups: [], instance: null, macros };
    state.hosts.push(row);
    return row;
  };
  const genericHost = hostTemplate("generic-active-host-custom", "generic-active-host", [], []);
  const smtpHost = hostTemplate("App-Protocol-SMTP-custom", "Template to check SMTP server", [genericHost.id], [
    macro("HOST", "SMTPUSERNAME", 0), macro("HOST", "SMTPPASSWORD", 1, 1), macro("HOST", "SMTPEXTRAOPTIONS", 2),
  ]);

  const serviceTemplate = (description: string, alias: string, parent: number | null, check: number | null, hosts: number[], macros: Macro[]) => {
    const cols = serviceDefaults(0);
    Object.assign(cols, {
      service_description: description, service_alias: alias,
      service_template_model_stm_id: parent === null ? null : String(parent), command_command_id: check === null ? null : String(check),
    });
    const row: ServiceRow = { id: allocId(state, "service"), register: 0, cols, hosts, contacts: [], contactGroups: [], macros };
    state.services.push(row);
    return row;
  };
  const genericService = serviceTemplate("generic-active-service-custom", "generic-active-service", null, null, [], []);
  serviceTemplate("App-Protocol-SMTP-Login-custom", "SMTP-Login", genericService.id, login.id, [smtpHost.id], [
    macro("SERVICE", "WARNING", 0), macro("SERVICE", "CRITICAL", 1), macro("SERVICE", "EXTRAOPTIONS", 2),
  ]);
  serviceTemplate("App-Protocol-SMTP-Message-custom", "SMTP-Message", genericService.id, message.id, [smtpHost.id], [
    macro("SERVICE", "SMTPFROM", 0), macro("SERVICE", "SMTPTO", 1), macro("SERVICE", "WARNING", 2),
    macro("SERVICE", "CRITICAL", 3), macro("SERVICE", "EXTRAOPTIONS", 4),
  ]);
}

/** Creates (or replaces) the state file with a fresh state and returns it. */
export function initState(file: string, opts: InitStateOptions): DoubleState {
  const state = createState(opts);
  withStateLock(file, () => writeStateAtomic(file, state));
  return state;
}

export function readState(file: string): DoubleState {
  const parsed = JSON.parse(readFileSync(file, "utf8")) as DoubleState;
  if (parsed.format !== "centreon-clapi-double/1") throw new Error(`${file} is not a centreon CLAPI double state file`);
  return parsed;
}

export function writeStateAtomic(file: string, state: DoubleState): void {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  writeFileSync(tmp, JSON.stringify(state, null, 1) + "\n", { mode: 0o600 });
  renameSync(tmp, file);
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

function pidNamespace(): string {
  try {
    return readlinkSync("/proc/self/ns/pid");
  } catch {
    return "unknown";
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Removes the lock if its owner is a dead process of this PID namespace, or if it is older than `staleMs`. */
function removeStaleLock(lock: string, staleMs: number): void {
  try {
    const content = readFileSync(lock, "utf8");
    const [ns, pid] = content.split(" ");
    const age = Date.now() - statSync(lock).mtimeMs;
    const owner = Number.parseInt(pid ?? "", 10);
    const ownerDead = ns === pidNamespace() && Number.isInteger(owner) && owner > 0 && !pidAlive(owner);
    // re-read: only remove the lock that was judged (another waiter may have replaced it meanwhile)
    if (((ownerDead && age > 100) || age > staleMs) && readFileSync(lock, "utf8") === content) unlinkSync(lock);
  } catch {
    // the lock went away meanwhile: retry
  }
}

/**
 * Runs `fn` holding the exclusive lock `<file>.lock` (created with O_EXCL; holds "<pid namespace> <pid>").
 * A lock whose owner process is gone, or older than `staleMs`, is taken over.
 */
export function withStateLock<T>(file: string, fn: () => T, { timeoutMs = 60_000, staleMs = 15_000 } = {}): T {
  const lock = `${file}.lock`;
  const deadline = Date.now() + timeoutMs;
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = openSync(lock, "wx", 0o600);
      writeFileSync(fd, `${pidNamespace()} ${process.pid}`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      removeStaleLock(lock, staleMs);
      if (Date.now() > deadline) throw new Error(`centreon CLAPI test double: could not lock ${lock} within ${timeoutMs} ms`);
      sleepMs(5 + Math.floor(Math.random() * 10));
    }
  }
  try {
    return fn();
  } finally {
    closeSync(fd);
    try {
      unlinkSync(lock);
    } catch {
      // already removed
    }
  }
}

/** Reads, lets `fn` change the state, writes it back atomically; all under the lock. */
export function updateState<T>(file: string, fn: (state: DoubleState) => T): T {
  return withStateLock(file, () => {
    if (!existsSync(file)) throw new Error(`centreon CLAPI test double: state file ${file} does not exist (create it with initState)`);
    const state = readState(file);
    const result = fn(state);
    writeStateAtomic(file, state);
    return result;
  });
}
