// Value rules shared by the fleet-file schema and the typed constructs, so both refuse the same
// values with the same words. Each rule says what is allowed, for error messages.
import { isIPv4, isIPv6 } from "node:net";
import { holdsPlaceholder, repeats } from "../clapi/line.js";
import { GENERATOR_PATTERNS } from "../clapi/notify-command.js";

/** Text that reaches a Centreon command line as written (its configuration generator rewrites these). */
const keptInCommandLine = (v: string) => !GENERATOR_PATTERNS.some((p) => v.includes(p));

export interface Rule {
  test(value: string): boolean;
  /** What is allowed, phrased to follow "must be". */
  allowed: string;
}

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const HOST_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`, "i");
const FQDN = new RegExp(`^${LABEL}(?:\\.${LABEL})+$`, "i");

/** A URL carrying a user, a password, or a query parameter named like a token, a password or a key. */
export function holdsCredentials(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value.replaceAll("{stack}", "stack"));
  } catch {
    return false; // the pattern check refuses it
  }
  return url.username !== "" || url.password !== "" || [...url.searchParams.keys()].some((name) => /token|pass|secret|key|auth|sig/i.test(name));
}

function isHostName(value: string): boolean {
  return value.length <= 253 && HOST_NAME.test(value) && !/^[0-9.]+$/.test(value);
}

function isFqdn(value: string): boolean {
  const labels = value.split(".");
  // A numeric top-level label is an IP address or a typo, never a domain.
  return value.length <= 253 && FQDN.test(value) && !/^[0-9]+$/.test(labels[labels.length - 1]);
}

const SSH_KEY_TYPES = [
  "ssh-ed25519",
  "ssh-rsa",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "sk-ssh-ed25519@openssh.com",
  "sk-ecdsa-sha2-nistp256@openssh.com",
];

/** An OpenSSH public key line whose base64 blob really holds a key of the declared type. */
// CLAPI trims edge spaces; <secret:...> and <generated-password> are the executor's placeholders.
function isClapiValue(value: string): boolean {
  return /^[^;|\x00-\x1f\x7f]*$/.test(value) && value === value.trim() && !holdsPlaceholder(value);
}

function isSshPublicKey(value: string): boolean {
  const match = /^(\S+) ([A-Za-z0-9+/]+={0,2})(?: [^\n\r]*)?$/.exec(value.trim());
  if (!match || !SSH_KEY_TYPES.includes(match[1])) return false;
  const blob = Buffer.from(match[2], "base64");
  if (blob.length < 4) return false;
  const typeLength = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + typeLength).toString("latin1") === match[1];
}

/** Names Terraform refuses for a variable. */
export const TERRAFORM_RESERVED_VARIABLE_NAMES = ["count", "source", "version", "providers", "for_each", "lifecycle", "depends_on", "locals"];

/** The locales CLAPI accepts for a contact: the ones Centreon ships, and browser. */
export const CENTREON_LOCALES = ["browser", "en_US", "de_DE", "es_ES", "fr_FR", "pt_BR", "pt_PT"] as const;

export const rules = {
  stackName: {
    test: (v: string) => /^[a-z0-9](?:[a-z0-9-]{0,62})$/.test(v),
    allowed: "lower-case letters, digits and '-' (at most 63, starting with a letter or digit)",
  },
  objectName: {
    test: (v: string) => /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(v),
    allowed: "letters, digits, '.', '_' and '-' (at most 63, starting with a letter or digit)",
  },
  fqdn: {
    test: isFqdn,
    allowed: "a fully qualified domain name (e.g. poller1.example.org, without a trailing dot)",
  },
  sshAddress: {
    test: (v: string) => isIPv4(v) || isIPv6(v) || isHostName(v),
    allowed: "an IPv4 address, an IPv6 address or a host name",
  },
  gatewayHost: {
    test: (v: string) => isIPv4(v) || isHostName(v),
    allowed: "a host name or an IPv4 address (e.g. smtp.example.org)",
  },
  certificateName: {
    test: (v: string) => isHostName(v) && v.includes("."),
    allowed: "a DNS name with at least one dot, as the certificate carries it (e.g. smtp.example.org)",
  },
  email: {
    test: (v: string) => {
      const at = v.lastIndexOf("@");
      const local = v.slice(0, at);
      return (
        at > 0 &&
        /^[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*$/.test(local) &&
        !local.startsWith("-") &&
        local.length <= 64 &&
        isFqdn(v.slice(at + 1))
      );
    },
    allowed: "an e-mail address user@domain.tld (letters, digits, '.', '_', '%', '+', '-' before the @)",
  },
  sshHostKey: {
    test: isSshPublicKey,
    allowed: `an OpenSSH public host key "TYPE BASE64" (TYPE one of ${SSH_KEY_TYPES.join(", ")}), e.g. the output of ssh-keyscan without the host name`,
  },
  unixUser: {
    test: (v: string) => /^[a-z_][a-z0-9_-]{0,31}$/.test(v),
    allowed: "a Unix user name (lower-case letters, digits, '_' and '-')",
  },
  secretName: {
    test: (v: string) => /^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(v) && !TERRAFORM_RESERVED_VARIABLE_NAMES.includes(v) && !/^TF_VAR_/i.test(v),
    allowed: `a Terraform variable name: letters, digits and '_', not starting with a digit, not one Terraform reserves (${TERRAFORM_RESERVED_VARIABLE_NAMES.join(", ")}), without the TF_VAR_ prefix (it is added when the value is supplied, as TF_VAR_<name>)`,
  },
  saslUsername: {
    test: (v: string) => /^[\x21-\x39\x3b-\x7e]{1,255}$/.test(v),
    allowed: "printable ASCII without spaces or ':' (the credentials map separates user and password with ':')",
  },
  absolutePath: {
    test: (v: string) => /^\/[A-Za-z0-9._+/-]*$/.test(v) && !v.split("/").includes(".."),
    allowed: "an absolute path of letters, digits, '.', '_', '+', '-' and '/'",
  },
  keyFilePath: {
    test: (v: string) => /^(?:~\/|\/|\.{1,2}\/)?[A-Za-z0-9._+/@-]+$/.test(v),
    allowed: "a path (absolute, relative or starting with ~/) of letters, digits, '.', '_', '+', '@', '-' and '/'",
  },
  postfixParameterName: {
    // Mixed case exists (smtp_tls_CApath, tls_append_default_CA): Postfix names are case-sensitive.
    test: (v: string) => /^[A-Za-z][A-Za-z0-9_]{0,99}$/.test(v),
    allowed: "a Postfix parameter name (letters, digits and '_', in Postfix's own case: smtp_tls_CApath)",
  },
  postfixParameterValue: {
    // Every $ must be one Postfix can expand ($$, $name, ${name}, $(name), ${name?text}, ${name:text}):
    // any other makes every postconf on the host fail.
    test: (v: string) => /^[^\x00-\x1f\x7f]*$/.test(v) && v === v.trim() && !/\$(?![$A-Za-z0-9_]|[{(][A-Za-z0-9_]+[})?:])/.test(v),
    allowed: "a single line without control characters or leading/trailing spaces, each $ a Postfix macro ($name, ${name}, $(name)) or $$",
  },
  centreonName: {
    // CLAPI silently strips these from names on ADD, and ';' or '|' would split the line or a list.
    test: (v: string) => /^[^~!$%^&*"|'<>?,()=;\x00-\x1f\x7f]{1,200}$/.test(v) && v === v.trim(),
    allowed: "a Centreon object name without ~ ! $ % ^ & * \" | ' < > ? , ( ) = or ';' (CLAPI strips or splits them), no leading or trailing space",
  },
  contactAlias: {
    test: (v: string) => /^[A-Za-z0-9][A-Za-z0-9._@-]{0,199}$/.test(v),
    allowed: "a login: letters, digits, '.', '_', '@' and '-', no spaces",
  },
  displayName: {
    // A mail header phrase: one line; non-ASCII is sent RFC 2047-encoded.
    test: (v: string) => /^[^\x00-\x1f\x7f;]{1,64}$/.test(v) && v === v.trim() && keptInCommandLine(v) && !holdsPlaceholder(v),
    allowed: `a name of at most 64 characters on one line, without ';' (CLAPI splits on it), ${GENERATOR_PATTERNS.join(" or ")} (Centreon rewrites them), <secret:…> placeholders or leading/trailing spaces`,
  },
  webUrl: {
    test: (v: string) => {
      if (!/^https?:\/\/[\x21-\x7e]+$/.test(v) || /["'\\;<>`$]/.test(v) || v.endsWith("/") || !keptInCommandLine(v) || holdsCredentials(v)) return false;
      try {
        return isHostName(new URL(v).hostname) || isIPv4(new URL(v).hostname);
      } catch {
        return false;
      }
    },
    // It lands in every notification mail, central.clapi and the review: never credentials.
    allowed: `an http(s) URL in printable ASCII (an international domain in its xn-- form) without credentials (user:password@, ?token=), a trailing '/', spaces, quotes, '$', ';', '<>' or ${GENERATOR_PATTERNS.join(", ")} (e.g. https://centreon.example.org/centreon)`,
  },
  subjectTemplate: {
    test: (v: string) => /^[^\x00-\x1f\x7f;]{1,255}$/.test(v) && v === v.trim() && !holdsPlaceholder(v),
    allowed: "one line of at most 255 characters without ';' (CLAPI splits on it, with no escaping: write ',' or ' - ') or leading/trailing spaces",
  },
  bodyTemplate: {
    test: (v: string) => /^[^\x00-\x08\x0b-\x1f\x7f;]{1,4000}$/.test(v) && !holdsPlaceholder(v),
    allowed: "text of at most 4000 characters without ';' (CLAPI splits on it, with no escaping: write ',' or ' - ') or control characters other than line breaks and tabs",
  },
  clapiValue: {
    test: isClapiValue,
    allowed: "a single line without ';' or '|' (CLAPI splits its fields and lists on them, with no escaping), edge spaces or <secret:…> placeholders",
  },
  checkCommandValue: {
    // The SMTP connector's command line passes the value between single quotes, and Centreon Engine
    // reads a backslash there as an escape.
    test: (v: string) => isClapiValue(v) && !v.includes("'") && !v.includes("\\"),
    allowed: "a single line without ';', '|', \"'\" or '\\' (CLAPI splits on the first two; the check command passes the value between single quotes, where Centreon Engine reads a backslash as an escape), edge spaces or <secret:…> placeholders",
  },
  s3Bucket: {
    test: (v: string) => /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v) && !v.includes(".."),
    allowed: "an S3 bucket name: 3 to 63 lower-case letters, digits, '.' and '-', starting and ending with a letter or digit",
  },
  awsRegion: {
    test: (v: string) => /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/.test(v),
    allowed: "an AWS region such as eu-west-3",
  },
  /** Any storage's region name; an AWS one is checked against awsRegion when no endpoint is set. */
  s3Region: {
    test: (v: string) => /^[a-z0-9][a-z0-9-]{0,62}$/.test(v),
    allowed: "a region name: lower-case letters, digits and '-'",
  },
  stateKeyPrefix: {
    test: (v: string) => /^[A-Za-z0-9._/-]{0,200}$/.test(v) && !v.startsWith("/") && !v.split("/").includes(".."),
    allowed: "letters, digits, '.', '_', '-' and '/' (not starting with '/'), e.g. centreon/",
  },
  dynamodbTable: {
    test: (v: string) => /^[A-Za-z0-9_.-]{3,255}$/.test(v),
    allowed: "a DynamoDB table name: 3 to 255 letters, digits, '_', '.' and '-'",
  },
  stateUrl: {
    // Backend settings are not templates for Terraform, but ${ and %{ would still be read as one in
    // JSON. The URL is written in every stack's JSON and in Terraform's .terraform/: no credentials.
    test: (v: string) => /^https?:\/\/[A-Za-z0-9._~:/?#@!&+,=%{}\[\]-]+$/.test(v) && !/[$%]\{/.test(v) && !holdsCredentials(v),
    allowed:
      "an http:// or https:// URL without spaces, quotes, '$' or credentials (no user:password@, no ?token=: give http.username and TF_HTTP_PASSWORD, or the storage's own environment variables), where {stack} stands for the stack name",
  },
  organizationName: {
    test: (v: string) => /^[A-Za-z0-9_-]{1,100}$/.test(v),
    allowed: "letters, digits, '_' and '-'",
  },
  workspacePrefix: {
    test: (v: string) => /^[A-Za-z0-9_-]{0,60}$/.test(v),
    allowed: "letters, digits, '_' and '-' (the stack name is appended)",
  },
} satisfies Record<string, Rule>;

export type RuleName = keyof typeof rules;

/** `value` shown in an error message: quoted, shortened, control characters escaped. */
export function showValue(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Throws when `values` names one thing twice (see repeats); for constructs. */
export function assertDistinct(what: string, values: readonly string[]): void {
  const [repeat] = repeats(values);
  if (repeat) throw new Error(`${what} ${showValue(values[repeat[0]])} is listed twice: list each once`);
}

/** Throws when `value` breaks `rule`; for constructs, which validate as they are built. */
export function assertRule(rule: Rule, field: string, value: string, example = ""): void {
  if (!value.isWellFormed() || !rule.test(value)) {
    // A URL with credentials is not repeated: the error lands in CI logs.
    const shown = /^[a-z]+:\/\//i.test(value) && holdsCredentials(value) ? "(the value is not shown: it holds credentials)" : showValue(value);
    throw new Error(`${field} ${shown} is not valid: it must be ${rule.allowed}${example}`);
  }
}
