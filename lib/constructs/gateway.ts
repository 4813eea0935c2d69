import { Construct } from "constructs";
import { Annotations } from "../cdktf.js";
import { assertRule, rules } from "../fleet/rules.js";
import { relayhostOf, tlsLevelOf, type GatewaySecurity, type RelayGateway } from "../postfix/relay-parameters.js";
import type { Secret } from "../secret.js";

export interface GatewayAuth {
  /** SASL user name. */
  username: string;
  password: Secret;
}

export interface GatewayProps {
  /** Name used in the fleet file and review artifacts. @default - the construct id */
  name?: string;
  /** Host name or IPv4 address of the SMTP gateway. */
  host: string;
  /** @default 587 for starttls, 465 for tls, 25 for none */
  port?: number;
  /** @default "tls" when port is 465, "starttls" otherwise */
  security?: GatewaySecurity;
  /** Check the gateway's certificate chain and name. @default true */
  verifyCertificate?: boolean;
  /**
   * The name the gateway's certificate carries, checked instead of `host`: needed when `host` is an
   * IP address and the certificate names the gateway by DNS name only. Needs verifyCertificate.
   * @default - the certificate must match `host`
   */
  certificateName?: string;
  /** CA bundle on the hosts to verify the gateway with. @default - the distribution's bundle */
  caFile?: string;
  /** @default - no SASL authentication */
  auth?: GatewayAuth;
  /** Sender of all mail leaving the hosts (envelope and From: header). @default - senders unchanged */
  from?: string;
  /**
   * Sender name shown with the From address of the notification commands that use this gateway
   * (needs `from`). @default - the address alone
   */
  displayName?: string;
  /**
   * Reply-To of the notification commands that use this gateway; the relay's sender rewrite leaves
   * it as is. @default - replies go to the From address
   */
  replyTo?: string;
  /** false holds outgoing mail in the queue until true again. @default true */
  enabled?: boolean;
}

export const DEFAULT_PORTS: Record<GatewaySecurity, number> = { starttls: 587, tls: 465, none: 25 };

/**
 * Port and security of an SMTP connection (a gateway's or a check's), each from the other when
 * not given: 465 speaks implicit TLS (RFC 8314), other ports start with STARTTLS.
 */
export function smtpTransport(port: number | undefined, security: GatewaySecurity | undefined): { port: number; security: GatewaySecurity } {
  const resolved = security ?? (port === DEFAULT_PORTS.tls ? "tls" : "starttls");
  return { port: port ?? DEFAULT_PORTS[resolved], security: resolved };
}

/** smtpTransport for the constructs: `what` (e.g. "gateway corporate") names the object in the error. */
export function assertSmtpTransport(what: string, port: number | undefined, security: GatewaySecurity | undefined): { port: number; security: GatewaySecurity } {
  const transport = smtpTransport(port, security);
  if (!Number.isInteger(transport.port) || transport.port < 1 || transport.port > 65535) {
    throw new Error(`${what}: port ${transport.port} is not valid: it must be an integer from 1 to 65535`);
  }
  const mismatch = transportMismatch(transport);
  if (mismatch) throw new Error(`${what}: security ${mismatch}`);
  return transport;
}

/** Why `security` cannot work on `port`, for the ports whose way to speak TLS is fixed; undefined when it can. */
export function transportMismatch({ port, security }: { port: number; security: GatewaySecurity }): string | undefined {
  if (port === DEFAULT_PORTS.tls && security !== "tls") {
    return `"${security}" does not work on port 465, which speaks implicit TLS: use security: tls`;
  }
  if ((port === DEFAULT_PORTS.starttls || port === DEFAULT_PORTS.none) && security === "tls") {
    return `"tls" (implicit TLS) does not work on port ${port}, which speaks STARTTLS: use security: starttls`;
  }
  return undefined;
}

/** An SMTP gateway the relays deliver to. */
export class Gateway extends Construct {
  readonly gatewayName: string;
  readonly settings: RelayGateway;
  readonly password?: Secret;
  readonly displayName?: string;

  constructor(scope: Construct, id: string, props: GatewayProps) {
    super(scope, id);
    this.gatewayName = props.name ?? id;
    assertRule(rules.objectName, "gateway name", this.gatewayName);
    assertRule(rules.gatewayHost, `gateway ${this.gatewayName}: host`, props.host);
    const { port, security } = assertSmtpTransport(`gateway ${this.gatewayName}`, props.port, props.security);
    if (props.caFile !== undefined) assertRule(rules.absolutePath, `gateway ${this.gatewayName}: caFile`, props.caFile);
    if (props.certificateName !== undefined) {
      assertRule(rules.certificateName, `gateway ${this.gatewayName}: certificateName`, props.certificateName);
      if (security === "none" || props.verifyCertificate === false) {
        throw new Error(`gateway ${this.gatewayName}: certificateName needs a verified TLS connection: remove it, or set security to starttls or tls and verifyCertificate to true`);
      }
    }
    if (props.from !== undefined) assertRule(rules.email, `gateway ${this.gatewayName}: from`, props.from);
    if (props.replyTo !== undefined) assertRule(rules.email, `gateway ${this.gatewayName}: replyTo`, props.replyTo);
    if (props.displayName !== undefined) {
      assertRule(rules.displayName, `gateway ${this.gatewayName}: displayName`, props.displayName);
      if (props.from === undefined) {
        throw new Error(`gateway ${this.gatewayName}: displayName needs from (the address the name is shown with): set from too`);
      }
    }
    this.displayName = props.displayName;
    if (props.auth) assertRule(rules.saslUsername, `gateway ${this.gatewayName}: auth.username`, props.auth.username);
    this.password = props.auth?.password;
    this.settings = {
      host: props.host,
      port,
      security,
      verifyCertificate: props.verifyCertificate ?? true,
      certificateName: props.certificateName,
      caFile: props.caFile,
      username: props.auth?.username,
      from: props.from,
      replyTo: props.replyTo,
      enabled: props.enabled ?? true,
    };
    if (security === "none" && props.auth) {
      Annotations.of(this).addWarning(
        `gateway ${this.gatewayName}: security none with auth sends the password in clear on the network; use starttls or tls`,
      );
    } else if (security !== "none" && !this.settings.verifyCertificate) {
      Annotations.of(this).addWarning(
        `gateway ${this.gatewayName}: verifyCertificate false encrypts but does not check who answers; set it to true (with caFile for a private CA)`,
      );
    } else if (tlsLevelOf(this.settings) === "verify") {
      Annotations.of(this).addWarning(
        `gateway ${this.gatewayName}: host ${props.host} is an IP address: Postfix checks the certificate's name against it, so mail is deferred ("Server certificate not verified") unless the certificate carries this address (an IP subjectAltName); set certificateName to the name it carries, or host to that name`,
      );
    }
  }

  get relayhost(): string {
    return relayhostOf(this.settings);
  }
}
