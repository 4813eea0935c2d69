// The review model: what a stack declares, per host and per Centreon object, as data. Written as
// review.json at every synth; `npm run review` diffs two of them (diff.ts). Secrets appear only as
// their <secret:NAME> placeholders: their values exist only at apply time, never during synth.
import type { Fleet } from "../constructs/fleet.js";
import type { MailRelay } from "../constructs/mail-relay.js";
import type { Batch } from "../clapi/batch.js";
import { scopePoller } from "../clapi/line.js";
import { OS_FAMILIES } from "../postfix/os.js";
import { pinnedHostKey } from "../remote/remote-script.js";

/** Bumped when the shape changes, so `npm run review` refuses a model it would misread. */
export const REVIEW_MODEL_VERSION = 1;

export interface ReviewModel {
  version: typeof REVIEW_MODEL_VERSION;
  stack: string;
  /** Where the stack's Terraform state is (absent from models of earlier releases). */
  state?: string;
  hosts: HostReview[];
  objects: ObjectReview[];
  /** Secret name → where it is referenced, e.g. "host poller-paris: credentials". */
  secrets: Record<string, string[]>;
}

export interface HostReview {
  name: string;
  role: "central" | "poller";
  gateway: string;
  /** The gateway is the fleet's defaultGateway, not one the host names. */
  gatewayInherited: boolean;
  /** How the host is reached and provisioned: SSH, os, gateway, host key, credentials, packages, probe, engine, script hash. */
  settings: Record<string, string>;
  /** main.cf: the managed parameters, then postfixParameters, in the order they are set. */
  parameters: Record<string, { value: string; note?: string }>;
}

export interface ObjectReview {
  /** CLAPI object type: CONTACT, CG, HOST, CMD, HTPL, STPL. */
  kind: string;
  /** The object's key in Centreon: alias for contacts, name otherwise. */
  key: string;
  /** The poller whose engine its configuration lands on, or "all". */
  poller: string;
  /** What its CLAPI lines set, by field: `email`, `macro SMTPUSERNAME`, `SMTP-Login: macro WARNING`... */
  fields: Record<string, string>;
}

/** "corporate", or "corporate (default)" when the host inherits the fleet's defaultGateway. */
export function gatewayLabel(host: Pick<HostReview, "gateway" | "gatewayInherited">): string {
  return host.gatewayInherited ? `${host.gateway} (default)` : host.gateway;
}

export function reviewModel(fleet: Fleet): ReviewModel {
  const secrets = new Map<string, Set<string>>();
  const reference = (name: string, where: string) => secrets.set(name, (secrets.get(name) ?? new Set()).add(where));
  const hosts = fleet.relays.map((relay) => hostReview(relay, relay.hostName === fleet.central?.name ? "central" : "poller", reference));
  const configuration = fleet.central?.configuration;
  if (configuration) reference(configuration.clapiPassword.name, `central ${fleet.central!.name}: CLAPI password`);
  const batch = configuration?.batch();
  const objects = batch ? objectReviews(batch, reference) : [];
  const sorted = Object.fromEntries([...secrets.keys()].sort().map((name) => [name, [...secrets.get(name)!]]));
  return { version: REVIEW_MODEL_VERSION, stack: fleet.node.id, state: fleet.stateLocation, hosts, objects, secrets: sorted };
}

function hostReview(relay: MailRelay, role: HostReview["role"], reference: (secret: string, where: string) => void): HostReview {
  const c = relay.remote.connection;
  const credentials = relay.credentials;
  if (credentials) reference(credentials.password.name, `host ${relay.hostName}: credentials`);
  const families = relay.os === "auto" ? OS_FAMILIES : [relay.os];
  const host = { gateway: relay.gateway.gatewayName, gatewayInherited: relay.gatewayInherited };
  return {
    name: relay.hostName,
    role,
    ...host,
    settings: {
      ssh: `${c.user ?? "root"}@${c.host}:${c.port ?? 22}`,
      os: relay.os,
      gateway: gatewayLabel(host),
      "host key": pinnedHostKey(c.hostKey) ?? "NOT PINNED",
      // The sasl_passwd entry as the review file shows it.
      credentials: credentials ? `${credentials.key} ${credentials.username}:${credentials.password.placeholder}` : "(none)",
      ...Object.fromEntries(
        families.map((family) => [families.length > 1 ? `packages (${family})` : "packages", relay.packages(family).join(" ")]),
      ),
      probe: relay.probeSettings ? `to ${relay.probeSettings.recipient}, within ${relay.probeSettings.timeoutSeconds} s` : "(none)",
      // The rest of what its trigger holds: another engine replaces every resource (each runs), and
      // any change to what is pushed (this project's templates included) runs the script again.
      engine: relay.remote.resource.terraformResourceType,
      "script sha256": relay.remote.payloadSha256().slice(0, 16),
    },
    parameters: Object.fromEntries(
      relay.reviewedParameters().map((p) => [p.name, p.note === undefined ? { value: p.value } : { value: p.value, note: p.note }]),
    ),
  };
}

/**
 * Each object's fields, read from its CLAPI lines (the one place its Centreon state is computed):
 * SETPARAM name → `name`, SETMACRO NAME → `macro NAME`, any other action → the action, values as
 * the line carries them (`;` between fields); SERVICE lines are prefixed with their service. Lines outside every object (group memberships) go to the
 * object their first field names.
 */
function objectReviews({ lines, rendered, objects }: Batch, reference: (secret: string, where: string) => void): ObjectReview[] {
  const reviews: ObjectReview[] = objects.map((o) => ({
    kind: o.kind,
    key: o.key,
    poller: scopePoller(o.scope),
    fields: {} as Record<string, string>,
  }));
  const owner = new Map<number, ObjectReview>();
  objects.forEach((o, i) => {
    for (let n = o.addLine - 1; n < o.addLine - 1 + o.lineCount; n++) owner.set(n, reviews[i]);
  });
  // Looked up by kind and key, not searched: a fleet has thousands of memberships and objects.
  const byKey = new Map(reviews.map((r) => [`${r.kind};${r.key}`, r]));
  lines.forEach((line, n) => {
    const fields = rendered[n].split(";").slice(2);
    let review = owner.get(n);
    if (!review) {
      review = byKey.get(`${line.object};${fields[0]}`);
      if (!review) {
        review = { kind: line.object, key: fields[0], poller: scopePoller(line.scope), fields: {} };
        byKey.set(`${review.kind};${review.key}`, review);
        reviews.push(review);
      }
    }
    // The key fields go (a SERVICE line names its host and service), except in an object's own ADD,
    // whose first field is not always the key (CONTACT;ADD starts with the full name).
    const [prefix, rest] =
      line.object === "SERVICE" ? [`${fields[1]}: `, fields.slice(2)] : ["", line.action === "ADD" ? fields : fields.slice(1)];
    const [name, value] =
      line.action === "SETPARAM"
        ? [rest[0], rest.slice(1)]
        : line.action === "SETMACRO"
          ? [`macro ${rest[0]}`, rest.slice(1)]
          : [line.action, rest];
    let field = `${prefix}${name}`;
    for (let k = 2; field in review.fields; k++) field = `${prefix}${name} (${k})`;
    review.fields[field] = value.join(";");
    for (const f of line.fields) if (typeof f !== "string" && "secret" in f) reference(f.secret.name, `${review.kind} ${review.key}: ${field}`);
  });
  return reviews;
}
