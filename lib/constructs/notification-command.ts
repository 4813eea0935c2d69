import { Construct } from "constructs";
import { assertRule, rules } from "../fleet/rules.js";
import { notificationCommandLines, type ObjectLines } from "../clapi/objects.js";
import {
  NOTIFICATION_LANGUAGES,
  notifyCommandLine,
  templateProblem,
  type NotificationKind,
  type NotificationLanguage,
} from "../clapi/notify-command.js";
import { declareObjectRecord } from "../remote/record.js";
import { terraformName } from "../remote/names.js";
import type { Engine } from "../remote/remote-script.js";
import type { CentreonObject } from "./contact.js";
import type { Gateway } from "./gateway.js";


export interface NotificationTemplate {
  /** One line; ${PLACEHOLDER}s stand for Centreon macros (${HOSTNAME} for $HOSTNAME$...). */
  subject: string;
  /** Line breaks allowed; same placeholders, plus ${PORTALURL}. */
  body: string;
}

export interface NotificationCommandProps {
  /** Base name: each language becomes the Centreon command `<name>-<language>`. */
  name: string;
  kind: NotificationKind;
  /** Language code → subject and body. At least one. */
  templates: Partial<Record<NotificationLanguage, NotificationTemplate>>;
  /** Its from, displayName and replyTo make the From and Reply-To headers. @default - Postfix's own From header */
  gateway?: Gateway;
  /** The Centreon web UI, for ${PORTALURL}. @default - ${PORTALURL} is refused */
  portalUrl?: string;
}

/** The contact's language code: fr_FR → fr; browser → none. */
export function languageOf(locale: string): string | undefined {
  return /^[a-z]{2}_/.test(locale) ? locale.slice(0, 2) : undefined;
}

/** An e-mail notification command in several languages: one Centreon command (CMD, type notif) per language. */
export class NotificationCommand extends Construct {
  readonly name: string;
  readonly kind: NotificationKind;
  readonly variants: NotificationCommandVariant[];
  /** Where its From and Reply-To headers come from. */
  readonly gateway?: Gateway;

  constructor(scope: Construct, id: string, props: NotificationCommandProps & { engine: Engine }) {
    super(scope, id);
    assertRule(rules.centreonName, "notification command name", props.name);
    if (props.portalUrl !== undefined) assertRule(rules.webUrl, `notification command ${props.name}: portalUrl`, props.portalUrl);
    this.name = props.name;
    this.kind = props.kind;
    this.gateway = props.gateway;
    const languages = Object.keys(props.templates);
    if (languages.length === 0) throw new Error(`notification command ${props.name}: give at least one language (${NOTIFICATION_LANGUAGES.join(", ")})`);
    this.variants = languages.map((language) => {
      if (!(NOTIFICATION_LANGUAGES as readonly string[]).includes(language)) {
        throw new Error(`notification command ${props.name}: language "${language}" is not valid: it must be one of ${NOTIFICATION_LANGUAGES.join(", ")}`);
      }
      return new NotificationCommandVariant(this, language, {
        ...props,
        language: language as NotificationLanguage,
        template: props.templates[language as NotificationLanguage]!,
      });
    });
  }

  /** The variant a contact with this locale gets: its language, else en, else the first declared. */
  commandFor(locale: string): string {
    const wanted = languageOf(locale);
    const variant =
      this.variants.find((v) => v.language === wanted) ?? this.variants.find((v) => v.language === "en") ?? this.variants[0];
    return variant.commandName;
  }
}

/** One language of a notification command: one Centreon CMD object. */
export class NotificationCommandVariant extends Construct implements CentreonObject {
  readonly commandName: string;
  readonly language: NotificationLanguage;
  private readonly props: NotificationCommandProps & { language: NotificationLanguage; template: NotificationTemplate };

  constructor(
    scope: Construct,
    id: string,
    props: NotificationCommandProps & { engine: Engine; language: NotificationLanguage; template: NotificationTemplate },
  ) {
    super(scope, id);
    this.language = props.language;
    this.commandName = `${props.name}-${props.language}`;
    this.props = props;
    const what = `notification command ${this.commandName}`;
    assertRule(rules.subjectTemplate, `${what}: subject`, props.template.subject);
    assertRule(rules.bodyTemplate, `${what}: body`, props.template.body);
    for (const field of ["subject", "body"] as const) {
      const problem = templateProblem(props.kind, props.template[field], { portalUrl: props.portalUrl !== undefined });
      if (problem) throw new Error(`${what}: ${field} ${JSON.stringify(props.template[field])} ${problem}`);
    }
    // Builds the line now: a template the line cannot carry fails here, not at synth.
    notifyCommandLine(this.model());
    declareObjectRecord(this, {
      engine: props.engine,
      terraformName: terraformName("notification_command", this.commandName),
      object: this,
    });
  }

  readonly revision = 0;

  private model() {
    const { kind, template, gateway, portalUrl } = this.props;
    return {
      kind,
      subject: template.subject,
      body: template.body,
      from: gateway?.settings.from,
      displayName: gateway?.displayName,
      replyTo: gateway?.settings.replyTo,
      portalUrl,
    };
  }

  clapiLines(comment: string): ObjectLines {
    return notificationCommandLines({ name: this.commandName, ...this.model() }, comment);
  }
}
