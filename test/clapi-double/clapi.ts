// Test double of Centreon 22.10 CLAPI (`centreon -u -p -o -a -v`, `-i FILE`, poller actions), as pure
// functions over a DoubleState. Behaviour follows /work/shared/docs/clapi-facts.md and, where the facts are
// silent, Centreon's own CLAPI classes (www/class/centreon-clapi/*.php); every choice the double makes on its
// own is listed in README.md next to this file.
import {
  allocId, contactDefaults, hashPassword, hostDefaults, instanceDefaults, serviceDefaults,
  type Columns, type ContactRow, type DoubleState, type HostRow, type InstanceRow, type Macro, type ServiceRow,
} from "./state.js";

// ---------------------------------------------------------------------------------------------- errors

/** CentreonClapiException: its message is printed as is (`-a`) or as `Line N : message` (import). */
export class ClapiError extends Error {}

/** A PDOException: `-a` prints `Please check that your parameters are valid`; an import prints the SQL message. */
export class DbError extends Error {}

export const MSG = {
  missing: "Missing parameters",
  missingName: "Missing name parameter",
  exists: "Object already exists",
  notFound: "Object not found",
  unknownMethod: "Method not implemented into Centreon API",
  nameInUse: "Name is already in use",
  notifOptions: "Invalid notifications options",
  locale: "Invalid locale",
  timezone: "Invalid timezone",
  paramsInvalid: "Please check that your parameters are valid",
  password:
    "Your password must be 12 characters long and must contain : uppercase characters, lowercase characters, numbers, special characters among '@$!%*?&'.",
  passwordDelay: "You can't change your password because the delay before changing password is not over.",
  passwordReused: "Your password has already been used. Please choose a different password from the previous three.",
} as const;

const notFound = (name: string) => new ClapiError(`${MSG.notFound}:${name}`);
const unknownColumn = (column: string) => new DbError(`SQLSTATE[42S22]: Column not found: 1054 Unknown column '${column}' in 'field list'`);

// ---------------------------------------------------------------------------------------------- helpers

/** Characters Centreon strips from object names on ADD (cfg_nagios.illegal_object_name_chars). */
export const ILLEGAL_NAME_CHARS = "~!$%^&*\"|'<>?,()=";

export function stripIllegal(name: string): string {
  return [...name].filter((c) => !ILLEGAL_NAME_CHARS.includes(c)).join("");
}

/** PHP trim(): spaces, tabs, CR, LF, NUL, vertical tab. */
export function phpTrim(s: string): string {
  return s.replace(/^[ \t\n\r\0\x0B]+|[ \t\n\r\0\x0B]+$/g, "");
}

/** PHP (int) cast of a string. */
function phpInt(s: string): number {
  const m = /^[ \t\n\r\v\f]*([+-]?\d+)/.exec(s);
  return m ? Number.parseInt(m[1], 10) : 0;
}

/** PHP is_numeric(). */
function isNumeric(s: string): boolean {
  return /^[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t\n\r\v\f]*$/.test(s);
}

function htmlentities(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#039;");
}

/** Uniqueness is checked like MySQL's case-insensitive collation does; lookups use the exact name. */
const fold = (s: string | null) => (s ?? "").toLowerCase();

function versionAtLeast(state: DoubleState, v: string): boolean {
  const [a, b] = state.version.split(".").map(Number);
  const [c, d] = v.split(".").map(Number);
  return a > c || (a === c && b >= d);
}

function csvEscape(text: string): string {
  if (text.startsWith('"') || text.includes(";") || text.includes("\n")) return `"${text.replace(/"/g, '""')}"`;
  return text;
}

const E01 = ["0", "1"] as const;
const E012 = ["0", "1", "2"] as const;
type Kind = "text" | "int" | readonly string[];

/** What MySQL (strict mode) does with a value written to a column: '' becomes NULL, wrong types fail. */
function columnValue(column: string, kind: Kind | undefined, value: string): string | null {
  if (kind === undefined) throw unknownColumn(column);
  if (value === "") return null;
  if (kind === "int" && !/^\s*[+-]?\d+\s*$/.test(value)) {
    throw new DbError(`SQLSTATE[HY000]: General error: 1366 Incorrect integer value: '${value}' for column '${column}' at row 1`);
  }
  if (Array.isArray(kind) && !kind.includes(value)) {
    throw new DbError(`SQLSTATE[01000]: Warning: 1265 Data truncated for column '${column}' at row 1`);
  }
  return value;
}

const HOST_NOTIF_LETTERS = ["d", "u", "r", "f", "s", "n"];
const SERVICE_NOTIF_LETTERS = ["w", "u", "c", "r", "f", "s"];
const CONTACT_SERVICE_NOTIF_LETTERS = ["w", "u", "c", "r", "f", "s", "n"];

function checkNotifOptions(value: string, allowed: string[]): void {
  for (const letter of value.split(",")) if (!allowed.includes(letter)) throw new ClapiError(MSG.notifOptions);
}

const TIMEZONES = new Set([...Intl.supportedValuesOf("timeZone"), "UTC", "GMT"]);
const GEO_COORDS = /^[-+]?([1-8]?\d(\.\d+)?|90(\.0+)?),\s*[-+]?(180(\.0+)?|((1[0-7]\d)|([1-9]?\d))(\.\d+)?)$/;
const BCRYPT = /^\$2y\$10\$[./A-Za-z0-9]{53}$/;
const LOCALES = new Set(["de_DE.UTF-8", "en_US.UTF-8", "es_ES.UTF-8", "fr_FR.UTF-8", "pt_BR.UTF-8", "pt_PT.UTF-8"]);

function completeLanguage(lang: string): string {
  if (lang === "" || lang.toLowerCase() === "browser" || lang.slice(-6).toUpperCase() === ".UTF-8") return lang;
  return `${lang}.UTF-8`;
}

/** CentreonContact::checkLang: browser, en_US.UTF-8 (any case) or a locale directory shipped with Centreon. */
function checkLang(lang: string): string {
  const complete = completeLanguage(lang);
  if (complete === "" || complete.toLowerCase() === "en_us.utf-8" || complete.toLowerCase() === "browser" || LOCALES.has(complete)) {
    return complete;
  }
  throw new ClapiError(MSG.locale);
}

/** The default local password policy: 12+ characters, upper, lower, digit, one of @$!%*?&. */
export function passwordMeetsPolicy(password: string): boolean {
  return password.length >= 12 && /[A-Z]/.test(password) && /[a-z]/.test(password) && /[0-9]/.test(password) && /[@$!%*?&]/.test(password);
}

/** A password as Centreon would store it: an existing bcrypt hash as is, else checked against the policy. */
function storedPassword(password: string): string {
  if (BCRYPT.test(password)) return password;
  if (!passwordMeetsPolicy(password)) throw new ClapiError(MSG.password);
  return hashPassword(password);
}

const now = (s: DoubleState) => Math.floor(Date.now() / 1000) + s.clockOffsetSeconds;

/**
 * SETPARAM password on an existing contact: CentreonContact::respectPasswordPolicyOrFail with its id,
 * the characters, then the delay since the last password, then no reuse of the last three
 * (renewPasswordByContactId keeps three). A bcrypt hash skips every check, as in Centreon.
 */
function changePassword(s: DoubleState, c: ContactRow, password: string): void {
  const hash = storedPassword(password);
  if (!BCRYPT.test(password)) {
    const history = c.passwordHistory ?? [];
    const last = Math.max(...history.map((h) => h.createdAt));
    if (history.length && last + s.passwordChange.delayBeforeNewPasswordSeconds >= now(s)) throw new ClapiError(MSG.passwordDelay);
    if (!s.passwordChange.canReusePasswords && history.some((h) => h.hash === hash)) throw new ClapiError(MSG.passwordReused);
  }
  c.passwordHash = hash;
  c.passwordHistory = [...(c.passwordHistory ?? []), { hash, createdAt: now(s) }].slice(-3);
}

// ---------------------------------------------------------------------------------------------- context

interface Ctx {
  state: DoubleState;
  out: string[];
}

const print = (ctx: Ctx, text: string) => void ctx.out.push(text);

/** SHOW / GET output line: values joined with `;`, CSV-escaped from 24.10. */
function row(ctx: Ctx, values: (string | number | null | undefined)[]): string {
  const escape = versionAtLeast(ctx.state, "24.10");
  return values.map((v) => (v === null || v === undefined ? "" : escape ? csvEscape(String(v)) : String(v))).join(";") + "\n";
}

const showFilter = (value: string | null, filter: string) => fold(value).includes(fold(filter));

// ---------------------------------------------------------------------------------------------- lookups

const contactByAlias = (s: DoubleState, alias: string) => s.contacts.find((c) => c.cols.contact_alias === alias);
const commandByName = (s: DoubleState, name: string) => s.commands.find((c) => c.cols.command_name === name);
const tpByName = (s: DoubleState, name: string) => s.timeperiods.find((t) => t.cols.tp_name === name);
const cgByName = (s: DoubleState, name: string) => s.contactGroups.find((g) => g.cols.cg_name === name);
const hgByName = (s: DoubleState, name: string) => s.hostGroups.find((g) => g.cols.hg_name === name);
const hostByName = (s: DoubleState, name: string) => s.hosts.find((h) => h.cols.host_name === name);
const stplByDescription = (s: DoubleState, d: string) => s.services.find((x) => x.register === 0 && x.cols.service_description === d);
const instanceByName = (s: DoubleState, name: string) => s.instances.find((i) => i.cols.name === name);

function timeperiodId(s: DoubleState, name: string): string {
  const tp = tpByName(s, name);
  if (!tp) throw new ClapiError(`Unknown timeperiod: ${name}`);
  return String(tp.id);
}

function commandId(s: DoubleState, name: string): string {
  const cmd = commandByName(s, name);
  if (!cmd) throw notFound(name);
  return String(cmd.id);
}

function serviceOf(s: DoubleState, hostName: string, description: string): { host: HostRow; service: ServiceRow } | undefined {
  const host = s.hosts.find((h) => h.register === 1 && h.cols.host_name === hostName);
  if (!host) return undefined;
  const service = s.services.find((x) => x.register === 1 && x.hosts.includes(host.id) && x.cols.service_description === description);
  return service ? { host, service } : undefined;
}

function requireService(s: DoubleState, hostName: string, description: string) {
  const found = serviceOf(s, hostName, description);
  if (!found) throw notFound(`${hostName}/${description}`);
  return found;
}

/** Insert: Centreon_Object::insert trims every value. */
function insertCols(defaults: Columns, values: Columns): Columns {
  const cols = { ...defaults };
  for (const [k, v] of Object.entries(values)) cols[k] = v === null ? null : phpTrim(v);
  return cols;
}

// ---------------------------------------------------------------------------------------------- CONTACT, CONTACTTPL

function contactAdd(register: 0 | 1) {
  return (ctx: Ctx, v: string) => {
    const s = ctx.state;
    const p = v.split(";");
    // CONTACT: name;alias;email;password;admin;access;language;authtype[;default_page]; CONTACTTPL has no password.
    const at = register
      ? { name: 0, alias: 1, email: 2, password: 3, admin: 4, access: 5, lang: 6, auth: 7, page: 8 }
      : { name: 0, alias: 1, email: 2, password: -1, admin: 3, access: 4, lang: 5, auth: 6, page: 7 };
    if (p.length < (register ? 8 : 7)) throw new ClapiError(MSG.missing);
    const alias = p[at.alias].replaceAll(" ", "_");
    const name = stripIllegal(p[at.name]);
    const auth = p[at.auth];
    let passwordHash: string | null = null;
    if (register && (auth === "local" || s.ldapPasswordPolicy)) passwordHash = storedPassword(p[at.password]);
    const admin = p[at.admin] === "" ? "0" : p[at.admin];
    const access = p[at.access] === "" ? "1" : p[at.access];
    const lang = checkLang(p[at.lang]);
    if (auth !== "local" && auth !== "ldap") throw new ClapiError(`Invalid authtype: ${auth}`);
    const page = versionAtLeast(s, "23.04") && p.length > at.page ? p[at.page] : undefined;
    if (phpTrim(alias) === "") throw new ClapiError(MSG.missingName);
    if (s.contacts.some((c) => fold(c.cols.contact_alias) === fold(phpTrim(alias)))) throw new ClapiError(`${MSG.exists} (${alias})`);
    const cols = insertCols(contactDefaults(), {
      contact_name: name, contact_alias: alias, contact_email: p[at.email],
      contact_admin: columnValue("contact_admin", E01, phpTrim(admin)), contact_oreon: columnValue("contact_oreon", E01, phpTrim(access)),
      contact_lang: lang, contact_auth_type: auth,
      ...(page === undefined ? {} : { default_page: columnValue("default_page", "int", page) }),
    });
    const passwordHistory = passwordHash === null ? [] : [{ hash: passwordHash, createdAt: now(s) }];
    s.contacts.push({ id: allocId(s, "contact"), register, cols, passwordHash, passwordHistory, hostNotifCmds: [], svcNotifCmds: [] });
  };
}

function contactDel(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const alias = v.replaceAll(" ", "_");
  const c = contactByAlias(s, alias);
  if (!c) throw notFound(alias);
  s.contacts = s.contacts.filter((x) => x !== c);
  for (const x of s.contacts) if (x.cols.contact_template_id === String(c.id)) x.cols.contact_template_id = null;
  for (const g of s.contactGroups) g.contacts = g.contacts.filter((id) => id !== c.id);
  for (const o of [...s.hosts, ...s.services]) o.contacts = o.contacts.filter((id) => id !== c.id);
}

/** CONTACT / CONTACTTPL SETPARAM `alias;param;value`: exactly the parameters listed in clapi-facts.md. */
function contactSetParam(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const p = v.split(";");
  if (p.length < 3) throw new ClapiError(MSG.missing);
  const c = contactByAlias(s, p[0]);
  // Centreon prints params[ORDER_UNIQUENAME] = params[1] here (the parameter name, not the alias): kept as is.
  if (!c) throw notFound(p[1]);
  const [, param, value] = p;
  const set = (column: string, kind: Kind) => void (c.cols[column] = columnValue(column, kind, value));
  switch (param) {
    case "hostnotifopt":
      checkNotifOptions(value, HOST_NOTIF_LETTERS);
      return set("contact_host_notification_options", "text");
    case "servicenotifopt":
      checkNotifOptions(value, CONTACT_SERVICE_NOTIF_LETTERS);
      return set("contact_service_notification_options", "text");
    case "hostnotifperiod":
      c.cols.timeperiod_tp_id = timeperiodId(s, value);
      return;
    case "svcnotifperiod":
      c.cols.timeperiod_tp_id2 = timeperiodId(s, value);
      return;
    case "hostnotifcmd":
    case "svcnotifcmd": {
      const ids = value.split("|").map((name) => Number(commandId(s, name)));
      if (param === "hostnotifcmd") c.hostNotifCmds = ids;
      else c.svcNotifCmds = ids;
      return;
    }
    case "enable_notifications":
      return set("contact_enable_notifications", E012);
    case "template": {
      const tpl = s.contacts.find((x) => x.register === 0 && x.cols.contact_alias === value);
      if (!tpl) throw new ClapiError(`Unknown contact: ${value}`);
      c.cols.contact_template_id = String(tpl.id);
      return;
    }
    case "alias":
      if (s.contacts.some((x) => x !== c && fold(x.cols.contact_alias) === fold(value))) throw new ClapiError(MSG.nameInUse);
      return set("contact_alias", "text");
    case "email":
    case "name":
    case "comment":
    case "pager":
      return set(`contact_${param}`, "text");
    case "admin":
      return set("contact_admin", E01);
    case "activate":
      return set("contact_activate", E01);
    case "access":
      return set("contact_oreon", E01);
    case "lang":
      c.cols.contact_lang = checkLang(value) === "" ? null : checkLang(value);
      return;
    case "authtype":
      if (value !== "local" && value !== "ldap") throw new ClapiError(`Invalid authtype: ${value}`);
      return set("contact_auth_type", "text");
    case "password":
      return changePassword(s, c, value);
    case "timezone":
      if (!TIMEZONES.has(value)) throw new ClapiError(MSG.timezone);
      c.cols.contact_location = value;
      return;
    default:
      throw unknownColumn(["reach_api", "reach_api_rt", "default_page", "show_deprecated_pages"].includes(param) || param.startsWith("contact_") ? param : `contact_${param}`);
  }
}

function contactShow(register: 0 | 1) {
  return (ctx: Ctx, v: string) => {
    const filter = v.replaceAll(" ", "_");
    print(ctx, "id;name;alias;email;pager;gui access;admin;activate\n");
    for (const c of ctx.state.contacts) {
      if (c.register !== register || !showFilter(c.cols.contact_alias, filter)) continue;
      const k = c.cols;
      print(ctx, row(ctx, [c.id, k.contact_name, k.contact_alias, k.contact_email, k.contact_pager, k.contact_oreon, k.contact_admin, k.contact_activate]));
    }
  };
}

// ---------------------------------------------------------------------------------------------- CG

function cgAdd(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const p = v.split(";");
  if (p.length < 2) throw new ClapiError(MSG.missing);
  const name = phpTrim(stripIllegal(p[0]));
  if (name === "") throw new ClapiError(MSG.missingName);
  if (s.contactGroups.some((g) => fold(g.cols.cg_name) === fold(name))) throw new ClapiError(`${MSG.exists} (${stripIllegal(p[0])})`);
  s.contactGroups.push({ id: allocId(s, "cg"), cols: insertCols({ cg_comment: null }, { cg_name: name, cg_alias: p[1], cg_activate: "1" }), contacts: [] });
}

function cgDel(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const g = cgByName(s, v);
  if (!g) throw notFound(v);
  s.contactGroups = s.contactGroups.filter((x) => x !== g);
  for (const o of [...s.hosts, ...s.services]) o.contactGroups = o.contactGroups.filter((id) => id !== g.id);
}

const CG_COLS: Record<string, Kind> = { cg_name: "text", cg_alias: "text", cg_comment: "text", cg_activate: E01 };

function cgSetParam(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const p = v.split(";");
  if (p.length < 3) throw new ClapiError(MSG.missing);
  const g = cgByName(s, p[0]);
  if (!g) throw notFound(p[0]);
  const column = p[1].startsWith("cg_") || p[1] === "ar_id" ? p[1] : `cg_${p[1]}`;
  if (column === "ar_id") {
    if (p[2] !== "") throw new DbError("SQLSTATE[23000]: Integrity constraint violation: 1452 Cannot add or update a child row: a foreign key constraint fails");
    return;
  }
  const value = columnValue(column, CG_COLS[column], p[2]);
  if (column === "cg_name" && s.contactGroups.some((x) => x !== g && fold(x.cols.cg_name) === fold(p[2]))) throw new ClapiError(MSG.nameInUse);
  g.cols[column] = value;
}

function cgShow(ctx: Ctx, v: string): void {
  print(ctx, "id;name;alias\n");
  for (const g of ctx.state.contactGroups) if (showFilter(g.cols.cg_name, v)) print(ctx, row(ctx, [g.id, g.cols.cg_name, g.cols.cg_alias]));
}

function cgMagic(ctx: Ctx, action: string, v: string): void {
  const m = /^(get|set|add|del)contact$/.exec(action.toLowerCase());
  if (!m) throw new ClapiError(MSG.unknownMethod);
  const s = ctx.state;
  const args = v.split(";");
  const g = cgByName(s, args[0]);
  if (!g) throw notFound(args[0]);
  if (m[1] === "get") {
    print(ctx, "id;name\n");
    for (const id of g.contacts) print(ctx, row(ctx, [id, s.contacts.find((c) => c.id === id)?.cols.contact_alias]));
    return;
  }
  if (args[1] === undefined) throw new ClapiError(MSG.missing);
  const ids = args[1].split("|").map((alias) => {
    const c = s.contacts.find((x) => x.register === 1 && x.cols.contact_alias === alias);
    if (!c) throw notFound(alias);
    return c.id;
  });
  g.contacts = applyRelation(m[1], g.contacts, ids);
}

/** ADD skips existing links, SET replaces, DEL removes. */
function applyRelation(kind: string, current: number[], ids: number[]): number[] {
  if (kind === "del") return current.filter((id) => !ids.includes(id));
  const base = kind === "set" ? [] : [...current];
  for (const id of ids) if (!base.includes(id)) base.push(id);
  return base;
}

// ---------------------------------------------------------------------------------------------- CMD

const CMD_TYPES: Record<string, string> = { notif: "1", check: "2", misc: "3", discovery: "4", 1: "1", 2: "2", 3: "3", 4: "4" };
const CMD_TYPE_NAMES: Record<string, string> = { 1: "notif", 2: "check", 3: "misc", 4: "discovery" };

function cmdAdd(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const p = v.split(";");
  if (p.length < 3) throw new ClapiError(MSG.missing);
  const name = phpTrim(stripIllegal(p[0]));
  if (!Object.hasOwn(CMD_TYPES, p[1])) throw new ClapiError(`Unknown command type:${p[1]}`);
  if (name === "") throw new ClapiError(MSG.missingName);
  if (s.commands.some((c) => fold(c.cols.command_name) === fold(name))) throw new ClapiError(`${MSG.exists} (${stripIllegal(p[0])})`);
  s.commands.push({
    id: allocId(s, "command"),
    cols: insertCols({ command_example: null, command_comment: null, command_activate: "1", enable_shell: "0", graph_id: null, connector_id: null }, {
      command_name: name, command_type: CMD_TYPES[p[1]], command_line: p[2],
    }),
  });
}

function cmdDel(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const c = commandByName(s, v);
  if (!c) throw notFound(v);
  s.commands = s.commands.filter((x) => x !== c);
  const id = String(c.id);
  for (const x of s.contacts) {
    x.hostNotifCmds = x.hostNotifCmds.filter((i) => i !== c.id);
    x.svcNotifCmds = x.svcNotifCmds.filter((i) => i !== c.id);
  }
  for (const o of [...s.hosts, ...s.services]) {
    if (o.cols.command_command_id === id) o.cols.command_command_id = null;
    if (o.cols.command_command_id2 === id) o.cols.command_command_id2 = null;
  }
}

const CMD_COLS: Record<string, Kind> = {
  command_name: "text", command_line: "text", command_example: "text", command_comment: "text", command_activate: E01, enable_shell: E01,
};

function cmdSetParam(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const p = v.split(";");
  if (p.length < 3) throw new ClapiError(MSG.missing);
  const c = commandByName(s, p[0]);
  if (!c) throw notFound(p[0]);
  let column = p[1];
  if (!column.startsWith("command_")) column = column === "graph" ? "graph_id" : ["enable_shell", "connector_id"].includes(column) ? column : `command_${column}`;
  if (column === "command_type") {
    if (!Object.hasOwn(CMD_TYPES, p[2])) throw new ClapiError(`Unknown command type:${p[2]}`);
    c.cols.command_type = CMD_TYPES[p[2]];
    return;
  }
  if (column === "graph_id") throw notFound(p[2]); // the double has no graph templates
  if (column === "connector_id") {
    if (p[2] !== "") throw new DbError("SQLSTATE[23000]: Integrity constraint violation: 1452 Cannot add or update a child row: a foreign key constraint fails");
    c.cols.connector_id = null;
    return;
  }
  const value = columnValue(column, CMD_COLS[column], p[2]);
  if (column === "command_name" && s.commands.some((x) => x !== c && fold(x.cols.command_name) === fold(p[2]))) throw new ClapiError(MSG.nameInUse);
  c.cols[column] = value;
}

function cmdShow(ctx: Ctx, v: string): void {
  print(ctx, "id;name;type;line\n");
  for (const c of ctx.state.commands) {
    if (!showFilter(c.cols.command_name, v)) continue;
    print(ctx, row(ctx, [c.id, c.cols.command_name, CMD_TYPE_NAMES[c.cols.command_type ?? ""] ?? "", c.cols.command_line]));
  }
}

// ---------------------------------------------------------------------------------------------- TP

const DAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

function tpAdd(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const p = v.split(";");
  if (p.length < 2) throw new ClapiError(MSG.missing);
  const name = phpTrim(stripIllegal(p[0]));
  if (name === "") throw new ClapiError(MSG.missingName);
  if (s.timeperiods.some((t) => fold(t.cols.tp_name) === fold(name))) throw new ClapiError(`${MSG.exists} (${stripIllegal(p[0])})`);
  const days = Object.fromEntries(DAYS.map((d) => [`tp_${d}`, ""]));
  s.timeperiods.push({ id: allocId(s, "timeperiod"), cols: insertCols(days, { tp_name: name, tp_alias: p[1] }), include: [], exclude: [] });
}

function tpDel(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const t = tpByName(s, v);
  if (!t) throw notFound(v);
  s.timeperiods = s.timeperiods.filter((x) => x !== t);
  const id = String(t.id);
  for (const x of s.timeperiods) {
    x.include = x.include.filter((i) => i !== t.id);
    x.exclude = x.exclude.filter((i) => i !== t.id);
  }
  for (const o of [...s.contacts, ...s.hosts, ...s.services]) {
    if (o.cols.timeperiod_tp_id === id) o.cols.timeperiod_tp_id = null;
    if (o.cols.timeperiod_tp_id2 === id) o.cols.timeperiod_tp_id2 = null;
  }
}

// The timeperiod table has no comment column: `comment` fails like any unknown column.
const TP_COLS: Record<string, Kind> = { tp_name: "text", tp_alias: "text", ...Object.fromEntries(DAYS.map((d) => [`tp_${d}`, "text" as Kind])) };

function tpSetParam(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const p = v.split(";");
  if (p.length < 3) throw new ClapiError(MSG.missing);
  const t = tpByName(s, p[0]);
  if (!t) throw notFound(p[0]);
  const relation = p[1];
  if (relation === "include" || relation === "exclude") {
    t[relation] = p[2].split("|").map((name) => Number(timeperiodId(s, phpTrim(name))));
    return;
  }
  const column = p[1].startsWith("tp_") ? p[1] : `tp_${p[1]}`;
  const value = columnValue(column, TP_COLS[column], p[2]);
  if (column === "tp_name" && s.timeperiods.some((x) => x !== t && fold(x.cols.tp_name) === fold(p[2]))) throw new ClapiError(MSG.nameInUse);
  t.cols[column] = value;
}

function tpShow(ctx: Ctx, v: string): void {
  print(ctx, "id;name;alias;sunday;monday;tuesday;wednesday;thursday;friday;saturday\n");
  for (const t of ctx.state.timeperiods) {
    if (showFilter(t.cols.tp_name, v)) print(ctx, row(ctx, [t.id, t.cols.tp_name, t.cols.tp_alias, ...DAYS.map((d) => t.cols[`tp_${d}`])]));
  }
}

// ---------------------------------------------------------------------------------------------- HG

function hgAdd(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const p = v.split(";");
  if (p.length < 2) throw new ClapiError(MSG.missing);
  const name = phpTrim(stripIllegal(p[0]));
  if (name === "") throw new ClapiError(MSG.missingName);
  if (s.hostGroups.some((g) => fold(g.cols.hg_name) === fold(name))) throw new ClapiError(`${MSG.exists} (${stripIllegal(p[0])})`);
  s.hostGroups.push({ id: allocId(s, "hg"), cols: insertCols({ hg_comment: null, hg_notes: null, hg_notes_url: null, hg_action_url: null }, { hg_name: name, hg_alias: p[1], hg_activate: "1" }) });
}

function hgDel(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const g = hgByName(s, v);
  if (!g) throw notFound(v);
  s.hostGroups = s.hostGroups.filter((x) => x !== g);
  for (const h of s.hosts) h.hostGroups = h.hostGroups.filter((id) => id !== g.id);
}

const HG_COLS: Record<string, Kind> = { hg_name: "text", hg_alias: "text", hg_comment: "text", hg_activate: E01, hg_notes: "text", hg_notes_url: "text", hg_action_url: "text" };

function hgSetParam(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const p = v.split(";");
  if (p.length < 3) throw new ClapiError(MSG.missing);
  const g = hgByName(s, p[0]);
  if (!g) throw notFound(p[0]);
  const column = p[1].startsWith("hg_") ? p[1] : `hg_${p[1]}`;
  const value = columnValue(column, HG_COLS[column], p[2]);
  if (column === "hg_name" && s.hostGroups.some((x) => x !== g && fold(x.cols.hg_name) === fold(p[2]))) throw new ClapiError(MSG.nameInUse);
  g.cols[column] = value;
}

function hgShow(ctx: Ctx, v: string): void {
  print(ctx, "id;name;alias\n");
  for (const g of ctx.state.hostGroups) if (showFilter(g.cols.hg_name, v)) print(ctx, row(ctx, [g.id, g.cols.hg_name, g.cols.hg_alias]));
}

function hgMagic(ctx: Ctx, action: string, v: string): void {
  const m = /^(get|set|add|del)member$/.exec(action.toLowerCase());
  if (!m) throw new ClapiError(MSG.unknownMethod);
  const s = ctx.state;
  const args = v.split(";");
  const g = hgByName(s, args[0]);
  if (!g) throw notFound(args[0]);
  if (m[1] === "get") {
    print(ctx, "id;name\n");
    for (const h of s.hosts) if (h.hostGroups.includes(g.id)) print(ctx, row(ctx, [h.id, h.cols.host_name]));
    return;
  }
  if (args[1] === undefined) throw new ClapiError(MSG.missing);
  const hosts = args[1].split("|").map((name) => {
    const h = s.hosts.find((x) => x.register === 1 && x.cols.host_name === name);
    if (!h) throw notFound(name);
    return h;
  });
  if (m[1] === "set") for (const h of s.hosts) h.hostGroups = h.hostGroups.filter((id) => id !== g.id);
  for (const h of hosts) h.hostGroups = applyRelation(m[1] === "del" ? "del" : "add", h.hostGroups, [g.id]);
}

// ---------------------------------------------------------------------------------------------- HOST, HTPL

function hostAdd(register: 0 | 1) {
  return (ctx: Ctx, v: string) => {
    const s = ctx.state;
    const p = v.split(";");
    if (p.length < 6) throw new ClapiError(MSG.missing);
    const rawName = stripIllegal(p[0]);
    const templates = p[3].split("|").filter((t) => t !== "").map((t) => {
      const tpl = s.hosts.find((h) => h.register === 0 && h.cols.host_name === t);
      if (!tpl) throw notFound(t);
      return tpl.id;
    });
    let instance: InstanceRow | undefined;
    if (register === 1) {
      if (p[4] === "") throw new ClapiError("Instance name is mandatory");
      // An unknown poller silently falls back to the default poller.
      instance = instanceByName(s, p[4]) ?? s.instances.find((i) => i.isDefault);
      if (!instance) throw new ClapiError(`${MSG.notFound} :${p[4]}`);
    }
    const hostGroups = p[5].split("|").filter((g) => g !== "").map((name) => {
      const g = hgByName(s, name);
      if (!g) throw notFound(name);
      return g.id;
    });
    const name = phpTrim(rawName);
    if (name === "") throw new ClapiError(MSG.missingName);
    if (s.hosts.some((h) => fold(h.cols.host_name) === fold(name))) throw new ClapiError(`${MSG.exists} (${rawName})`);
    const cols = insertCols(hostDefaults(register), { host_name: name, host_alias: p[1], host_address: p[2] });
    s.hosts.push({
      id: allocId(s, "host"), register, cols, templates, hostGroups, contacts: [], contactGroups: [],
      instance: instance ? instance.id : null, macros: [],
    });
  };
}

function requireHost(s: DoubleState, name: string): HostRow {
  const h = hostByName(s, name);
  if (!h) throw notFound(name);
  return h;
}

function hostDel(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const h = requireHost(s, v);
  s.hosts = s.hosts.filter((x) => x !== h);
  for (const x of s.hosts) x.templates = x.templates.filter((id) => id !== h.id);
  for (const x of s.services) x.hosts = x.hosts.filter((id) => id !== h.id);
  // "DELETE FROM service WHERE service_register = '1' AND service_id NOT IN (SELECT ... host_service_relation)"
  s.services = s.services.filter((x) => x.register === 0 || x.hosts.length > 0);
}

const HOST_COLS: Record<string, Kind> = {
  host_name: "text", host_alias: "text", host_address: "text", host_comment: "text", host_activate: E01,
  host_max_check_attempts: "int", host_check_interval: "int", host_retry_check_interval: "int",
  host_active_checks_enabled: E012, host_passive_checks_enabled: E012, host_checks_enabled: E012, host_obsess_over_host: E012,
  host_check_freshness: E012, host_freshness_threshold: "int", host_event_handler_enabled: E012,
  host_low_flap_threshold: "int", host_high_flap_threshold: "int", host_flap_detection_enabled: E012,
  host_process_perf_data: E012, host_retain_status_information: E012, host_retain_nonstatus_information: E012,
  host_notification_interval: "int", host_notifications_enabled: E012, host_first_notification_delay: "int",
  host_recovery_notification_delay: "int", host_stalking_options: "text", host_snmp_community: "text", host_snmp_version: "text",
  host_acknowledgement_timeout: "int", contact_additive_inheritance: E01, cg_additive_inheritance: E01,
  command_command_id_arg1: "text", command_command_id_arg2: "text",
  ehi_notes: "text", ehi_notes_url: "text", ehi_action_url: "text", ehi_icon_image_alt: "text", ehi_2d_coords: "text", ehi_3d_coords: "text",
};

function hostSetParam(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const p = v.split(";");
  if (p.length < 3) throw new ClapiError(MSG.missing);
  const h = requireHost(s, p[0]);
  const [, param, value] = p;
  switch (param) {
    case "check_command":
      h.cols.command_command_id = commandId(s, value);
      return;
    case "event_handler":
      h.cols.command_command_id2 = commandId(s, value);
      return;
    case "check_period":
      h.cols.timeperiod_tp_id = timeperiodId(s, value);
      return;
    case "notification_period":
      h.cols.timeperiod_tp_id2 = timeperiodId(s, value);
      return;
    case "check_command_arguments":
      h.cols.command_command_id_arg1 = columnValue("command_command_id_arg1", "text", value);
      return;
    case "event_handler_arguments":
      h.cols.command_command_id_arg2 = columnValue("command_command_id_arg2", "text", value);
      return;
    case "geo_coords":
      if (!GEO_COORDS.test(value)) throw new ClapiError("Invalid geo coords");
      h.cols.geo_coords = value;
      return;
    case "timezone":
      if (!TIMEZONES.has(value)) throw new ClapiError(MSG.timezone);
      h.cols.host_location = value;
      return;
    case "icon_image":
    case "statusmap_image":
      if (value !== "") throw notFound(value); // the double has no images
      h.cols[`ehi_${param}`] = null;
      return;
    case "host_notification_options":
    case "notification_options":
      checkNotifOptions(value, HOST_NOTIF_LETTERS);
      h.cols.host_notification_options = value;
      return;
  }
  const extended = ["notes", "notes_url", "action_url", "icon_image_alt", "2d_coords", "3d_coords"].includes(param);
  const column = extended ? `ehi_${param}` : ["contact_additive_inheritance", "cg_additive_inheritance"].includes(param) || param.startsWith("host_") ? param : `host_${param}`;
  const stored = columnValue(column, HOST_COLS[column], value);
  if (column === "host_name" && s.hosts.some((x) => x !== h && fold(x.cols.host_name) === fold(value))) throw new ClapiError(MSG.nameInUse);
  h.cols[column] = stored;
}

/** `$_HOST` + upper-cased name + `$`, exactly as CentreonHost::wrapMacro: `$_HOSTX$` becomes `$_HOST$_HOSTX$$`. */
export const wrapHostMacro = (name: string) => `$_HOST${name.toUpperCase()}$`;
/** `$_SERVICE` + upper-cased name + `$` (CentreonService / CentreonServiceTemplate::wrapMacro). */
export const wrapServiceMacro = (name: string) => `$_SERVICE${name.toUpperCase()}$`;

function putMacro(macros: Macro[], name: string, value: string, isPassword: number, description: string | null): void {
  const existing = macros.find((m) => fold(m.name) === fold(name));
  if (existing) {
    Object.assign(existing, { value, isPassword, description });
    return;
  }
  const order = macros.length ? Math.max(...macros.map((m) => m.order)) + 1 : 0;
  macros.push({ name, value: phpTrim(value), isPassword, description: description === null ? null : phpTrim(description), order });
}

function hostSetMacro(ctx: Ctx, v: string): void {
  const p = v.split(";");
  if (p.length === 3) p[3] = "0";
  const h = requireHost(ctx.state, p[0]);
  if (p.length < 3) throw new ClapiError(MSG.missing);
  const description = p[4] ?? "";
  putMacro(h.macros, wrapHostMacro(p[1]), p[2], p[3] === "" ? 0 : phpInt(p[3]), description === "" || description === "''" ? null : description);
  audit(ctx, p[0], p[1], p[2]);
}

/** CentreonObject::addAuditLog after a SETMACRO: the value as given, whatever is_password says. */
function audit(ctx: Ctx, object: string, macro: string, value: string): void {
  ctx.state.macroAudit.push({ object, macro, value });
}

function hostDelMacro(ctx: Ctx, v: string): void {
  const p = v.split(";");
  const h = requireHost(ctx.state, p[0]);
  if (p.length < 2) throw new ClapiError(MSG.missing);
  const name = wrapHostMacro(p[1]);
  h.macros = h.macros.filter((m) => fold(m.name) !== fold(name));
}

function hostGetMacro(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const h = requireHost(s, v);
  print(ctx, "macro name;macro value;is_password;description;source\n");
  const seen = new Set(h.macros.map((m) => fold(m.name)));
  const inherited: [Macro, string][] = [];
  const walk = (host: HostRow, visited: Set<number>) => {
    for (const id of host.templates) {
      const tpl = s.hosts.find((x) => x.id === id);
      if (!tpl || visited.has(id)) continue;
      visited.add(id);
      for (const m of tpl.macros) {
        if (seen.has(fold(m.name))) continue;
        seen.add(fold(m.name));
        inherited.push([m, tpl.cols.host_name ?? ""]);
      }
      walk(tpl, visited);
    }
  };
  walk(h, new Set([h.id]));
  for (const [m, source] of inherited) print(ctx, row(ctx, [m.name, m.value, m.isPassword, m.description, source]));
  for (const m of h.macros) print(ctx, row(ctx, [m.name, m.value, m.isPassword, m.description, "direct"]));
}

/** CentreonHost::deployServices: for each host template (recursively), a service per linked service template, named after its alias. */
function deployServices(s: DoubleState, host: HostRow, owner: HostRow, visited: Set<number>): void {
  for (const tplId of owner.templates) {
    if (visited.has(tplId)) continue;
    visited.add(tplId);
    for (const stpl of s.services.filter((x) => x.register === 0 && x.hosts.includes(tplId))) {
      const description = stpl.cols.service_alias;
      const exists = s.services.some((x) => x.register === 1 && x.hosts.includes(host.id) && x.cols.service_description === description);
      if (exists) continue;
      const cols = { ...serviceDefaults(1), service_description: description, service_template_model_stm_id: String(stpl.id) };
      s.services.push({ id: allocId(s, "service"), register: 1, cols, hosts: [host.id], contacts: [], contactGroups: [], macros: [] });
    }
    const tpl = s.hosts.find((x) => x.id === tplId);
    if (tpl) deployServices(s, host, tpl, visited);
  }
}

function hostApplyTpl(register: 0 | 1) {
  return (ctx: Ctx, v: string) => {
    if (register === 0) throw new ClapiError(MSG.unknownMethod);
    const h = requireHost(ctx.state, v);
    deployServices(ctx.state, h, h, new Set());
  };
}

function hostSetInstance(register: 0 | 1) {
  return (ctx: Ctx, v: string) => {
    if (register === 0) throw new ClapiError(MSG.unknownMethod);
    const s = ctx.state;
    const p = v.split(";");
    if (p.length < 2) throw new ClapiError(MSG.missing);
    const instance = instanceByName(s, p[1]);
    if (!instance) throw notFound(p[1]);
    const h = s.hosts.find((x) => x.register === 1 && x.cols.host_name === p[0]);
    if (!h) throw notFound(p[0]);
    h.instance = instance.id;
  };
}

function hostShow(register: 0 | 1) {
  return (ctx: Ctx, v: string) => {
    print(ctx, "id;name;alias;address;activate\n");
    for (const h of ctx.state.hosts) {
      if (h.register !== register || !showFilter(h.cols.host_name, v)) continue;
      print(ctx, row(ctx, [h.id, h.cols.host_name, h.cols.host_alias, h.cols.host_address, h.cols.host_activate]));
    }
  };
}

/** CentreonHost::__call: (get|set|add|del)(contact|contactgroup|hostgroup|template). */
function hostMagic(ctx: Ctx, action: string, v: string): void {
  const m = /^(get|set|add|del)([a-zA-Z_]+)$/.exec(action.toLowerCase());
  if (!m || !["contact", "contactgroup", "hostgroup", "template"].includes(m[2])) throw new ClapiError(MSG.unknownMethod);
  const s = ctx.state;
  const [kind, entity] = [m[1], m[2]];
  const args = v.split(";");
  const h = requireHost(s, args[0]);
  const fields = { contact: "contacts", contactgroup: "contactGroups", hostgroup: "hostGroups", template: "templates" } as const;
  const field = fields[entity as keyof typeof fields];
  const nameOf = (id: number): string | null | undefined => {
    if (entity === "contact") return s.contacts.find((c) => c.id === id)?.cols.contact_alias;
    if (entity === "contactgroup") return s.contactGroups.find((g) => g.id === id)?.cols.cg_name;
    if (entity === "hostgroup") return s.hostGroups.find((g) => g.id === id)?.cols.hg_name;
    return s.hosts.find((x) => x.id === id)?.cols.host_name;
  };
  if (kind === "get") {
    print(ctx, "id;name\n");
    for (const id of h[field]) print(ctx, row(ctx, [id, nameOf(id)]));
    return;
  }
  if (args[1] === undefined) throw new ClapiError(MSG.missing);
  const ids = args[1].split("|").map((name) => {
    const target =
      entity === "contact" ? s.contacts.find((c) => c.register === 1 && c.cols.contact_alias === name)
      : entity === "contactgroup" ? cgByName(s, name)
      : entity === "hostgroup" ? hgByName(s, name)
      : s.hosts.find((x) => x.register === 0 && x.cols.host_name === name && x !== h);
    if (!target) throw notFound(name);
    return target.id;
  });
  h[field] = applyRelation(kind, h[field], ids);
}

// ---------------------------------------------------------------------------------------------- SERVICE, STPL

const SERVICE_COLS: Record<string, Kind> = {
  service_description: "text", service_alias: "text", service_comment: "text", service_activate: E01, service_is_volatile: E012,
  service_max_check_attempts: "int", service_normal_check_interval: "int", service_retry_check_interval: "int",
  service_active_checks_enabled: E012, service_passive_checks_enabled: E012, service_parallelize_check: E012,
  service_obsess_over_service: E012, service_check_freshness: E012, service_freshness_threshold: "int",
  service_event_handler_enabled: E012, service_low_flap_threshold: "int", service_high_flap_threshold: "int",
  service_flap_detection_enabled: E012, service_process_perf_data: E012, service_retain_status_information: E012,
  service_retain_nonstatus_information: E012, service_notification_interval: "int", service_notifications_enabled: E012,
  service_first_notification_delay: "int", service_recovery_notification_delay: "int", service_stalking_options: "text",
  service_acknowledgement_timeout: "int", contact_additive_inheritance: E01, cg_additive_inheritance: E01,
  esi_notes: "text", esi_notes_url: "text", esi_action_url: "text", esi_icon_image_alt: "text",
};

/** SETPARAM of a service or service template; `onRename` checks the new description. */
function serviceSetParam(s: DoubleState, svc: ServiceRow, param: string, value: string, onRename: (description: string) => void): void {
  switch (param) {
    case "check_command":
      svc.cols.command_command_id = commandId(s, value);
      return;
    case "event_handler":
      svc.cols.command_command_id2 = commandId(s, value);
      return;
    case "check_command_arguments":
      svc.cols.command_command_id_arg = columnValue("command_command_id_arg", "text", value);
      return;
    case "event_handler_arguments":
      svc.cols.command_command_id_arg2 = columnValue("command_command_id_arg2", "text", value);
      return;
    case "check_period":
      svc.cols.timeperiod_tp_id = timeperiodId(s, value);
      return;
    case "notification_period":
      svc.cols.timeperiod_tp_id2 = timeperiodId(s, value);
      return;
    case "template": {
      const tpl = stplByDescription(s, value);
      if (!tpl) throw notFound(value);
      svc.cols.service_template_model_stm_id = String(tpl.id);
      return;
    }
    case "graphtemplate":
      throw notFound(value); // the double has no graph templates
    case "icon_image":
      if (value !== "") throw notFound(value); // the double has no images
      svc.cols.esi_icon_image = null;
      return;
    case "geo_coords":
      if (!GEO_COORDS.test(value)) throw new ClapiError("Invalid geo coords");
      svc.cols.geo_coords = value;
      return;
    case "service_notification_options":
    case "notification_options":
      checkNotifOptions(value, SERVICE_NOTIF_LETTERS);
      svc.cols.service_notification_options = value;
      return;
  }
  const extended = ["notes", "notes_url", "action_url", "icon_image_alt"].includes(param);
  const column = extended ? `esi_${param}` : ["contact_additive_inheritance", "cg_additive_inheritance"].includes(param) || param.startsWith("service_") ? param : `service_${param}`;
  const stored = columnValue(column, SERVICE_COLS[column], value);
  if (column === "service_description") onRename(value);
  svc.cols[column] = stored;
}

function serviceAdd(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const p = v.split(";");
  if (p.length < 3) throw new ClapiError(MSG.missing);
  // Real CLAPI checks the description as given, before stripping (a quirk kept as is).
  if (serviceOf(s, p[0], p[1])) throw new ClapiError(MSG.exists);
  const host = s.hosts.find((h) => h.register === 1 && h.cols.host_name === p[0]);
  if (!host) throw notFound(p[0]);
  const description = phpTrim(stripIllegal(p[1]));
  const tpl = stplByDescription(s, p[2]);
  if (!tpl) throw notFound(p[2]);
  if (description === "") throw new ClapiError(MSG.missingName);
  const cols = insertCols(serviceDefaults(1), { service_description: description, service_template_model_stm_id: String(tpl.id) });
  s.services.push({ id: allocId(s, "service"), register: 1, cols, hosts: [host.id], contacts: [], contactGroups: [], macros: [] });
}

function serviceDel(ctx: Ctx, v: string): void {
  const p = v.split(";");
  if (p.length < 2) throw new ClapiError(MSG.missing);
  const { service } = requireService(ctx.state, p[0], p[1]);
  ctx.state.services = ctx.state.services.filter((x) => x !== service);
}

function serviceSetParamAction(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const p = v.split(";");
  if (p.length < 4) throw new ClapiError(MSG.missing);
  const { service } = requireService(s, p[0], p[1]);
  serviceSetParam(s, service, p[2], p[3], (description) => {
    if (serviceOf(s, p[0], description)) throw new ClapiError(MSG.exists);
  });
}

function serviceSetMacro(ctx: Ctx, v: string): void {
  const p = v.split(";");
  if (p.length === 4) p[4] = "0";
  if (p.length < 4) throw new ClapiError(MSG.missing);
  const { service } = requireService(ctx.state, p[0], p[1]);
  putMacro(service.macros, wrapServiceMacro(p[2]), p[3], p[4] === "" ? 0 : phpInt(p[4]), p[5] ?? "");
  audit(ctx, `${p[0]};${p[1]}`, p[2], p[3]);
}

function serviceDelMacro(ctx: Ctx, v: string): void {
  const p = v.split(";");
  if (p.length < 3) throw new ClapiError(MSG.missing);
  const { service } = requireService(ctx.state, p[0], p[1]);
  const name = wrapServiceMacro(p[2]);
  service.macros = service.macros.filter((m) => fold(m.name) !== fold(name));
}

function serviceTemplateChain(s: DoubleState, svc: ServiceRow): ServiceRow[] {
  const chain: ServiceRow[] = [];
  let id = svc.cols.service_template_model_stm_id;
  while (id !== null && id !== undefined) {
    const tpl = s.services.find((x) => String(x.id) === id);
    if (!tpl || chain.includes(tpl)) break;
    chain.push(tpl);
    id = tpl.cols.service_template_model_stm_id;
  }
  return chain;
}

function serviceGetMacro(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const p = v.split(";");
  if (p.length < 2) throw new ClapiError(MSG.missing);
  const { service } = requireService(s, p[0], p[1]);
  print(ctx, "macro name;macro value;is_password;description;source\n");
  const seen = new Set(service.macros.map((m) => fold(m.name)));
  for (const tpl of serviceTemplateChain(s, service)) {
    for (const m of tpl.macros) {
      if (seen.has(fold(m.name))) continue;
      seen.add(fold(m.name));
      print(ctx, row(ctx, [m.name, m.value, m.isPassword, m.description, tpl.cols.service_description]));
    }
  }
  for (const m of service.macros) print(ctx, row(ctx, [m.name, m.value, m.isPassword, m.description, "direct"]));
}

const SERVICE_SHOW_HEADER = "check command;check command arg;normal check interval;retry check interval;max check attempts;active checks enabled;passive checks enabled";

function serviceShow(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const p = v.split(";");
  print(ctx, `host id;host name;id;description;${SERVICE_SHOW_HEADER};activate\n`);
  const rows: [HostRow, ServiceRow][] = [];
  for (const svc of s.services) {
    if (svc.register !== 1) continue;
    for (const hostId of svc.hosts) {
      const h = s.hosts.find((x) => x.id === hostId);
      if (!h) continue;
      const match = p.length === 2 ? showFilter(h.cols.host_name, p[0]) && showFilter(svc.cols.service_description, p[1]) : showFilter(svc.cols.service_description, v);
      if (match) rows.push([h, svc]);
    }
  }
  rows.sort(([ha, sa], [hb, sb]) => (ha.cols.host_name ?? "").localeCompare(hb.cols.host_name ?? "") || (sa.cols.service_description ?? "").localeCompare(sb.cols.service_description ?? ""));
  for (const [h, svc] of rows) {
    const k = svc.cols;
    print(ctx, row(ctx, [h.id, h.cols.host_name, svc.id, k.service_description, cmdName(s, k.command_command_id), k.command_command_id_arg,
      k.service_normal_check_interval, k.service_retry_check_interval, k.service_max_check_attempts,
      k.service_active_checks_enabled, k.service_passive_checks_enabled, k.service_activate]));
  }
}

const cmdName = (s: DoubleState, id: string | null) => (id ? s.commands.find((c) => String(c.id) === id)?.cols.command_name ?? id : id);

/** CentreonService::__call: (get|set|add|del)(contact|contactgroup) with `host;service;a|b`. */
function serviceMagic(ctx: Ctx, action: string, v: string): void {
  const m = /^(get|set|add|del)([a-zA-Z_]+)$/.exec(action.toLowerCase());
  if (!m || !["contact", "contactgroup"].includes(m[2])) throw new ClapiError(MSG.unknownMethod);
  if (v === "") throw new ClapiError(MSG.missing);
  const s = ctx.state;
  const args = v.split(";");
  const { service } = requireService(s, args[0], args[1] ?? "");
  relationOnService(ctx, service, m[1], m[2], args[2], false);
}

function relationOnService(ctx: Ctx, svc: ServiceRow, kind: string, entity: string, list: string | undefined, failIfLinked: boolean): void {
  const s = ctx.state;
  const field = entity === "contact" ? "contacts" : "contactGroups";
  if (kind === "get") {
    print(ctx, "id;name\n");
    for (const id of svc[field]) {
      const name = entity === "contact" ? s.contacts.find((c) => c.id === id)?.cols.contact_alias : s.contactGroups.find((g) => g.id === id)?.cols.cg_name;
      print(ctx, row(ctx, [id, name]));
    }
    return;
  }
  if (list === undefined) throw new ClapiError(MSG.missing);
  const ids = list.split("|").map((name) => {
    const target = entity === "contact" ? s.contacts.find((c) => c.register === 1 && c.cols.contact_alias === name) : cgByName(s, name);
    if (!target) throw notFound(name);
    return target.id;
  });
  if (failIfLinked && kind !== "del") {
    const existing = kind === "set" ? [] : svc[field];
    if (ids.some((id) => existing.includes(id))) throw new ClapiError(MSG.exists);
  }
  svc[field] = applyRelation(kind, svc[field], ids);
}

function stplAdd(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const p = v.split(";");
  if (p.length < 3) throw new ClapiError(MSG.missing);
  if (stplByDescription(s, p[0])) throw new ClapiError(MSG.exists);
  const description = phpTrim(stripIllegal(p[0]));
  let parent: ServiceRow | undefined;
  if (p[2] !== "") {
    parent = stplByDescription(s, p[2]);
    if (!parent) throw notFound(p[2]);
  }
  if (description === "") throw new ClapiError(MSG.missingName);
  const cols = insertCols(serviceDefaults(0), {
    service_description: description, service_alias: p[1], service_template_model_stm_id: parent ? String(parent.id) : null,
  });
  s.services.push({ id: allocId(s, "service"), register: 0, cols, hosts: [], contacts: [], contactGroups: [], macros: [] });
}

function requireStpl(s: DoubleState, description: string): ServiceRow {
  const t = stplByDescription(s, description);
  if (!t) throw notFound(description);
  return t;
}

function stplDel(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const t = requireStpl(s, v);
  s.services = s.services.filter((x) => x !== t);
  for (const x of s.services) if (x.cols.service_template_model_stm_id === String(t.id)) x.cols.service_template_model_stm_id = null;
}

function stplSetParam(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const p = v.split(";");
  if (p.length < 3) throw new ClapiError(MSG.missing);
  const t = requireStpl(s, p[0]);
  serviceSetParam(s, t, p[1], p[2], (description) => {
    // CentreonObject::setparam: the unique label, over the whole service table.
    if (s.services.some((x) => x !== t && fold(x.cols.service_description) === fold(description))) throw new ClapiError(MSG.nameInUse);
  });
}

function phpEmpty(x: string | undefined): boolean {
  return x === undefined || x === "" || x === "0";
}

/** `stpl;NAME;value[;description[;is_password]]`: description BEFORE is_password. */
function stplSetMacro(ctx: Ctx, v: string): void {
  const p = v.split(";");
  if (p.length < 3) throw new ClapiError(MSG.missing);
  const t = requireStpl(ctx.state, p[0]);
  putMacro(t.macros, wrapServiceMacro(p[1]), p[2], phpEmpty(p[4]) ? 0 : phpInt(p[4]), p[3] ?? "");
  audit(ctx, p[0], p[1], p[2]);
}

function stplDelMacro(ctx: Ctx, v: string): void {
  const p = v.split(";");
  if (p.length < 2) throw new ClapiError(MSG.missing);
  const t = requireStpl(ctx.state, p[0]);
  const name = wrapServiceMacro(p[1]);
  t.macros = t.macros.filter((m) => fold(m.name) !== fold(name));
}

function stplGetMacro(ctx: Ctx, v: string): void {
  const t = requireStpl(ctx.state, v);
  print(ctx, "macro name;macro value;description;is_password\n");
  for (const m of t.macros) {
    const bare = /\$_SERVICE([a-zA-Z0-9_-]+)\$/.exec(m.name)?.[1] ?? m.name;
    print(ctx, row(ctx, [bare, m.value, m.description, m.isPassword]));
  }
}

function stplShow(ctx: Ctx, v: string): void {
  const s = ctx.state;
  print(ctx, `id;description;alias;${SERVICE_SHOW_HEADER}\n`);
  for (const t of s.services) {
    if (t.register !== 0 || !showFilter(t.cols.service_description, v)) continue;
    const k = t.cols;
    print(ctx, row(ctx, [t.id, k.service_description, k.service_alias, cmdName(s, k.command_command_id), k.command_command_id_arg,
      k.service_normal_check_interval, k.service_retry_check_interval, k.service_max_check_attempts,
      k.service_active_checks_enabled, k.service_passive_checks_enabled]));
  }
}

/** CentreonServiceTemplate::__call: (get|set|add|del)(hosttemplate|contact|contactgroup); ADD/SET of a linked target fails. */
function stplMagic(ctx: Ctx, action: string, v: string): void {
  const m = /^(get|set|add|del)([a-zA-Z_]+)$/.exec(action.toLowerCase());
  if (!m || !["hosttemplate", "contact", "contactgroup"].includes(m[2])) throw new ClapiError(MSG.unknownMethod);
  if (v === "") throw new ClapiError(MSG.missing);
  const s = ctx.state;
  const args = v.split(";");
  const t = requireStpl(s, args[0]);
  if (m[2] !== "hosttemplate") return relationOnService(ctx, t, m[1], m[2], args[1], true);
  if (m[1] === "get") {
    print(ctx, "id;name\n");
    for (const id of t.hosts) print(ctx, row(ctx, [id, s.hosts.find((h) => h.id === id)?.cols.host_name]));
    return;
  }
  if (args[1] === undefined) throw new ClapiError(MSG.missing);
  const ids = args[1].split("|").map((name) => {
    const h = s.hosts.find((x) => x.register === 0 && x.cols.host_name === name);
    if (!h) throw notFound(name);
    return h.id;
  });
  if (m[1] !== "del") {
    const existing = m[1] === "set" ? [] : t.hosts;
    if (ids.some((id) => existing.includes(id))) throw new ClapiError(MSG.exists);
  }
  t.hosts = applyRelation(m[1], t.hosts, ids);
}

// ---------------------------------------------------------------------------------------------- INSTANCE

function isHostnameOrIp(address: string): boolean {
  const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
  const ipv6 = /^[0-9a-fA-F:]+(:(\d{1,3}\.){3}\d{1,3})?$/;
  const hostname = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$/;
  return ipv4.test(address) || (address.includes(":") && ipv6.test(address)) || hostname.test(address);
}

function instanceAdd(ctx: Ctx, v: string): void {
  const s = ctx.state;
  const p = v.split(";");
  if (p.length < 5) throw new ClapiError(MSG.missing);
  let protocol = p[3];
  if (isNumeric(protocol)) protocol = ({ "1": "ZMQ", "2": "SSH" } as Record<string, string>)[phpTrim(protocol)] ?? "";
  const type = ({ ZMQ: "1", SSH: "2" } as Record<string, string>)[protocol.toUpperCase()];
  if (!type) throw new ClapiError("Incorrect connection protocol");
  if (!isNumeric(p[4]) || !isNumeric(p[2])) throw new ClapiError("Incorrect port parameters");
  if (!isHostnameOrIp(p[1])) throw new ClapiError("Invalid IP address format");
  const name = phpTrim(p[0]);
  if (name === "") throw new ClapiError(MSG.missingName);
  if (s.instances.some((i) => fold(i.cols.name) === fold(name))) throw new ClapiError(`${MSG.exists} (${p[0]})`);
  const localhost = p[1] === "127.0.0.1" || p[1].toLowerCase() === "localhost";
  const cols = insertCols(instanceDefaults(name, p[1], localhost), { ssh_port: p[2], gorgone_communication_type: type, gorgone_port: p[4] });
  s.instances.push({ id: allocId(s, "instance"), cols, isDefault: false });
}

function instanceShow(ctx: Ctx, v: string): void {
  print(ctx, "id;name;localhost;ip address;activate;status;engine restart command;engine reload command;broker reload command;bin;stats bin;ssh port;gorgone protocol;gorgone port\n");
  for (const i of ctx.state.instances) {
    if (!showFilter(i.cols.name, v)) continue;
    const k = i.cols;
    print(ctx, row(ctx, [i.id, k.name, k.localhost, k.ns_ip_address, k.ns_activate, "-", k.engine_restart_command, k.engine_reload_command,
      k.broker_reload_command, k.nagios_bin, k.nagiostats_bin, k.ssh_port, k.gorgone_communication_type === "2" ? "SSH" : "ZMQ", k.gorgone_port]));
  }
}

// ---------------------------------------------------------------------------------------------- object table

type Handler = (ctx: Ctx, v: string) => void;
type Magic = (ctx: Ctx, action: string, v: string) => void;

interface ObjectDef {
  actions: Record<string, Handler>;
  /** The PHP class has __call: an unknown action throws `Method not implemented into Centreon API` (exit 1). */
  magic?: Magic;
}

const OBJECTS: Record<string, ObjectDef> = {
  CONTACT: { actions: { ADD: contactAdd(1), DEL: contactDel, SETPARAM: contactSetParam, SHOW: contactShow(1) } },
  CONTACTTPL: { actions: { ADD: contactAdd(0), DEL: contactDel, SETPARAM: contactSetParam, SHOW: contactShow(0) } },
  CG: { actions: { ADD: cgAdd, DEL: cgDel, SETPARAM: cgSetParam, SHOW: cgShow }, magic: cgMagic },
  CMD: { actions: { ADD: cmdAdd, DEL: cmdDel, SETPARAM: cmdSetParam, SHOW: cmdShow } },
  TP: { actions: { ADD: tpAdd, DEL: tpDel, SETPARAM: tpSetParam, SHOW: tpShow } },
  HG: { actions: { ADD: hgAdd, DEL: hgDel, SETPARAM: hgSetParam, SHOW: hgShow }, magic: hgMagic },
  HOST: {
    actions: {
      ADD: hostAdd(1), DEL: hostDel, SETPARAM: hostSetParam, SETMACRO: hostSetMacro, DELMACRO: hostDelMacro, GETMACRO: hostGetMacro,
      APPLYTPL: hostApplyTpl(1), SETINSTANCE: hostSetInstance(1), SHOW: hostShow(1),
    },
    magic: hostMagic,
  },
  HTPL: {
    actions: {
      ADD: hostAdd(0), DEL: hostDel, SETPARAM: hostSetParam, SETMACRO: hostSetMacro, DELMACRO: hostDelMacro, GETMACRO: hostGetMacro,
      APPLYTPL: hostApplyTpl(0), SETINSTANCE: hostSetInstance(0), SHOW: hostShow(0),
    },
    magic: hostMagic,
  },
  SERVICE: {
    actions: {
      ADD: serviceAdd, DEL: serviceDel, SETPARAM: serviceSetParamAction, SETMACRO: serviceSetMacro, DELMACRO: serviceDelMacro,
      GETMACRO: serviceGetMacro, SHOW: serviceShow,
    },
    magic: serviceMagic,
  },
  STPL: {
    actions: { ADD: stplAdd, DEL: stplDel, SETPARAM: stplSetParam, SETMACRO: stplSetMacro, DELMACRO: stplDelMacro, GETMACRO: stplGetMacro, SHOW: stplShow },
    magic: stplMagic,
  },
  INSTANCE: { actions: { ADD: instanceAdd, SHOW: instanceShow } },
};

export const SUPPORTED_OBJECTS = Object.keys(OBJECTS);

type Outcome = { kind: "ok" } | { kind: "noMethod" } | { kind: "clapi"; message: string } | { kind: "db"; message: string };

/** Runs one OBJECT/ACTION on the state. `object` must be a known (upper-case) object. */
function dispatch(ctx: Ctx, object: string, action: string, v: string): Outcome {
  const def = OBJECTS[object];
  const upper = action.toUpperCase();
  const handler = Object.hasOwn(def.actions, upper) ? def.actions[upper] : undefined;
  if (!handler && !def.magic) return { kind: "noMethod" };
  const snapshot = JSON.stringify(ctx.state);
  try {
    if (handler) handler(ctx, v);
    else def.magic!(ctx, action, v);
    return { kind: "ok" };
  } catch (e) {
    // An action either completes or changes nothing (each real action checks before it writes).
    Object.assign(ctx.state, JSON.parse(snapshot));
    if (e instanceof ClapiError) return { kind: "clapi", message: e.message };
    if (e instanceof DbError) return { kind: "db", message: e.message };
    throw e;
  }
}

export interface ActionResult {
  stdout: string;
  /** What `centreon -o OBJECT -a ACTION -v VALUES` exits with. */
  exit: number;
}

/**
 * `centreon -u -p -o OBJECT -a ACTION -v VALUES` after authentication, exactly as printed (with CLAPI's
 * closing newline). For tests of one command without going through argv.
 */
export function runAction(state: DoubleState, object: string, action: string, values = ""): ActionResult {
  const ctx: Ctx = { state, out: [] };
  const exit = launchObjectAction(ctx, object, action, values);
  print(ctx, "\n");
  return { stdout: ctx.out.join(""), exit };
}

function launchObjectAction(ctx: Ctx, rawObject: string, rawAction: string, v: string): number {
  const object = htmlentities(rawObject.toUpperCase());
  if (!Object.hasOwn(OBJECTS, object)) {
    print(ctx, `Object ${object} not found in Centreon API.\n`);
    return 0;
  }
  const outcome = dispatch(ctx, object, htmlentities(rawAction.toUpperCase()), v);
  switch (outcome.kind) {
    case "ok":
      return 0;
    case "noMethod":
      print(ctx, `${MSG.unknownMethod}.\n`);
      return 0;
    case "clapi":
      print(ctx, outcome.message);
      return 1;
    case "db":
      print(ctx, MSG.paramsInvalid);
      return 1;
  }
}

// ---------------------------------------------------------------------------------------------- poller actions

const FULL_VERSION: Record<string, string> = { "22.10": "22.10.2", "23.10": "23.10.0", "24.10": "24.10.0" };

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

function timestamp(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function pollerOf(s: DoubleState, v: string): InstanceRow | undefined {
  if (isNumeric(v)) return s.instances.find((i) => i.id === Number(v));
  return instanceByName(s, v);
}

function unknownPoller(ctx: Ctx): number {
  print(ctx, "ERROR: Unknown poller...\n");
  return 1;
}

function pollerGenerate(ctx: Ctx, v: string): number {
  const poller = pollerOf(ctx.state, v);
  if (!poller) return unknownPoller(ctx);
  print(ctx, `Configuration files generated for poller '${v}'\n`);
  return 0;
}

function pollerTest(ctx: Ctx, v: string): number {
  const poller = pollerOf(ctx.state, v);
  if (!poller) return unknownPoller(ctx);
  if (ctx.state.failApplyFor.includes(poller.cols.name ?? "")) {
    const rule = "-".repeat(99) + "\n";
    print(ctx, `Error: Centreon Poller ${v} cannot restart. configuration broker. Please see debug bellow :\n${rule}`);
    print(ctx, "Reading main configuration file '/var/cache/centreon/config/engine/centengine.DEBUG'.\n");
    print(ctx, "Error: Simulated configuration error (centreon CLAPI test double: failApplyFor)\n");
    print(ctx, "Total Warnings: 0\nTotal Errors:   1\n\n" + rule);
    return 1;
  }
  // Centreon Engine's own check of the contacts the poller's hosts and services notify (directly or
  // through a group): each needs host AND service notification commands, whatever its options.
  const notified = new Set<number>();
  const groups = (ids: number[]) => ctx.state.contactGroups.filter((g) => ids.includes(g.id)).flatMap((g) => g.contacts);
  for (const h of ctx.state.hosts.filter((x) => x.register === 1 && x.instance === poller.id)) {
    for (const o of [h, ...ctx.state.services.filter((x) => x.register === 1 && x.hosts.includes(h.id))]) {
      for (const id of [...o.contacts, ...groups(o.contactGroups)]) notified.add(id);
    }
  }
  const errors = ctx.state.contacts
    .filter((c) => notified.has(c.id) && c.cols.contact_activate === "1" && c.cols.contact_enable_notifications !== "0")
    .flatMap((c) => [
      ...(c.hostNotifCmds.length ? [] : [`Error: Contact '${c.cols.contact_name}' has no host notification commands defined!`]),
      ...(c.svcNotifCmds.length ? [] : [`Error: Contact '${c.cols.contact_name}' has no service notification commands defined!`]),
    ]);
  if (errors.length) {
    const rule = "-".repeat(99) + "\n";
    print(ctx, `Error: Centreon Poller ${v} cannot restart. configuration broker. Please see debug bellow :\n${rule}`);
    print(ctx, `${errors.join("\n")}\nTotal Warnings: 0\nTotal Errors:   ${errors.length}\n\n${rule}`);
    return 1;
  }
  print(ctx, `OK: Centreon Poller ${v} can restart without problem...\n`);
  return 0;
}

function cfgMove(ctx: Ctx, v: string): number {
  const poller = pollerOf(ctx.state, v);
  if (!poller) return unknownPoller(ctx);
  if (poller.cols.localhost === "1") print(ctx, "OK: All configuration files copied with success.\n");
  else print(ctx, `OK: All configuration will be send to '${poller.cols.name}' by centcore in several minutes.\n`);
  return 0;
}

function pollerSignal(kind: "reload" | "restart") {
  return (ctx: Ctx, v: string): number => {
    const poller = pollerOf(ctx.state, v);
    if (!poller) return unknownPoller(ctx);
    print(ctx, `OK: A ${kind} signal has been sent to '${poller.cols.name}'\n`);
    return 0;
  };
}

/** APPLYCFG = generate, test, move, reload (post-commands: none here); stops at the first failure. */
function applyCfg(ctx: Ctx, v: string, now: Date): number {
  print(ctx, `${timestamp(now)} - APPLYCFG\n`);
  let code = pollerGenerate(ctx, v);
  print(ctx, "\n");
  if (code === 0) {
    code = pollerTest(ctx, v);
    print(ctx, "\n");
  }
  if (code === 0) {
    code = cfgMove(ctx, v);
    print(ctx, "\n");
  }
  if (code === 0) code = pollerSignal("reload")(ctx, v);
  if (code === 0) ctx.state.applied.push(pollerOf(ctx.state, v)!.cols.name ?? v);
  return code;
}

function pollerList(ctx: Ctx): number {
  print(ctx, "poller_id;name\n");
  for (const i of ctx.state.instances) if (i.cols.ns_activate === "1") print(ctx, `${i.id};${i.cols.name}\n`);
  return 0;
}

/** CentreonAPI methods run with `-a` and no `-o`. */
const POLLER_ACTIONS: Record<string, (ctx: Ctx, v: string, now: Date) => number> = {
  APPLYCFG: applyCfg,
  POLLERGENERATE: pollerGenerate,
  POLLERTEST: pollerTest,
  CFGMOVE: cfgMove,
  POLLERRELOAD: pollerSignal("reload"),
  POLLERRESTART: pollerSignal("restart"),
  POLLERLIST: pollerList,
};

/** `centreon -u -p -a ACTION -v POLLER` after authentication. */
export function runPollerAction(state: DoubleState, action: string, poller = "", now = new Date()): ActionResult {
  const ctx: Ctx = { state, out: [] };
  const exit = launchPollerAction(ctx, action, poller, now);
  print(ctx, "\n");
  return { stdout: ctx.out.join(""), exit };
}

function launchPollerAction(ctx: Ctx, rawAction: string, v: string, now: Date): number {
  const action = htmlentities(rawAction.toUpperCase());
  const fn = Object.hasOwn(POLLER_ACTIONS, action) ? POLLER_ACTIONS[action] : undefined;
  if (!fn) {
    print(ctx, `${MSG.unknownMethod}.\n`);
    return 1;
  }
  const code = fn(ctx, v, now);
  print(ctx, `Return code end : ${code}\n`);
  return code;
}

// ---------------------------------------------------------------------------------------------- import

export interface ImportResult {
  stdout: string;
  /** PHP's fatal error (a line whose object CLAPI does not know); CLAPI itself prints nothing on stdout then. */
  stderr: string;
  exit: number;
}

/**
 * `centreon -u -p -i FILE` after authentication, given the file's content.
 * Exit code: CLAPI's return code after the last line that completed (a failing line leaves it unchanged),
 * so an import exits 0 even when lines fail; 255 when a line names an object CLAPI does not know (PHP fatal
 * error: the lines before it are applied, the ones after are not).
 */
export function runImport(state: DoubleState, content: string): ImportResult {
  const ctx: Ctx = { state, out: [] };
  let code = 0;
  const lines = content.split(/(?<=\n)/);
  for (let i = 1; i <= lines.length; i++) {
    const line = lines[i - 1];
    if (phpTrim(line).length === 0 || line.startsWith("{OBJECT_TYPE}")) continue;
    if (line.startsWith("#") && versionAtLeast(state, "23.10")) continue;
    if (state.failOnLine === i) {
      print(ctx, `Line ${i} : Simulated failure (centreon CLAPI test double: failOnLine)\n`);
      continue;
    }
    const tab = line.split(";");
    const object = phpTrim(tab[0]);
    const action = phpTrim(tab[1] ?? "");
    const values = phpTrim(line.substring(`${tab[0]};${tab[1] ?? ""};`.length));
    if (object === "") {
      // Not an object line (poller actions and other API methods are not import lines in the double).
      print(ctx, `${MSG.unknownMethod}.\n`);
      code = 1;
      continue;
    }
    if (!Object.hasOwn(OBJECTS, object)) {
      const fatal = `PHP Fatal error:  Uncaught Error: Class "\\CentreonClapi\\centreon" not found in /usr/share/centreon/www/class/centreon-clapi/centreonAPI.class.php (import line ${i}: unknown object "${object}")\n`;
      return { stdout: ctx.out.join(""), stderr: fatal, exit: 255 };
    }
    const outcome = dispatch(ctx, object, action, values);
    if (outcome.kind === "ok") code = 0;
    else if (outcome.kind === "noMethod") print(ctx, `${MSG.unknownMethod}.\n`);
    else print(ctx, `Line ${i} : ${outcome.message}\n`);
  }
  print(ctx, "\n");
  return { stdout: ctx.out.join(""), stderr: "", exit: code };
}

// ---------------------------------------------------------------------------------------------- command line

export interface CliIo {
  /** Content of the `-i` file, or null when it does not exist. */
  readFile(path: string): string | null;
  now(): Date;
}

export interface CliResult {
  stdout: string;
  stderr: string;
  exit: number;
}

const VALUE_OPTS = new Set(["u", "p", "o", "v", "a", "i"]);
const FLAG_OPTS = new Set(["d", "s", "h", "V", "e", "w"]);

/** PHP getopt("du:p:so:v:hVa:i:ew", ["select:", "filter-type:", "filter-ariane:"]). */
export function parseOptions(argv: string[]): Record<string, string> {
  const opts: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") break;
    if (arg.startsWith("--")) {
      if (!arg.includes("=") && ["--select", "--filter-type", "--filter-ariane"].includes(arg)) i++;
      continue;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    for (let j = 1; j < arg.length; j++) {
      const c = arg[j];
      if (VALUE_OPTS.has(c)) {
        const rest = arg.slice(j + 1);
        if (rest !== "") opts[c] = rest;
        else if (i + 1 < argv.length) opts[c] = argv[++i];
        break;
      }
      if (FLAG_OPTS.has(c)) opts[c] = "";
    }
  }
  return opts;
}

/** argv with the `-p` value replaced by `***` (the only thing the double records about a password). */
export function redactArgv(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^-([a-zA-Z]*?)p(.*)$/.exec(arg);
    if (m && !arg.startsWith("--") && [...m[1]].every((c) => FLAG_OPTS.has(c))) {
      if (m[2] !== "") out.push(`-${m[1]}p***`);
      else {
        out.push(arg);
        if (i + 1 < argv.length) {
          out.push("***");
          i++;
        }
      }
      continue;
    }
    out.push(arg);
    if (arg.startsWith("-") && !arg.startsWith("--") && arg.length === 2 && VALUE_OPTS.has(arg[1]) && i + 1 < argv.length) out.push(argv[++i]);
  }
  return out;
}

function helpText(state: DoubleState): string {
  return [
    `Centreon version ${FULL_VERSION[state.version]} - Copyright Centreon - www.centreon.com`,
    "This software comes with ABSOLUTELY NO WARRANTY. This is free software,",
    "and you are welcome to modify and redistribute it under the GPL license",
    "",
    "usage: ./centreon -u <LOGIN> -p <PASSWORD> [-s] -o <OBJECT> -a <ACTION> [-v]",
    "  -s     Use SHA1 on password (default is MD5)",
    "  -v     variables ",
    "  -h     Print help ",
    "  -V     Print version ",
    "  -o     Object type ",
    "  -a     Launch action on Centreon",
    "     Actions are the followings :",
    "       - POLLERGENERATE: Build nagios configuration for a poller (poller id in -v parameters)",
    "       - POLLERTEST: Test nagios configuration for a poller (poller id in -v parameters)",
    "       - CFGMOVE: move nagios configuration for a poller to final directory",
    "       - POLLERRESTART: Restart a poller (poller id in -v parameters)",
    "       - POLLERRELOAD: Reload a poller (poller id in -v parameters)",
    "       - POLLERLIST: list all pollers",
    "",
    "Notes:",
    "  - Actions can be written in lowercase chars",
    "  - LOGIN and PASSWORD is an admin account of Centreon",
    "",
    "",
  ].join("\n");
}

/** One `centreon` process: parses argv like PHP getopt, authenticates, runs, and records the invocation. */
export function runCli(state: DoubleState, argv: string[], io: CliIo): CliResult {
  const result = runCliUnrecorded(state, argv, io);
  state.invocations.push({ argv: redactArgv(argv), exit: result.exit });
  return result;
}

function runCliUnrecorded(state: DoubleState, argv: string[], io: CliIo): CliResult {
  const o = parseOptions(argv);
  const done = (stdout: string, exit: number, stderr = ""): CliResult => ({ stdout, stderr, exit });
  if (o.h !== undefined) return done(helpText(state), 0);
  if (o.V !== undefined) return done(`Centreon version ${FULL_VERSION[state.version]}\nCentreon CLAPI version ${FULL_VERSION[state.version]}\n`, 0);
  if (!o.u || !o.p) return done(helpText(state), 0); // no ~/.centreonApi support: CLAPI prints its help

  // CentreonAPI::checkUser: an active contact by alias; a non-admin is refused before the password is checked.
  const login = htmlentities(o.u);
  const user = state.contacts.find((c) => c.register === 1 && c.cols.contact_activate === "1" && c.cols.contact_alias === login);
  if (!user) return done("Invalid credentials.\n", 1);
  if (user.cols.contact_admin !== "1") return done("You don't have permissions for CLAPI.\n", 1);
  if (user.passwordHash !== hashPassword(o.p)) return done("Invalid credentials.\n", 1);

  if (o.e !== undefined) return done("", 1, "centreon CLAPI test double: export (-e) is not implemented\n");
  if (o.i !== undefined) {
    const content = io.readFile(o.i);
    if (content === null) return done(`${o.i} : File doesn't exists\n`, 1);
    const r = runImport(state, content);
    return done(r.stdout, r.exit, r.stderr);
  }
  if (o.a !== undefined) {
    const r = o.o ? runAction(state, o.o, o.a, o.v ?? "") : runPollerAction(state, o.a, o.v ?? "", io.now());
    return done(r.stdout, r.exit);
  }
  return done("Unknown option\n", 1);
}
