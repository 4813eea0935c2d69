// Notification commands as templates: fleet-file errors, the CLAPI lines, the stored line after
// CLAPI's splitting (the double), and what Centreon Engine makes of it with hostile macro values.
import { assertRule, rules } from "../../lib/fleet/rules.js";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { Testing } from "../../lib/cdktf.js";
import { renderLine } from "../../lib/clapi/line.js";
import { headerPhrase, MACRO_GUARD, notifyCommandLine, PLACEHOLDERS, SENDMAIL, type NotifyCommandModel } from "../../lib/clapi/notify-command.js";
import { buildFleet } from "../../lib/fleet/build.js";
import { Fleet } from "../../lib/constructs/fleet.js";
import { FleetValidationError, parseFleet } from "../../lib/fleet/load.js";
import { render } from "../../lib/render/templates.js";
import { runImport } from "../clapi-double/clapi.js";
import { createState } from "../clapi-double/state.js";
import { baseFleet } from "../fixtures/fleets.js";
import { hostileString } from "../fixtures/arbitraries.js";
import { CENTREON_ILLEGAL_OUTPUT_CHARS, expandMacros, splitLikeEngine } from "../support/centreon-engine.js";

const SERVICE_TEMPLATES = {
  en: {
    subject: "** ${NOTIFICATIONTYPE}: ${HOSTNAME}/${SERVICEDESC} is ${SERVICESTATE} **",
    body: "Service: ${SERVICEDESC}\nInfo: ${SERVICEOUTPUT}\nCost: 5 $ per alert\n\n${PORTALURL}/monitoring/resources",
  },
  fr: {
    subject: "** ${NOTIFICATIONTYPE} : l'hôte ${HOSTNAME}, service ${SERVICEDESC} est ${SERVICESTATE} **",
    body: "Service : ${SERVICEDESC}\nÉtat : ${SERVICESTATE}\nInformation : ${SERVICEOUTPUT}\n\n${PORTALURL}/monitoring/resources",
  },
};

/** baseFleet with a service command in en and fr, the gateway's display name and reply-to, two contacts. */
function notificationFleet(change: (doc: Record<string, any>) => void = () => undefined): Record<string, any> {
  const doc = baseFleet();
  doc.central.portalUrl = "https://centreon.example.org/centreon";
  Object.assign(doc.gateways.corporate, { displayName: "Centreon Supervision", replyTo: "noc@example.org" });
  doc.notificationCommands = [
    { name: "notify-service-by-email", kind: "service", languages: structuredClone(SERVICE_TEMPLATES) },
    { name: "notify-host-by-email", kind: "host", languages: { en: { subject: "${HOSTNAME} is ${HOSTSTATE}", body: "${HOSTOUTPUT}" } } },
  ];
  doc.contactGroups = [{ name: "ops" }];
  doc.contacts = [
    {
      name: "Marie Martin",
      alias: "mmartin",
      email: "mmartin@example.org",
      language: "fr_FR",
      notifications: { host: { events: ["down"], commands: ["notify-host-by-email"] }, service: { events: ["critical"], commands: ["notify-service-by-email"] } },
    },
    { name: "Hans Meier", alias: "hmeier", email: "hmeier@example.org", language: "de_DE", notifications: { service: { events: ["critical"], commands: ["notify-service-by-email", "service-notify-by-email"] } } },
  ];
  change(doc);
  return doc;
}

function problems(doc: Record<string, any>): string[] {
  try {
    parseFleet(stringify(doc), "bad.yaml");
  } catch (error) {
    if (error instanceof FleetValidationError) return error.problems.map((p) => `${p.path.join(".")}: ${p.message}`);
    throw error;
  }
  return [];
}

function batchOf(doc: Record<string, any>) {
  return buildFleet(Testing.app(), parseFleet(stringify(doc))).central!.configuration!.batch();
}

/** What the intended line is, from the builder itself, for the fleet above. */
const expectedLine = (language: "en" | "fr") =>
  notifyCommandLine({
    kind: "service",
    ...SERVICE_TEMPLATES[language],
    from: "centreon@example.org",
    displayName: "Centreon Supervision",
    replyTo: "noc@example.org",
    portalUrl: "https://centreon.example.org/centreon",
  });

describe("notification commands in the fleet file: each problem names the field, the value and what is allowed", () => {
  const cases: [string, (d: Record<string, any>) => void, string][] = [
    [
      "an unknown placeholder",
      (d) => (d.notificationCommands[0].languages.en.subject = "${HOST} is down"),
      `notificationCommands.0.languages.en.subject: "\${HOST} is down" has the unknown placeholder \${HOST}: a service notification may use ${PLACEHOLDERS.service.map((p) => `\${${p}}`).join(", ")}`,
    ],
    [
      "Centreon's own macro syntax, pasted from a stock command",
      (d) => (d.notificationCommands[0].languages.en.subject = "** $NOTIFICATIONTYPE$ alert: ${HOSTNAME} **"),
      `notificationCommands.0.languages.en.subject: "** $NOTIFICATIONTYPE$ alert: \${HOSTNAME} **" writes $NOTIFICATIONTYPE$, Centreon's own macro syntax, which every mail would show as is: write \${NOTIFICATIONTYPE} instead`,
    ],
    [
      "a service placeholder in a host command",
      (d) => (d.notificationCommands[1].languages.en.body = "${SERVICEOUTPUT}"),
      `notificationCommands.1.languages.en.body: "\${SERVICEOUTPUT}" has the unknown placeholder \${SERVICEOUTPUT}: a host notification may use ${PLACEHOLDERS.host.map((p) => `\${${p}}`).join(", ")}`,
    ],
    [
      "two commands whose names make the same Terraform record",
      (d) => d.notificationCommands.push(...["notify_service", "notify service"].map((name) => ({ ...structuredClone(d.notificationCommands[1]), name }))),
      `notificationCommands.3.name: "notify service" and notificationCommands[2].name make the same Terraform resource name notification_command_notify_service-en: rename one (letters, digits, '_' and '-' are kept as they are)`,
    ],
    [
      "a ';' in a subject",
      (d) => (d.notificationCommands[0].languages.fr.subject = "Alerte ; ${HOSTNAME}"),
      `notificationCommands.0.languages.fr.subject: "Alerte ; \${HOSTNAME}" is not valid: it must be one line of at most 255 characters without ';' (CLAPI splits on it, with no escaping: write ',' or ' - ') or leading/trailing spaces`,
    ],
    [
      "a line break in a subject",
      (d) => (d.notificationCommands[0].languages.en.subject = "a\nBcc: evil@example.org"),
      `notificationCommands.0.languages.en.subject: "a\\nBcc: evil@example.org" is not valid: it must be one line of at most 255 characters without ';' (CLAPI splits on it, with no escaping: write ',' or ' - ') or leading/trailing spaces`,
    ],
    [
      "a portal URL with a quote",
      (d) => (d.central.portalUrl = "https://centreon.example.org/'x"),
      `central.portalUrl: "https://centreon.example.org/'x" is not valid: it must be an http(s) URL in printable ASCII (an international domain in its xn-- form) without credentials (user:password@, ?token=), a trailing '/', spaces, quotes, '$', ';', '<>' or #BR#, @MAILER@ (e.g. https://centreon.example.org/centreon)`,
    ],
    [
      "an unclosed placeholder",
      (d) => (d.notificationCommands[0].languages.en.body = "Host ${HOSTNAME"),
      `notificationCommands.0.languages.en.body: "Host \${HOSTNAME" has a '\${' without its closing '}'`,
    ],
    [
      "a language Centreon does not ship",
      (d) => (d.notificationCommands[0].languages.it = SERVICE_TEMPLATES.en),
      `notificationCommands.0.languages.it: unknown field: check the spelling against schema/fleet.schema.json`,
    ],
    [
      "an undeclared gateway",
      (d) => (d.notificationCommands[0].gateway = "nope"),
      `notificationCommands.0.gateway: "nope" is not a declared gateway: declared gateways are corporate, backup`,
    ],
    [
      "a display name without a from address",
      (d) => (d.gateways.backup.displayName = "Backup relay"),
      "gateways.backup.displayName: needs from: the display name is shown with the gateway's from address (set from too)",
    ],
    [
      "a line break in a display name",
      (d) => (d.gateways.corporate.displayName = "Centreon\r\nBcc: evil@example.org"),
      `gateways.corporate.displayName: "Centreon\\r\\nBcc: evil@example.org" is not valid: it must be a name of at most 64 characters on one line, without ';' (CLAPI splits on it), #BR# or @MAILER@ (Centreon rewrites them), <secret:…> placeholders or leading/trailing spaces`,
    ],
    [
      "a reply-to that is no address",
      (d) => (d.gateways.corporate.replyTo = "noc desk"),
      `gateways.corporate.replyTo: "noc desk" is not valid: it must be an e-mail address user@domain.tld (letters, digits, '.', '_', '%', '+', '-' before the @)`,
    ],
    [
      "a contact naming an undeclared command",
      (d) => (d.contacts[0].notifications.service.commands = ["notify-by-pigeon"]),
      `contacts.0.notifications.service.commands.0: "notify-by-pigeon" is not a declared service notification command: declared ones are service-notify-by-email, notify-service-by-email, notify-service-by-email-en, notify-service-by-email-fr; declare it in notificationCommands, or list one made in Centreon in central.existing.notificationCommands`,
    ],
    [
      "a host command on the service side",
      (d) => (d.contacts[0].notifications.service.commands = ["notify-host-by-email"]),
      `contacts.0.notifications.service.commands.0: "notify-host-by-email" is not a declared service notification command: declared ones are service-notify-by-email, notify-service-by-email, notify-service-by-email-en, notify-service-by-email-fr; declare it in notificationCommands, or list one made in Centreon in central.existing.notificationCommands`,
    ],
    [
      "two commands making the same Centreon command",
      (d) => d.notificationCommands.push({ name: "Notify-Service-By-Email", kind: "host", languages: { fr: { subject: "x", body: "y" } } }),
      `notificationCommands.2.name: "Notify-Service-By-Email" makes the command Notify-Service-By-Email-fr, already made by notificationCommands[0]: each notification command name must be unique`,
    ],
    [
      "a command named like one Centreon ships",
      (d) => d.notificationCommands.push({ name: "Service-Notify-By-Email", kind: "service", languages: { en: { subject: "x", body: "y" } } }),
      `notificationCommands.2.name: "Service-Notify-By-Email" is a command Centreon or this project already has: choose another name`,
    ],
  ];
  it.each(cases)("%s", (_name, change, message) => {
    expect(problems(notificationFleet(change))).toEqual([message]);
  });

  it("${PORTALURL} without a portal URL: each field that uses it", () => {
    const message = "uses ${PORTALURL} but central.portalUrl is not set: give the Centreon web UI's address there (e.g. https://centreon.example.org/centreon)";
    expect(problems(notificationFleet((d) => delete d.central.portalUrl))).toEqual([
      `notificationCommands.0.languages.en.body: ${message}`,
      `notificationCommands.0.languages.fr.body: ${message}`,
    ]);
  });

  it("accepts the valid fleet", () => {
    expect(problems(notificationFleet())).toEqual([]);
  });
});

describe("the CLAPI lines", () => {
  it("one CMD of type notif per language, run without a shell, before the contacts that use it", () => {
    const batch = batchOf(notificationFleet());
    const text = batch.lines.map(renderLine);
    const comment = "Managed by centreon-mail-as-code (stack unit-fleet): changes made here are overwritten";
    const name = "notify-service-by-email-fr";
    expect(text.filter((l) => l.includes(`;${name};`))).toEqual([
      `CMD;ADD;${name};notif;${expectedLine("fr")}`,
      `CMD;SETPARAM;${name};type;notif`,
      `CMD;SETPARAM;${name};line;${expectedLine("fr")}`,
      `CMD;SETPARAM;${name};enable_shell;0`,
      `CMD;SETPARAM;${name};activate;1`,
      `CMD;SETPARAM;${name};comment;${comment}`,
    ]);
    const lastCmd = Math.max(...text.map((l, i) => (l.startsWith("CMD;") ? i : -1)));
    const firstContact = text.findIndex((l) => l.startsWith("CONTACT;"));
    expect(lastCmd).toBeLessThan(firstContact);
    // fr_FR gets the fr variant; de_DE has none and gets en; a Centreon command name stays as is.
    expect(text).toContain("CONTACT;SETPARAM;mmartin;svcnotifcmd;notify-service-by-email-fr");
    expect(text).toContain("CONTACT;SETPARAM;mmartin;hostnotifcmd;notify-host-by-email-en");
    expect(text).toContain("CONTACT;SETPARAM;hmeier;svcnotifcmd;notify-service-by-email-en|service-notify-by-email");
    expect(batch.objects.filter((o) => o.kind === "CMD").map((o) => o.key)).toEqual([
      "notify-service-by-email-en",
      "notify-service-by-email-fr",
      "notify-host-by-email-en",
    ]);
  });

  it("the command line: the fixed script, then From, Reply-To, the recipient, the subject and the body", () => {
    const script = render("clapi/notify-command.sh.hbs", { sendmail: SENDMAIL, guard: MACRO_GUARD });
    const line = expectedLine("fr");
    expect(line).not.toMatch(/[;\r\n]/);
    const argv = splitLikeEngine(expandMacros(line, {}));
    expect(argv.slice(0, 7)).toEqual([
      "/bin/sh",
      "-c",
      script,
      "centreon-notify",
      '"Centreon Supervision" <centreon@example.org>',
      "noc@example.org",
      MACRO_GUARD, // $CONTACTEMAIL$ expanded to nothing here
    ]);
    // The macros are the only '$...$' pairs in the line; the script's own '$' are doubled.
    expect(line.replace(/\$\$/g, "").match(/\$[A-Z]+\$/g)).toEqual([
      "$CONTACTEMAIL$",
      "$NOTIFICATIONTYPE$",
      "$HOSTNAME$",
      "$SERVICEDESC$",
      "$SERVICESTATE$",
      "$SERVICEDESC$",
      "$SERVICESTATE$",
      "$SERVICEOUTPUT$",
    ]);
  });

  it("a non-ASCII display name is RFC 2047-encoded; a quote in an ASCII one is escaped", () => {
    expect(headerPhrase("Équipe NOC")).toBe(`=?UTF-8?B?${Buffer.from("Équipe NOC").toString("base64")}?=`);
    expect(headerPhrase('NOC "24/7"')).toBe('"NOC \\"24/7\\""');
    expect(() => headerPhrase("NOC\nBcc: x@example.org")).toThrow(/control character/);
  });

  it("a gateway with replyTo keeps that address out of the relay's sender rewrite", () => {
    const fleet = buildFleet(Testing.app(), parseFleet(stringify(notificationFleet())));
    const mainCf = fleet.pollers[0].relay.reviewFiles()["main.cf"];
    expect(mainCf).toContain("sender_canonical_maps = inline:{ noc@example.org=noc@example.org }, static:centreon@example.org");
    // A gateway without from leaves the host's own sender map alone.
    expect(fleet.pollers[1].relay.reviewFiles()["main.cf"]).not.toMatch(/^sender_canonical_maps/m);
  });
});

describe("the constructs", () => {
  const fleet = () => new Fleet(Testing.app(), "constructs");
  const templates = { en: { subject: "${HOSTNAME} is ${HOSTSTATE}", body: "${HOSTOUTPUT}" } };

  it("a second command making the same Centreon command, or one named like Centreon's own, throws", () => {
    const f = fleet();
    f.addNotificationCommand({ name: "notify-host", kind: "host", templates });
    expect(() => f.addNotificationCommand({ name: "Notify-Host", kind: "host", templates })).toThrow(
      "notification command Notify-Host-en is declared twice: each notification command name must be unique",
    );
    expect(() => f.addNotificationCommand({ name: "host-notify-by-email", kind: "host", templates })).toThrow(
      "notification command host-notify-by-email is a command Centreon or this project already has: choose another name",
    );
  });

  it("a contact cannot take a host command for service events; a display name needs from", () => {
    const f = fleet();
    const host = f.addNotificationCommand({ name: "notify-host", kind: "host", templates });
    expect(() => f.addContact({ name: "A B", alias: "ab", email: "ab@example.org", notifications: { service: { events: ["critical"], commands: [host] } } })).toThrow(
      "contact ab: notify-host is a host notification command: it cannot notify service events",
    );
    expect(() => f.addGateway("g", { host: "smtp.example.org", displayName: "NOC" })).toThrow(
      "gateway g: displayName needs from (the address the name is shown with): set from too",
    );
  });

  it("a template the command line cannot carry fails when the command is built, naming the variant", () => {
    expect(() => fleet().addNotificationCommand({ name: "n", kind: "host", templates: { fr: { subject: "x", body: "${SERVICEDESC}" } } })).toThrow(
      /^notification command n-fr: body "\$\{SERVICEDESC\}" has the unknown placeholder \$\{SERVICEDESC\}: a host notification may use/,
    );
  });
});

describe("the Reply-To across gateways", () => {
  it("warns when a poller's relay would rewrite a command's Reply-To (its gateway has another from and no such replyTo)", () => {
    const build = (change: (d: Record<string, any>) => void) => buildFleet(Testing.app(), parseFleet(stringify(notificationFleet(change)))).warnings;
    // poller-lyon relays through backup, which has no from: nothing is rewritten there.
    expect(build(() => undefined).filter((w) => w.includes("Reply-To"))).toEqual([]);
    expect(build((d) => (d.gateways.backup.from = "backup@example.org")).filter((w) => w.includes("Reply-To"))).toEqual([
      "notification command notify-service-by-email: on poller-lyon, the relay (gateway backup) rewrites its Reply-To noc@example.org to backup@example.org; give gateway backup replyTo: noc@example.org",
      "notification command notify-host-by-email: on poller-lyon, the relay (gateway backup) rewrites its Reply-To noc@example.org to backup@example.org; give gateway backup replyTo: noc@example.org",
    ]);
    expect(build((d) => Object.assign(d.gateways.backup, { from: "backup@example.org", replyTo: "noc@example.org" })).filter((w) => w.includes("Reply-To"))).toEqual([]);
  });
});

describe("through CLAPI (the double) and Centreon Engine's own splitting", () => {
  it("the stored command line equals the intended one byte for byte; contacts reference it; a re-run only meets existing objects", () => {
    const state = createState({ adminPassword: "Admin-Pa55word!", pollers: ["poller-paris", "poller-lyon", "poller-lille"], packInstalled: true });
    const text = batchOf(notificationFleet()).text.replaceAll("<secret:smtp_password>", "Smtp-Pa55word!").replaceAll("<generated-password>", "Generated-Pa55word@");
    const first = runImport(state, text);
    expect(first.stdout.split("\n").filter((l) => /^Line \d+ : /.test(l))).toEqual([]);
    for (const language of ["en", "fr"] as const) {
      const stored = state.commands.find((c) => c.cols.command_name === `notify-service-by-email-${language}`)!;
      expect(stored.cols.command_line).toBe(expectedLine(language));
      expect(stored.cols.command_type).toBe("1");
      expect(stored.cols.enable_shell).toBe("0");
    }
    const fr = state.commands.find((c) => c.cols.command_name === "notify-service-by-email-fr")!;
    expect(state.contacts.find((c) => c.cols.contact_alias === "mmartin")!.svcNotifCmds).toEqual([fr.id]);
    const second = runImport(state, text);
    for (const l of second.stdout.split("\n").filter((l) => /^Line \d+ : /.test(l))) expect(l).toMatch(/^Line \d+ : Object already exists/);
  });

  const model: NotifyCommandModel = {
    kind: "service",
    subject: "${HOSTNAME}: ${SERVICEOUTPUT}",
    body: "Info: ${SERVICEOUTPUT}\n${LONGSERVICEOUTPUT}",
    from: "centreon@example.org",
    displayName: "Centreon",
    replyTo: "noc@example.org",
  };
  const fixedArguments = (argv: string[]) => argv.slice(0, 7);
  const expectedFixed = splitLikeEngine(expandMacros(notifyCommandLine(model), { CONTACTEMAIL: "jdoe@example.org" })).slice(0, 7);

  it("any plugin output, even with quotes and backslashes left in: the script and the addresses never change", () => {
    const line = notifyCommandLine(model);
    fc.assert(
      fc.property(hostileString, hostileString, (output, longOutput) => {
        const expanded = expandMacros(line, { CONTACTEMAIL: "jdoe@example.org", HOSTNAME: "web01", SERVICEOUTPUT: output, LONGSERVICEOUTPUT: longOutput }, { illegalOutputChars: "" });
        let argv: string[];
        try {
          argv = splitLikeEngine(expanded);
        } catch (e) {
          // An unbalanced quote in the output: the engine refuses to start the command at all.
          expect(String(e)).toMatch(/missing separator/);
          return;
        }
        expect(fixedArguments(argv)).toEqual(expectedFixed);
      }),
      { numRuns: 2000 },
    );
  });

  it("with Centreon's default illegal_macro_output_chars, every output reaches the body and the command always starts", () => {
    const line = notifyCommandLine(model);
    fc.assert(
      fc.property(hostileString, (output) => {
        const argv = splitLikeEngine(expandMacros(line, { CONTACTEMAIL: "jdoe@example.org", HOSTNAME: "web01", SERVICEOUTPUT: output }));
        expect(fixedArguments(argv)).toEqual(expectedFixed);
        expect(argv).toHaveLength(9);
      }),
      { numRuns: 2000 },
    );
    expect(CENTREON_ILLEGAL_OUTPUT_CHARS).toContain("'");
  });

  it("the script runs no part of a hostile output and writes the headers it was given", () => {
    // The real script with a stand-in sendmail that keeps the message (this test runs no Postfix).
    const dir = mkdtempSync(join(tmpdir(), "notify-"));
    const fake = join(dir, "sendmail");
    writeFileSync(fake, `#!/bin/sh\nprintf '%s\\n' "$*" >"${dir}/args"\ncat >"${dir}/message"\n`, { mode: 0o755 });
    const line = notifyCommandLine(model);
    const marker = join(dir, "pwned");
    const payloads = [
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      `'; touch ${marker}; '`,
      `"; touch ${marker}; "`,
      `x\\`,
      `\\' ; touch ${marker} #`,
      `%s%n%x $HOME \${IFS} | touch ${marker} & touch ${marker}`,
    ];
    for (const output of payloads) {
      for (const illegal of [CENTREON_ILLEGAL_OUTPUT_CHARS, ""]) {
        const values = { CONTACTEMAIL: "jdoe@example.org", HOSTNAME: "web01", SERVICEOUTPUT: output, LONGSERVICEOUTPUT: output };
        let argv: string[];
        try {
          argv = splitLikeEngine(expandMacros(line, values, { illegalOutputChars: illegal }));
        } catch {
          continue; // the engine would not start it
        }
        argv[2] = argv[2].replace(SENDMAIL, fake);
        const run = spawnSync(argv[0], argv.slice(1), { encoding: "utf8", env: { PATH: "/usr/bin:/bin" } });
        expect(run.stderr).toBe("");
        expect(run.status).toBe(0);
        expect(existsSync(marker)).toBe(false);
        const message = readFileSync(join(dir, "message"), "utf8");
        expect(message.split("\n").slice(0, 3)).toEqual(['From: "Centreon" <centreon@example.org>', "Reply-To: noc@example.org", "To: jdoe@example.org"]);
        expect(readFileSync(join(dir, "args"), "utf8")).toBe("-i -t\n");
      }
    }
  });

  it("a Windows path in an output: the engine turns its \\t, \\b into control characters, which the subject gets as spaces", () => {
    const dir = mkdtempSync(join(tmpdir(), "notify-"));
    const fake = join(dir, "sendmail");
    writeFileSync(fake, `#!/bin/sh\ncat >"${dir}/message"\n`, { mode: 0o755 });
    const output = "Storage C:\\temp\\backup 2%";
    const argv = splitLikeEngine(expandMacros(notifyCommandLine(model), { CONTACTEMAIL: "jdoe@example.org", HOSTNAME: "web01", SERVICEOUTPUT: output, LONGSERVICEOUTPUT: "" }));
    argv[2] = argv[2].replace(SENDMAIL, fake);
    expect(spawnSync(argv[0], argv.slice(1), { encoding: "utf8", env: { PATH: "/usr/bin:/bin" } }).status).toBe(0);
    const subject = readFileSync(join(dir, "message"), "utf8").split("\n").find((l) => l.startsWith("Subject: "))!;
    expect(subject).toBe("Subject: web01: Storage C: emp ackup 2%");
    rmSync(dir, { recursive: true, force: true });
  });
});

describe("a portal URL holding credentials", () => {
  it("is refused by the constructs without repeating it (the error lands in CI logs)", () => {
    let message = "";
    try {
      assertRule(rules.webUrl, "notification command notify: portalUrl", "https://admin:hunter2@centreon.example.org/centreon");
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^notification command notify: portalUrl \(the value is not shown: it holds credentials\) is not valid: it must be an http\(s\) URL .* without credentials/);
    expect(message).not.toContain("hunter2");
    expect(() => assertRule(rules.webUrl, "portalUrl", "https://centreon.example.org/centreon?token=abc")).toThrow("without credentials");
  });
});
