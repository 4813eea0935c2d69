// The fleet file, version 1: its shape, defaults and per-field rules. Checks that span sections
// (references, duplicates) live in cross-checks.ts; both run on every load.
import { z } from "zod";
import { CENTREON_LOCALES, holdsCredentials, rules, showValue, type Rule } from "./rules.js";
import { NOTIFICATION_LANGUAGES, PLACEHOLDERS, templateProblem } from "../clapi/notify-command.js";
import { HOST_EVENT_LETTERS, SERVICE_EVENT_LETTERS, type HostEvent, type ServiceEvent } from "../clapi/notifications.js";
import { SMTP_SECURITY } from "../postfix/relay-parameters.js";
import { repeats } from "../clapi/line.js";

/** For a value that may carry a credential pasted by mistake: errors do not repeat it. */
const SECRET_BEARING = { showValue: false } as const;

function ruled(rule: Rule, description: string, options: { showValue?: boolean; hideIf?: (value: string) => boolean } = {}) {
  const hidden = (input: unknown) => options.showValue === false || (typeof input === "string" && options.hideIf?.(input));
  const shown = (input: unknown) => (hidden(input) ? "the value (not shown: it may be a password pasted by mistake)" : showValue(input));
  return z
    .string()
    // A lone UTF-16 surrogate cannot be written as UTF-8: it would arrive as U+FFFD.
    .refine((v) => v.isWellFormed() && rule.test(v), {
      error: (iss) =>
        typeof iss.input === "string" && !iss.input.isWellFormed()
          ? `${shown(iss.input)} is not valid: it contains a lone UTF-16 surrogate, which no file can carry`
          : `${shown(iss.input)} is not valid: it must be ${rule.allowed}`,
    })
    .describe(description);
}

/** central.gateway value meaning "no relay on the central"; no gateway may take this name. */
export const NO_GATEWAY = "none";

const literalSecretMessage =
  "a literal secret is not allowed in the fleet file: write { secret: NAME } and supply the value at deploy time as TF_VAR_NAME";
/** For any other shape where a secret goes: what was written is not shown, as it may be the secret itself. */
export const secretShapeMessage =
  "is not valid: it must be { secret: NAME } and nothing else (what is written here is not shown: it may be the secret), with the value supplied at deploy time as TF_VAR_NAME";

export const SecretRef = z
  .strictObject(
    {
      secret: ruled(rules.secretName, "Name of the Terraform variable holding the secret (supplied as TF_VAR_<name>)", SECRET_BEARING),
    },
    {
      error: (iss) => {
        // An unknown key may be the secret itself (`password: { hunter2 }`): never named.
        if (iss.code === "unrecognized_keys") return secretShapeMessage;
        if (iss.code !== "invalid_type" || iss.input === undefined) return undefined;
        return typeof iss.input === "string" || typeof iss.input === "number" ? literalSecretMessage : secretShapeMessage;
      },
    },
  )
  .describe("A secret, never literal: { secret: NAME } names a sensitive Terraform variable");

const port = (description: string) => z.number().int().min(1).max(65535).describe(description);
const osChoice = z
  .enum(["auto", "debian", "rhel"])
  .default("auto")
  .describe("Distribution family: auto (read /etc/os-release), debian (Debian/Ubuntu) or rhel (RHEL/Alma/Rocky)");

const PostfixParameters = z
  .record(
    ruled(rules.postfixParameterName, "Postfix parameter name"),
    // YAML reads `message_size_limit: 10240000` as a number; Postfix takes its digits.
    z.union([ruled(rules.postfixParameterValue, "Postfix parameter value"), z.number().transform(String)], {
      error: (iss) => `${showValue(iss.input)} is not valid: it must be text or a number (write yes/no for Postfix booleans)`,
    }),
  )
  .describe("Extra main.cf parameters set with postconf -e on this host (the managed relay parameters cannot be overridden here)");

export const SshSettings = z
  .strictObject({
    user: ruled(rules.unixUser, "SSH user (root, or a user with passwordless sudo)").default("root"),
    port: port("SSH port").default(22),
    privateKeyFile: ruled(rules.keyFilePath, "Private key file on the machine running Terraform; omit to use the SSH agent").optional(),
    timeoutSeconds: z
      .number()
      .int()
      .min(1)
      .max(299)
      .default(30)
      .describe("How long to wait for the host to answer before that host fails (Terraform's own default is 300)"),
    scriptDirectory: ruled(
      rules.absolutePath,
      "Directory on the host, readable by the SSH user only, where Terraform uploads the script (default /root for root)",
    ).optional(),
  })
  .describe("How Terraform reaches the hosts over SSH");

const SshOverrides = z
  .strictObject({
    user: SshSettings.shape.user.unwrap().optional(),
    port: port("SSH port").optional(),
    privateKeyFile: SshSettings.shape.privateKeyFile,
    timeoutSeconds: SshSettings.shape.timeoutSeconds.unwrap().optional(),
    scriptDirectory: SshSettings.shape.scriptDirectory,
  })
  .describe("Per-host SSH settings, overriding the fleet's ssh section");

const hostFields = {
  address: ruled(rules.sshAddress, "Address Terraform connects to over SSH"),
  fqdn: ruled(rules.fqdn, "Fully qualified name of the host: Postfix myhostname, the EHLO name the gateway sees"),
  os: osChoice,
  hostKey: ruled(rules.sshHostKey, "The host's SSH public key, pinned: Terraform refuses any other key").optional(),
  ssh: SshOverrides.optional(),
  postfixParameters: PostfixParameters.optional(),
};

export const GatewaySpec = z
  .strictObject({
    host: ruled(rules.gatewayHost, "SMTP gateway (relayhost) the pollers relay through"),
    port: port("SMTP port (default 587 for starttls, 465 for tls, 25 for none)").optional(),
    security: z
      .enum(SMTP_SECURITY)
      .optional()
      .describe("starttls (submission, usually 587), tls (implicit TLS, usually 465) or none (plain SMTP) (default: tls when port is 465, starttls otherwise)"),
    verifyCertificate: z
      .boolean()
      .default(true)
      .describe("Verify the gateway's certificate chain and name; false encrypts without verifying"),
    certificateName: ruled(
      rules.certificateName,
      "Name the gateway's certificate carries, checked instead of host: needed when host is an IP address and the certificate names the gateway by DNS name only (default: the certificate must match host)",
    ).optional(),
    caFile: ruled(rules.absolutePath, "CA bundle on the hosts used to verify the gateway (default: the distribution's bundle)").optional(),
    auth: z
      .strictObject({
        username: ruled(rules.saslUsername, "SASL user name"),
        password: SecretRef,
      })
      .optional()
      .describe("SASL authentication; omit for a relay that accepts the pollers without it"),
    from: ruled(rules.email, "Sender address for all mail leaving the host (envelope and From: header)").optional(),
    displayName: ruled(rules.displayName, "Sender name shown with the From address of the notification commands using this gateway (needs from)").optional(),
    replyTo: ruled(rules.email, "Reply-To of the notification commands using this gateway; the relay's sender rewrite keeps it").optional(),
    enabled: z.boolean().default(true).describe("false holds outgoing mail in the queue until set back to true, for at most maximal_queue_lifetime (Postfix: 5 days, then it bounces; raise it in postfixParameters for longer)"),
  })
  .describe("An SMTP gateway");

export const PollerSpec = z
  .strictObject({
    name: ruled(rules.objectName, "Centreon poller name"),
    ...hostFields,
    gateway: ruled(rules.objectName, "Name of the gateway (in gateways) this poller relays through; omit to use defaultGateway").optional(),
  })
  .describe("A Centreon poller that gets a Postfix relay");

const centreonName = (description: string) => ruled(rules.centreonName, description);

export const CentralSpec = z
  .strictObject({
    name: ruled(rules.objectName, "The central's own poller name in Centreon"),
    ...hostFields,
    gateway: ruled(
      rules.objectName,
      `Gateway for the central's own relay (its engine notifies too); omit to use defaultGateway (no relay when there is none); "${NO_GATEWAY}": no relay on the central`,
    ).optional(),
    clapi: z
      .strictObject({
        user: ruled(rules.contactAlias, "Centreon admin user (alias) for CLAPI"),
        password: SecretRef,
      })
      .optional()
      .describe("CLAPI credentials on the central; required when the fleet declares Centreon objects"),
    portalUrl: ruled(rules.webUrl, "The Centreon web UI's address, for ${PORTALURL} in notification commands (e.g. https://centreon.example.org/centreon)", { hideIf: holdsCredentials }).optional(),
    existing: z
      .strictObject({
        timePeriods: distinct(centreonName("Time period made outside this fleet"), "time period").default([]),
        notificationCommands: distinct(centreonName("Notification command made outside this fleet"), "notification command").default([]),
        contacts: distinct(ruled(rules.contactAlias, "Alias of a contact made outside this fleet"), "contact").default([]),
        contactGroups: distinct(centreonName("Contact group made outside this fleet"), "contact group").default([]),
      })
      .optional()
      .describe(
        "Objects made in Centreon outside this fleet (by hand, another tool): time periods and notification commands contacts may name, contacts and contact groups checks may notify, contact groups contacts may join; this stack never changes or deletes them",
      ),
    smtpTemplates: z
      .enum(["pack", "create"])
      .default("pack")
      .describe("pack: the SMTP monitoring connector pack is installed on the central; create: this project creates its templates and check commands"),
  })
  .describe("The Centreon central server");

// The events the fleet file accepts are exactly those CLAPI has a letter for.
const HOST_EVENTS = Object.keys(HOST_EVENT_LETTERS) as [HostEvent, ...HostEvent[]];
const SERVICE_EVENTS = Object.keys(SERVICE_EVENT_LETTERS) as [ServiceEvent, ...ServiceEvent[]];

/**
 * A list whose elements must differ (see repeats). A repeat is a slip (a merge, a copy) that CLAPI
 * would be sent as is, so it is refused where it was written.
 */
function distinct<T extends z.ZodType<string>>(element: T, what: string) {
  return z.array(element).superRefine((values, ctx) => {
    for (const [i, first] of repeats(values)) {
      ctx.addIssue({ code: "custom", path: [i], input: values[i], message: `${showValue(values[i])} is already listed at [${first}]: list each ${what} once` });
    }
  });
}

function notificationSide<const E extends readonly [string, ...string[]]>(events: E, kind: "host" | "service") {
  return z
    .strictObject({
      events: distinct(z.enum(events), "event")
        .min(1)
        .refine((list) => !list.includes("none") || list.length === 1, { error: "[none] cannot be combined with other events" })
        .describe(`${kind} events that notify: ${events.join(", ")}, or [none]`),
      period: centreonName("Time period (24x7, workhours, nonworkhours, none, or one in central.existing.timePeriods)").default("24x7"),
      commands: distinct(centreonName("Notification command"), "notification command")
        .min(1)
        .default([`${kind}-notify-by-email`])
        .describe(`Notification commands (default ${kind}-notify-by-email): Centreon's, declared in notificationCommands, or in central.existing.notificationCommands`),
    })
    .describe(`When and how ${kind} problems notify this contact`);
}

export const ContactGroupSpec = z
  .strictObject({
    name: centreonName("Contact group name"),
    alias: ruled(rules.clapiValue, "Contact group alias (description)").optional(),
  })
  .describe("A Centreon contact group");

export const ContactSpec = z
  .strictObject({
    name: centreonName("Full name shown in Centreon"),
    alias: ruled(rules.contactAlias, "Login, the contact's unique key in Centreon"),
    email: ruled(rules.email, "Where notifications go"),
    groups: distinct(centreonName("Contact group"), "contact group").default([]).describe("Contact groups (declared in contactGroups, or in central.existing.contactGroups)"),
    password: SecretRef.optional().describe(
      "Password for a local contact; omitted: a random policy-compliant one is generated on the central when the contact is created",
    ),
    guiAccess: z.boolean().default(false).describe("May log in to the web UI"),
    admin: z.boolean().default(false).describe("Centreon administrator"),
    language: z.enum(CENTREON_LOCALES).default("en_US").describe("browser or a locale Centreon ships"),
    authtype: z.enum(["local", "ldap"]).default("local"),
    notifications: z
      .strictObject({
        enabled: z
          .union([z.boolean(), z.literal("inherit")], {
            error: (iss) => `${showValue(iss.input)} is not valid: it must be true, false or inherit`,
          })
          .default(true)
          .describe("true, false, or inherit (from the contact template)"),
        host: notificationSide(HOST_EVENTS, "host").optional(),
        service: notificationSide(SERVICE_EVENTS, "service").optional(),
      })
      .prefault({}),
  })
  .describe("A Centreon contact: a notification recipient");

const NotificationTemplateSpec = z
  .strictObject({
    subject: ruled(rules.subjectTemplate, "Subject; ${PLACEHOLDER}s stand for Centreon macros"),
    body: ruled(rules.bodyTemplate, "Body (line breaks allowed); ${PLACEHOLDER}s stand for Centreon macros, ${PORTALURL} for central.portalUrl"),
  })
  .describe("One language of a notification command");

export const NotificationCommandSpec = z
  .strictObject({
    name: centreonName("Base name: each language becomes the Centreon command <name>-<language>"),
    kind: z.enum(["host", "service"]).describe("host or service notifications"),
    gateway: ruled(rules.objectName, "Gateway whose from, displayName and replyTo make the From and Reply-To headers (default: the central's gateway, else defaultGateway, else the only gateway)").optional(),
    languages: z
      .partialRecord(z.enum(NOTIFICATION_LANGUAGES), NotificationTemplateSpec)
      .refine((l) => Object.keys(l).length > 0, { error: `give at least one language: ${NOTIFICATION_LANGUAGES.join(", ")}` })
      .describe(`Subject and body per language (${NOTIFICATION_LANGUAGES.join(", ")}); a contact gets its language's, else en's, else the first`),
  })
  .superRefine((command, ctx) => {
    for (const [language, template] of Object.entries(command.languages)) {
      for (const field of ["subject", "body"] as const) {
        const problem = template && templateProblem(command.kind, template[field], { portalUrl: true });
        if (problem) ctx.addIssue({ code: "custom", path: ["languages", language, field], message: `${showValue(template[field])} ${problem}` });
      }
    }
  })
  .describe(`An e-mail notification command; placeholders: ${PLACEHOLDERS.service.map((p) => `\${${p}}`).join(" ")}`);

/**
 * warning and critical thresholds beside `shape`. Seconds may be fractional and equal; a queue's
 * message counts are whole numbers with warning < critical (`counts`): check_mailq reads them as
 * integers and answers UNKNOWN otherwise.
 */
const thresholds = <T extends z.ZodRawShape>(shape: T, what: string, { counts = false } = {}) => {
  const threshold = (description: string) => (counts ? z.number().int().min(1) : z.number().positive()).describe(description);
  return z.strictObject({ ...shape, warning: threshold(`Warning threshold (${what})`), critical: threshold(`Critical threshold (${what})`) }).refine(
    (t) => {
      const { warning, critical } = t as { warning: number; critical: number };
      return counts ? critical > warning : critical >= warning;
    },
    {
      error: (iss) => {
        const t = iss.input as { warning: number; critical: number };
        return counts
          ? `${t.critical} is not valid: it must be more than the warning threshold (${t.warning}); check_mailq answers UNKNOWN otherwise`
          : `${t.critical} is not valid: it must be at least the warning threshold (${t.warning})`;
      },
      path: ["critical"],
    },
  );
};

const NotifySpec = z
  .strictObject({
    contacts: distinct(ruled(rules.contactAlias, "Contact alias"), "contact").default([]),
    groups: distinct(centreonName("Contact group"), "contact group").default([]),
  })
  .prefault({})
  .describe("Who the check's problems notify (declared contacts and contact groups, or ones in central.existing)");

export const SmtpCheckSpec = z
  .strictObject({
    host: centreonName("Centreon host created for the SMTP server"),
    address: ruled(rules.gatewayHost, "Address of the SMTP server"),
    poller: ruled(rules.objectName, "Poller that runs the check (a poller's or the central's name)"),
    port: port("SMTP port (default 587 for starttls, 465 for tls, 25 for none)").optional(),
    security: z
      .enum(SMTP_SECURITY)
      .optional()
      .describe("How the check talks TLS, as gateways do: starttls (submission, usually 587), tls (implicit TLS, usually 465) or none (plain SMTP) (default: tls when port is 465, starttls otherwise)"),
    auth: z
      .strictObject({ username: ruled(rules.checkCommandValue, "SMTP user name"), password: SecretRef })
      .optional()
      .describe("Credentials the probe logs in with"),
    login: thresholds({}, "seconds to log in").prefault({ warning: 2, critical: 5 }),
    message: thresholds(
      { from: ruled(rules.email, "Sender of the probe message"), to: ruled(rules.email, "Recipient of the probe message") },
      "seconds to send a message",
    ).optional(),
    notify: NotifySpec,
  })
  .describe("An SMTP check from the monitoring connector: a host with SMTP-Login (and SMTP-Message) services");

export const QueueChecksSpec = thresholds({ notify: NotifySpec }, "messages in the Postfix queue, a whole number", { counts: true }).describe(
  "One service per poller alarming on the Postfix queue size (check_mailq -M postfix)",
);

export const StackSpec = z
  .strictObject({
    name: ruled(rules.stackName, "Stack name; the stack is <fleet name>-<name>, with its own state"),
    pollers: z.array(ruled(rules.objectName, "Poller name (in pollers)")).min(1).describe("The pollers whose relays this stack deploys"),
  })
  .describe("Pollers deployed from their own stack (own state, own CI job); the central and the Centreon objects stay in the fleet's main stack");

export const BackendSpec = z
  .strictObject({
    s3: z
      .strictObject({
        bucket: ruled(rules.s3Bucket, "S3 bucket"),
        region: ruled(rules.s3Region, "Region of the bucket (an AWS region unless endpoint is set)"),
        keyPrefix: ruled(rules.stateKeyPrefix, "State key prefix: each stack's state is <keyPrefix><stack>.tfstate").default("centreon-mail-as-code/"),
        useLockfile: z.boolean().default(true).describe("Lock the state with a lock file beside it in the bucket (Terraform 1.10 or later); false: no lock file"),
        dynamodbTable: ruled(rules.dynamodbTable, "DynamoDB table for state locking, deprecated by Terraform 1.11 (prefer useLockfile)").optional(),
        encrypt: z.boolean().default(true).describe("Server-side encryption of the state"),
        endpoint: ruled(rules.stateUrl, "S3 endpoint of S3-compatible storage (MinIO, Ceph, Scaleway...); default: AWS", SECRET_BEARING).optional(),
        usePathStyle: z.boolean().default(false).describe("Bucket in the URL path, not the host name (MinIO and others need it)"),
      })
      .optional()
      .describe("AWS S3 (credentials from the AWS_* environment variables or profile, never from this file)"),
    http: z
      .strictObject({
        address: ruled(rules.stateUrl, "State address; {stack} stands for the stack name (e.g. GitLab: https://gitlab.example.org/api/v4/projects/42/terraform/state/{stack})", SECRET_BEARING),
        lockAddress: ruled(rules.stateUrl, "Lock address, {stack} allowed (GitLab: the state address + /lock); default: no locking", SECRET_BEARING).optional(),
        unlockAddress: ruled(rules.stateUrl, "Unlock address, {stack} allowed; default: the lock address", SECRET_BEARING).optional(),
        lockMethod: z.enum(["LOCK", "POST", "PUT"]).optional().describe("HTTP method that takes the lock; GitLab: POST; default: Terraform's LOCK"),
        unlockMethod: z.enum(["UNLOCK", "DELETE", "POST", "PUT"]).optional().describe("HTTP method that releases the lock; GitLab: DELETE; default: Terraform's UNLOCK"),
        username: ruled(rules.saslUsername, "HTTP basic-auth user; the password is read from TF_HTTP_PASSWORD").optional(),
      })
      .optional()
      .describe("HTTP REST state (GitLab-managed Terraform state and others)"),
    remote: z
      .strictObject({
        hostname: ruled(rules.fqdn, "HCP Terraform / Terraform Enterprise host (default app.terraform.io)").optional(),
        organization: ruled(rules.organizationName, "Organization"),
        workspacePrefix: ruled(rules.workspacePrefix, "Workspace name prefix: each stack's workspace is <prefix><stack>").default(""),
      })
      .optional()
      .describe("HCP Terraform or Terraform Enterprise (token from the CLI credentials or TF_TOKEN_<host>)"),
  })
  .refine((b) => [b.s3, b.http, b.remote].filter(Boolean).length === 1, {
    error: "must declare exactly one of s3, http or remote (omit backend for a local state file per stack)",
  })
  .describe("Where every stack of the fleet keeps its Terraform state; default: a local file terraform.<stack>.tfstate");

export const RolloutSpec = z
  .strictObject({
    canary: z
      .array(ruled(rules.objectName, "A poller (or the central) provisioned and probed before every other host"))
      .default([])
      .describe("Hosts provisioned and probed first (wave 0); if one fails, no other relay host is touched"),
    batchSize: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Hosts per wave after the canaries; a wave starts only when the previous one succeeded (default: all the others in one wave)"),
    probe: z
      .strictObject({
        recipient: ruled(rules.email, "Address the probe message is sent to through the gateway (a mailbox that accepts test mail)"),
        timeoutSeconds: z
          .number()
          .int()
          .min(5)
          .max(600)
          .default(60)
          .describe("How long a host waits for the gateway to accept its probe before the host fails (default 60)"),
      })
      .describe("After each reload, every relay host sends a probe through the gateway and fails unless Postfix reports it sent"),
  })
  .describe("Roll the relay configuration out in waves: canaries first, then batches, each host verified by a probe message");

export const FleetSpec = z
  .strictObject({
    name: ruled(rules.stackName, "Stack name"),
    engine: z
      .enum(["null_resource", "terraform_data"])
      .default("null_resource")
      .describe("null_resource (hashicorp/null provider) or terraform_data (built in: no provider download)"),
    strictHostKeys: z.boolean().default(false).describe("true: a host without hostKey is an error instead of a warning"),
    installCheckPlugins: z
      .boolean()
      .default(true)
      .describe("false: the check plugins (Centreon's SMTP plugin, check_mailq) are deployed by your own tooling, not by the relay script"),
    ssh: SshSettings.prefault({}),
    central: CentralSpec.optional(),
    gateways: z.record(ruled(rules.objectName, "Gateway name"), GatewaySpec).default({}),
    // One top-level name rather than a per-gateway flag: two defaults cannot be written, and the
    // reference is checked like every other gateway reference.
    defaultGateway: ruled(
      rules.objectName,
      "Gateway (in gateways) of every poller without its own gateway, and of the central unless it says otherwise (one top-level name: there cannot be two defaults)",
    ).optional(),
    pollers: z.array(PollerSpec).default([]),
    contactGroups: z.array(ContactGroupSpec).default([]),
    contacts: z.array(ContactSpec).default([]),
    notificationCommands: z.array(NotificationCommandSpec).default([]),
    smtpChecks: z.array(SmtpCheckSpec).default([]),
    queueChecks: QueueChecksSpec.optional(),
    stacks: z.array(StackSpec).default([]),
    backend: BackendSpec.optional(),
    rollout: RolloutSpec.optional(),
  })
  .describe("A Centreon fleet's notification mail, as code (fleet file version 1)");

export type FleetSpec = z.output<typeof FleetSpec>;
export type FleetInput = z.input<typeof FleetSpec>;
export type GatewaySpec = z.output<typeof GatewaySpec>;
export type PollerSpec = z.output<typeof PollerSpec>;
export type CentralSpec = z.output<typeof CentralSpec>;
export type SecretRef = z.output<typeof SecretRef>;
export type ContactSpec = z.output<typeof ContactSpec>;
export type ContactGroupSpec = z.output<typeof ContactGroupSpec>;
export type SmtpCheckSpec = z.output<typeof SmtpCheckSpec>;
export type NotificationCommandSpec = z.output<typeof NotificationCommandSpec>;
export type QueueChecksSpec = z.output<typeof QueueChecksSpec>;
export type StackSpec = z.output<typeof StackSpec>;
export type BackendSpec = z.output<typeof BackendSpec>;
export type RolloutSpec = z.output<typeof RolloutSpec>;

/** Messages for zod's built-in checks, with the bad value and what is allowed. */
export function describeIssue(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case "invalid_type": {
      if (iss.input === undefined) return `is required (${iss.expected})`;
      const shown = `${showValue(iss.input)} is not valid`;
      if (iss.expected === "array" && (typeof iss.input === "string" || typeof iss.input === "number")) {
        return `${shown}: it must be a list, even of one: write [${iss.input}]`;
      }
      if (iss.expected === "int") return `${shown}: it must be an integer`;
      return `${shown}: it must be ${/^[aeiou]/.test(iss.expected) ? "an" : "a"} ${iss.expected}`;
    }
    case "invalid_value":
      return `${showValue(iss.input)} is not valid: it must be one of ${iss.values.map((v) => String(v)).join(", ")}`;
    case "too_big":
    case "too_small": {
      const limit = Number(iss.code === "too_big" ? iss.maximum : iss.minimum);
      const bound =
        iss.code === "too_big" ? `${iss.inclusive === false ? "less than" : "at most"} ${limit}` : `${iss.inclusive === false ? "greater than" : "at least"} ${limit}`;
      if (iss.origin === "string") return `${showValue(iss.input)} is not valid: it must not be empty`;
      if (iss.origin === "array") return `${showValue(iss.input)} is not valid: it must list ${bound} ${limit === 1 ? "entry" : "entries"}`;
      return `${showValue(iss.input)} is not valid: it must be ${bound}`;
    }
    case "invalid_key": {
      // A record's key (a gateway's name, a Postfix parameter's): its own rule says what is allowed.
      const reason = iss.issues.find((inner) => inner.message)?.message;
      return reason ? `the name ${reason}` : `the name ${showValue(iss.input)} is not valid`;
    }
    case "unrecognized_keys":
      return `unknown field${iss.keys.length > 1 ? "s" : ""} ${iss.keys.map((k) => `"${k}"`).join(", ")}: check the spelling against schema/fleet.schema.json`;
    default:
      return undefined;
  }
}
