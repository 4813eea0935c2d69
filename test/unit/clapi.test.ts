import { readFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { Testing } from "../../lib/cdktf.js";
import { ClapiValueError, line, list, renderLine } from "../../lib/clapi/line.js";
import {
  enableNotificationsValue,
  HOST_EVENT_LETTERS,
  hostNotificationOptions,
  SERVICE_EVENT_LETTERS,
  serviceNotificationOptions,
} from "../../lib/clapi/notifications.js";
import { contactLines, type ContactModel } from "../../lib/clapi/objects.js";
import { buildFleet } from "../../lib/fleet/build.js";
import { FleetValidationError, parseFleet } from "../../lib/fleet/load.js";
import { Fleet } from "../../lib/constructs/fleet.js";
import { baseFleet } from "../fixtures/fleets.js";

const contact = (overrides: Partial<ContactModel> = {}): ContactModel => ({
  name: "John Doe",
  alias: "jdoe",
  email: "jdoe@example.org",
  admin: false,
  guiAccess: false,
  language: "en_US",
  authtype: "local",
  enabled: true,
  groups: [],
  ...overrides,
});
const setparams = (c: ContactModel) =>
  Object.fromEntries(
    contactLines(c, "managed")
      .lines.filter((l) => l.action === "SETPARAM")
      .map((l) => [l.fields[1], l.fields[2]]),
  );

describe("notification mapping", () => {
  it.each(Object.entries(HOST_EVENT_LETTERS))("host event %s → %s", (event, letter) => {
    expect(hostNotificationOptions([event as keyof typeof HOST_EVENT_LETTERS])).toBe(letter);
  });
  it.each(Object.entries(SERVICE_EVENT_LETTERS))("service event %s → %s", (event, letter) => {
    expect(serviceNotificationOptions([event as keyof typeof SERVICE_EVENT_LETTERS])).toBe(letter);
  });
  it("joins letters with commas and no spaces (CLAPI refuses 'dur' and 'd, u')", () => {
    expect(hostNotificationOptions(["down", "unreachable", "recovery", "flapping", "downtime"])).toBe("d,u,r,f,s");
    expect(serviceNotificationOptions(["warning", "unknown", "critical", "recovery"])).toBe("w,u,c,r");
  });
  it("no side declared means no notification of that kind (n)", () => {
    expect(setparams(contact())).toMatchObject({ hostnotifopt: "n", servicenotifopt: "n" });
  });
  it("a side a fleet leaves out is off but complete: period and stock command, which Centreon Engine requires", () => {
    const doc: Record<string, any> = { ...baseFleet(), contacts: [{ name: "Svc", alias: "svc", email: "svc@example.org", notifications: { service: { events: ["critical"] } } }] };
    const lines = buildFleet(Testing.app(), parseFleet(stringify(doc))).central!.configuration!.batch().text.split("\n");
    expect(lines.filter((l) => l.startsWith("CONTACT;SETPARAM;svc;host"))).toEqual([
      "CONTACT;SETPARAM;svc;hostnotifopt;n",
      "CONTACT;SETPARAM;svc;hostnotifperiod;24x7",
      "CONTACT;SETPARAM;svc;hostnotifcmd;host-notify-by-email",
    ]);
  });
  it("enabled inherit, with no contact template this fleet could set, is warned about: such a contact is never notified", () => {
    const doc: Record<string, any> = { ...baseFleet(), contacts: [{ name: "Inh", alias: "inh", email: "inh@example.org", notifications: { enabled: "inherit" } }] };
    expect(buildFleet(Testing.app(), parseFleet(stringify(doc))).warnings).toContain(
      "contact inh: notifications.enabled inherit takes the value of the contact's template in Centreon; this fleet sets no template, and a contact without one is never notified (set enabled: true)",
    );
  });
  it.each([
    [true, "1"],
    [false, "0"],
    ["inherit", "2"],
  ] as const)("enabled %s → enable_notifications %s", (enabled, value) => {
    expect(enableNotificationsValue(enabled)).toBe(value);
    expect(setparams(contact({ enabled }))).toMatchObject({ enable_notifications: value });
  });
  it.each(["24x7", "workhours", "nonworkhours", "none"])("period %s → hostnotifperiod and svcnotifperiod", (period) => {
    const c = contact({
      host: { events: ["down"], period, commands: ["host-notify-by-email"] },
      service: { events: ["critical"], period, commands: ["service-notify-by-email"] },
    });
    expect(setparams(c)).toMatchObject({ hostnotifperiod: period, svcnotifperiod: period });
  });
  it("commands → hostnotifcmd and svcnotifcmd, a '|' list that REPLACES the contact's commands", () => {
    const c = contact({
      host: { events: ["down"], period: "24x7", commands: ["host-notify-by-email"] },
      service: { events: ["critical"], period: "24x7", commands: ["service-notify-by-email", "notify-by-sms"] },
    });
    expect(setparams(c)).toMatchObject({ hostnotifcmd: "host-notify-by-email", svcnotifcmd: "service-notify-by-email|notify-by-sms" });
  });
  it("ADD leaves notifications off: every contact line set turns them on explicitly after it", () => {
    const lines = contactLines(contact({ host: { events: ["down"], period: "24x7", commands: ["host-notify-by-email"] } }), "m").lines;
    expect(renderLine(lines[0])).toBe("CONTACT;ADD;John Doe;jdoe;jdoe@example.org;<generated-password>;0;0;en_US;local");
    expect(lines.slice(1).map(renderLine)).toContain("CONTACT;SETPARAM;jdoe;enable_notifications;1");
    expect(lines.slice(1).map(renderLine)).toContain("CONTACT;SETPARAM;jdoe;hostnotifopt;d");
  });
  it("a generated password goes only into ADD; a secret one is set on every run", () => {
    expect(contactLines(contact(), "m").lines.filter((l) => l.fields.some((f) => typeof f !== "string"))).toHaveLength(1);
    const fleet = new Fleet(Testing.app(), "pw");
    const secretLines = contactLines(contact({ password: fleet.secret("jdoe_password") }), "m").lines.map(renderLine);
    expect(secretLines.filter((l) => l.includes("<secret:jdoe_password>"))).toEqual([
      "CONTACT;ADD;John Doe;jdoe;jdoe@example.org;<secret:jdoe_password>;0;0;en_US;local",
      "CONTACT;SETPARAM;jdoe;password;<secret:jdoe_password>",
    ]);
  });
});

describe("CLAPI line builders", () => {
  it("refuse a value holding ';', which CLAPI would split", () => {
    expect(() => line("CONTACT", "SETPARAM", ["jdoe", "comment", "a;b"])).toThrow(ClapiValueError);
    expect(() => line("CONTACT", "SETPARAM", ["jdoe", "comment", "a;b"])).toThrow(/';' and line breaks split its fields/);
  });
  it("refuse a line break", () => {
    expect(() => line("CG", "ADD", ["ops", "line\nbreak"])).toThrow(ClapiValueError);
  });
  it("refuse a list element holding '|'", () => {
    expect(() => list(["a|b"], "contact alias")).toThrow(/'\|' separates its elements/);
    expect(list(["a", "b"], "contact alias")).toBe("a|b");
  });
});

describe("the example fleet's batch (central.clapi)", () => {
  const app = Testing.app();
  const fleet = buildFleet(app, parseFleet(readFileSync("examples/fleet.yaml", "utf8")));
  const batch = fleet.central!.configuration!.batch();
  const lines = batch.text.trimEnd().split("\n");

  it("holds import lines only: OBJECT;ACTION;fields, no comments, no blank lines", () => {
    for (const l of lines) expect(l).toMatch(/^(CMD|STPL|HTPL|CG|CONTACT|HOST|SERVICE);[A-Z]+;[^;]/);
  });

  it("shows secrets only as placeholders", () => {
    expect(batch.text).toContain("HOST;SETMACRO;smtp-corporate;SMTPPASSWORD;<secret:smtp_password>;1;");
  });

  it("declares objects before the lines that use them", () => {
    const firstIndex = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    const before = (a: string, b: string) => expect(firstIndex(a), `${a} before ${b}`).toBeLessThan(firstIndex(b));
    before("CG;ADD;ops;", "CG;ADDCONTACT;ops;");
    before("CONTACT;ADD;John Doe;jdoe;", "CG;ADDCONTACT;ops;jdoe");
    before("CONTACT;ADD;John Doe;jdoe;", "HOST;SETCONTACT;smtp-corporate;jdoe");
    before("CMD;ADD;check-postfix-queue;", "STPL;SETPARAM;Postfix-Queue-custom;check_command;check-postfix-queue");
    before("STPL;ADD;Postfix-Queue-custom;", "SERVICE;ADD;poller-paris-postfix;Postfix-Queue;Postfix-Queue-custom");
    before("HOST;ADD;smtp-corporate;", "SERVICE;ADD;smtp-corporate;SMTP-Login;App-Protocol-SMTP-Login-custom");
    before("SERVICE;ADD;smtp-corporate;SMTP-Login;", "SERVICE;SETMACRO;smtp-corporate;SMTP-Login;WARNING;2");
  });

  it("makes the queue checks notify whom the fleet says, on their host and service", () => {
    for (const poller of ["poller-paris", "poller-lyon", "poller-lille", "Central"]) {
      expect(lines).toContain(`HOST;SETCONTACTGROUP;${poller}-postfix;ops`);
      expect(lines).toContain(`SERVICE;SETCONTACTGROUP;${poller}-postfix;Postfix-Queue;ops`);
    }
    expect(lines.filter((l) => l.includes("-postfix;") && l.includes(";SETCONTACT;"))).toEqual([]);
  });

  it("puts each object's ADD before its SETPARAMs, and sets every field again (a re-run converges)", () => {
    for (const o of batch.objects) expect(batch.lines[o.addLine - 1].action).toBe("ADD");
    expect(lines).toContain("CONTACT;SETPARAM;jdoe;email;jdoe@example.org");
    expect(lines).toContain("HOST;SETINSTANCE;smtp-corporate;poller-paris");
  });

  it("marks every object it creates as managed by this stack", () => {
    for (const o of batch.objects.filter((x) => ["CONTACT", "CG", "HOST", "CMD"].includes(x.kind))) {
      expect(lines.some((l) => l.startsWith(`${o.kind};SETPARAM;${o.key};comment;Managed by centreon-mail-as-code (stack acme-monitoring)`))).toBe(true);
    }
  });

  it("scopes lines: contacts are global (what only the web UI uses aside), a check's lines belong to its poller", () => {
    expect([...batch.scopes.keys()].sort()).toEqual(["global", "poller:Central", "poller:poller-lille", "poller:poller-lyon", "poller:poller-paris", "web"]);
    const webParams = batch.lines.filter((l) => l.scope === "web").map((l) => `${l.object};${l.action};${l.fields[1] as string}`);
    expect([...new Set(webParams)].sort()).toEqual(["CONTACT;SETPARAM;access", "CONTACT;SETPARAM;admin", "CONTACT;SETPARAM;authtype", "CONTACT;SETPARAM;lang"]);
    expect(batch.scopes.get("poller:poller-paris")!.secrets).toEqual(["smtp_password"]);
    expect(batch.scopes.get("global")!.secrets).toEqual([]);
  });

  it("installs the SMTP plugin on the poller that runs the check and check_mailq on every relay host", () => {
    const scripts = Object.fromEntries(fleet.relays.map((r) => [r.hostName, r.provisionScript()]));
    expect(scripts["poller-paris"]).toContain("check_packages='centreon-plugin-applications-protocol-smtp monitoring-plugins-standard'");
    expect(scripts["poller-paris"]).toContain("check_packages='centreon-plugin-Applications-Protocol-Smtp nagios-plugins-mailq'");
    expect(scripts["poller-lyon"]).not.toContain("centreon-plugin-applications-protocol-smtp");
    // Installed after the relay, on their own: they come from other repositories.
    expect(scripts["poller-paris"]).toContain("packages='postfix libsasl2-modules ca-certificates bsd-mailx'\n");
    for (const s of Object.values(scripts)) {
      expect(s).toContain("monitoring-plugins-standard");
      expect(s).toContain("nagios-plugins-mailq");
      expect(s).toContain("'authorized_mailq_users=root, centreon-engine'");
    }
  });
});

describe("connector templates created by the project (smtpTemplates: create)", () => {
  it("creates the check commands and templates before the hosts that use them", () => {
    const doc: Record<string, any> = { ...baseFleet(), smtpChecks: [{ host: "smtp-x", address: "smtp.example.org", poller: "poller-paris" }] };
    doc.central.smtpTemplates = "create";
    const fleet = buildFleet(Testing.app(), parseFleet(stringify(doc)));
    const lines = fleet.central!.configuration!.batch().text.split("\n");
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    expect(lines[at("CMD;ADD;App-Protocol-SMTP-Login-cmd;check;")]).toContain("--mode=login");
    expect(at("HTPL;ADD;App-Protocol-SMTP-custom;")).toBeGreaterThan(-1);
    expect(at("STPL;ADDHOSTTEMPLATE;App-Protocol-SMTP-Login-custom;App-Protocol-SMTP-custom")).toBeLessThan(at("HOST;ADD;smtp-x;"));
    // Only the declared service (no message probe here), added by name: no APPLYTPL, nothing deleted.
    expect(lines.filter((l) => l.includes(";smtp-x;") && /^(SERVICE;ADD|HOST;APPLYTPL|SERVICE;DEL)/.test(l))).toEqual([
      "SERVICE;ADD;smtp-x;SMTP-Login;App-Protocol-SMTP-Login-custom",
    ]);
    // Without the pack's generic parent, the templates carry the schedule the engine needs.
    for (const template of ["App-Protocol-SMTP-Login-custom", "App-Protocol-SMTP-Message-custom"]) {
      expect(lines).toEqual(expect.arrayContaining([`STPL;SETPARAM;${template};max_check_attempts;3`, `STPL;SETPARAM;${template};check_period;24x7`]));
    }
    for (const l of lines.filter((x) => x.startsWith("CMD;"))) expect(l.split(";").length).toBeLessThanOrEqual(5);
  });
});

describe("bad Centreon sections are refused at synth with their path", () => {
  const problems = (change: (doc: Record<string, any>) => void) => {
    const doc = baseFleet();
    doc.contactGroups = [{ name: "ops", alias: "Operations" }];
    doc.contacts = [
      {
        name: "John Doe",
        alias: "jdoe",
        email: "jdoe@example.org",
        groups: ["ops"],
        notifications: { enabled: true, host: { events: ["down"] }, service: { events: ["critical"] } },
      },
    ];
    doc.smtpChecks = [{ host: "smtp-corporate", address: "smtp.example.org", poller: "poller-paris", notify: { contacts: ["jdoe"], groups: ["ops"] } }];
    doc.queueChecks = { warning: 50, critical: 200 };
    change(doc);
    try {
      parseFleet(stringify(doc), "bad.yaml");
      return [];
    } catch (e) {
      if (!(e instanceof FleetValidationError)) throw e;
      return e.problems.map((p) => `${p.path.map((x, i) => (typeof x === "number" ? `[${x}]` : i ? `.${x}` : x)).join("")}: ${p.message}`);
    }
  };

  it.each<[string, (d: Record<string, any>) => void, string]>([
    ["a contact name CLAPI would strip", (d) => (d.contacts[0].name = "John (Ops)"), `contacts[0].name: "John (Ops)" is not valid: it must be a Centreon object name without ~ ! $ % ^ & * " | ' < > ? , ( ) = or ';' (CLAPI strips or splits them), no leading or trailing space`],
    ["a group name with ';'", (d) => d.contactGroups.push({ name: "ops;admins" }), `contactGroups[1].name: "ops;admins" is not valid: it must be a Centreon object name without ~ ! $ % ^ & * " | ' < > ? , ( ) = or ';' (CLAPI strips or splits them), no leading or trailing space`],
    ["an alias with a space", (d) => d.contacts.push({ name: "Jane Doe", alias: "jane doe", email: "jane@example.org" }), `contacts[1].alias: "jane doe" is not valid: it must be a login: letters, digits, '.', '_', '@' and '-', no spaces`],
    ["a host event that is a service event", (d) => (d.contacts[0].notifications.host.events = ["critical"]), `contacts[0].notifications.host.events[0]: "critical" is not valid: it must be one of down, unreachable, recovery, flapping, downtime, none`],
    ["a service event that is a host event", (d) => (d.contacts[0].notifications.service.events = ["down"]), `contacts[0].notifications.service.events[0]: "down" is not valid: it must be one of warning, unknown, critical, recovery, flapping, downtime, none`],
    ["none with other events", (d) => (d.contacts[0].notifications.host.events = ["none", "down"]), `contacts[0].notifications.host.events: [none] cannot be combined with other events`],
    ["an enabled switch that is not one", (d) => (d.contacts[0].notifications.enabled = "yes"), `contacts[0].notifications.enabled: "yes" is not valid: it must be true, false or inherit`],
    ["an undeclared group", (d) => (d.contacts[0].groups = ["opps"]), `contacts[0].groups[0]: "opps" is not a declared contact group: declared ones are ops; declare it in contactGroups, or list one made in Centreon in central.existing.contactGroups`],
    ["a group written in another case than declared", (d) => (d.contacts[0].groups = ["OPS"]), `contacts[0].groups[0]: "OPS" differs only in case from the contact group "ops": write it "ops"`],
    ["a stock time period in another case", (d) => (d.contacts[0].notifications.host.period = "24X7"), `contacts[0].notifications.host.period: "24X7" differs only in case from the time period "24x7": write it "24x7"`],
    ["an unknown time period", (d) => (d.contacts[0].notifications.host.period = "24/7"), `contacts[0].notifications.host.period: "24/7" is not a declared time period: declared ones are 24x7, workhours, nonworkhours, none; list one made in Centreon in central.existing.timePeriods`],
    ["an unknown notification command", (d) => (d.contacts[0].notifications.service.commands = ["notify-by-pigeon"]), `contacts[0].notifications.service.commands[0]: "notify-by-pigeon" is not a declared service notification command: declared ones are service-notify-by-email; declare it in notificationCommands, or list one made in Centreon in central.existing.notificationCommands`],
    ["a check on an undeclared poller", (d) => (d.smtpChecks[0].poller = "poller-nice"), `smtpChecks[0].poller: "poller-nice" is not a declared poller (or the central): declared ones are poller-paris, poller-lyon, poller-lille, Central`],
    ["a check notifying an unknown contact", (d) => (d.smtpChecks[0].notify.contacts = ["jdo"]), `smtpChecks[0].notify.contacts[0]: "jdo" is not a declared contact alias: declared ones are jdoe; declare it in contacts, or list one made in Centreon in central.existing.contacts`],
    ["queue checks notifying an unknown group", (d) => (d.queueChecks.notify = { groups: ["opps"] }), `queueChecks.notify.groups[0]: "opps" is not a declared contact group: declared ones are ops; declare it in contactGroups, or list one made in Centreon in central.existing.contactGroups`],
    ["critical below warning", (d) => (d.queueChecks = { warning: 50, critical: 10 }), `queueChecks.critical: 10 is not valid: it must be more than the warning threshold (50); check_mailq answers UNKNOWN otherwise`],
    // check_mailq refuses both: "Warning (-w) cannot be greater than Critical (-c)!", "Value "5.5" invalid for option w".
    ["queue critical equal to warning", (d) => (d.queueChecks = { warning: 50, critical: 50 }), `queueChecks.critical: 50 is not valid: it must be more than the warning threshold (50); check_mailq answers UNKNOWN otherwise`],
    ["a fractional queue threshold", (d) => (d.queueChecks = { warning: 50.5, critical: 200 }), `queueChecks.warning: 50.5 is not valid: it must be an integer`],
    ["a zero queue threshold (every check a WARNING)", (d) => (d.queueChecks = { warning: 0, critical: 200 }), `queueChecks.warning: 0 is not valid: it must be at least 1`],
    ["a zero threshold", (d) => (d.smtpChecks[0].login = { warning: 0, critical: 5 }), `smtpChecks[0].login.warning: 0 is not valid: it must be greater than 0`],
    ["duplicate aliases", (d) => d.contacts.push({ ...d.contacts[0], name: "Jane Doe" }), `contacts[1].alias: "jdoe" is already used by contacts[0].alias: each contact alias must be unique`],
    ["objects without CLAPI credentials", (d) => delete d.central.clapi, `central.clapi: is required: the fleet declares Centreon objects; give { user, password: { secret: NAME } }`],
    ["a locale Centreon does not ship", (d) => (d.contacts[0].language = "de_AT"), `contacts[0].language: "de_AT" is not valid: it must be one of browser, en_US, de_DE, es_ES, fr_FR, pt_BR, pt_PT`],
    ["a contact that is the CLAPI user", (d) => d.contacts.push({ name: "Admin", alias: "Admin", email: "admin@example.org" }), `contacts[1].alias: "Admin" is the CLAPI user (central.clapi.user): managing it as a contact would take its admin rights away; use another alias`],
    ["a check host named like a queue-check host", (d) => (d.smtpChecks[0].host = "poller-lyon-postfix"), `smtpChecks[0].host: "poller-lyon-postfix" is a name this project uses for its own objects (queue-check hosts <poller>-postfix, the connector's templates): choose another`],
    ["an executor placeholder in a free-text value", (d) => (d.contactGroups[0].alias = "<secret:smtp_password>"), `contactGroups[0].alias: "<secret:smtp_password>" is not valid: it must be a single line without ';' or '|' (CLAPI splits its fields and lists on them, with no escaping), edge spaces or <secret:…> placeholders`],
    ["a single quote in an SMTP check's user name", (d) => (d.smtpChecks[0].auth = { username: "o'brien", password: { secret: "smtp_password" } }), `smtpChecks[0].auth.username: "o'brien" is not valid: it must be a single line without ';', '|', "'" or '\\' (CLAPI splits on the first two; the check command passes the value between single quotes, where Centreon Engine reads a backslash as an escape), edge spaces or <secret:…> placeholders`],
    ["a backslash in an SMTP check's user name", (d) => (d.smtpChecks[0].auth = { username: "CORP\\probe", password: { secret: "smtp_password" } }), `smtpChecks[0].auth.username: "CORP\\\\probe" is not valid: it must be a single line without ';', '|', "'" or '\\' (CLAPI splits on the first two; the check command passes the value between single quotes, where Centreon Engine reads a backslash as an escape), edge spaces or <secret:…> placeholders`],
    ["an alias with edge spaces (CLAPI trims them)", (d) => (d.contactGroups[0].alias = "Operations "), `contactGroups[0].alias: "Operations " is not valid: it must be a single line without ';' or '|' (CLAPI splits its fields and lists on them, with no escaping), edge spaces or <secret:…> placeholders`],
  ])("%s", (_name, change, expected) => {
    expect(problems(change)).toEqual([expected]);
  });

  it("accepts a time period and a notification command made in Centreon outside the fleet once central.existing lists them", () => {
    const useThem = (d: Record<string, any>) => {
      d.contacts[0].notifications.host.period = "business-hours";
      d.contacts[0].notifications.service.commands = ["service-notify-by-email", "notify-by-sms"];
    };
    expect(problems(useThem)).toEqual([
      `contacts[0].notifications.host.period: "business-hours" is not a declared time period: declared ones are 24x7, workhours, nonworkhours, none; list one made in Centreon in central.existing.timePeriods`,
      `contacts[0].notifications.service.commands[1]: "notify-by-sms" is not a declared service notification command: declared ones are service-notify-by-email; declare it in notificationCommands, or list one made in Centreon in central.existing.notificationCommands`,
    ]);
    const listed = (d: Record<string, any>) => {
      useThem(d);
      d.central.existing = { timePeriods: ["business-hours"], notificationCommands: ["notify-by-sms"] };
    };
    expect(problems(listed)).toEqual([]);
    // Built: the contact's CLAPI lines name them as written (CLAPI refuses them if they are missing).
    const doc: Record<string, any> = parseFleet(readFileSync("examples/fleet.yaml", "utf8"));
    listed(doc);
    const fleet = buildFleet(Testing.app(), parseFleet(stringify(doc)));
    const text = fleet.central!.configuration!.batch().text;
    expect(text).toContain("CONTACT;SETPARAM;jdoe;hostnotifperiod;business-hours");
    expect(text).toContain("CONTACT;SETPARAM;jdoe;svcnotifcmd;service-notify-by-email|notify-by-sms");
  });

  it("lets checks notify a contact and a group made outside the fleet once central.existing lists them, without managing them", () => {
    const notifyOncall = (d: Record<string, any>) => {
      d.smtpChecks[0].notify = { contacts: ["jdoe", "oncall"], groups: ["ops", "noc"] };
      d.queueChecks.notify = { contacts: ["oncall"] };
    };
    expect(problems(notifyOncall)).toEqual([
      `smtpChecks[0].notify.contacts[1]: "oncall" is not a declared contact alias: declared ones are jdoe; declare it in contacts, or list one made in Centreon in central.existing.contacts`,
      `smtpChecks[0].notify.groups[1]: "noc" is not a declared contact group: declared ones are ops; declare it in contactGroups, or list one made in Centreon in central.existing.contactGroups`,
      `queueChecks.notify.contacts[0]: "oncall" is not a declared contact alias: declared ones are jdoe; declare it in contacts, or list one made in Centreon in central.existing.contacts`,
    ]);
    const listed = (d: Record<string, any>) => {
      notifyOncall(d);
      d.central.existing = { contacts: ["oncall"], contactGroups: ["noc"] };
    };
    expect(problems(listed)).toEqual([]);
    const doc: Record<string, any> = parseFleet(readFileSync("examples/fleet.yaml", "utf8"));
    listed(doc);
    const fleet = buildFleet(Testing.app(), parseFleet(stringify(doc)));
    const { text } = fleet.central!.configuration!.batch();
    expect(text).toContain("HOST;SETCONTACT;smtp-corporate;jdoe|oncall\n");
    expect(text).toContain("HOST;SETCONTACTGROUP;smtp-corporate;ops|noc\n");
    expect(text).toContain("HOST;SETCONTACT;poller-paris-postfix;oncall\n");
    // Nothing else names them: no CONTACT or CG line of theirs.
    expect(text.split("\n").filter((l) => /^(CONTACT|CG);[A-Z]+;(oncall|noc)(;|$)/.test(l))).toEqual([]);
    // Their settings are Centreon's: no warning about their service notifications.
    expect(fleet.warnings.filter((w) => w.includes("oncall"))).toEqual([]);
  });

  it("lets a contact join a group made outside the fleet once central.existing lists it: a membership, no CG line of the group's own", () => {
    const joinNoc = (d: Record<string, any>) => (d.contacts[0].groups = ["ops", "noc"]);
    expect(problems(joinNoc)).toEqual([
      `contacts[0].groups[1]: "noc" is not a declared contact group: declared ones are ops; declare it in contactGroups, or list one made in Centreon in central.existing.contactGroups`,
    ]);
    const doc: Record<string, any> = parseFleet(readFileSync("examples/fleet.yaml", "utf8"));
    joinNoc(doc);
    doc.central.existing = { contactGroups: ["noc"] };
    const { text } = buildFleet(Testing.app(), parseFleet(stringify(doc))).central!.configuration!.batch();
    expect(text).toContain("CG;ADDCONTACT;noc;jdoe\n");
    expect(text.split("\n").filter((l) => l.startsWith("CG;") && l.split(";")[2] === "noc")).toEqual(["CG;ADDCONTACT;noc;jdoe"]);
  });

  it("refuses a contact or group listed in central.existing that the fleet declares too, and the CLAPI user in another case", () => {
    expect(problems((d) => (d.central.existing = { contacts: ["JDoe", "ADMIN"], contactGroups: ["ops"] }))).toEqual([
      `central.existing.contacts[0]: "JDoe" is declared in contacts, so this fleet manages it: remove it from this list of objects made outside the fleet`,
      `central.existing.contacts[1]: "ADMIN" differs only in case from the CLAPI user "admin": write it "admin"`,
      `central.existing.contactGroups[0]: "ops" is declared in contactGroups, so this fleet manages it: remove it from this list of objects made outside the fleet`,
    ]);
    // The CLAPI user itself may be notified.
    expect(problems((d) => {
      d.central.existing = { contacts: ["admin"] };
      d.smtpChecks[0].notify.contacts = ["admin"];
    })).toEqual([]);
  });

  it("refuses, in central.existing, a command this fleet makes, a name listed twice and a stock one in another case", () => {
    expect(
      problems((d) => {
        d.notificationCommands = [{ name: "notify-by-teams", kind: "host", languages: { en: { subject: "x", body: "y" } } }];
        d.central.existing = { timePeriods: ["business-hours", "Business-Hours", "24X7"], notificationCommands: ["notify-by-teams-en", "Host-Notify-By-Email"] };
      }),
    ).toEqual([
      `central.existing.timePeriods[1]: "Business-Hours" is already listed at [0]: list each time period once`,
      `central.existing.timePeriods[2]: "24X7" differs only in case from the stock time period "24x7": write it "24x7" where it is used, and leave it out of this list`,
      `central.existing.notificationCommands[0]: "notify-by-teams-en" is made by this fleet (notificationCommands): name it in contacts as it is, and remove it from this list of commands made outside the fleet`,
      `central.existing.notificationCommands[1]: "Host-Notify-By-Email" differs only in case from the stock notification command "host-notify-by-email": write it "host-notify-by-email" where it is used, and leave it out of this list`,
    ]);
  });

  it("accepts SMTP thresholds that are equal and fractional (seconds, unlike the queue's messages)", () => {
    expect(problems((d) => (d.smtpChecks[0].login = { warning: 2.5, critical: 2.5 }))).toEqual([]);
  });

  it("accepts the valid base", () => {
    expect(problems(() => undefined)).toEqual([]);
  });
});

describe("the SMTP check's TLS layer (the connector speaks STARTTLS unless told otherwise)", () => {
  const extraOptions = (check: Record<string, unknown>) => {
    const doc = parse(readFileSync("examples/fleet.yaml", "utf8"));
    for (const [key, value] of Object.entries(check)) {
      if (value === undefined) delete doc.smtpChecks[0][key];
      else doc.smtpChecks[0][key] = value;
    }
    const batch = buildFleet(Testing.app(), parseFleet(stringify(doc))).central!.configuration!.batch();
    return batch.text.split("\n").find((l) => l.startsWith("HOST;SETMACRO;smtp-corporate;SMTPEXTRAOPTIONS;"));
  };
  it.each([
    [{ port: 587 }, "--port=587"],
    [{ port: 465 }, "--port=465 --smtp-options=layer=ssl"],
    [{ port: 2465, security: "tls" }, "--port=2465 --smtp-options=layer=ssl"],
    [{ port: 25, security: "none" }, "--port=25 --smtp-options=layer=none"],
    // The port follows the security when only the security is given, as for gateways.
    [{ port: undefined, security: "tls" }, "--port=465 --smtp-options=layer=ssl"],
    [{ port: undefined, security: "none" }, "--port=25 --smtp-options=layer=none"],
    [{ port: undefined }, "--port=587"],
  ])("%j: %s", (check, options) => {
    expect(extraOptions(check)).toMatch(new RegExp(`;SMTPEXTRAOPTIONS;${options};0;$`));
  });
  it("warns when a check logs in without TLS", () => {
    const doc = parse(readFileSync("examples/fleet.yaml", "utf8"));
    Object.assign(doc.smtpChecks[0], { port: 25, security: "none" });
    expect(buildFleet(Testing.app(), parseFleet(stringify(doc))).warnings).toContain(
      "SMTP check smtp-corporate: security none with auth sends the password in clear on the network; use starttls or tls",
    );
  });
});

describe("queue-check thresholds through the constructs", () => {
  it("refuses what check_mailq refuses (equal or fractional thresholds), like the fleet file does", () => {
    const fleet = () => new Fleet(Testing.app(), "queue");
    expect(() => fleet().setQueueChecks({ warning: 5, critical: 5 })).toThrow(
      "queueChecks.critical 5 is not valid: it must be more than the warning threshold (5); check_mailq answers UNKNOWN otherwise",
    );
    expect(() => fleet().setQueueChecks({ warning: 2.5, critical: 5 })).toThrow("queueChecks.warning 2.5 is not valid: it must be an integer, at least 1");
    expect(() => fleet().setQueueChecks({ warning: 1, critical: 2 })).not.toThrow();
  });
});

describe("the executor resource", () => {
  it("runs on the central with the CLAPI password and each batch secret, hashed in its triggers", () => {
    const { resources } = (() => {
      const fleet = buildFleet(Testing.app(), parseFleet(readFileSync("examples/fleet.yaml", "utf8")));
      return { resources: JSON.parse(Testing.synth(fleet)).resource.null_resource };
    })();
    const executor = resources["clapi_Central"];
    expect(executor.connection.host).toBe("10.0.0.10");
    expect(executor.connection.script_path).toBe("/root/.centreon-clapi.sh");
    expect(executor.triggers).toMatchObject({
      secret_centreon_admin_password_sha256: "${sha256(var.centreon_admin_password)}",
      secret_smtp_password_sha256: "${sha256(var.smtp_password)}",
    });
    expect(executor.provisioner[0]["remote-exec"].inline[0]).toContain("export CLAPI_PASSWORD_B64='${nonsensitive(base64encode(var.centreon_admin_password))}'");
    expect(Object.keys(resources).filter((n) => !n.startsWith("relay_")).sort()).toEqual([
      "clapi_Central",
      "contact_group_ops",
      "contact_jdoe",
      "contact_mmartin",
      "notification_command_notify-host-by-email-en",
      "notification_command_notify-host-by-email-fr",
      "notification_command_notify-service-by-email-en",
      "notification_command_notify-service-by-email-fr",
      "queue_check_Central",
      "queue_check_poller-lille",
      "queue_check_poller-lyon",
      "queue_check_poller-paris",
      "smtp_check_smtp-corporate",
    ]);
    expect(resources["contact_jdoe"]).not.toHaveProperty("provisioner");
    expect(resources["contact_jdoe"].triggers).toEqual({ clapi_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it("changing one contact changes its record and the executor, and no relay", () => {
    const synth = (email: string) => {
      const doc = parseFleet(readFileSync("examples/fleet.yaml", "utf8"));
      doc.contacts[0].email = email;
      return JSON.parse(Testing.synth(buildFleet(Testing.app(), doc))).resource.null_resource as Record<string, any>;
    };
    const a = synth("jdoe@example.org");
    const b = synth("john.doe@example.org");
    const changed = Object.keys(a).filter((n) => JSON.stringify(a[n].triggers) !== JSON.stringify(b[n].triggers));
    expect(changed.sort()).toEqual(["clapi_Central", "contact_jdoe"]);
  });
});


describe("the batch after changes made through intent methods", () => {
  it("includes a group membership added after the batch was first assembled", () => {
    const fleet = new Fleet(Testing.app(), "intent");
    fleet.setCentral({ name: "Central", address: "192.0.2.10", fqdn: "centreon.example.org", clapi: { user: "admin", password: fleet.secret("admin_pw") } });
    const ops = fleet.addContactGroup({ name: "ops" });
    const jdoe = fleet.addContact({ name: "John Doe", alias: "jdoe", email: "jdoe@example.org" });
    expect(fleet.central!.configuration!.batch().text).not.toContain("CG;ADDCONTACT;ops;jdoe");
    jdoe.addToGroup(ops);
    expect(fleet.central!.configuration!.batch().text).toContain("CG;ADDCONTACT;ops;jdoe");
  });
});

describe("names listed twice, from the constructs", () => {
  const fleetWithCentral = () => {
    const fleet = new Fleet(Testing.app(), "twice");
    const gateway = fleet.addGateway("gw", { host: "smtp.example.org" });
    const clapi = { user: "admin", password: fleet.secret("admin_pw") };
    fleet.setCentral({ name: "Central", address: "192.0.2.10", fqdn: "centreon.example.org", gateway, clapi });
    return fleet;
  };

  it("refuses a contact's event or notification command listed twice (command names compared without case)", () => {
    const fleet = fleetWithCentral();
    expect(() => fleet.addContact({ name: "A", alias: "a", email: "a@example.org", notifications: { host: { events: ["down", "down"] } } })).toThrow(
      `contact a: host event "down" is listed twice: list each once`,
    );
    expect(() =>
      fleet.addContact({
        name: "B",
        alias: "b",
        email: "b@example.org",
        notifications: { service: { events: ["critical"], commands: ["service-notify-by-email", "Service-Notify-By-Email"] } },
      }),
    ).toThrow(`contact b: service notification command "Service-Notify-By-Email" is listed twice: list each once`);
  });

  it("refuses queue-check targets listed twice, and notifies a check's target once however often it is asked", () => {
    const fleet = fleetWithCentral();
    const jdoe = fleet.addContact({ name: "John Doe", alias: "jdoe", email: "jdoe@example.org" });
    const ops = fleet.addContactGroup({ name: "ops" });
    expect(() => fleet.setQueueChecks({ warning: 10, critical: 50, contacts: [jdoe, jdoe] })).toThrow(`queueChecks: contact "jdoe" is listed twice: list each once`);
    expect(() => fleet.setQueueChecks({ warning: 10, critical: 50, groups: [ops, ops] })).toThrow(`queueChecks: contact group "ops" is listed twice: list each once`);
    const check = fleet.addSmtpCheck({ host: "smtp-x", address: "smtp.example.org", poller: "Central" })!;
    for (const target of [jdoe, jdoe, ops, ops]) check.notify(target);
    const text = fleet.central!.configuration!.batch().text;
    expect(text).toMatch(/;jdoe\n/);
    expect(text).not.toContain("jdoe|jdoe");
    expect(text).not.toContain("ops|ops");
  });

  it("refuses a CLAPI list naming one element twice, whatever builds it", () => {
    expect(() => list(["ops", "OPS"], "contact group")).toThrow(new ClapiValueError(`contact group "OPS" is listed twice: list each once`));
  });
});
