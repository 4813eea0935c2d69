// The managed-parameter model of a notification relay: which main.cf parameters a gateway and a
// host turn into, and why. Rendering (review main.cf, provisioning script) reads only this.
import { isIPv4 } from "node:net";
import { OS_FAMILIES, OS_PROFILES, type OsFamily } from "./os.js";

/** How an SMTP connection speaks TLS: the one list the fleet file's schema and the constructs use. */
export const SMTP_SECURITY = ["starttls", "tls", "none"] as const;
export type GatewaySecurity = (typeof SMTP_SECURITY)[number];

export interface RelayGateway {
  host: string;
  port: number;
  security: GatewaySecurity;
  verifyCertificate: boolean;
  /** The name the gateway's certificate carries, checked instead of host (see tlsLevelOf). */
  certificateName?: string;
  caFile?: string;
  username?: string;
  from?: string;
  /** Reply-To address of the notifications: kept as is by the sender rewrite. */
  replyTo?: string;
  enabled: boolean;
}

export interface RelayParameter {
  name: string;
  /** One value, or one per distribution family (the script picks the host's). */
  value: string | Record<OsFamily, string>;
  /** Set only on hosts without syslog: Postfix would log nowhere otherwise. */
  onlyWithoutSyslog?: boolean;
}

/** The SASL credentials map; its lookup key must equal relayhost exactly. */
export const CREDENTIALS_MAP = "/etc/postfix/sasl_passwd";

/** Legacy TLS switches removed from main.cf: smtp_tls_security_level supersedes them. */
export const LEGACY_PARAMETERS = ["smtp_use_tls", "smtp_enforce_tls", "smtp_tls_enforce_peername"];

export const MANAGED_PARAMETER_NAMES = [
  "myhostname",
  "inet_interfaces",
  "relayhost",
  "smtp_sasl_auth_enable",
  "smtp_sasl_password_maps",
  "smtp_sasl_security_options",
  "smtp_sasl_tls_security_options",
  "smtp_tls_security_level",
  "smtp_tls_wrappermode",
  "smtp_tls_CAfile",
  "smtp_tls_secure_cert_match",
  "sender_canonical_maps",
  "defer_transports",
  "maillog_file",
  "authorized_mailq_users",
] as const;

/**
 * Why a postfixParameters entry is refused, or undefined: the managed parameters are set from the
 * gateway and host settings, and the legacy switches are removed (one would come back, after them).
 */
export function refusedExtraParameter(name: string): string | undefined {
  if (name === "smtp_tls_secure_cert_match") return "is managed by this project: set the gateway's certificateName instead";
  if ((MANAGED_PARAMETER_NAMES as readonly string[]).includes(name)) return "is managed by this project (from the gateway and host settings): set it there instead";
  if (LEGACY_PARAMETERS.includes(name)) {
    return "is a legacy TLS switch the relay removes: smtp_tls_security_level, set from the gateway's security and verifyCertificate, replaces it";
  }
  return undefined;
}

/** Who may list the queue: root and Centreon's engine user, which runs check_mailq. */
export const QUEUE_READERS = ["root", "centreon-engine"];

export interface RelayOptions {
  /** Restrict queue listing to QUEUE_READERS (set when the host has a queue check). @default false */
  queueCheck?: boolean;
}

export function relayhostOf(gateway: Pick<RelayGateway, "host" | "port">): string {
  // Brackets: deliver to this host itself, no MX lookup.
  return `[${gateway.host}]:${gateway.port}`;
}

/**
 * encrypt: TLS without checking the certificate. secure: chain and name checked, against
 * certificateName when given (smtp_tls_secure_cert_match), else against the host name. verify, for
 * an IP address without certificateName: chain checked, and the name against that address, which
 * the certificate must carry as an IP subjectAltName (few do: Fleet warns).
 */
export function tlsLevelOf(gateway: Pick<RelayGateway, "host" | "security" | "verifyCertificate" | "certificateName">): string {
  if (gateway.security === "none") return "none";
  if (!gateway.verifyCertificate) return "encrypt";
  return isIPv4(gateway.host) && gateway.certificateName === undefined ? "verify" : "secure";
}

export function relayParameters(gateway: RelayGateway, fqdn: string, options: RelayOptions = {}): RelayParameter[] {
  const tls = gateway.security !== "none";
  const auth = gateway.username !== undefined;
  const perOs = (pick: (family: OsFamily) => string) =>
    Object.fromEntries(OS_FAMILIES.map((family) => [family, pick(family)])) as Record<OsFamily, string>;
  const parameters: RelayParameter[] = [
    { name: "myhostname", value: fqdn },
    // A relay for the host's own notifications: nothing else may submit mail over the network.
    { name: "inet_interfaces", value: "loopback-only" },
    { name: "relayhost", value: relayhostOf(gateway) },
    { name: "smtp_sasl_auth_enable", value: auth ? "yes" : "no" },
    // The host's own table type: hash where Berkeley DB exists, lmdb where it does not (RHEL 10).
    { name: "smtp_sasl_password_maps", value: auth ? `\${default_database_type}:${CREDENTIALS_MAP}` : "" },
    // noplaintext where TLS is required: the password never crosses the network in clear.
    { name: "smtp_sasl_security_options", value: tls ? "noanonymous, noplaintext" : "noanonymous" },
    { name: "smtp_sasl_tls_security_options", value: "noanonymous" },
    { name: "smtp_tls_security_level", value: tlsLevelOf(gateway) },
    { name: "smtp_tls_wrappermode", value: gateway.security === "tls" ? "yes" : "no" },
    { name: "smtp_tls_CAfile", value: gateway.caFile ?? perOs((family) => OS_PROFILES[family].caBundle) },
    // Set only with certificateName: otherwise Postfix's default (the next hop's name) stays.
    ...(gateway.certificateName && tlsLevelOf(gateway) === "secure" ? [{ name: "smtp_tls_secure_cert_match", value: gateway.certificateName }] : []),
    // Set only when the fleet asks for it: otherwise the host's own value stays (a sender map its
    // gateway requires), and one this project set earlier goes back to it.
    ...(gateway.from ? [{ name: "sender_canonical_maps", value: senderCanonicalMaps(gateway) }] : []),
    // Disabled gateway: mail waits in the deferred queue, nothing is sent or dropped.
    ...(gateway.enabled ? [] : [{ name: "defer_transports", value: "smtp" }]),
    { name: "maillog_file", value: perOs((family) => OS_PROFILES[family].mailLog), onlyWithoutSyslog: true },
    ...(options.queueCheck ? [{ name: "authorized_mailq_users", value: QUEUE_READERS.join(", ") }] : []),
  ];
  return parameters;
}

/**
 * Every sender address, envelope and headers, becomes the gateway's `from`. Postfix counts Reply-To
 * among the sender headers: the reply-to address maps to itself first, so replies reach it.
 */
function senderCanonicalMaps(gateway: Pick<RelayGateway, "from" | "replyTo">): string {
  return gateway.replyTo ? `inline:{ ${gateway.replyTo}=${gateway.replyTo} }, static:${gateway.from}` : `static:${gateway.from}`;
}
