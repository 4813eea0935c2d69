import { Construct } from "constructs";
import { Annotations } from "../cdktf.js";
import { assertDistinct, assertRule, rules } from "../fleet/rules.js";
import { contactGroupLines, contactLines, type CentreonObject, type ContactModel, type ObjectLines } from "../clapi/objects.js";
import {
  HOST_EVENT_LETTERS,
  SERVICE_EVENT_LETTERS,
  type HostEvent,
  type NotificationSwitch,
  type ServiceEvent,
} from "../clapi/notifications.js";
import { declareObjectRecord } from "../remote/record.js";
import { terraformName } from "../remote/names.js";
import type { Engine } from "../remote/remote-script.js";
import type { Secret } from "../secret.js";
import type { NotificationCommand } from "./notification-command.js";

export type { CentreonObject } from "../clapi/objects.js";

/** A contact made in Centreon outside this fleet, named as a check's notify target: never changed or deleted. */
export class ExistingContact {
  constructor(readonly alias: string) {
    assertRule(rules.contactAlias, "existing contact alias", alias);
  }
}

/** A contact group made in Centreon outside this fleet (a notify target, a contact's group): never changed or deleted. */
export class ExistingContactGroup {
  constructor(readonly name: string) {
    assertRule(rules.centreonName, "existing contact group name", name);
  }
}

/** Contacts and groups of the fleet, or made outside it. */
export type ContactRef = Contact | ExistingContact;
export type ContactGroupRef = ContactGroup | ExistingContactGroup;

export interface ContactGroupProps {
  name: string;
  /** @default - the name */
  alias?: string;
}

export class ContactGroup extends Construct implements CentreonObject {
  readonly name: string;
  readonly alias: string;

  constructor(scope: Construct, id: string, props: ContactGroupProps & { engine: Engine }) {
    super(scope, id);
    assertRule(rules.centreonName, "contact group name", props.name);
    this.name = props.name;
    this.alias = props.alias ?? props.name;
    assertRule(rules.clapiValue, `contact group ${props.name}: alias`, this.alias);
    declareObjectRecord(this, {
      engine: props.engine,
      terraformName: terraformName("contact_group", this.name),
      object: this,
    });
  }

  readonly revision = 0;

  clapiLines(comment: string): ObjectLines {
    return contactGroupLines({ name: this.name, alias: this.alias }, comment);
  }
}

export interface NotificationSideProps<E> {
  events: readonly E[];
  /** @default "24x7" */
  period?: string;
  /**
   * Centreon command names, or notification commands declared in the fleet (the variant in the
   * contact's language is used). @default - host-notify-by-email / service-notify-by-email
   */
  commands?: readonly (string | NotificationCommand)[];
}

export interface ContactProps {
  /** Full name shown in Centreon. */
  name: string;
  /** Login: the contact's unique key in Centreon. */
  alias: string;
  email: string;
  /** @default - a random policy-compliant password, generated on the central at creation */
  password?: Secret;
  /** The fleet's groups, or ones made outside it (whose other members are left alone). @default - no group */
  groups?: ContactGroupRef[];
  /** May log in to the web UI. @default false */
  guiAccess?: boolean;
  /** @default false */
  admin?: boolean;
  /** @default "en_US" */
  language?: string;
  /** @default "local" */
  authtype?: "local" | "ldap";
  notifications?: {
    /** @default true */
    enabled?: NotificationSwitch;
    /** @default - no host notification (events none, 24x7, host-notify-by-email) */
    host?: NotificationSideProps<HostEvent>;
    /** @default - no service notification (events none, 24x7, service-notify-by-email) */
    service?: NotificationSideProps<ServiceEvent>;
  };
}

/** A Centreon contact: a notification recipient, notifications really switched on. */
export class Contact extends Construct implements CentreonObject {
  readonly alias: string;
  /** The CLAPI model, commands still unresolved: a notification command's variant depends on the language. */
  private readonly model: Omit<ContactModel, "groups" | "host" | "service"> & {
    host?: Required<NotificationSideProps<HostEvent>>;
    service?: Required<NotificationSideProps<ServiceEvent>>;
  };
  private readonly groups: ContactGroupRef[] = [];

  constructor(scope: Construct, id: string, props: ContactProps & { engine: Engine }) {
    super(scope, id);
    assertRule(rules.centreonName, "contact name", props.name);
    assertRule(rules.contactAlias, `contact ${props.name}: alias`, props.alias);
    assertRule(rules.email, `contact ${props.alias}: email`, props.email);
    // A side left out is off (no events), with a period and the stock command all the same:
    // Centreon Engine refuses a contact without both host and service notification commands.
    const side = <E extends string>(kind: "host" | "service", letters: Record<E, string>, p: NotificationSideProps<E> = { events: [] }) => {
      const allowed = Object.keys(letters);
      for (const e of p.events) {
        if (!allowed.includes(e)) throw new Error(`contact ${props.alias}: ${kind} event "${e}" is not valid: it must be one of ${allowed.join(", ")}`);
      }
      if (p.events.includes("none" as E) && p.events.length > 1) throw new Error(`contact ${props.alias}: ${kind} events [none] cannot be combined with other events`);
      assertDistinct(`contact ${props.alias}: ${kind} event`, p.events);
      const commands = p.commands ?? [`${kind}-notify-by-email`];
      assertDistinct(`contact ${props.alias}: ${kind} notification command`, commands.map((c) => (typeof c === "string" ? c : c.name)));
      for (const c of commands) {
        if (typeof c === "string") assertRule(rules.centreonName, `contact ${props.alias}: ${kind} notification command`, c);
        else if (c.kind !== kind) {
          throw new Error(`contact ${props.alias}: ${c.name} is a ${c.kind} notification command: it cannot notify ${kind} events`);
        }
      }
      return { events: p.events, period: p.period ?? "24x7", commands };
    };
    if (props.notifications?.enabled === "inherit") {
      Annotations.of(this).addWarning(
        `contact ${props.alias}: notifications.enabled inherit takes the value of the contact's template in Centreon; this fleet sets no template, and a contact without one is never notified (set enabled: true)`,
      );
    }
    this.alias = props.alias;
    this.model = {
      name: props.name,
      alias: props.alias,
      email: props.email,
      password: props.password,
      admin: props.admin ?? false,
      guiAccess: props.guiAccess ?? false,
      language: props.language ?? "en_US",
      authtype: props.authtype ?? "local",
      enabled: props.notifications?.enabled ?? true,
      host: side("host", HOST_EVENT_LETTERS, props.notifications?.host),
      service: side("service", SERVICE_EVENT_LETTERS, props.notifications?.service),
    };
    for (const group of props.groups ?? []) this.addToGroup(group);
    declareObjectRecord(this, {
      engine: props.engine,
      terraformName: terraformName("contact", this.alias),
      object: this,
    });
  }

  get revision(): number {
    return this.groups.length;
  }

  /** Whether a service problem reaches this contact: notifications on, and at least one service event. */
  get receivesServiceNotifications(): boolean {
    const events = this.model.service?.events ?? [];
    return this.model.enabled === true && events.length > 0 && !events.includes("none");
  }

  addToGroup(group: ContactGroupRef): void {
    if (!this.groups.includes(group)) this.groups.push(group);
  }

  clapiLines(comment: string): ObjectLines {
    const { host, service, ...model } = this.model;
    // A declared notification command: the variant in the contact's language.
    const resolve = <E>(side?: Required<NotificationSideProps<E>>) =>
      side && { ...side, commands: side.commands.map((c) => (typeof c === "string" ? c : c.commandFor(model.language))) };
    return contactLines({ ...model, host: resolve(host), service: resolve(service), groups: this.groups.map((g) => g.name) }, comment);
  }
}

