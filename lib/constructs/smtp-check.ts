import { Construct } from "constructs";
import { Annotations } from "../cdktf.js";
import { assertRule, rules } from "../fleet/rules.js";
import { smtpCheckLines, type ObjectLines } from "../clapi/objects.js";
import { declareObjectRecord } from "../remote/record.js";
import type { Engine } from "../remote/remote-script.js";
import type { Secret } from "../secret.js";
import { Contact, ExistingContact, type CentreonObject, type ContactRef, type ContactGroupRef } from "./contact.js";
import { terraformName } from "../remote/names.js";
import type { GatewaySecurity } from "../postfix/relay-parameters.js";
import { assertSmtpTransport } from "./gateway.js";

export interface Thresholds {
  warning: number;
  critical: number;
}

export interface SmtpCheckProps {
  /** Centreon host created for the SMTP server. */
  host: string;
  /** Address of the SMTP server. */
  address: string;
  /** Name of the poller that runs the check (a poller's or the central's). */
  poller: string;
  /** @default 587 for starttls, 465 for tls, 25 for none (as for gateways) */
  port?: number;
  /** How the check talks TLS to the server. @default "tls" when port is 465, "starttls" otherwise */
  security?: GatewaySecurity;
  /** @default - no login */
  auth?: { username: string; password: Secret };
  /** Seconds to log in. @default { warning: 2, critical: 5 } */
  login?: Thresholds;
  /** Send a probe message too. @default - login only */
  message?: Thresholds & { from: string; to: string };
  /** @default - nobody */
  contacts?: ContactRef[];
  /** @default - no group */
  groups?: ContactGroupRef[];
}

/**
 * The fleet file's threshold rules (schema.ts), for the constructs: seconds are positive and may be
 * equal; a queue's message counts (`counts`) are integers of 1 or more with warning < critical, as
 * check_mailq answers UNKNOWN otherwise.
 */
export function assertThresholds(what: string, { warning, critical }: Thresholds, { counts = false } = {}): void {
  for (const [name, value] of Object.entries({ warning, critical })) {
    if (counts ? !Number.isInteger(value) || value < 1 : !(value > 0)) {
      throw new Error(`${what}.${name} ${value} is not valid: it must be ${counts ? "an integer, at least 1" : "a positive number"}`);
    }
  }
  if (counts ? critical <= warning : critical < warning) {
    throw new Error(
      counts
        ? `${what}.critical ${critical} is not valid: it must be more than the warning threshold (${warning}); check_mailq answers UNKNOWN otherwise`
        : `${what}.critical ${critical} is not valid: it must be at least the warning threshold (${warning})`,
    );
  }
}

/** An SMTP check from the monitoring connector: a host with SMTP-Login (and SMTP-Message). */
export class SmtpCheck extends Construct implements CentreonObject {
  readonly host: string;
  readonly poller: string;
  private readonly props: SmtpCheckProps;
  private readonly transport: { port: number; security: GatewaySecurity };
  private readonly contacts: ContactRef[];
  private readonly groups: ContactGroupRef[];

  constructor(scope: Construct, id: string, props: SmtpCheckProps & { engine: Engine }) {
    super(scope, id);
    assertRule(rules.centreonName, "SMTP check host", props.host);
    assertRule(rules.gatewayHost, `SMTP check ${props.host}: address`, props.address);
    if (props.auth) assertRule(rules.checkCommandValue, `SMTP check ${props.host}: auth.username`, props.auth.username);
    assertThresholds(`SMTP check ${props.host}: login`, props.login ?? { warning: 2, critical: 5 });
    if (props.message) {
      assertThresholds(`SMTP check ${props.host}: message`, props.message);
      assertRule(rules.email, `SMTP check ${props.host}: message.from`, props.message.from);
      assertRule(rules.email, `SMTP check ${props.host}: message.to`, props.message.to);
    }
    const transport = assertSmtpTransport(`SMTP check ${props.host}`, props.port, props.security);
    if (transport.security === "none" && props.auth) {
      Annotations.of(this).addWarning(`SMTP check ${props.host}: security none with auth sends the password in clear on the network; use starttls or tls`);
    }
    this.host = props.host;
    this.poller = props.poller;
    this.props = props;
    this.transport = transport;
    this.contacts = [...(props.contacts ?? [])];
    this.groups = [...(props.groups ?? [])];
    declareObjectRecord(this, {
      engine: props.engine,
      terraformName: terraformName("smtp_check", props.host),
      object: this,
    });
  }

  get revision(): number {
    return this.contacts.length + this.groups.length;
  }

  /** Who its problems notify. */
  get notifyTargets(): { contacts: readonly ContactRef[]; groups: readonly ContactGroupRef[] } {
    return { contacts: this.contacts, groups: this.groups };
  }

  /** Notifies this contact or group about the check's host and services (once, however often it is called). */
  notify(target: ContactRef | ContactGroupRef): void {
    if (target instanceof Contact || target instanceof ExistingContact) {
      if (!this.contacts.includes(target)) this.contacts.push(target);
    } else if (!this.groups.includes(target)) this.groups.push(target);
  }

  clapiLines(comment: string): ObjectLines {
    const p = this.props;
    return smtpCheckLines(
      {
        host: p.host,
        address: p.address,
        poller: p.poller,
        ...this.transport,
        username: p.auth?.username,
        password: p.auth?.password,
        login: p.login ?? { warning: 2, critical: 5 },
        message: p.message,
        contacts: this.contacts.map((c) => c.alias),
        groups: this.groups.map((g) => g.name),
      },
      comment,
    );
  }
}
