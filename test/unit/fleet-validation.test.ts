import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { Testing } from "../../lib/cdktf.js";
import { buildFleet } from "../../lib/fleet/build.js";
import { FleetValidationError, parseFleet } from "../../lib/fleet/load.js";
import { fleetJsonSchema } from "../../lib/fleet/json-schema.js";
import { secretShapeMessage } from "../../lib/fleet/schema.js";
import { baseFleet, HOST_KEYS } from "../fixtures/fleets.js";

/** The problems parseFleet reports for `doc`, as "path: message" lines. */
function problems(doc: unknown): string[] {
  try {
    parseFleet(typeof doc === "string" ? doc : stringify(doc), "bad.yaml");
  } catch (error) {
    if (error instanceof FleetValidationError) return error.problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
    throw error;
  }
  return [];
}
const formatPath = (path: (string | number)[]) =>
  path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");

function mutate(change: (doc: Record<string, any>) => void): Record<string, any> {
  const doc = baseFleet();
  change(doc);
  return doc;
}

describe("bad fleet files: each problem named by its path, value and what is allowed", () => {
  const cases: [string, Record<string, any> | string, string | string[]][] = [
    [
      "stack name with capitals",
      mutate((d) => (d.name = "Acme Monitoring")),
      `name: "Acme Monitoring" is not valid: it must be lower-case letters, digits and '-' (at most 63, starting with a letter or digit)`,
    ],
    [
      "unknown engine",
      mutate((d) => (d.engine = "local-exec")),
      `engine: "local-exec" is not valid: it must be one of null_resource, terraform_data`,
    ],
    [
      "myhostname not fully qualified",
      mutate((d) => (d.pollers[0].fqdn = "poller1")),
      `pollers[0].fqdn: "poller1" is not valid: it must be a fully qualified domain name (e.g. poller1.example.org, without a trailing dot)`,
    ],
    [
      "fqdn ending in a number",
      mutate((d) => (d.pollers[1].fqdn = "10.0.0.1")),
      `pollers[1].fqdn: "10.0.0.1" is not valid: it must be a fully qualified domain name (e.g. poller1.example.org, without a trailing dot)`,
    ],
    [
      "SSH address with a space",
      mutate((d) => (d.pollers[0].address = "10.0.0 .1")),
      `pollers[0].address: "10.0.0 .1" is not valid: it must be an IPv4 address, an IPv6 address or a host name`,
    ],
    [
      "gateway host with a port glued on",
      mutate((d) => (d.gateways.corporate.host = "smtp.example.org:587")),
      `gateways.corporate.host: "smtp.example.org:587" is not valid: it must be a host name or an IPv4 address (e.g. smtp.example.org)`,
    ],
    [
      "port out of range",
      mutate((d) => (d.gateways.corporate.port = 70000)),
      `gateways.corporate.port: 70000 is not valid: it must be at most 65535`,
    ],
    [
      "port as text",
      mutate((d) => (d.ssh.port = "22")),
      `ssh.port: "22" is not valid: it must be a number`,
    ],
    [
      "sender address without a domain",
      mutate((d) => (d.gateways.corporate.from = "centreon")),
      `gateways.corporate.from: "centreon" is not valid: it must be an e-mail address user@domain.tld (letters, digits, '.', '_', '%', '+', '-' before the @)`,
    ],
    [
      "host key that is not a key",
      mutate((d) => (d.pollers[0].hostKey = "ssh-ed25519 AAAAnotakey")),
      `pollers[0].hostKey: "ssh-ed25519 AAAAnotakey" is not valid: it must be an OpenSSH public host key "TYPE BASE64" (TYPE one of ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com), e.g. the output of ssh-keyscan without the host name`,
    ],
    [
      "host key whose type does not match its blob",
      mutate((d) => (d.pollers[0].hostKey = HOST_KEYS[0].replace("ssh-ed25519", "ssh-rsa"))),
      `pollers[0].hostKey: "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIFScmQ6DMoYvKZ9czw9mOb/Q3pRMvikivknMROyPu22b" is not valid: it must be an OpenSSH public host key "TYPE BASE64" (TYPE one of ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521, sk-ssh-ed25519@openssh.com, sk-ecdsa-sha2-nistp256@openssh.com), e.g. the output of ssh-keyscan without the host name`,
    ],
    [
      "unknown os",
      mutate((d) => (d.pollers[2].os = "centos")),
      `pollers[2].os: "centos" is not valid: it must be one of auto, debian, rhel`,
    ],
    [
      "unknown security",
      mutate((d) => (d.gateways.corporate.security = "ssl")),
      `gateways.corporate.security: "ssl" is not valid: it must be one of starttls, tls, none`,
    ],
    [
      "poller naming an undeclared gateway",
      mutate((d) => (d.pollers[1].gateway = "corporat")),
      `pollers[1].gateway: "corporat" is not a declared gateway: declared gateways are corporate, backup`,
    ],
    [
      "duplicate poller names",
      mutate((d) => (d.pollers[2].name = "poller-paris")),
      `pollers[2].name: "poller-paris" is already used by pollers[0].name: each poller name must be unique`,
    ],
    [
      "poller named like the central",
      mutate((d) => (d.pollers[0].name = "Central")),
      `central.name: "Central" is already used by pollers[0].name: each poller name must be unique`,
    ],
    [
      "two pollers with one fqdn",
      mutate((d) => (d.pollers[1].fqdn = "poller-paris.example.org")),
      `pollers[1].fqdn: "poller-paris.example.org" is already used by pollers[0].fqdn: each fqdn must be unique`,
    ],
    [
      "two pollers at one SSH address and port",
      mutate((d) => (d.pollers[1].address = d.pollers[0].address)),
      `pollers[1].address: "192.0.2.21:22" is already used by pollers[0].address: each SSH address and port must be unique`,
    ],
    [
      "plain SMTP on port 465, which speaks implicit TLS",
      mutate((d) => Object.assign(d.gateways.corporate, { port: 465, security: "none", verifyCertificate: false })),
      `gateways.corporate.security: "none" does not work on port 465, which speaks implicit TLS: use security: tls`,
    ],
    [
      "an SMTP check on a central without a relay, which nothing would install the plugin on",
      mutate((d) => {
        d.central.gateway = "none";
        d.smtpChecks = [{ host: "smtp-check", address: "smtp.example.org", poller: d.central.name }];
      }),
      `smtpChecks[0].poller: "Central" is the central, which has no relay (its gateway is none, or there is no defaultGateway): nothing would install the SMTP plugin there; run the check on a poller, or give the central a gateway`,
    ],
    [
      "literal password",
      mutate((d) => (d.gateways.corporate.auth.password = "hunter2-literal")),
      `gateways.corporate.auth.password: a literal secret is not allowed in the fleet file: write { secret: NAME } and supply the value at deploy time as TF_VAR_NAME`,
    ],
    [
      "secret name that is not a variable name",
      mutate((d) => (d.gateways.corporate.auth.password = { secret: "smtp-password" })),
      `gateways.corporate.auth.password.secret: the value (not shown: it may be a password pasted by mistake) is not valid: it must be a Terraform variable name: letters, digits and '_', not starting with a digit, not one Terraform reserves (count, source, version, providers, for_each, lifecycle, depends_on, locals), without the TF_VAR_ prefix (it is added when the value is supplied, as TF_VAR_<name>)`,
    ],
    [
      "misspelled field",
      mutate((d) => (d.pollers[0].fqnd = "x.example.org")),
      `pollers[0].fqnd: unknown field: did you mean "fqdn"? check the spelling against schema/fleet.schema.json`,
    ],
    [
      "missing required field",
      mutate((d) => delete d.pollers[0].address),
      `pollers[0].address: is required (string)`,
    ],
    [
      "SASL user name with a colon",
      mutate((d) => (d.gateways.corporate.auth.username = "alerts:ops")),
      `gateways.corporate.auth.username: "alerts:ops" is not valid: it must be printable ASCII without spaces or ':' (the credentials map separates user and password with ':')`,
    ],
    [
      "starttls on the implicit-TLS port",
      mutate((d) => (d.gateways.backup.security = "starttls")),
      `gateways.backup.security: "starttls" does not work on port 465, which speaks implicit TLS: use security: tls`,
    ],
    [
      "an SMTP check with starttls on the implicit-TLS port, as for gateways",
      mutate((d) => (d.smtpChecks = [{ host: "smtp-check", address: "smtp.example.org", poller: "poller-paris", port: 465, security: "starttls" }])),
      `smtpChecks[0].security: "starttls" does not work on port 465, which speaks implicit TLS: use security: tls`,
    ],
    [
      "implicit TLS on the submission port",
      mutate((d) => Object.assign(d.gateways.corporate, { port: 587, security: "tls" })),
      `gateways.corporate.security: "tls" (implicit TLS) does not work on port 587, which speaks STARTTLS: use security: starttls`,
    ],
    [
      "an SMTP check with implicit TLS on port 25",
      mutate((d) => (d.smtpChecks = [{ host: "smtp-check", address: "smtp.example.org", poller: "poller-paris", port: 25, security: "tls" }])),
      `smtpChecks[0].security: "tls" (implicit TLS) does not work on port 25, which speaks STARTTLS: use security: starttls`,
    ],
    [
      "a contact alias and a group name that make the same Terraform record (contact_ + group_ops, contact_group_ + ops)",
      mutate((d) => {
        d.contactGroups = [{ name: "ops" }];
        d.contacts = [{ name: "Group Ops", alias: "group_ops", email: "ops@example.org" }];
      }),
      `contacts[0].alias: "group_ops" and contactGroups[0].name make the same Terraform resource name contact_group_ops: rename one (letters, digits, '_' and '-' are kept as they are)`,
    ],
    [
      "postfixParameters on a central without a relay",
      mutate((d) => Object.assign(d.central, { gateway: "none", postfixParameters: { message_size_limit: "20480000" } })),
      `central.postfixParameters: need a relay on the central, which has none (gateway none): give it a gateway, or remove them`,
    ],
    [
      "a certificate name without a verified TLS connection",
      mutate((d) => Object.assign(d.gateways.corporate, { verifyCertificate: false, certificateName: "smtp.example.org" })),
      `gateways.corporate.certificateName: "smtp.example.org" needs a verified TLS connection: remove it, or set security to starttls or tls and verifyCertificate to true`,
    ],
    [
      "a certificate name that is not a DNS name",
      mutate((d) => Object.assign(d.gateways.corporate, { certificateName: "smtp" })),
      `gateways.corporate.certificateName: "smtp" is not valid: it must be a DNS name with at least one dot, as the certificate carries it (e.g. smtp.example.org)`,
    ],
    [
      "a legacy TLS switch in postfixParameters (the relay removes them, before the extras)",
      mutate((d) => (d.pollers[0].postfixParameters = { smtp_use_tls: "yes" })),
      `pollers[0].postfixParameters.smtp_use_tls: is a legacy TLS switch the relay removes: smtp_tls_security_level, set from the gateway's security and verifyCertificate, replaces it`,
    ],
    [
      "credentials in the portal URL (it lands in every notification), not repeated",
      mutate((d) => (d.central.portalUrl = "https://admin:hunter2@centreon.example.org/centreon")),
      `central.portalUrl: the value (not shown: it may be a password pasted by mistake) is not valid: it must be an http(s) URL in printable ASCII (an international domain in its xn-- form) without credentials (user:password@, ?token=), a trailing '/', spaces, quotes, '$', ';', '<>' or #BR#, @MAILER@ (e.g. https://centreon.example.org/centreon)`,
    ],
    [
      "certificate check without TLS",
      mutate((d) => Object.assign(d.gateways.corporate, { security: "none", port: 25, verifyCertificate: true })),
      `gateways.corporate.verifyCertificate: true needs TLS: set security to starttls or tls, or remove verifyCertificate`,
    ],
    [
      "connection timeout at or over Terraform's 5 minutes",
      mutate((d) => (d.ssh.timeoutSeconds = 300)),
      `ssh.timeoutSeconds: 300 is not valid: it must be at most 299`,
    ],
    [
      "non-root SSH user without a private script directory",
      mutate((d) => (d.pollers[0].ssh = { user: "deploy" })),
      `pollers[0].ssh.scriptDirectory: is required when the SSH user is "deploy" (not root): name a directory only that user can read, e.g. /home/deploy/.cache`,
    ],
    [
      "a non-root SSH user every host inherits, without a script directory: one problem, at the fleet's ssh",
      mutate((d) => (d.ssh.user = "deploy")),
      `ssh.scriptDirectory: is required when the SSH user is "deploy" (not root): name a directory only that user can read, e.g. /home/deploy/.cache (here, for every host that does not set its own)`,
    ],
    [
      "missing host key under strictHostKeys",
      mutate((d) => {
        d.strictHostKeys = true;
        delete d.pollers[1].hostKey;
      }),
      `pollers[1].hostKey: is required because strictHostKeys is true: pin the host's key (ssh-keyscan -t ed25519 HOST, without the host name)`,
    ],
    [
      "Postfix parameter value on two lines",
      mutate((d) => (d.pollers[0].postfixParameters = { smtp_helo_timeout: "30s\nrelayhost = evil" })),
      `pollers[0].postfixParameters.smtp_helo_timeout: "30s\\nrelayhost = evil" is not valid: it must be a single line without control characters or leading/trailing spaces, each $ a Postfix macro ($name, \${name}, $(name)) or $$`,
    ],
    [
      "Postfix parameter value with a $ Postfix cannot expand",
      mutate((d) => (d.pollers[0].postfixParameters = { smtpd_banner: "price 5$ each" })),
      `pollers[0].postfixParameters.smtpd_banner: "price 5$ each" is not valid: it must be a single line without control characters or leading/trailing spaces, each $ a Postfix macro ($name, \${name}, $(name)) or $$`,
    ],
    [
      "a misspelled field under a map of gateways, no guess when nothing is close",
      mutate((d) => {
        d.gateways.corporate.auht = d.gateways.corporate.auth;
        delete d.gateways.corporate.auth;
        d.gateways.corporate.colour = "blue";
      }),
      [
        `gateways.corporate.auht: unknown field: did you mean "auth"? check the spelling against schema/fleet.schema.json`,
        `gateways.corporate.colour: unknown field: check the spelling against schema/fleet.schema.json`,
      ],
    ],
    [
      "a YAML boolean as a Postfix value",
      mutate((d) => (d.pollers[0].postfixParameters = { smtputf8_enable: true })),
      `pollers[0].postfixParameters.smtputf8_enable: true is not valid: it must be text or a number (write yes/no for Postfix booleans)`,
    ],
    [
      "a lone UTF-16 surrogate",
      mutate((d) => (d.pollers[0].postfixParameters = { smtpd_banner: "a\ud800b" })),
      `pollers[0].postfixParameters.smtpd_banner: "a\\ud800b" is not valid: it contains a lone UTF-16 surrogate, which no file can carry`,
    ],
    [
      "a secret name with the TF_VAR_ prefix, which Terraform adds when the value is supplied",
      mutate((d) => (d.gateways.corporate.auth.password = { secret: "TF_VAR_smtp_password" })),
      `gateways.corporate.auth.password.secret: the value (not shown: it may be a password pasted by mistake) is not valid: it must be a Terraform variable name: letters, digits and '_', not starting with a digit, not one Terraform reserves (count, source, version, providers, for_each, lifecycle, depends_on, locals), without the TF_VAR_ prefix (it is added when the value is supplied, as TF_VAR_<name>)`,
    ],
    [
      "a Postfix parameter name that is not one",
      mutate((d) => (d.pollers[0].postfixParameters = { "Bad-Name": "x" })),
      `pollers[0].postfixParameters.Bad-Name: the name "Bad-Name" is not valid: it must be a Postfix parameter name (letters, digits and '_', in Postfix's own case: smtp_tls_CApath)`,
    ],
    ["a version field", mutate((d) => (d.version = 1)), `version: there is no version field (this file format is version 1): remove it`],
    ["a YAML merge key", mutate((d) => (d.pollers[0]["<<"] = { os: "debian" })), `pollers[0].<<: YAML merge keys (<<) are not supported: write the fields out`],
    [
      "one event where a list goes",
      mutate((d) => (d.contacts = [{ name: "J", alias: "j", email: "j@example.org", notifications: { host: { events: "down" } } }])),
      `contacts[0].notifications.host.events: "down" is not valid: it must be a list, even of one: write [down]`,
    ],
    [
      "an event, a command, a group and notify targets listed twice",
      mutate((d) => {
        d.contactGroups = [{ name: "ops" }];
        d.contacts = [
          {
            name: "J",
            alias: "j",
            email: "j@example.org",
            groups: ["ops", "ops"],
            notifications: { host: { events: ["down", "down"] }, service: { events: ["critical"], commands: ["service-notify-by-email", "service-notify-by-email"] } },
          },
        ];
        d.smtpChecks = [{ host: "smtp-check", address: "smtp.example.org", poller: "poller-paris", notify: { contacts: ["j", "j"], groups: ["ops", "ops"] } }];
      }),
      [
        `contacts[0].groups[1]: "ops" is already listed at [0]: list each contact group once`,
        `contacts[0].notifications.host.events[1]: "down" is already listed at [0]: list each event once`,
        `contacts[0].notifications.service.commands[1]: "service-notify-by-email" is already listed at [0]: list each notification command once`,
        `smtpChecks[0].notify.contacts[1]: "j" is already listed at [0]: list each contact once`,
        `smtpChecks[0].notify.groups[1]: "ops" is already listed at [0]: list each contact group once`,
      ],
    ],
    [
      "an empty list of events",
      mutate((d) => (d.contacts = [{ name: "J", alias: "j", email: "j@example.org", notifications: { host: { events: [] } } }])),
      `contacts[0].notifications.host.events: [] is not valid: it must list at least 1 entry`,
    ],
    [
      "a gateway on the loopback's port 25, where the relay itself listens",
      mutate((d) => Object.assign(d.gateways.corporate, { host: "127.0.0.1", port: 25, security: "starttls", verifyCertificate: false })),
      `gateways.corporate.host: "127.0.0.1" on port 25 is the relay's own Postfix: mail would loop back to it; name the SMTP gateway, or the port of a local forwarder`,
    ],
    [
      "implicit TLS on port 25",
      mutate((d) => Object.assign(d.gateways.corporate, { port: 25, security: "tls" })),
      `gateways.corporate.security: "tls" (implicit TLS) does not work on port 25, which speaks STARTTLS: use security: starttls`,
    ],
    [
      "a list where an object goes",
      mutate((d) => (d.gateways.corporate.auth = ["alerts@example.org"])),
      `gateways.corporate.auth: ["alerts@example.org"] is not valid: it must be an object`,
    ],
    [
      "a secret name Terraform reserves",
      mutate((d) => (d.gateways.corporate.auth.password = { secret: "count" })),
      `gateways.corporate.auth.password.secret: the value (not shown: it may be a password pasted by mistake) is not valid: it must be a Terraform variable name: letters, digits and '_', not starting with a digit, not one Terraform reserves (count, source, version, providers, for_each, lifecycle, depends_on, locals), without the TF_VAR_ prefix (it is added when the value is supplied, as TF_VAR_<name>)`,
    ],
    [
      "poller without gateway and no defaultGateway",
      mutate((d) => delete d.pollers[1].gateway),
      `pollers[1].gateway: is required because no defaultGateway is set: name one of the declared gateways (corporate, backup) here, or set defaultGateway`,
    ],
    [
      "defaultGateway naming an undeclared gateway",
      mutate((d) => (d.defaultGateway = "corprate")),
      `defaultGateway: "corprate" is not a declared gateway: declared gateways are corporate, backup`,
    ],
    [
      "poller with gateway none",
      mutate((d) => (d.pollers[0].gateway = "none")),
      `pollers[0].gateway: "none" is only allowed for the central: a poller sends notifications, so it relays through a declared gateway (corporate, backup); omit gateway to use defaultGateway`,
    ],
    [
      "gateway named none",
      mutate((d) => (d.gateways.none = d.gateways.backup)),
      `gateways.none: "none" is reserved (central.gateway: none means no relay on the central): choose another gateway name`,
    ],
    [
      "Postfix parameter overriding a managed one",
      mutate((d) => (d.pollers[0].postfixParameters = { relayhost: "[evil.example.org]:25" })),
      `pollers[0].postfixParameters.relayhost: is managed by this project (from the gateway and host settings): set it there instead`,
    ],
  ];

  it.each(cases)("%s", (_name, doc, expected) => {
    expect(problems(doc)).toEqual([expected].flat());
  });

  it("never echoes a literal secret back", () => {
    const found = problems(mutate((d) => (d.gateways.corporate.auth.password = "hunter2-literal")));
    expect(found.join("\n")).not.toContain("hunter2-literal");
  });

  // YAML reads `password: { hunter2 }` as a map with the key "hunter2", `[hunter2]` as a list.
  it.each([
    ["a flow map", { "Hunter2-S3cret": null }],
    ["a list", ["Hunter2-S3cret"]],
    ["a map beside secret", { secret: "smtp_password", "Hunter2-S3cret": null }],
    ["a boolean", true],
  ])("never echoes what is written where a secret goes: %s", (_name, written) => {
    const found = problems(mutate((d) => (d.gateways.corporate.auth.password = written)));
    expect(found).toContain(`gateways.corporate.auth.password: ${secretShapeMessage}`);
    expect(found.join("\n")).not.toContain("Hunter2");
  });

  it("reports every problem at once, in file order with line numbers", () => {
    const doc = mutate((d) => {
      d.pollers[0].fqdn = "poller1";
      d.pollers[1].gateway = "nope";
      d.gateways.corporate.port = 0;
    });
    try {
      parseFleet(stringify(doc), "bad.yaml");
      expect.unreachable();
    } catch (error) {
      const e = error as FleetValidationError;
      expect(e.problems.map((p) => formatPath(p.path))).toEqual(["gateways.corporate.port", "pollers[0].fqdn", "pollers[1].gateway"]);
      const lines = stringify(doc).split("\n");
      for (const p of e.problems) expect(lines[p.line! - 1]).toContain(String(p.path[p.path.length - 1]));
      expect(e.message).toMatch(/^bad\.yaml: 3 problems, no Terraform written:\n {2}line \d+: gateways\.corporate\.port: 0 is not valid/);
    }
  });

  it("reports YAML syntax errors with their line", () => {
    expect(() => parseFleet("name: a\npollers: [\n", "broken.yaml")).toThrow(/broken\.yaml: 1 problem, no Terraform written:\n {2}line \d+: YAML syntax error at column \d+: /);
  });

  it("says what to look at for a key set twice and a tab", () => {
    expect(() => parseFleet("name: a\nengine: null_resource\nname: b\n", "twice.yaml")).toThrow(
      /line 3: YAML syntax error at column 1: Map keys must be unique \(this key is already set above in the same section: keep one\)/,
    );
    expect(() => parseFleet("name: a\nssh:\n\tuser: root\n", "tab.yaml")).toThrow(/line 3: YAML syntax error at column 1: .*\(indent with spaces, not tabs\)/);
  });

  it("shows the first 5 YAML syntax errors of a cascade, and counts the others", () => {
    const lines = readFileSync("examples/fleet.yaml", "utf8").split("\n");
    lines.splice(2, 0, "   oops: [");
    const shown = problems(lines.join("\n"));
    expect(shown).toHaveLength(6);
    expect(shown.slice(0, 5).every((p) => p.startsWith(": YAML syntax error at column "))).toBe(true);
    expect(shown[5]).toMatch(/^: \d+ more YAML syntax errors, most likely caused by the ones above$/);
  });

  it("says an empty fleet file is empty", () => {
    for (const text of ["", "# nothing yet\n", "---\n"]) expect(problems(text)).toEqual([": the fleet file is empty: start from examples/fleet.yaml"]);
  });

  it("accepts pollers and a central without gateway when defaultGateway is set, and central.gateway none", () => {
    const inherit = mutate((d) => {
      d.defaultGateway = "backup";
      for (const p of d.pollers) delete p.gateway;
      delete d.central.gateway;
    });
    expect(problems(inherit)).toEqual([]);
    expect(problems(mutate((d) => (d.central.gateway = "none")))).toEqual([]);
  });

  it("takes a number in postfixParameters as its digits (YAML reads message_size_limit: 10240000 as one)", () => {
    const doc = mutate((d) => (d.pollers[0].postfixParameters = { message_size_limit: 10240000 }));
    expect(parseFleet(stringify(doc), "x.yaml").pollers[0].postfixParameters).toEqual({ message_size_limit: "10240000" });
  });

  it("reads port 465 alone as implicit TLS, for gateways as for SMTP checks", () => {
    const doc = mutate((d) => {
      delete d.gateways.backup.security;
      d.smtpChecks = [{ host: "smtp-check", address: "smtp.example.org", poller: "poller-paris", port: 465 }];
    });
    expect(problems(doc)).toEqual([]);
    const spec = parseFleet(stringify(doc), "x.yaml");
    const fleet = buildFleet(Testing.app(), spec);
    const backup = fleet.gateways.find((g) => g.gatewayName === "backup")!;
    expect(backup.settings).toMatchObject({ port: 465, security: "tls" });
    const check = fleet.central!.configuration!.batch().text.split("\n").find((l) => l.startsWith("HOST;SETMACRO;smtp-check;SMTPEXTRAOPTIONS;"));
    expect(check).toBe("HOST;SETMACRO;smtp-check;SMTPEXTRAOPTIONS;--port=465 --smtp-options=layer=ssl;0;");
  });

  it("accepts pollers behind one address on their own SSH ports (NAT, a bastion's forwards), and mixed-case Postfix names", () => {
    const doc = baseFleet();
    doc.pollers[1].address = doc.pollers[0].address;
    doc.pollers[1].ssh = { port: 2202 };
    doc.pollers[0].postfixParameters = { smtp_tls_CApath: "/etc/ssl/certs", tls_append_default_CA: "no" };
    expect(problems(doc)).toEqual([]);
  });

  it("accepts the example fleet", () => {
    expect(problems(readFileSync("examples/fleet.yaml", "utf8"))).toEqual([]);
  });
});

describe("main.ts with a bad fleet file", () => {
  it("exits 1, lists the problems and writes no Terraform", () => {
    const dir = mkdtempSync(join(tmpdir(), "cmr-bad-"));
    const file = join(dir, "fleet.yaml");
    writeFileSync(file, stringify(mutate((d) => (d.pollers[0].fqdn = "poller1"))));
    const outdir = join(dir, "out");
    const run = spawnSync("npx", ["tsx", "main.ts"], { env: { ...process.env, FLEET_FILE: file, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`pollers[0].fqdn: "poller1" is not valid: it must be a fully qualified domain name`);
    expect(existsSync(outdir)).toBe(false);
  });

  // `npx tsx main.ts prod.yaml` must not synthesize the example fleet instead, for a deploy to push.
  it("refuses a fleet file given as an argument, or an empty FLEET_FILE, naming FLEET_FILE, and writes nothing", () => {
    const outdir = join(mkdtempSync(join(tmpdir(), "cmr-arg-")), "out");
    const run = spawnSync("npx", ["tsx", "main.ts", "fleets/prod.yaml"], { env: { ...process.env, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
    expect(run.status).toBe(1);
    expect(run.stderr.split("\n").filter((l) => l && !l.startsWith("npm warn"))).toEqual([
      "main.ts takes no arguments (given: fleets/prod.yaml): name the fleet file with FLEET_FILE, e.g. FLEET_FILE=fleets/prod.yaml npm run synth",
    ]);
    expect(existsSync(outdir)).toBe(false);
    const empty = spawnSync("npx", ["tsx", "main.ts"], { env: { ...process.env, FLEET_FILE: "", CDKTF_OUTDIR: outdir }, encoding: "utf8" });
    expect(empty.status).toBe(1);
    expect(empty.stderr).toContain("FLEET_FILE is set but empty: name the fleet file (e.g. FLEET_FILE=fleets/prod.yaml), or unset it for examples/fleet.yaml");
    expect(existsSync(outdir)).toBe(false);
  });
});

describe("JSON Schema export", () => {
  it("is up to date in schema/fleet.schema.json (npm run schema regenerates it)", () => {
    expect(readFileSync("schema/fleet.schema.json", "utf8")).toBe(fleetJsonSchema());
  });

  it("describes the sections and enums an editor completes", () => {
    const schema = JSON.parse(fleetJsonSchema());
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["name", "engine", "ssh", "central", "gateways", "pollers"]));
    expect(schema.properties.engine.enum).toEqual(["null_resource", "terraform_data"]);
    expect(schema.properties.pollers.items.properties.os.enum).toEqual(["auto", "debian", "rhel"]);
    expect(schema.properties.gateways.additionalProperties.properties.security.enum).toEqual(["starttls", "tls", "none"]);
  });
});
