// The CLAPI test double, fact by fact (/work/shared/docs/clapi-facts.md), mostly through the pure functions,
// then end to end through the `centreon` wrapper (PATH symlink, copy + CENTREON_DOUBLE_HOME, concurrency).
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { MSG, parseOptions, redactArgv, runAction, runCli, runImport, runPollerAction, stripIllegal } from "./clapi.js";
import { createState, initState, readState, updateState, type DoubleState, type InitStateOptions } from "./state.js";

const ADMIN_PASSWORD = "Adm1n@Secret!";
const GOOD_PASSWORD = "Str0ng&Secret";

function fresh(opts: Partial<InitStateOptions> = {}): DoubleState {
  return createState({ adminPassword: ADMIN_PASSWORD, pollers: ["poller-paris", "poller-lyon"], ...opts });
}

const run = (s: DoubleState, object: string, action: string, values = "") => runAction(s, object, action, values);

/** The command succeeds silently (CLAPI's closing newline only). */
function ok(s: DoubleState, object: string, action: string, values = ""): void {
  expect(run(s, object, action, values), `${object};${action};${values}`).toEqual({ stdout: "\n", exit: 0 });
}

/** The command fails with `message` on stdout and exit 1. */
function fails(s: DoubleState, object: string, action: string, values: string, message: string): void {
  expect(run(s, object, action, values), `${object};${action};${values}`).toEqual({ stdout: `${message}\n`, exit: 1 });
}

const contactLine = (f: Partial<Record<"name" | "alias" | "email" | "password" | "admin" | "access" | "lang" | "auth", string>> = {}) =>
  [f.name ?? "John Doe", f.alias ?? "jdoe", f.email ?? "jdoe@example.org", f.password ?? GOOD_PASSWORD, f.admin ?? "0", f.access ?? "0", f.lang ?? "en_US", f.auth ?? "local"].join(";");

const contact = (s: DoubleState, alias: string) => s.contacts.find((c) => c.cols.contact_alias === alias);
const host = (s: DoubleState, name: string) => s.hosts.find((h) => h.cols.host_name === name);
const servicesOf = (s: DoubleState, hostName: string) =>
  s.services.filter((x) => x.register === 1 && x.hosts.includes(host(s, hostName)!.id)).map((x) => x.cols.service_description);
const show = (s: DoubleState, object: string, filter = "") => run(s, object, "SHOW", filter).stdout;

function withHost(s = fresh(), name = "smtp-corporate"): DoubleState {
  ok(s, "HOST", "ADD", `${name};SMTP gateway;smtp.example.org;App-Protocol-SMTP-custom;poller-paris;`);
  return s;
}

const io = (files: Record<string, string> = {}) => ({ readFile: (p: string) => files[p] ?? null, now: () => new Date(2024, 4, 1, 12, 0, 0) });
const cli = (s: DoubleState, args: string[], files: Record<string, string> = {}) => runCli(s, args, io(files));
const auth = ["-u", "admin", "-p", ADMIN_PASSWORD];

describe("command line", () => {
  it("authenticates an active admin contact by alias and password", () => {
    const s = fresh();
    expect(cli(s, [...auth, "-o", "CMD", "-a", "SHOW", "-v", "host-notify-by-email"])).toMatchObject({ exit: 0, stderr: "" });
    expect(cli(s, ["-u", "admin", "-p", "wrong", "-o", "CMD", "-a", "SHOW"])).toEqual({ stdout: "Invalid credentials.\n", stderr: "", exit: 1 });
    expect(cli(s, ["-u", "nobody", "-p", ADMIN_PASSWORD, "-o", "CMD", "-a", "SHOW"])).toEqual({ stdout: "Invalid credentials.\n", stderr: "", exit: 1 });
  });

  it("refuses a non-admin user (even with a wrong password) and an inactive one", () => {
    const s = fresh({ extraUsers: [{ alias: "viewer", password: GOOD_PASSWORD }, { alias: "gone", password: GOOD_PASSWORD, admin: true, active: false }] });
    const perm = { stdout: "You don't have permissions for CLAPI.\n", stderr: "", exit: 1 };
    expect(cli(s, ["-u", "viewer", "-p", GOOD_PASSWORD, "-o", "CMD", "-a", "SHOW"])).toEqual(perm);
    expect(cli(s, ["-u", "viewer", "-p", "wrong", "-o", "CMD", "-a", "SHOW"])).toEqual(perm);
    expect(cli(s, ["-u", "gone", "-p", GOOD_PASSWORD, "-o", "CMD", "-a", "SHOW"]).stdout).toBe("Invalid credentials.\n");
  });

  it("parses options like PHP getopt (attached values too) and prints help without credentials", () => {
    expect(parseOptions(["-uadmin", "-p", "x y", "-o", "HOST", "-a", "show", "-v", "a;b"])).toEqual({ u: "admin", p: "x y", o: "HOST", a: "show", v: "a;b" });
    expect(cli(fresh(), ["-o", "HOST", "-a", "SHOW"])).toMatchObject({ exit: 0, stdout: expect.stringContaining("usage: ./centreon -u <LOGIN> -p <PASSWORD>") });
    expect(cli(fresh(), [...auth]).stdout).toBe("Unknown option\n");
  });

  it("splits -v on EVERY ';' with no escaping: a ';' in a command line truncates it", () => {
    const s = fresh();
    ok(s, "CMD", "ADD", "check-queue;check;/usr/lib/nagios/plugins/check_mailq -w 50 -c 200; echo done");
    expect(s.commands.find((c) => c.cols.command_name === "check-queue")!.cols.command_line).toBe("/usr/lib/nagios/plugins/check_mailq -w 50 -c 200");
  });

  it("splits -v on EVERY ';': a ';' in a value shifts the fields after it", () => {
    const s = fresh();
    // name "Doe; John" cuts the line: alias " John", email "jdoe", and the email lands in the password field
    fails(s, "CONTACT", "ADD", `Doe; John;jdoe;jdoe@example.org;${GOOD_PASSWORD};0;0;en_US;local`, MSG.password);
    ok(s, "CG", "ADD", "ops;team;Operations");
    expect(s.contactGroups[0].cols).toMatchObject({ cg_name: "ops", cg_alias: "team" });
  });

  it("ignores extra fields silently", () => {
    const s = fresh();
    ok(s, "CG", "ADD", "ops;Operations;extra;fields");
    ok(s, "CONTACT", "SETPARAM", "admin;email;root@example.org;ignored");
    expect(contact(s, "admin")!.cols.contact_email).toBe("root@example.org");
  });

  it("takes lists with '|' (no escaping either)", () => {
    const s = fresh();
    ok(s, "CONTACT", "ADD", contactLine({ alias: "a1" }));
    ok(s, "CONTACT", "ADD", contactLine({ alias: "a2" }));
    ok(s, "CG", "ADD", "ops;Operations");
    ok(s, "CG", "ADDCONTACT", "ops;a1|a2");
    expect(run(s, "CG", "GETCONTACT", "ops").stdout).toBe(`id;name\n${contact(s, "a1")!.id};a1\n${contact(s, "a2")!.id};a2\n\n`);
    fails(s, "CG", "ADDCONTACT", "ops;a1\\|a2", "Object not found:a1\\");
  });

  it("strips ~!$%^&*\"|'<>?,()= from names of hosts, services, contacts, groups, commands, time periods, host groups", () => {
    const s = fresh();
    const dirty = "we~b!$%^&*\"'<>?,()=1";
    expect(stripIllegal(dirty)).toBe("web1");
    ok(s, "HOST", "ADD", `${dirty};alias;10.0.0.1;;Central;`);
    ok(s, "SERVICE", "ADD", `web1;Disk (root)=?;generic-active-service-custom`);
    ok(s, "CONTACT", "ADD", contactLine({ name: "O'Brien, Pat (ops)", alias: "pobrien" }));
    ok(s, "CG", "ADD", "on-call!;On call!");
    ok(s, "CMD", "ADD", "notify(mail);notif;/bin/true");
    ok(s, "TP", "ADD", "office=hours;Office hours");
    ok(s, "HG", "ADD", "mail*servers;Mail servers");
    expect(host(s, "web1")).toBeDefined();
    expect(servicesOf(s, "web1")).toEqual(["Disk root"]);
    expect(contact(s, "pobrien")!.cols.contact_name).toBe("OBrien Pat ops");
    expect(s.contactGroups.at(-1)!.cols).toMatchObject({ cg_name: "on-call", cg_alias: "On call!" });
    expect(s.commands.at(-1)!.cols.command_name).toBe("notifymail");
    expect(s.timeperiods.at(-1)!.cols.tp_name).toBe("officehours");
    expect(s.hostGroups.at(-1)!.cols.hg_name).toBe("mailservers");
  });

  it("treats object and action names case-insensitively", () => {
    const s = fresh();
    ok(s, "cg", "add", "ops;Operations");
    ok(s, "Cg", "SetParam", "ops;alias;Ops team");
    expect(show(s, "cg")).toBe("id;name;alias\n1;ops;Ops team\n\n");
    expect(cli(s, [...auth, "-o", "host", "-a", "show"]).exit).toBe(0);
  });

  it("treats SETPARAM parameter names case-sensitively", () => {
    const s = fresh();
    fails(s, "CONTACT", "SETPARAM", "admin;EMAIL;x@example.org", MSG.paramsInvalid);
    fails(withHost(s), "HOST", "SETPARAM", "smtp-corporate;Comment;x", MSG.paramsInvalid);
  });

  it("writes every message on stdout, nothing on stderr", () => {
    const s = fresh();
    for (const args of [["-o", "FOO", "-a", "SHOW"], ["-o", "CONTACT", "-a", "ADD", "-v", "x"], ["-a", "APPLYCFG", "-v", "nowhere"]]) {
      const r = cli(s, [...auth, ...args]);
      expect(r.stderr).toBe("");
      expect(r.stdout).not.toBe("");
    }
  });
});

describe("exit codes and messages", () => {
  it.each([
    ["CONTACT", contactLine({ alias: "jdoe" }), "jdoe"],
    ["CONTACTTPL", "Tpl;jdoe;x@example.org;0;0;en_US;local", "jdoe"],
    ["CG", "ops;Operations", "ops"],
    ["CMD", "host-notify-by-email;notif;/bin/true", "host-notify-by-email"],
    ["TP", "24x7;Always", "24x7"],
    ["HOST", "App-Protocol-SMTP-custom;x;1.2.3.4;;Central;", "App-Protocol-SMTP-custom"],
    ["HTPL", "generic-active-host-custom;x;;;;", "generic-active-host-custom"],
    ["HG", "mail;Mail", "mail"],
    ["INSTANCE", "poller-paris;10.0.1.21;22;ZMQ;5556", "poller-paris"],
  ])("ADD of an existing %s: 'Object already exists (<name>)', exit 1", (object, values, name) => {
    const s = fresh();
    ok(s, "CONTACT", "ADD", contactLine({ alias: "jdoe" }));
    ok(s, "CG", "ADD", "ops;Operations");
    ok(s, "HG", "ADD", "mail;Mail");
    fails(s, object, "ADD", values, `Object already exists (${name})`);
  });

  it("ADD of an existing SERVICE or STPL: 'Object already exists' without the name", () => {
    const s = withHost();
    ok(s, "SERVICE", "ADD", "smtp-corporate;Postfix-Queue;generic-active-service-custom");
    fails(s, "SERVICE", "ADD", "smtp-corporate;Postfix-Queue;generic-active-service-custom", MSG.exists);
    fails(s, "STPL", "ADD", "App-Protocol-SMTP-Login-custom;x;", MSG.exists);
  });

  it("object not found: 'Object not found:<name>', services 'Object not found:<host>/<svc>'", () => {
    const s = withHost();
    fails(s, "HOST", "SETPARAM", "nohost;comment;x", "Object not found:nohost");
    fails(s, "CG", "DEL", "nogroup", "Object not found:nogroup");
    fails(s, "SERVICE", "SETPARAM", "smtp-corporate;nosvc;comment;x", "Object not found:smtp-corporate/nosvc");
    fails(s, "SERVICE", "DEL", "nohost;SMTP-Login", "Object not found:nohost/SMTP-Login");
    fails(s, "CONTACT", "DEL", "nobody", "Object not found:nobody");
  });

  it("too few fields: 'Missing parameters'", () => {
    const s = fresh();
    for (const [object, values] of [
      ["CONTACT", "John;jdoe;jdoe@example.org;Str0ng&Secret;0;0;en_US"], ["CONTACTTPL", "T;t;t@x;0;0;en_US"], ["CG", "ops"],
      ["CMD", "c;check"], ["TP", "tp"], ["HOST", "h;h;1.2.3.4;;Central"], ["HTPL", "t;t;;;"], ["HG", "hg"], ["SERVICE", "h;svc"],
      ["STPL", "stpl;alias"], ["INSTANCE", "p;1.2.3.4;22;ZMQ"],
    ]) fails(s, object, "ADD", values, MSG.missing);
    fails(s, "CONTACT", "SETPARAM", "admin;email", MSG.missing);
    fails(s, "SERVICE", "SETPARAM", "h;s;comment", MSG.missing);
  });

  it("unknown -o object: 'Object FOO not found in Centreon API.' with exit 0", () => {
    expect(run(fresh(), "foo", "SHOW")).toEqual({ stdout: "Object FOO not found in Centreon API.\n\n", exit: 0 });
    expect(cli(fresh(), [...auth, "-o", "Foo", "-a", "ADD", "-v", "x"])).toEqual({ stdout: "Object FOO not found in Centreon API.\n\n", stderr: "", exit: 0 });
  });

  it.each(["CONTACT", "CONTACTTPL", "CMD", "TP", "INSTANCE"])("unknown action on %s: 'Method not implemented into Centreon API.' with exit 0", (object) => {
    expect(run(fresh(), object, "FROBNICATE", "x")).toEqual({ stdout: "Method not implemented into Centreon API.\n\n", exit: 0 });
  });

  it.each(["HOST", "HTPL", "SERVICE", "STPL", "CG", "HG"])("unknown action on %s (a class with __call): exception, exit 1", (object) => {
    fails(fresh(), object, "FROBNICATE", "x", "Method not implemented into Centreon API");
  });

  it("a poller action prints its output then 'Return code end : N' and exits N", () => {
    const r = runPollerAction(fresh(), "POLLERGENERATE", "poller-paris");
    expect(r).toEqual({ stdout: "Configuration files generated for poller 'poller-paris'\nReturn code end : 0\n\n", exit: 0 });
    expect(runPollerAction(fresh(), "POLLERFOO", "poller-paris")).toEqual({ stdout: "Method not implemented into Centreon API.\n\n", exit: 1 });
  });
});

describe("import file (-i)", () => {
  const importOf = (s: DoubleState, text: string) => cli(s, [...auth, "-i", "/batch.clapi"], { "/batch.clapi": text });

  it("runs one OBJECT;ACTION;rest command per line, rest parsed like -v", () => {
    const s = fresh();
    const r = importOf(s, ["CG;ADD;ops;Operations", "CMD;ADD;q;check;/bin/check -a 1;junk", "CG;SETPARAM;ops;comment;a;b"].join("\n") + "\n");
    expect(r).toEqual({ stdout: "\n", stderr: "", exit: 0 });
    expect(s.commands.at(-1)!.cols.command_line).toBe("/bin/check -a 1");
    expect(s.contactGroups[0].cols.cg_comment).toBe("a");
  });

  it("skips blank lines and {OBJECT_TYPE} lines (line numbers still count them)", () => {
    const s = fresh();
    const r = runImport(s, "{OBJECT_TYPE};{COMMAND};{PARAMETERS}\n\n   \nCG;ADD;ops;Operations\nCG;DEL;nothere\n");
    expect(r).toEqual({ stdout: "Line 5 : Object not found:nothere\n\n", stderr: "", exit: 0 });
  });

  it("trims object, action and the rest of the line (CRLF files work)", () => {
    const s = fresh();
    expect(runImport(s, " CG ; add ;ops;Operations \r\n").exit).toBe(0);
    expect(s.contactGroups[0].cols).toMatchObject({ cg_name: "ops", cg_alias: "Operations" });
  });

  it("before 23.10 a '#' line aborts the whole import with exit 255 (lines before it applied, none after)", () => {
    const s = fresh({ version: "22.10" });
    const r = runImport(s, "CG;ADD;before;B\n# a comment\nCG;ADD;after;A\n");
    expect(r.exit).toBe(255);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^PHP Fatal error: .*line 2/);
    expect(s.contactGroups.map((g) => g.cols.cg_name)).toEqual(["before"]);
  });

  it("from 23.10 a '#' line is skipped", () => {
    for (const version of ["23.10", "24.10"] as const) {
      const s = fresh({ version });
      expect(runImport(s, "# generated\nCG;ADD;ops;Operations\n")).toEqual({ stdout: "\n", stderr: "", exit: 0 });
      expect(s.contactGroups).toHaveLength(1);
    }
  });

  it("a failing line prints 'Line <n> : <message>' and the import GOES ON", () => {
    const s = fresh();
    const r = runImport(s, ["CG;ADD;ops;Operations", "CG;ADD;ops;Again", "CONTACT;SETPARAM;admin;hosttimeperiod;24x7", "CG;ADD;dev;Developers"].join("\n"));
    expect(r.stdout).toBe(
      "Line 2 : Object already exists (ops)\n" +
        "Line 3 : SQLSTATE[42S22]: Column not found: 1054 Unknown column 'contact_hosttimeperiod' in 'field list'\n\n",
    );
    expect(s.contactGroups.map((g) => g.cols.cg_name)).toEqual(["ops", "dev"]);
  });

  it("exit code: the last completed line's, so a failed import exits 0 even when its last line fails", () => {
    const s = fresh();
    expect(runImport(s, "CG;ADD;ops;Operations\nCG;DEL;nothere\n")).toMatchObject({ exit: 0, stdout: "Line 2 : Object not found:nothere\n\n" });
    expect(runImport(s, "CG;DEL;nothere\nCG;ADD;dev;Developers\n")).toMatchObject({ exit: 0 });
    // what a caller must do: parse the output
    expect(/^Line (\d+) : /m.exec(runImport(s, "CG;ADD;x;X\nCG;ADD;x;X\n").stdout)?.[1]).toBe("2");
  });

  it("an unknown action on a class without __call prints the bare message (no 'Line N :') and changes nothing else", () => {
    expect(runImport(fresh(), "CONTACT;FROBNICATE;x\n")).toEqual({ stdout: "Method not implemented into Centreon API.\n\n", stderr: "", exit: 0 });
  });

  it("poller actions are not import lines: APPLYCFG is an unknown object (fatal, exit 255)", () => {
    const s = fresh();
    const r = runImport(s, "CG;ADD;ops;Operations\nAPPLYCFG;poller-paris\nCG;ADD;dev;Dev\n");
    expect(r.exit).toBe(255);
    expect(s.applied).toEqual([]);
    expect(s.contactGroups).toHaveLength(1);
    expect(runImport(fresh(), ";APPLYCFG;poller-paris\n")).toMatchObject({ stdout: "Method not implemented into Centreon API.\n\n", exit: 1 });
  });

  it("object names in an import are matched exactly (upper case), like CLAPI's class table", () => {
    expect(runImport(fresh(), "cg;ADD;ops;Operations\n").exit).toBe(255);
  });

  it("failOnLine makes that line fail with 'Line N : Simulated failure' (fault injection)", () => {
    const s = fresh({ failOnLine: 2 });
    const r = runImport(s, "CG;ADD;a;A\nCG;ADD;b;B\nCG;ADD;c;C\n");
    expect(r).toEqual({ stdout: "Line 2 : Simulated failure (centreon CLAPI test double: failOnLine)\n\n", stderr: "", exit: 0 });
    expect(s.contactGroups.map((g) => g.cols.cg_name)).toEqual(["a", "c"]);
  });

  it("a missing file: '<file> : File doesn't exists', exit 1", () => {
    expect(cli(fresh(), [...auth, "-i", "/nope"])).toEqual({ stdout: "/nope : File doesn't exists\n", stderr: "", exit: 1 });
  });
});

describe("ADD field orders", () => {
  it("CONTACT: name;alias;email;password;admin;access;language;authtype", () => {
    const s = fresh();
    ok(s, "CONTACT", "ADD", `John Doe;jdoe;jdoe@example.org;${GOOD_PASSWORD};1;0;fr_FR;local`);
    expect(contact(s, "jdoe")!.cols).toMatchObject({
      contact_name: "John Doe", contact_email: "jdoe@example.org", contact_admin: "1", contact_oreon: "0", contact_lang: "fr_FR.UTF-8", contact_auth_type: "local",
    });
    expect(contact(s, "jdoe")!.register).toBe(1);
  });

  it("CONTACT: a 9th field (default_page) is ignored in 22.10 and stored from 23.04", () => {
    const s22 = fresh({ version: "22.10" });
    ok(s22, "CONTACT", "ADD", `${contactLine()};60101`);
    expect(contact(s22, "jdoe")!.cols.default_page).toBeNull();
    const s23 = fresh({ version: "23.10" });
    ok(s23, "CONTACT", "ADD", `${contactLine()};60101`);
    expect(contact(s23, "jdoe")!.cols.default_page).toBe("60101");
    fails(fresh({ version: "23.10" }), "CONTACT", "ADD", `${contactLine()};home`, MSG.paramsInvalid);
  });

  it("CONTACTTPL: name;alias;email;admin;access;language;authtype (no password)", () => {
    const s = fresh();
    ok(s, "CONTACTTPL", "ADD", "Notify only;notify-only;;0;0;browser;local");
    expect(contact(s, "notify-only")).toMatchObject({ register: 0, passwordHash: null });
    expect(show(s, "CONTACTTPL")).toContain(";Notify only;notify-only;;;0;0;1\n");
    expect(show(s, "CONTACT")).not.toContain("notify-only");
  });

  it("CMD: name;type;line with type check, notif, misc or discovery", () => {
    const s = fresh();
    for (const type of ["check", "notif", "misc", "discovery"]) ok(s, "CMD", "ADD", `c-${type};${type};/bin/${type}`);
    fails(s, "CMD", "ADD", "c-bad;Check;/bin/x", "Unknown command type:Check");
    expect(show(s, "CMD", "c-")).toBe("id;name;type;line\n6;c-check;check;/bin/check\n7;c-notif;notif;/bin/notif\n8;c-misc;misc;/bin/misc\n9;c-discovery;discovery;/bin/discovery\n\n");
  });

  it("TP: name;alias", () => {
    const s = fresh();
    ok(s, "TP", "ADD", "office;Office hours");
    expect(show(s, "TP", "office")).toBe("id;name;alias;sunday;monday;tuesday;wednesday;thursday;friday;saturday\n5;office;Office hours;;;;;;;\n\n");
  });

  it("HOST: name;alias;address;templates;instance;hostgroups (6 fields, the last may be empty but must exist)", () => {
    const s = fresh();
    ok(s, "HG", "ADD", "mail;Mail");
    ok(s, "HOST", "ADD", "smtp1;SMTP 1;10.0.0.25;App-Protocol-SMTP-custom|generic-active-host-custom;poller-lyon;mail");
    const h = host(s, "smtp1")!;
    expect(h.cols).toMatchObject({ host_alias: "SMTP 1", host_address: "10.0.0.25", host_register: "1" });
    expect(h.templates.map((id) => s.hosts.find((x) => x.id === id)!.cols.host_name)).toEqual(["App-Protocol-SMTP-custom", "generic-active-host-custom"]);
    expect(s.instances.find((i) => i.id === h.instance)!.cols.name).toBe("poller-lyon");
    expect(h.hostGroups).toEqual([s.hostGroups[0].id]);
    fails(s, "HOST", "ADD", "smtp2;SMTP 2;10.0.0.26;NoSuchTemplate;Central;", "Object not found:NoSuchTemplate");
    fails(s, "HOST", "ADD", "smtp2;SMTP 2;10.0.0.26;;Central;nohg", "Object not found:nohg");
    fails(s, "HOST", "ADD", "smtp2;SMTP 2;10.0.0.26;;;", "Instance name is mandatory");
  });

  it("HTPL: the same 6 fields, instance ignored", () => {
    const s = fresh();
    ok(s, "HTPL", "ADD", "my-smtp;My SMTP;;App-Protocol-SMTP-custom;no-such-poller;");
    expect(host(s, "my-smtp")).toMatchObject({ register: 0, instance: null });
    expect(show(s, "HTPL", "my-smtp")).toBe(`id;name;alias;address;activate\n${host(s, "my-smtp")!.id};my-smtp;My SMTP;;1\n\n`);
  });

  it("HG: name;alias", () => {
    const s = fresh();
    ok(s, "HG", "ADD", "mail;Mail servers");
    expect(show(s, "HG")).toBe("id;name;alias\n1;mail;Mail servers\n\n");
  });

  it("SERVICE: host;description;template, the template mandatory and existing", () => {
    const s = withHost();
    ok(s, "SERVICE", "ADD", "smtp-corporate;Postfix-Queue;generic-active-service-custom");
    fails(s, "SERVICE", "ADD", "smtp-corporate;Other;", "Object not found:");
    fails(s, "SERVICE", "ADD", "smtp-corporate;Other;NoTemplate", "Object not found:NoTemplate");
    fails(s, "SERVICE", "ADD", "nohost;Other;generic-active-service-custom", "Object not found:nohost");
  });

  it("STPL: description;alias;parent (parent may be empty, the field must exist)", () => {
    const s = fresh();
    ok(s, "STPL", "ADD", "Postfix-Queue-custom;Postfix-Queue;");
    ok(s, "STPL", "ADD", "Postfix-Queue-child;Queue;Postfix-Queue-custom");
    fails(s, "STPL", "ADD", "x;x;nope", "Object not found:nope");
    fails(s, "STPL", "ADD", "x;x", MSG.missing);
    expect(show(s, "STPL", "Postfix-Queue")).toMatch(/^id;description;alias;check command;.*\n\d+;Postfix-Queue-custom;Postfix-Queue;.*\n\d+;Postfix-Queue-child;Queue;/);
  });

  it("INSTANCE: name;address;ssh_port;ZMQ|SSH;gorgone_port", () => {
    const s = fresh();
    ok(s, "INSTANCE", "ADD", "poller-nice;10.0.1.30;22;SSH;22");
    fails(s, "INSTANCE", "ADD", "p2;10.0.1.31;22;HTTP;5556", "Incorrect connection protocol");
    fails(s, "INSTANCE", "ADD", "p2;10.0.1.31;ssh;ZMQ;5556", "Incorrect port parameters");
    fails(s, "INSTANCE", "ADD", "p2;not an address!;22;ZMQ;5556", "Invalid IP address format");
    expect(show(s, "INSTANCE", "nice")).toBe(
      "id;name;localhost;ip address;activate;status;engine restart command;engine reload command;broker reload command;bin;stats bin;ssh port;gorgone protocol;gorgone port\n" +
        "4;poller-nice;0;10.0.1.30;1;-;service centengine restart;service centengine reload;service cbd reload;/usr/sbin/centengine;/usr/bin/centenginestats;22;SSH;22\n\n",
    );
  });
});

describe("CONTACT details", () => {
  it("alias is the login and the unique key; spaces in it become '_'", () => {
    const s = fresh();
    ok(s, "CONTACT", "ADD", contactLine({ name: "John Doe", alias: "john doe" }));
    expect(contact(s, "john_doe")).toBeDefined();
    fails(s, "CONTACT", "ADD", contactLine({ name: "Other", alias: "john_doe" }), "Object already exists (john_doe)");
    fails(s, "CONTACT", "ADD", contactLine({ name: "Other", alias: "JOHN DOE" }), "Object already exists (JOHN_DOE)");
    ok(s, "CONTACT", "ADD", contactLine({ name: "John Doe", alias: "jdoe2" })); // names need not be unique
    ok(s, "CONTACT", "DEL", "john doe");
    expect(contact(s, "john_doe")).toBeUndefined();
  });

  it("the alias is the CLAPI login of an admin contact", () => {
    const s = fresh();
    ok(s, "CONTACT", "ADD", contactLine({ alias: "ops admin", admin: "1" }));
    expect(cli(s, ["-u", "ops_admin", "-p", GOOD_PASSWORD, "-o", "CG", "-a", "SHOW"]).exit).toBe(0);
  });

  it("admin '' -> 0, access '' -> 1", () => {
    const s = fresh();
    ok(s, "CONTACT", "ADD", contactLine({ admin: "", access: "" }));
    expect(contact(s, "jdoe")!.cols).toMatchObject({ contact_admin: "0", contact_oreon: "1" });
    fails(s, "CONTACT", "ADD", contactLine({ alias: "x", admin: "yes" }), MSG.paramsInvalid);
  });

  it("language: browser, en_US (.UTF-8 appended) or an installed locale, else 'Invalid locale'", () => {
    const s = fresh();
    ok(s, "CONTACT", "ADD", contactLine({ alias: "a", lang: "browser" }));
    ok(s, "CONTACT", "ADD", contactLine({ alias: "b", lang: "en_US" }));
    ok(s, "CONTACT", "ADD", contactLine({ alias: "c", lang: "de_DE.UTF-8" }));
    expect([contact(s, "a"), contact(s, "b"), contact(s, "c")].map((c) => c!.cols.contact_lang)).toEqual(["browser", "en_US.UTF-8", "de_DE.UTF-8"]);
    fails(s, "CONTACT", "ADD", contactLine({ alias: "d", lang: "klingon" }), MSG.locale);
    fails(s, "CONTACT", "ADD", contactLine({ alias: "d", lang: "fr_fr" }), MSG.locale);
  });

  it("authtype is local or ldap", () => {
    const s = fresh();
    ok(s, "CONTACT", "ADD", contactLine({ alias: "l", auth: "ldap" }));
    fails(s, "CONTACT", "ADD", contactLine({ alias: "x", auth: "saml" }), "Invalid authtype: saml");
  });

  it.each([
    ["short", "Sh0rt&Pass"], ["no upper case", "str0ng&secret"], ["no lower case", "STR0NG&SECRET"], ["no digit", "Strong&Secret"],
    ["no special character", "Str0ngSecret1"], ["a special character outside @$!%*?&", "Str0ng#Secret"], ["empty", ""],
  ])("a local contact's password must meet the policy (%s)", (_, password) => {
    fails(fresh(), "CONTACT", "ADD", contactLine({ password }), MSG.password);
  });

  it("the exact policy message", () => {
    expect(MSG.password).toBe("Your password must be 12 characters long and must contain : uppercase characters, lowercase characters, numbers, special characters among '@$!%*?&'.");
  });

  it("a notification-only contact still needs a compliant password; the password is never stored in clear", () => {
    const s = fresh();
    fails(s, "CONTACT", "ADD", contactLine({ access: "0", password: "" }), MSG.password);
    ok(s, "CONTACT", "ADD", contactLine({ access: "0" }));
    expect(JSON.stringify(s)).not.toContain(GOOD_PASSWORD);
  });

  it("before 22.10.6 (the double's 22.10) the policy applies to LDAP contacts too; from 23.10 it does not", () => {
    fails(fresh({ version: "22.10" }), "CONTACT", "ADD", contactLine({ auth: "ldap", password: "" }), MSG.password);
    const s = fresh({ version: "23.10" });
    ok(s, "CONTACT", "ADD", contactLine({ auth: "ldap", password: "" }));
    expect(contact(s, "jdoe")!.passwordHash).toBeNull();
    ok(fresh({ version: "22.10", ldapPasswordPolicy: false }), "CONTACT", "ADD", contactLine({ auth: "ldap", password: "" }));
  });

  it("ADD sets host and service notification options to 'n' and enable_notifications to 0", () => {
    const s = fresh();
    ok(s, "CONTACT", "ADD", contactLine());
    expect(contact(s, "jdoe")!.cols).toMatchObject({
      contact_host_notification_options: "n", contact_service_notification_options: "n", contact_enable_notifications: "0",
    });
  });
});

describe("HOST details", () => {
  it("an unknown poller name in 'instance' SILENTLY falls back to the default poller", () => {
    const s = fresh();
    ok(s, "HOST", "ADD", "h1;h1;10.0.0.1;;poller-typo;");
    expect(s.instances.find((i) => i.id === host(s, "h1")!.instance)!.cols.name).toBe("Central");
  });

  it("ADD does not create the template's services; HOST;APPLYTPL does (SMTP-Login, SMTP-Message)", () => {
    const s = withHost();
    expect(servicesOf(s, "smtp-corporate")).toEqual([]);
    ok(s, "HOST", "APPLYTPL", "smtp-corporate");
    expect(servicesOf(s, "smtp-corporate")).toEqual(["SMTP-Login", "SMTP-Message"]);
    const login = s.services.find((x) => x.register === 1 && x.cols.service_description === "SMTP-Login")!;
    expect(s.services.find((x) => String(x.id) === login.cols.service_template_model_stm_id)!.cols.service_description).toBe("App-Protocol-SMTP-Login-custom");
  });

  it("APPLYTPL skips services that already exist, follows templates of templates, is refused on HTPL", () => {
    const s = fresh();
    ok(s, "HTPL", "ADD", "my-smtp;My SMTP;;App-Protocol-SMTP-custom;;");
    ok(s, "HOST", "ADD", "gw;gw;10.0.0.2;my-smtp;Central;");
    ok(s, "SERVICE", "ADD", "gw;SMTP-Login;generic-active-service-custom");
    ok(s, "HOST", "APPLYTPL", "gw");
    ok(s, "HOST", "APPLYTPL", "gw");
    expect(servicesOf(s, "gw")).toEqual(["SMTP-Login", "SMTP-Message"]);
    fails(s, "HTPL", "APPLYTPL", "my-smtp", MSG.unknownMethod);
    fails(s, "HOST", "APPLYTPL", "nohost", "Object not found:nohost");
  });

  it("hosts and host templates share one name space", () => {
    const s = fresh();
    fails(s, "HOST", "ADD", "App-Protocol-SMTP-custom;x;1.2.3.4;;Central;", "Object already exists (App-Protocol-SMTP-custom)");
    ok(s, "HOST", "ADD", "web;web;1.2.3.4;;Central;");
    fails(s, "HTPL", "ADD", "web;web;;;;", "Object already exists (web)");
    fails(s, "HTPL", "ADD", "WEB;web;;;;", "Object already exists (WEB)");
  });

  it("DEL deletes the host's services too", () => {
    const s = withHost();
    ok(s, "HOST", "APPLYTPL", "smtp-corporate");
    ok(s, "HOST", "DEL", "smtp-corporate");
    expect(s.services.filter((x) => x.register === 1)).toEqual([]);
    expect(s.services.filter((x) => x.register === 0)).toHaveLength(3);
  });
});

describe("SETPARAM", () => {
  function withContact(): DoubleState {
    const s = fresh();
    ok(s, "CONTACT", "ADD", contactLine());
    return s;
  }

  it("CONTACT: looked up by alias (the 'Object not found' message names the parameter, as Centreon's does)", () => {
    const s = withContact();
    ok(s, "CONTACT", "SETPARAM", "jdoe;email;john@example.org");
    expect(contact(s, "jdoe")!.cols.contact_email).toBe("john@example.org");
    fails(s, "CONTACT", "SETPARAM", "John Doe;email;x@example.org", "Object not found:email");
  });

  it("hostnotifopt: comma list of d,u,r,f,s,n ('d,u,r' valid; 'dur' and 'd, u' invalid)", () => {
    const s = withContact();
    ok(s, "CONTACT", "SETPARAM", "jdoe;hostnotifopt;d,u,r");
    ok(s, "CONTACT", "SETPARAM", "jdoe;hostnotifopt;f,s");
    ok(s, "CONTACT", "SETPARAM", "jdoe;hostnotifopt;n");
    expect(contact(s, "jdoe")!.cols.contact_host_notification_options).toBe("n");
    for (const bad of ["dur", "d, u", "d,u,", "w", "D", ""]) fails(s, "CONTACT", "SETPARAM", `jdoe;hostnotifopt;${bad}`, MSG.notifOptions);
  });

  it("servicenotifopt: comma list of w,u,c,r,f,s,n", () => {
    const s = withContact();
    ok(s, "CONTACT", "SETPARAM", "jdoe;servicenotifopt;w,u,c,r,f,s");
    ok(s, "CONTACT", "SETPARAM", "jdoe;servicenotifopt;n");
    fails(s, "CONTACT", "SETPARAM", "jdoe;servicenotifopt;w,d", MSG.notifOptions);
    fails(s, "CONTACT", "SETPARAM", "jdoe;servicenotifopt;wuc", MSG.notifOptions);
  });

  it("hostnotifperiod / svcnotifperiod: an existing time period, else 'Unknown timeperiod: <name>'", () => {
    const s = withContact();
    ok(s, "CONTACT", "SETPARAM", "jdoe;hostnotifperiod;24x7");
    ok(s, "CONTACT", "SETPARAM", "jdoe;svcnotifperiod;workhours");
    expect(contact(s, "jdoe")!.cols).toMatchObject({ timeperiod_tp_id: "1", timeperiod_tp_id2: "4" });
    fails(s, "CONTACT", "SETPARAM", "jdoe;hostnotifperiod;24/7", "Unknown timeperiod: 24/7");
  });

  it("hostnotifcmd / svcnotifcmd: 'cmd1|cmd2', each existing; REPLACES the list", () => {
    const s = withContact();
    ok(s, "CMD", "ADD", "notify-by-sms;notif;/bin/sms");
    ok(s, "CONTACT", "SETPARAM", "jdoe;hostnotifcmd;host-notify-by-email|notify-by-sms");
    ok(s, "CONTACT", "SETPARAM", "jdoe;hostnotifcmd;notify-by-sms");
    ok(s, "CONTACT", "SETPARAM", "jdoe;svcnotifcmd;service-notify-by-email");
    const c = contact(s, "jdoe")!;
    const names = (ids: number[]) => ids.map((id) => s.commands.find((x) => x.id === id)!.cols.command_name);
    expect([names(c.hostNotifCmds), names(c.svcNotifCmds)]).toEqual([["notify-by-sms"], ["service-notify-by-email"]]);
    fails(s, "CONTACT", "SETPARAM", "jdoe;svcnotifcmd;service-notify-by-email|nope", "Object not found:nope");
    expect(names(contact(s, "jdoe")!.svcNotifCmds)).toEqual(["service-notify-by-email"]);
  });

  it("enable_notifications: 0 no, 1 yes, 2 default", () => {
    const s = withContact();
    for (const v of ["1", "2", "0"]) ok(s, "CONTACT", "SETPARAM", `jdoe;enable_notifications;${v}`);
    fails(s, "CONTACT", "SETPARAM", "jdoe;enable_notifications;yes", MSG.paramsInvalid);
  });

  it("template: the contact template's alias", () => {
    const s = withContact();
    ok(s, "CONTACTTPL", "ADD", "Mail only;mail-only;;0;0;browser;local");
    ok(s, "CONTACT", "SETPARAM", "jdoe;template;mail-only");
    expect(contact(s, "jdoe")!.cols.contact_template_id).toBe(String(contact(s, "mail-only")!.id));
    fails(s, "CONTACT", "SETPARAM", "jdoe;template;nope", "Unknown contact: nope");
  });

  it("email, name, alias, comment, pager, admin, activate, access, lang, authtype, password, timezone", () => {
    const s = withContact();
    s.clockOffsetSeconds = 3601; // the password given at ADD is more than an hour old
    for (const [param, value] of [
      ["email", "j@example.org"], ["name", "Johnny"], ["comment", "on call"], ["pager", "+33600000000"], ["admin", "1"], ["activate", "0"],
      ["access", "1"], ["lang", "fr_FR"], ["authtype", "ldap"], ["password", "An0ther&Secret"], ["timezone", "Europe/Paris"],
    ]) ok(s, "CONTACT", "SETPARAM", `jdoe;${param};${value}`);
    ok(s, "CONTACT", "SETPARAM", "jdoe;alias;john");
    expect(contact(s, "john")!.cols).toMatchObject({
      contact_email: "j@example.org", contact_name: "Johnny", contact_comment: "on call", contact_pager: "+33600000000", contact_admin: "1",
      contact_activate: "0", contact_oreon: "1", contact_lang: "fr_FR.UTF-8", contact_auth_type: "ldap", contact_location: "Europe/Paris",
    });
    fails(s, "CONTACT", "SETPARAM", "john;password;weak", MSG.password);
    fails(s, "CONTACT", "SETPARAM", "john;timezone;Mars/Olympus", MSG.timezone);
    fails(s, "CONTACT", "SETPARAM", "john;lang;xx_XX", MSG.locale);
    fails(s, "CONTACT", "SETPARAM", "john;alias;admin", MSG.nameInUse);
  });

  it("password change: not within the hour after the last one, never one of the last three (Centreon's default policy)", () => {
    const s = withContact();
    const password = (p: string) => `${p}-Pa55word!`;
    fails(s, "CONTACT", "SETPARAM", `jdoe;password;${password("second")}`, MSG.passwordDelay);
    s.clockOffsetSeconds += 3601;
    ok(s, "CONTACT", "SETPARAM", `jdoe;password;${password("second")}`);
    for (const p of ["third", "fourth"]) {
      s.clockOffsetSeconds += 3601;
      ok(s, "CONTACT", "SETPARAM", `jdoe;password;${password(p)}`);
    }
    s.clockOffsetSeconds += 3601;
    fails(s, "CONTACT", "SETPARAM", `jdoe;password;${password("third")}`, MSG.passwordReused);
    // Only the last three are kept.
    ok(s, "CONTACT", "SETPARAM", `jdoe;password;${password("fifth")}`);
    expect(contact(s, "jdoe")!.passwordHistory).toHaveLength(3);
  });

  it.each(["hosttimeperiod", "svctimeperiod", "servicenotifperiod", "host_notification_options", "contact_email", "notifications"])(
    "CONTACT %s does not exist: 'Please check that your parameters are valid'",
    (param) => fails(withContact(), "CONTACT", "SETPARAM", `jdoe;${param};24x7`, MSG.paramsInvalid),
  );

  it("HOST: host_notification_options validated d,u,r,f,s,n; periods, check command, comment, notifications_enabled", () => {
    const s = withHost();
    ok(s, "HOST", "SETPARAM", "smtp-corporate;host_notification_options;d,u,r");
    fails(s, "HOST", "SETPARAM", "smtp-corporate;host_notification_options;dur", MSG.notifOptions);
    fails(s, "HOST", "SETPARAM", "smtp-corporate;host_notification_options;d, u", MSG.notifOptions);
    ok(s, "HOST", "SETPARAM", "smtp-corporate;notification_period;24x7");
    ok(s, "HOST", "SETPARAM", "smtp-corporate;check_period;workhours");
    ok(s, "HOST", "SETPARAM", "smtp-corporate;check_command;base_host_alive");
    // Not on a fresh Centreon: its install inserts no command, Base-Generic names its own base_host_alive.
    fails(s, "HOST", "SETPARAM", "smtp-corporate;check_command;check-host-alive", "Object not found:check-host-alive");
    ok(s, "HOST", "SETPARAM", "smtp-corporate;comment;managed by cdktf");
    ok(s, "HOST", "SETPARAM", "smtp-corporate;notifications_enabled;1");
    ok(s, "HOST", "SETPARAM", "smtp-corporate;max_check_attempts;3");
    expect(host(s, "smtp-corporate")!.cols).toMatchObject({
      host_notification_options: "d,u,r", timeperiod_tp_id2: "1", timeperiod_tp_id: "4",
      command_command_id: String(s.commands.find((c) => c.cols.command_name === "base_host_alive")!.id),
      host_comment: "managed by cdktf", host_notifications_enabled: "1", host_max_check_attempts: "3",
    });
    fails(s, "HOST", "SETPARAM", "smtp-corporate;notification_period;always", "Unknown timeperiod: always");
    fails(s, "HOST", "SETPARAM", "smtp-corporate;check_command;nope", "Object not found:nope");
    fails(s, "HOST", "SETPARAM", "smtp-corporate;notifications_enabled;3", MSG.paramsInvalid);
    fails(s, "HOST", "SETPARAM", "smtp-corporate;max_check_attempts;three", MSG.paramsInvalid);
  });

  it("HOST: unknown names get a host_ prefix and fail if there is no such column", () => {
    const s = withHost();
    ok(s, "HOST", "SETPARAM", "smtp-corporate;address;192.0.2.25");
    ok(s, "HOST", "SETPARAM", "smtp-corporate;host_alias;Gateway");
    expect(host(s, "smtp-corporate")!.cols).toMatchObject({ host_address: "192.0.2.25", host_alias: "Gateway" });
    fails(s, "HOST", "SETPARAM", "smtp-corporate;notif_period;24x7", MSG.paramsInvalid);
    const r = runImport(s, "HOST;SETPARAM;smtp-corporate;notif_period;24x7\n");
    expect(r.stdout).toBe("Line 1 : SQLSTATE[42S22]: Column not found: 1054 Unknown column 'host_notif_period' in 'field list'\n\n");
  });

  it("SERVICE: service_notification_options validated w,u,c,r,f,s ('n' NOT accepted); notifications_enabled, comment, template", () => {
    const s = withHost();
    ok(s, "HOST", "APPLYTPL", "smtp-corporate");
    ok(s, "SERVICE", "SETPARAM", "smtp-corporate;SMTP-Login;service_notification_options;w,c,r");
    fails(s, "SERVICE", "SETPARAM", "smtp-corporate;SMTP-Login;service_notification_options;n", MSG.notifOptions);
    fails(s, "SERVICE", "SETPARAM", "smtp-corporate;SMTP-Login;service_notification_options;wcr", MSG.notifOptions);
    ok(s, "SERVICE", "SETPARAM", "smtp-corporate;SMTP-Login;notifications_enabled;1");
    ok(s, "SERVICE", "SETPARAM", "smtp-corporate;SMTP-Login;comment;login probe");
    ok(s, "SERVICE", "SETPARAM", "smtp-corporate;SMTP-Login;template;generic-active-service-custom");
    ok(s, "SERVICE", "SETPARAM", "smtp-corporate;SMTP-Login;notification_period;24x7");
    ok(s, "SERVICE", "SETPARAM", "smtp-corporate;SMTP-Login;max_check_attempts;5");
    const login = s.services.find((x) => x.register === 1 && x.cols.service_description === "SMTP-Login")!;
    expect(login.cols).toMatchObject({
      service_notification_options: "w,c,r", service_notifications_enabled: "1", service_comment: "login probe",
      service_template_model_stm_id: String(s.services.find((x) => x.cols.service_description === "generic-active-service-custom")!.id),
      timeperiod_tp_id2: "1", service_max_check_attempts: "5",
    });
    fails(s, "SERVICE", "SETPARAM", "smtp-corporate;SMTP-Login;template;nope", "Object not found:nope");
    fails(s, "SERVICE", "SETPARAM", "smtp-corporate;SMTP-Login;notifications_enabled;on", MSG.paramsInvalid);
    fails(s, "SERVICE", "SETPARAM", "smtp-corporate;SMTP-Login;description;SMTP-Message", MSG.exists);
    fails(s, "SERVICE", "SETPARAM", "smtp-corporate;SMTP-Login;bogus;1", MSG.paramsInvalid);
  });

  it("STPL: keyed by description; check_command must exist", () => {
    const s = fresh();
    ok(s, "CMD", "ADD", "check-postfix-queue;check;$USER1$/check_mailq -w $_SERVICEWARNING$ -c $_SERVICECRITICAL$");
    ok(s, "STPL", "ADD", "Postfix-Queue-custom;Postfix-Queue;generic-active-service-custom");
    ok(s, "STPL", "SETPARAM", "Postfix-Queue-custom;check_command;check-postfix-queue");
    fails(s, "STPL", "SETPARAM", "Postfix-Queue-custom;check_command;nope", "Object not found:nope");
    fails(s, "STPL", "SETPARAM", "Postfix-Queue;check_command;check-postfix-queue", "Object not found:Postfix-Queue");
    expect(show(s, "STPL", "Postfix")).toContain(";Postfix-Queue-custom;Postfix-Queue;check-postfix-queue;");
  });

  it("CG, CMD, TP: name;param;value (TP days monday...sunday with 00:00-24:00)", () => {
    const s = fresh();
    ok(s, "CG", "ADD", "ops;Operations");
    ok(s, "CG", "SETPARAM", "ops;comment;24/7 team");
    ok(s, "CG", "SETPARAM", "ops;activate;0");
    fails(s, "CG", "SETPARAM", "ops;email;x", MSG.paramsInvalid);
    ok(s, "CMD", "SETPARAM", "host-notify-by-email;line;/bin/ping -c1 $HOSTADDRESS$");
    ok(s, "CMD", "SETPARAM", "host-notify-by-email;type;misc");
    fails(s, "CMD", "SETPARAM", "host-notify-by-email;type;other", "Unknown command type:other");
    ok(s, "TP", "ADD", "office;Office");
    for (const day of ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]) ok(s, "TP", "SETPARAM", `office;${day};00:00-24:00`);
    fails(s, "TP", "SETPARAM", "office;comment;x", MSG.paramsInvalid); // the timeperiod table has no comment column
    expect(s.contactGroups[0].cols).toMatchObject({ cg_comment: "24/7 team", cg_activate: "0" });
    expect(show(s, "CMD", "host-notify-by-email")).toBe("id;name;type;line\n1;host-notify-by-email;misc;/bin/ping -c1 $HOSTADDRESS$\n\n");
    expect(show(s, "TP", "office")).toBe(`id;name;alias;sunday;monday;tuesday;wednesday;thursday;friday;saturday\n5;office;Office${";00:00-24:00".repeat(7)}\n\n`);
  });
});

describe("macros and relations", () => {
  it("HOST;SETMACRO with the BARE name stores $_HOSTNAME$; an existing macro is updated", () => {
    const s = withHost();
    ok(s, "HOST", "SETMACRO", "smtp-corporate;SMTPUSERNAME;alerts@example.org");
    ok(s, "HOST", "SETMACRO", "smtp-corporate;smtppassword;s3cret;1;SMTP password");
    ok(s, "HOST", "SETMACRO", "smtp-corporate;SMTPUSERNAME;probe@example.org");
    expect(host(s, "smtp-corporate")!.macros).toEqual([
      { name: "$_HOSTSMTPUSERNAME$", value: "probe@example.org", isPassword: 0, description: null, order: 0 },
      { name: "$_HOSTSMTPPASSWORD$", value: "s3cret", isPassword: 1, description: "SMTP password", order: 1 },
    ]);
    expect(run(s, "HOST", "GETMACRO", "smtp-corporate").stdout).toBe(
      "macro name;macro value;is_password;description;source\n" +
        "$_HOSTSMTPEXTRAOPTIONS$;;0;;App-Protocol-SMTP-custom\n" +
        "$_HOSTSMTPUSERNAME$;probe@example.org;0;;direct\n$_HOSTSMTPPASSWORD$;s3cret;1;SMTP password;direct\n\n",
    );
    fails(s, "HOST", "SETMACRO", "smtp-corporate;SMTPUSERNAME", MSG.missing);
    fails(s, "HOST", "SETMACRO", "nohost;X;1", "Object not found:nohost");
  });

  it("HOST;SETMACRO with $_HOSTX$ stores garbage ($_HOST$_HOSTX$$), like Centreon", () => {
    const s = withHost();
    ok(s, "HOST", "SETMACRO", "smtp-corporate;$_HOSTSMTPPASSWORD$;s3cret;1");
    expect(host(s, "smtp-corporate")!.macros.map((m) => m.name)).toEqual(["$_HOST$_HOSTSMTPPASSWORD$$"]);
  });

  it("HOST;DELMACRO removes a macro (absent: no error)", () => {
    const s = withHost();
    ok(s, "HOST", "SETMACRO", "smtp-corporate;A;1");
    ok(s, "HOST", "DELMACRO", "smtp-corporate;a");
    ok(s, "HOST", "DELMACRO", "smtp-corporate;a");
    expect(host(s, "smtp-corporate")!.macros).toEqual([]);
  });

  it("SERVICE;SETMACRO host;service;NAME;value[;is_password[;description]] stores $_SERVICENAME$", () => {
    const s = withHost();
    ok(s, "HOST", "APPLYTPL", "smtp-corporate");
    ok(s, "SERVICE", "SETMACRO", "smtp-corporate;SMTP-Message;SMTPTO;probe@example.org");
    ok(s, "SERVICE", "SETMACRO", "smtp-corporate;SMTP-Message;warning;5;0;seconds");
    const msg = s.services.find((x) => x.register === 1 && x.cols.service_description === "SMTP-Message")!;
    expect(msg.macros).toEqual([
      { name: "$_SERVICESMTPTO$", value: "probe@example.org", isPassword: 0, description: "", order: 0 },
      { name: "$_SERVICEWARNING$", value: "5", isPassword: 0, description: "seconds", order: 1 },
    ]);
    expect(run(s, "SERVICE", "GETMACRO", "smtp-corporate;SMTP-Message").stdout).toContain("$_SERVICESMTPFROM$;;0;;App-Protocol-SMTP-Message-custom\n");
    fails(s, "SERVICE", "SETMACRO", "smtp-corporate;SMTP-Message;SMTPTO", MSG.missing);
    fails(s, "SERVICE", "SETMACRO", "smtp-corporate;Nope;SMTPTO;x", "Object not found:smtp-corporate/Nope");
  });

  it("STPL;SETMACRO stpl;NAME;value[;description[;is_password]]: description BEFORE is_password", () => {
    const s = fresh();
    ok(s, "STPL", "ADD", "Postfix-Queue-custom;Postfix-Queue;");
    ok(s, "STPL", "SETMACRO", "Postfix-Queue-custom;WARNING;50;queue size warning;0");
    ok(s, "STPL", "SETMACRO", "Postfix-Queue-custom;TOKEN;abc;api token;1");
    expect(run(s, "STPL", "GETMACRO", "Postfix-Queue-custom").stdout).toBe(
      "macro name;macro value;description;is_password\nWARNING;50;queue size warning;0\nTOKEN;abc;api token;1\n\n",
    );
  });

  it("HOST relations: ADDTEMPLATE, SETTEMPLATE, ADDCONTACT (aliases), ADDCONTACTGROUP, ADDHOSTGROUP; ADD skips existing, SET replaces", () => {
    const s = fresh();
    ok(s, "CONTACT", "ADD", contactLine({ alias: "jdoe" }));
    ok(s, "CONTACT", "ADD", contactLine({ alias: "asmith" }));
    ok(s, "CG", "ADD", "ops;Operations");
    ok(s, "HG", "ADD", "mail;Mail");
    ok(s, "HOST", "ADD", "gw;gw;10.0.0.2;;Central;");
    ok(s, "HOST", "ADDTEMPLATE", "gw;generic-active-host-custom");
    ok(s, "HOST", "ADDTEMPLATE", "gw;App-Protocol-SMTP-custom|generic-active-host-custom");
    expect(run(s, "HOST", "GETTEMPLATE", "gw").stdout).toBe("id;name\n1;generic-active-host-custom\n2;App-Protocol-SMTP-custom\n\n");
    ok(s, "HOST", "SETTEMPLATE", "gw;App-Protocol-SMTP-custom");
    expect(host(s, "gw")!.templates).toEqual([2]);
    ok(s, "HOST", "ADDCONTACT", "gw;jdoe|asmith");
    ok(s, "HOST", "SETCONTACT", "gw;asmith");
    ok(s, "HOST", "ADDCONTACTGROUP", "gw;ops");
    ok(s, "HOST", "ADDHOSTGROUP", "gw;mail");
    expect(host(s, "gw")).toMatchObject({ contacts: [contact(s, "asmith")!.id], contactGroups: [1], hostGroups: [1] });
    ok(s, "HOST", "DELCONTACTGROUP", "gw;ops");
    expect(host(s, "gw")!.contactGroups).toEqual([]);
    fails(s, "HOST", "ADDCONTACT", "gw;John Doe", "Object not found:John Doe");
    fails(s, "HOST", "ADDTEMPLATE", "gw;gw", "Object not found:gw");
    fails(s, "HOST", "ADDPARENT", "gw;x", MSG.unknownMethod);
  });

  it("HOST;SETINSTANCE host;poller moves a host to a poller (unknown poller: Object not found)", () => {
    const s = withHost();
    ok(s, "HOST", "SETINSTANCE", "smtp-corporate;poller-lyon");
    expect(host(s, "smtp-corporate")!.instance).toBe(s.instances.find((i) => i.cols.name === "poller-lyon")!.id);
    fails(s, "HOST", "SETINSTANCE", "smtp-corporate;poller-typo", "Object not found:poller-typo");
    fails(s, "HTPL", "SETINSTANCE", "App-Protocol-SMTP-custom;Central", MSG.unknownMethod);
  });

  it("SERVICE relations: ADDCONTACT, SETCONTACT, ADDCONTACTGROUP... with host;svc;a|b", () => {
    const s = withHost();
    ok(s, "HOST", "APPLYTPL", "smtp-corporate");
    ok(s, "CONTACT", "ADD", contactLine({ alias: "jdoe" }));
    ok(s, "CONTACT", "ADD", contactLine({ alias: "asmith" }));
    ok(s, "CG", "ADD", "ops;Operations");
    ok(s, "SERVICE", "ADDCONTACT", "smtp-corporate;SMTP-Login;jdoe|asmith");
    ok(s, "SERVICE", "ADDCONTACT", "smtp-corporate;SMTP-Login;jdoe");
    ok(s, "SERVICE", "SETCONTACT", "smtp-corporate;SMTP-Message;asmith");
    ok(s, "SERVICE", "ADDCONTACTGROUP", "smtp-corporate;SMTP-Message;ops");
    expect(run(s, "SERVICE", "GETCONTACT", "smtp-corporate;SMTP-Login").stdout).toBe(`id;name\n${contact(s, "jdoe")!.id};jdoe\n${contact(s, "asmith")!.id};asmith\n\n`);
    expect(run(s, "SERVICE", "GETCONTACTGROUP", "smtp-corporate;SMTP-Message").stdout).toBe("id;name\n1;ops\n\n");
    fails(s, "SERVICE", "ADDCONTACT", "smtp-corporate;SMTP-Login", MSG.missing);
    fails(s, "SERVICE", "ADDCONTACT", "smtp-corporate;Nope;jdoe", "Object not found:smtp-corporate/Nope");
  });

  it("STPL relations: ADD of an already-linked target fails with 'Object already exists'", () => {
    const s = fresh();
    ok(s, "STPL", "ADD", "Postfix-Queue-custom;Postfix-Queue;");
    ok(s, "HTPL", "ADD", "postfix-relay;Postfix relay;;;;");
    ok(s, "STPL", "ADDHOSTTEMPLATE", "Postfix-Queue-custom;postfix-relay");
    fails(s, "STPL", "ADDHOSTTEMPLATE", "Postfix-Queue-custom;postfix-relay", MSG.exists);
    ok(s, "STPL", "SETHOSTTEMPLATE", "Postfix-Queue-custom;postfix-relay|App-Protocol-SMTP-custom");
    ok(s, "CONTACT", "ADD", contactLine());
    ok(s, "STPL", "ADDCONTACT", "Postfix-Queue-custom;jdoe");
    fails(s, "STPL", "ADDCONTACT", "Postfix-Queue-custom;jdoe", MSG.exists);
    ok(s, "HOST", "ADD", "relay1;relay1;10.0.0.3;postfix-relay;Central;");
    ok(s, "HOST", "APPLYTPL", "relay1");
    expect(servicesOf(s, "relay1")).toEqual(["Postfix-Queue"]);
  });

  it("CG;ADDCONTACT cg;alias1|alias2 (contacts by alias, must exist); SETCONTACT replaces; DELCONTACT", () => {
    const s = fresh();
    ok(s, "CONTACT", "ADD", contactLine({ alias: "jdoe" }));
    ok(s, "CONTACT", "ADD", contactLine({ alias: "asmith" }));
    ok(s, "CG", "ADD", "ops;Operations");
    ok(s, "CG", "ADDCONTACT", "ops;jdoe");
    ok(s, "CG", "ADDCONTACT", "ops;jdoe|asmith");
    expect(s.contactGroups[0].contacts).toEqual([contact(s, "jdoe")!.id, contact(s, "asmith")!.id]);
    ok(s, "CG", "SETCONTACT", "ops;asmith");
    expect(s.contactGroups[0].contacts).toEqual([contact(s, "asmith")!.id]);
    ok(s, "CG", "DELCONTACT", "ops;asmith");
    expect(s.contactGroups[0].contacts).toEqual([]);
    fails(s, "CG", "ADDCONTACT", "ops;John Doe", "Object not found:John Doe");
    fails(s, "CG", "ADDCONTACT", "nogroup;jdoe", "Object not found:nogroup");
  });

  it("HG;ADDMEMBER hg;host1|host2", () => {
    const s = withHost(withHost(fresh(), "a"), "b");
    ok(s, "HG", "ADD", "mail;Mail");
    ok(s, "HG", "ADDMEMBER", "mail;a|b");
    expect(run(s, "HG", "GETMEMBER", "mail").stdout).toBe(`id;name\n${host(s, "a")!.id};a\n${host(s, "b")!.id};b\n\n`);
  });
});

describe("SHOW output", () => {
  it("CONTACT: id;name;alias;email;pager;gui access;admin;activate, optional filter on the alias", () => {
    const s = fresh();
    ok(s, "CONTACT", "ADD", contactLine({ alias: "john doe", access: "1" }));
    expect(show(s, "CONTACT", "john doe")).toBe(`id;name;alias;email;pager;gui access;admin;activate\n2;John Doe;john_doe;jdoe@example.org;;1;0;1\n\n`);
  });

  it("HOST: id;name;alias;address;activate (hosts only, not templates)", () => {
    const s = withHost();
    expect(show(s, "HOST")).toBe(`id;name;alias;address;activate\n${host(s, "smtp-corporate")!.id};smtp-corporate;SMTP gateway;smtp.example.org;1\n\n`);
  });

  it("SERVICE: host id;host name;id;description;check command;...", () => {
    const s = withHost();
    ok(s, "HOST", "APPLYTPL", "smtp-corporate");
    const [header, first] = show(s, "SERVICE").split("\n");
    expect(header).toBe("host id;host name;id;description;check command;check command arg;normal check interval;retry check interval;max check attempts;active checks enabled;passive checks enabled;activate");
    expect(first).toMatch(/^\d+;smtp-corporate;\d+;SMTP-Login;;;;;;2;2;1$/);
  });

  it("from 24.10 values are CSV-escaped", () => {
    const s22 = fresh({ version: "22.10" });
    const s24 = fresh({ version: "24.10" });
    for (const s of [s22, s24]) ok(s, "CMD", "SETPARAM", 'host-notify-by-email;line;"quoted" line');
    expect(show(s22, "CMD", "host-notify-by-email")).toContain('\n1;host-notify-by-email;notif;"quoted" line\n');
    expect(show(s24, "CMD", "host-notify-by-email")).toContain('\n1;host-notify-by-email;notif;"""quoted"" line"\n');
  });
});

describe("poller actions", () => {
  it("APPLYCFG = generate, test, move, reload; ends with 'Return code end : 0'; records the poller", () => {
    const s = fresh();
    const r = runPollerAction(s, "APPLYCFG", "poller-paris", new Date(2024, 4, 1, 12, 0, 0));
    expect(r).toEqual({
      exit: 0,
      stdout:
        "2024-05-01 12:00:00 - APPLYCFG\nConfiguration files generated for poller 'poller-paris'\n\n" +
        "OK: Centreon Poller poller-paris can restart without problem...\n\n" +
        "OK: All configuration will be send to 'poller-paris' by centcore in several minutes.\n\n" +
        "OK: A reload signal has been sent to 'poller-paris'\nReturn code end : 0\n\n",
    });
    expect(runPollerAction(s, "applycfg", "Central").stdout).toContain("OK: All configuration files copied with success.\n");
    expect(runPollerAction(s, "APPLYCFG", "2").exit).toBe(0); // poller id
    expect(s.applied).toEqual(["poller-paris", "Central", "poller-paris"]);
  });

  it("the configuration test refuses a contact a poller's host notifies that has no host or no service notification commands", () => {
    const s = fresh();
    ok(s, "CONTACT", "ADD", "Service Only;svconly;svconly@example.org;Svc-Only-Pa55!;0;0;en_US;local");
    ok(s, "CONTACT", "SETPARAM", "svconly;svcnotifcmd;service-notify-by-email");
    ok(s, "CONTACT", "SETPARAM", "svconly;enable_notifications;1");
    ok(s, "HOST", "ADD", "web;web;192.0.2.80;;poller-paris;");
    // Not notified by anything on the poller yet: not checked.
    expect(runPollerAction(s, "APPLYCFG", "poller-paris").exit).toBe(0);
    ok(s, "HOST", "SETCONTACT", "web;svconly");
    const r = runPollerAction(s, "APPLYCFG", "poller-paris");
    expect(r.exit).toBe(1);
    expect(r.stdout).toContain("Error: Contact 'Service Only' has no host notification commands defined!\nTotal Warnings: 0\nTotal Errors:   1\n");
    expect(runPollerAction(s, "APPLYCFG", "poller-lyon").exit).toBe(0);
    ok(s, "CONTACT", "SETPARAM", "svconly;hostnotifcmd;host-notify-by-email");
    expect(runPollerAction(s, "APPLYCFG", "poller-paris").exit).toBe(0);
  });

  it("an unknown poller: 'ERROR: Unknown poller...', exit 1", () => {
    const s = fresh();
    const r = runPollerAction(s, "APPLYCFG", "poller-typo", new Date(2024, 4, 1, 12, 0, 0));
    expect(r).toEqual({ stdout: "2024-05-01 12:00:00 - APPLYCFG\nERROR: Unknown poller...\n\nReturn code end : 1\n\n", exit: 1 });
    expect(s.applied).toEqual([]);
  });

  it("stops at the first failure (failApplyFor): 'Return code end : 1', exit 1, not recorded", () => {
    const s = fresh({ failApplyFor: ["poller-lyon"] });
    const r = runPollerAction(s, "APPLYCFG", "poller-lyon");
    expect(r.exit).toBe(1);
    expect(r.stdout).toContain("Error: Centreon Poller poller-lyon cannot restart.");
    expect(r.stdout).not.toContain("reload signal");
    expect(r.stdout).toMatch(/Return code end : 1\n\n$/);
    expect(s.applied).toEqual([]);
  });

  it("POLLERTEST, CFGMOVE, POLLERRELOAD, POLLERLIST follow the same convention", () => {
    const s = fresh();
    expect(runPollerAction(s, "POLLERTEST", "poller-paris").stdout).toBe("OK: Centreon Poller poller-paris can restart without problem...\nReturn code end : 0\n\n");
    expect(runPollerAction(s, "CFGMOVE", "Central").stdout).toBe("OK: All configuration files copied with success.\nReturn code end : 0\n\n");
    expect(runPollerAction(s, "POLLERRELOAD", "poller-lyon").stdout).toBe("OK: A reload signal has been sent to 'poller-lyon'\nReturn code end : 0\n\n");
    expect(runPollerAction(s, "POLLERRELOAD", "nope")).toEqual({ stdout: "ERROR: Unknown poller...\nReturn code end : 1\n\n", exit: 1 });
    expect(runPollerAction(s, "POLLERLIST").stdout).toBe("poller_id;name\n1;Central\n2;poller-paris\n3;poller-lyon\nReturn code end : 0\n\n");
    expect(s.applied).toEqual([]);
  });
});

describe("the SMTP monitoring connector", () => {
  it("provides the host template, its macros, the two service templates and their macros", () => {
    const s = fresh();
    expect(host(s, "App-Protocol-SMTP-custom")!.macros.map((m) => [m.name, m.value, m.isPassword])).toEqual([
      ["$_HOSTSMTPUSERNAME$", "", 0], ["$_HOSTSMTPPASSWORD$", "", 1], ["$_HOSTSMTPEXTRAOPTIONS$", "", 0],
    ]);
    const stpl = (d: string) => s.services.find((x) => x.register === 0 && x.cols.service_description === d)!;
    expect(stpl("App-Protocol-SMTP-Login-custom").cols.service_alias).toBe("SMTP-Login");
    expect(stpl("App-Protocol-SMTP-Message-custom").macros.map((m) => m.name)).toEqual(["$_SERVICESMTPFROM$", "$_SERVICESMTPTO$", "$_SERVICEWARNING$", "$_SERVICECRITICAL$", "$_SERVICEEXTRAOPTIONS$"]);
    expect(run(s, "STPL", "GETMACRO", "App-Protocol-SMTP-Login-custom").stdout).toBe("macro name;macro value;description;is_password\nWARNING;;;0\nCRITICAL;;;0\nEXTRAOPTIONS;;;0\n\n");
  });

  it("is absent without packInstalled (HOST ADD with its template fails)", () => {
    fails(fresh({ packInstalled: false }), "HOST", "ADD", "gw;gw;10.0.0.2;App-Protocol-SMTP-custom;Central;", "Object not found:App-Protocol-SMTP-custom");
  });

  it("stock objects: time periods and notification commands; a host check command only with the connectors", () => {
    const s = fresh({ packInstalled: false });
    expect(s.timeperiods.map((t) => t.cols.tp_name)).toEqual(["24x7", "none", "nonworkhours", "workhours"]);
    expect(s.commands.map((c) => `${c.cols.command_name};${show(s, "CMD", c.cols.command_name!).split("\n")[1].split(";")[2]}`)).toEqual([
      "host-notify-by-email;notif",
      "service-notify-by-email;notif",
    ]);
    expect(fresh().commands.map((c) => c.cols.command_name)).toContain("base_host_alive");
  });
});

describe("invocations", () => {
  it("records one invocation per process with its exit code, the -p value replaced by ***", () => {
    const s = fresh();
    cli(s, [...auth, "-o", "CG", "-a", "ADD", "-v", "ops;Operations"]);
    cli(s, ["-u", "admin", "-p", "wrong", "-a", "APPLYCFG", "-v", "Central"]);
    cli(s, ["-uadmin", `-p${ADMIN_PASSWORD}`, "-i", "/f"], { "/f": "CG;ADD;dev;Dev\n" });
    expect(s.invocations).toEqual([
      { argv: ["-u", "admin", "-p", "***", "-o", "CG", "-a", "ADD", "-v", "ops;Operations"], exit: 0 },
      { argv: ["-u", "admin", "-p", "***", "-a", "APPLYCFG", "-v", "Central"], exit: 1 },
      { argv: ["-uadmin", "-p***", "-i", "/f"], exit: 0 },
    ]);
    expect(JSON.stringify(s)).not.toContain(ADMIN_PASSWORD);
  });

  it("redacts -p only (a 'p' in other values is kept)", () => {
    expect(redactArgv(["-o", "-p", "-v", "-pattern", "-sp", "secret"])).toEqual(["-o", "-p", "-v", "-pattern", "-sp", "***"]);
  });
});

// ---------------------------------------------------------------------------------------------- end to end

const here = dirname(fileURLToPath(import.meta.url));
const wrapper = join(here, "centreon");
const projectRoot = join(here, "..", "..");
const tmp = mkdtempSync(join(tmpdir(), "clapi-double-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function exec(cmd: string, args: string[], env: Record<string, string | undefined>) {
  const r = spawnSync(cmd, args, { env: { ...process.env, CENTREON_DOUBLE_HOME: undefined, ...env }, encoding: "utf8" });
  return { stdout: r.stdout, stderr: r.stderr, exit: r.status };
}

describe("the centreon executable", () => {
  const stateFile = join(tmp, "state.json");

  it("initState writes a state file that readState reads back", () => {
    const written = initState(stateFile, { adminPassword: ADMIN_PASSWORD, pollers: ["poller-paris"] });
    expect(readState(stateFile)).toEqual(written);
    expect(readFileSync(stateFile, "utf8")).not.toContain(ADMIN_PASSWORD);
  });

  it("runs CLAPI commands against $CENTREON_DOUBLE_STATE and records each process", () => {
    initState(stateFile, { adminPassword: ADMIN_PASSWORD, pollers: ["poller-paris"] });
    const env = { CENTREON_DOUBLE_STATE: stateFile };
    expect(exec(wrapper, [...auth, "-o", "contact", "-a", "add", "-v", contactLine()], env)).toEqual({ stdout: "\n", stderr: "", exit: 0 });
    expect(exec(wrapper, [...auth, "-o", "CONTACT", "-a", "ADD", "-v", contactLine()], env)).toEqual({ stdout: "Object already exists (jdoe)\n", stderr: "", exit: 1 });
    expect(exec(wrapper, [...auth, "-o", "FOO", "-a", "ADD"], env)).toEqual({ stdout: "Object FOO not found in Centreon API.\n\n", stderr: "", exit: 0 });
    const batch = join(tmp, "batch.clapi");
    writeFileSync(batch, "CONTACT;SETPARAM;jdoe;hostnotifopt;d,u,r\nCONTACT;SETPARAM;jdoe;hostnotifopt;dur\nCONTACT;SETPARAM;jdoe;enable_notifications;1\n");
    expect(exec(wrapper, [...auth, "-i", batch], env)).toEqual({ stdout: "Line 2 : Invalid notifications options\n\n", stderr: "", exit: 0 });
    const applied = exec(wrapper, [...auth, "-a", "APPLYCFG", "-v", "poller-paris"], env);
    expect(applied.exit).toBe(0);
    expect(applied.stdout).toMatch(/Return code end : 0\n\n$/);
    const state = readState(stateFile);
    expect(state.applied).toEqual(["poller-paris"]);
    expect(state.invocations.map((i) => i.exit)).toEqual([0, 1, 0, 0, 0]);
    expect(state.invocations.every((i) => i.argv[3] === "***")).toBe(true);
    expect(state.contacts.find((c) => c.cols.contact_alias === "jdoe")!.cols).toMatchObject({ contact_host_notification_options: "d,u,r", contact_enable_notifications: "1" });
    expect(readFileSync(stateFile, "utf8")).not.toContain(ADMIN_PASSWORD);
  });

  it("fails clearly without CENTREON_DOUBLE_STATE", () => {
    const r = exec(wrapper, [...auth, "-o", "CG", "-a", "SHOW"], { CENTREON_DOUBLE_STATE: undefined });
    expect(r.exit).toBe(2);
    expect(r.stderr).toContain("CENTREON_DOUBLE_STATE is not set");
  });

  it("works as `centreon` on PATH through a symlink in another directory", () => {
    initState(stateFile, { adminPassword: ADMIN_PASSWORD, pollers: [] });
    const bin = join(tmp, "bin");
    spawnSync("mkdir", ["-p", bin]);
    symlinkSync(wrapper, join(bin, "centreon"));
    const r = exec("centreon", [...auth, "-o", "TP", "-a", "SHOW", "-v", "24x7"], { CENTREON_DOUBLE_STATE: stateFile, PATH: `${bin}:${process.env.PATH}` });
    expect(r).toEqual({ stdout: `id;name;alias;sunday;monday;tuesday;wednesday;thursday;friday;saturday\n1;24x7;Always${";00:00-24:00".repeat(7)}\n\n`, stderr: "", exit: 0 });
  });

  it("works when copied elsewhere, given CENTREON_DOUBLE_HOME (and says so without it)", () => {
    initState(stateFile, { adminPassword: ADMIN_PASSWORD, pollers: [] });
    const copyDir = join(tmp, "copy");
    spawnSync("mkdir", ["-p", copyDir]);
    copyFileSync(wrapper, join(copyDir, "centreon"));
    const args = [...auth, "-o", "CG", "-a", "SHOW"];
    expect(exec(join(copyDir, "centreon"), args, { CENTREON_DOUBLE_STATE: stateFile, CENTREON_DOUBLE_HOME: projectRoot })).toEqual({ stdout: "id;name;alias\n\n", stderr: "", exit: 0 });
    const lost = exec(join(copyDir, "centreon"), args, { CENTREON_DOUBLE_STATE: stateFile });
    expect(lost.exit).toBe(2);
    expect(lost.stderr).toContain("set CENTREON_DOUBLE_HOME");
  });

  it("takes over a lock left by a dead process", () => {
    initState(stateFile, { adminPassword: ADMIN_PASSWORD, pollers: [] });
    const dead = spawnSync("sh", ["-c", "echo $$"], { encoding: "utf8" }).stdout.trim();
    const ns = spawnSync("readlink", ["/proc/self/ns/pid"], { encoding: "utf8" }).stdout.trim();
    writeFileSync(`${stateFile}.lock`, `${ns} ${dead}`);
    const started = Date.now();
    expect(updateState(stateFile, (st) => st.contactGroups.length)).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(exec(wrapper, [...auth, "-o", "CG", "-a", "SHOW"], { CENTREON_DOUBLE_STATE: stateFile }).exit).toBe(0);
  });

  it("loses no update when processes run concurrently (lock file), and counts every process", async () => {
    initState(stateFile, { adminPassword: ADMIN_PASSWORD, pollers: [] });
    const n = 12;
    const codes = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        new Promise<number | null>((resolve) => {
          const child = spawn(wrapper, [...auth, "-o", "CG", "-a", "ADD", "-v", `group${i};Group ${i}`], {
            env: { ...process.env, CENTREON_DOUBLE_STATE: stateFile, CENTREON_DOUBLE_HOME: undefined }, stdio: "ignore",
          });
          child.on("close", resolve);
        }),
      ),
    );
    expect(codes).toEqual(Array(n).fill(0));
    const state = readState(stateFile);
    expect(state.contactGroups.map((g) => g.cols.cg_name).sort()).toEqual(Array.from({ length: n }, (_, i) => `group${i}`).sort());
    expect(state.invocations).toHaveLength(n);
  });
});
