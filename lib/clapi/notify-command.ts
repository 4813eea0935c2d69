// The ONE builder of e-mail notification command lines. What happens to the line, in order:
// 1. CLAPI stores it as given (CMD;ADD / SETPARAM line), but splits the import line on every ';'.
// 2. Centreon's configuration generator writes it to commands.cfg; it would turn '#BR#' into '\n'
//    and '@MAILER@' into the mailer's path (www/class/config-generate/command.class.php).
// 3. Centreon Engine replaces $MACRO$ with values, '$$' with '$' (an unknown macro becomes
//    nothing), then splits the line into arguments itself: ' and " quote, a backslash escapes the
//    next character ('\n' is a line break, even inside quotes), and it runs the program with NO
//    shell (centreon-collect clib/src/misc/command_line.cc, process.cc) unless enable_shell is 1.
// So the line is: /bin/sh -c '<fixed script>' centreon-notify <From> <Reply-To> $CONTACTEMAIL$
// '<subject>' '<body>'. The script holds no macro: a value (a plugin's output) is data in the
// arguments after it, and can at worst reshape those, never the script or the addresses before it.
import { render } from "../render/templates.js";
import { ClapiValueError } from "./line.js";

export type NotificationKind = "host" | "service";

/** Language codes a command may have a variant in: those of the locales Centreon ships (fr_FR → fr). */
export const NOTIFICATION_LANGUAGES = ["en", "de", "es", "fr", "pt"] as const;
export type NotificationLanguage = (typeof NOTIFICATION_LANGUAGES)[number];

/** Readable placeholders → the Centreon Engine macro they stand for (same name, between '$'). */
const COMMON_MACROS = [
  "NOTIFICATIONTYPE",
  "NOTIFICATIONAUTHOR",
  "NOTIFICATIONCOMMENT",
  "HOSTNAME",
  "HOSTALIAS",
  "HOSTADDRESS",
  "HOSTSTATE",
  "HOSTOUTPUT",
  "LONGHOSTOUTPUT",
  "HOSTDURATION",
  "DATE",
  "TIME",
  "LONGDATETIME",
  "SHORTDATETIME",
  "CONTACTNAME",
  "CONTACTALIAS",
  "CONTACTEMAIL",
] as const;
const SERVICE_MACROS = ["SERVICEDESC", "SERVICESTATE", "SERVICEOUTPUT", "LONGSERVICEOUTPUT", "SERVICEDURATION"] as const;

/** ${PORTALURL}: the Centreon web UI's address, written into the command at synth. */
export const PORTAL_URL_PLACEHOLDER = "PORTALURL";

export const PLACEHOLDERS: Record<NotificationKind, readonly string[]> = {
  host: [...COMMON_MACROS, PORTAL_URL_PLACEHOLDER],
  service: [...COMMON_MACROS, ...SERVICE_MACROS, PORTAL_URL_PLACEHOLDER],
};

export const SENDMAIL = "/usr/sbin/sendmail";

/** Text Centreon's configuration generator rewrites in a command line: it would not arrive as written. */
export const GENERATOR_PATTERNS = ["#BR#", "@MAILER@"];

type Token = { text: string } | { placeholder: string };

/** `Host ${HOSTNAME} is ${HOSTSTATE}` → text and placeholder tokens; a lone '$' is text. */
export function parseTemplate(template: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\$\{([^}]*)\}/g;
  let last = 0;
  for (const match of template.matchAll(pattern)) {
    if (match.index > last) tokens.push({ text: template.slice(last, match.index) });
    tokens.push({ placeholder: match[1] });
    last = match.index + match[0].length;
  }
  if (last < template.length) tokens.push({ text: template.slice(last) });
  return tokens;
}

/** What is wrong with a subject or body template, phrased to follow its value; undefined when it is fine. */
export function templateProblem(kind: NotificationKind, template: string, options: { portalUrl: boolean }): string | undefined {
  const allowed = PLACEHOLDERS[kind];
  for (const token of parseTemplate(template)) {
    if (!("placeholder" in token)) continue;
    if (!allowed.includes(token.placeholder)) {
      return `has the unknown placeholder \${${token.placeholder}}: a ${kind} notification may use ${allowed.map((p) => `\${${p}}`).join(", ")}`;
    }
    if (token.placeholder === PORTAL_URL_PLACEHOLDER && !options.portalUrl) {
      return "uses ${PORTALURL} but no portal URL is set: set central.portalUrl (the Centreon web UI, e.g. https://centreon.example.org/centreon)";
    }
  }
  if (/\$\{/.test(template.replace(/\$\{[^}]*\}/g, ""))) return "has a '${' without its closing '}'";
  // Pasted from Centreon's own commands: sent as text ('$' is escaped), so every mail would show it.
  const centreonMacro = parseTemplate(template).flatMap((t) => ("text" in t ? [...t.text.matchAll(/\$([A-Z][A-Z0-9_]*)\$/g)] : []))[0];
  if (centreonMacro) {
    return `writes ${centreonMacro[0]}, Centreon's own macro syntax, which every mail would show as is: write \${${centreonMacro[1]}} instead`;
  }
  if (template.includes(MACRO_GUARD)) return "holds U+200B (zero-width space), which the command uses as a marker of its own";
  if (template.includes("{{${")) return "puts '{{' right before a placeholder: Centreon Engine reads {{$MACRO$}} as a tag of its own (put a space between)";
  const rewritten = GENERATOR_PATTERNS.find((p) => template.includes(p));
  if (rewritten) return `holds ${rewritten}, which Centreon's configuration generator rewrites in command lines`;
  return undefined;
}

/** Text inside an engine argument: backslash and quote escaped for its splitter, '$' doubled for its macro expansion. */
function escapeForEngine(text: string): string {
  return text
    .replace(/[\\']/g, (c) => `\\${c}`)
    .replace(/\r/g, "\\r")
    .replace(/\n/g, "\\n")
    .replace(/\t/g, "\\t")
    .replace(/\$/g, "$$$$");
}

/**
 * Escaped text as one quoted argument. The engine's splitter drops an escape that comes right after
 * the opening quote (it is written before the argument starts): such an escape goes before the quote.
 */
function quoteForEngine(escaped: string): string {
  return escaped.startsWith("\\") ? `${escaped.slice(0, 2)}'${escaped.slice(2)}'` : `'${escaped}'`;
}

/** A value as ONE argument for Centreon Engine, byte for byte. */
export function engineArgument(text: string): string {
  return quoteForEngine(escapeForEngine(text));
}

/**
 * Follows every macro. A value ending in an odd number of backslashes (a Windows path: D:\) escapes
 * the next character of the line: were that a quote or an escape of ours, the quoting would shift.
 * This character is harmless escaped or not, and the script deletes it (a value's own U+200B too):
 * the quoting stays intact. A value's own backslashes do not: the engine reads them as escapes
 * (\t, \n... become control characters), as nothing in the line can prevent. Templates and the
 * portal URL may not hold the guard.
 */
export const MACRO_GUARD = "\u200b";

/** A template as one argument, its placeholders as macros (each followed by the guard). */
function templateArgument(kind: NotificationKind, template: string, portalUrl: string | undefined, what: string): string {
  const problem = templateProblem(kind, template, { portalUrl: portalUrl !== undefined });
  if (problem) throw new ClapiValueError(`${what} ${JSON.stringify(template)} ${problem}`);
  const escaped = parseTemplate(template).map((token) => {
    if (!("placeholder" in token)) return escapeForEngine(token.text);
    return token.placeholder === PORTAL_URL_PLACEHOLDER ? escapeForEngine(portalUrl!) : `$${token.placeholder}$${MACRO_GUARD}`;
  });
  return quoteForEngine(escaped.join(""));
}

/** A header phrase (display name): a quoted string when ASCII, an RFC 2047 encoded word otherwise. */
export function headerPhrase(name: string): string {
  if (/[\x00-\x1f\x7f]/.test(name)) throw new ClapiValueError(`display name ${JSON.stringify(name)} cannot go in a mail header: it holds a control character (a line break would start a new header)`);
  return /^[\x20-\x7e]*$/.test(name)
    ? `"${name.replace(/["\\]/g, (c) => `\\${c}`)}"`
    : `=?UTF-8?B?${Buffer.from(name, "utf8").toString("base64")}?=`;
}

export interface NotifyCommandModel {
  kind: NotificationKind;
  subject: string;
  body: string;
  /** The From address. @default - the one Postfix writes (rewritten by the relay's gateway) */
  from?: string;
  /** Display name shown with the From address; needs `from`. */
  displayName?: string;
  replyTo?: string;
  /** The Centreon web UI, for ${PORTALURL}. */
  portalUrl?: string;
}

/** The command line of one notification command, exactly as Centreon must store it. */
export function notifyCommandLine(m: NotifyCommandModel): string {
  if (m.displayName !== undefined && m.from === undefined) {
    throw new ClapiValueError(`display name ${JSON.stringify(m.displayName)} needs a From address: set the gateway's from`);
  }
  const fromHeader = m.from === undefined ? "" : m.displayName === undefined ? m.from : `${headerPhrase(m.displayName)} <${m.from}>`;
  const script = render("clapi/notify-command.sh.hbs", { sendmail: SENDMAIL, guard: MACRO_GUARD });
  const line = [
    "/bin/sh",
    "-c",
    engineArgument(script),
    "centreon-notify",
    engineArgument(fromHeader),
    engineArgument(m.replyTo ?? ""),
    templateArgument(m.kind, "${CONTACTEMAIL}", undefined, "recipient"),
    templateArgument(m.kind, m.subject, m.portalUrl, "subject"),
    templateArgument(m.kind, m.body, m.portalUrl, "body"),
  ].join(" ");
  if (/\{\{\$(?!\$)/.test(line)) {
    throw new ClapiValueError(`a notification template cannot put '{{' right before a placeholder: Centreon Engine reads {{$MACRO$}} as a tag of its own (put a space between)`);
  }
  for (const pattern of [";", ...GENERATOR_PATTERNS]) {
    if (line.includes(pattern)) {
      throw new ClapiValueError(
        pattern === ";"
          ? `a notification command cannot hold ';': CLAPI splits its import lines on it, with no escaping (write ',' or ' - ' instead)`
          : `a notification command cannot hold ${pattern}: Centreon's configuration generator would rewrite it`,
      );
    }
  }
  return line;
}
