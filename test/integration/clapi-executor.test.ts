// The central's executor, run as Terraform runs it, against the CLAPI test double: one import
// batch, prune, APPLYCFG; re-runs converge; unmanaged objects survive.
import { mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { Testing } from "../../lib/cdktf.js";
import { buildFleet } from "../../lib/fleet/build.js";
import { parseFleet } from "../../lib/fleet/load.js";
import { hashPassword, initState, readState, updateState, type DoubleState } from "../clapi-double/state.js";
import { provisionLikeTerraform, requirePrivileged, startScratchHost, type ScratchHost } from "../support/index.js";
import { withScriptBodies } from "../fixtures/fleets.js";

const ADMIN_PASSWORD = "Admin-Pa55word!";
const SECRETS = { centreon_admin_password: ADMIN_PASSWORD, smtp_password: "Smtp-Pa55word!" };
const DOUBLE = join(process.cwd(), "test/clapi-double/centreon");

/** The example fleet, with `change` applied, synthesized with the terraform_data engine. */
function executor(change: (doc: Record<string, any>) => void = () => undefined) {
  const doc: Record<string, any> = parseFleet(readFileSync("examples/fleet.yaml", "utf8"));
  doc.engine = "terraform_data";
  change(doc);
  const fleet = buildFleet(Testing.app(), parseFleet(stringify(doc)));
  return withScriptBodies(Testing.synth(fleet)).resource.terraform_data["clapi_Central"];
}

/** The objects of the double's state, without the bookkeeping that changes on every call. */
function objects(state: DoubleState) {
  const { invocations: _i, applied: _a, nextIds: _n, macroAudit: _m, ...rest } = state;
  return JSON.parse(JSON.stringify(rest));
}
/** The fleet without jdoe (and its SMTP check notifying nobody instead). */
function dropJdoe(doc: Record<string, any>): void {
  doc.contacts = doc.contacts.filter((c: { alias: string }) => c.alias !== "jdoe");
  doc.smtpChecks[0].notify.contacts = [];
}
/** The fleet with contact group `from` renamed `to`, everywhere it is named. */
const renameGroup = (from: string, to: string) => (doc: Record<string, any>) => {
  const rename = (names?: string[]) => names?.map((g) => (g === from ? to : g));
  doc.contactGroups.find((g: { name: string }) => g.name === from).name = to;
  for (const c of doc.contacts) c.groups = rename(c.groups);
  for (const check of doc.smtpChecks) check.notify.groups = rename(check.notify.groups);
  doc.queueChecks.notify.groups = rename(doc.queueChecks.notify.groups);
};
const contact = (state: DoubleState, alias: string) => state.contacts.find((c) => c.cols.contact_alias === alias);

describe.skipIf(!requirePrivileged("CLAPI executor integration"))("the central's CLAPI executor against the test double", () => {
  let host: ScratchHost;
  let stateFile: string;
  /** The executor run as Terraform runs it, against the double; `session` as in provisionLikeTerraform. */
  const run = (resource: any, secrets: Record<string, string> = SECRETS, extraEnv: Record<string, string> = {}, session?: (script: string) => string) =>
    provisionLikeTerraform(host, resource, secrets, { PATH: `${host.root}/bin:/usr/sbin:/usr/bin:/sbin:/bin`, CENTREON_DOUBLE_STATE: stateFile, ...extraEnv }, session);
  const centreon = (args: string) =>
    host.exec(`centreon -u admin -p '${ADMIN_PASSWORD}' ${args}`, { env: { PATH: `${host.root}/bin:/usr/bin:/bin`, CENTREON_DOUBLE_STATE: stateFile } });

  /** Puts `script` where the executor finds `centreon`, instead of the double; useDouble() puts the double back. */
  const useCentreon = (script: string) => {
    rmSync(join(host.root, "bin", "centreon"));
    writeFileSync(join(host.root, "bin", "centreon"), script, { mode: 0o755 });
  };
  const useDouble = () => {
    rmSync(join(host.root, "bin", "centreon"));
    symlinkSync(DOUBLE, join(host.root, "bin", "centreon"));
  };

  beforeEach(async () => {
    // The machine's /tmp stays visible: the double runs from this checkout, which may live there.
    host = await startScratchHost({ name: "central", privateTmp: false });
    mkdirSync(join(host.root, "bin"));
    symlinkSync(DOUBLE, join(host.root, "bin", "centreon"));
    stateFile = join(host.root, "clapi-state.json");
    initState(stateFile, { adminPassword: ADMIN_PASSWORD, pollers: ["poller-paris", "poller-lyon", "poller-lille"] });
  });
  afterEach(async () => {
    await host.stop();
  });

  it("first run creates exactly the declared objects, notifications on, and applies every poller once", async () => {
    const first = await run(executor());
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const state = readState(stateFile);
    const jdoe = contact(state, "jdoe")!;
    expect(jdoe.cols).toMatchObject({
      contact_name: "John Doe",
      contact_email: "jdoe@example.org",
      contact_host_notification_options: "d,u,r",
      contact_service_notification_options: "w,u,c",
      contact_enable_notifications: "1",
    });
    expect(state.contactGroups.find((g) => g.cols.cg_name === "ops")!.contacts).toEqual([jdoe.id]);
    const smtpHost = state.hosts.find((h) => h.cols.host_name === "smtp-corporate")!;
    expect(smtpHost.macros.find((m) => m.name === "$_HOSTSMTPPASSWORD$")).toMatchObject({ value: SECRETS.smtp_password, isPassword: 1 });
    const services = state.services.filter((s) => s.hosts.includes(smtpHost.id)).map((s) => s.cols.service_description).sort();
    expect(services).toEqual(["SMTP-Login", "SMTP-Message"]);
    const ops = state.contactGroups.find((g) => g.cols.cg_name === "ops")!.id;
    const queueHost = state.hosts.find((h) => h.cols.host_name === "poller-paris-postfix")!;
    const queueService = state.services.find((s) => s.hosts.includes(queueHost.id) && s.cols.service_description === "Postfix-Queue")!;
    expect([queueHost.contactGroups, queueService.contactGroups]).toEqual([[ops], [ops]]);
    expect(state.applied.sort()).toEqual(["Central", "poller-lille", "poller-lyon", "poller-paris"]);
    // ONE import process and one APPLYCFG per poller: nothing else.
    expect(state.invocations.map((i) => i.argv.find((a) => a === "-i" || a === "APPLYCFG"))).toEqual(["-i", "APPLYCFG", "APPLYCFG", "APPLYCFG", "APPLYCFG"]);
    expect(JSON.stringify(state.invocations)).not.toContain(ADMIN_PASSWORD);
  });

  it("waits for another deploy running on the same central before it reads any state", async () => {
    // Another fleet's executor, holding the lock for 3 seconds.
    const other = host.exec("mkdir -p /var/lib/centreon-mail-as-code && flock /var/lib/centreon-mail-as-code/.lock sleep 3");
    await new Promise((r) => setTimeout(r, 500));
    const started = Date.now();
    const waited = await run(executor());
    expect(waited.code).toBe(0);
    expect(waited.stdout).toContain("another deploy is running on this central: waiting for it to end (at most 10 minutes)");
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect((await other).code).toBe(0);
    expect(readState(stateFile).applied.sort()).toEqual(["Central", "poller-lille", "poller-lyon", "poller-paris"]);
  });

  it("a check's host made by hand keeps its own templates, and the poller it leaves is applied too", async () => {
    expect((await run(executor((d) => (d.smtpChecks = [])))).code).toBe(0);
    expect((await centreon(`-o HOST -a ADD -v 'smtp-corporate;gateway;smtp.example.org;generic-active-host-custom;poller-lyon;'`)).code).toBe(0);
    const start = readState(stateFile).applied.length;
    const adopted = await run(executor());
    expect(adopted.code, adopted.stderr).toBe(0);
    expect(adopted.stdout).toContain("managing objects made outside this stack");
    expect(adopted.stdout).toContain("hosts made outside this stack now belong to the fleet's pollers (smtp-corporate): applying every poller");
    const state = readState(stateFile);
    const templateName = (id: number) => state.hosts.find((h) => h.id === id)!.cols.host_name;
    const smtpHost = state.hosts.find((h) => h.cols.host_name === "smtp-corporate")!;
    expect(smtpHost.templates.map(templateName)).toEqual(["generic-active-host-custom", "App-Protocol-SMTP-custom"]);
    // It moved to poller-paris; poller-lyon, which ran it, is applied too (so are the others: which poller it left is not known).
    expect(smtpHost.instance).toBe(state.instances.find((i) => i.cols.name === "poller-paris")!.id);
    expect(state.applied.slice(start).sort()).toEqual(["Central", "poller-lille", "poller-lyon", "poller-paris"]);
    // Once adopted, a run without changes applies nothing.
    const settled = readState(stateFile).applied.length;
    expect((await run(executor())).code).toBe(0);
    expect(readState(stateFile).applied.length).toBe(settled);
  });

  it("a second run changes no state and applies no poller", async () => {
    expect((await run(executor())).code).toBe(0);
    const before = readState(stateFile);
    const second = await run(executor());
    expect(second.code).toBe(0);
    const after = readState(stateFile);
    expect(objects(after)).toEqual(objects(before));
    expect(after.applied).toEqual(before.applied);
  });

  it("a change to one poller's check applies that poller only; a contact change applies them all", async () => {
    expect((await run(executor())).code).toBe(0);
    const applied = () => readState(stateFile).applied.length;
    const start = applied();
    expect((await run(executor((d) => (d.smtpChecks[0].login = { warning: 3, critical: 6 })))).code).toBe(0);
    expect(readState(stateFile).applied.slice(start)).toEqual(["poller-paris"]);
    const next = applied();
    expect((await run(executor((d) => {
      d.smtpChecks[0].login = { warning: 3, critical: 6 };
      d.contacts[0].notifications.service.events = ["critical"];
    }))).code).toBe(0);
    expect(readState(stateFile).applied.slice(next).sort()).toEqual(["Central", "poller-lille", "poller-lyon", "poller-paris"]);
  });

  it("what only the web UI uses (GUI access, language, a rotated password) changes the contact and applies no poller", async () => {
    const withLogin = (guiAccess: boolean, language: string) => (d: Record<string, any>) => {
      Object.assign(d.contacts[0], { guiAccess, language, password: { secret: "jdoe_password" } });
    };
    expect((await run(executor(withLogin(false, "en_US")), { ...SECRETS, jdoe_password: "Jdoe-Pa55word!1" })).code).toBe(0);
    const start = readState(stateFile).applied.length;
    updateState(stateFile, (state) => (state.clockOffsetSeconds += 3601)); // Centreon's delay between two password changes
    const changed = await run(executor(withLogin(true, "fr_FR")), { ...SECRETS, jdoe_password: "Jdoe-Pa55word!2" });
    expect(changed.code, changed.stderr).toBe(0);
    const state = readState(stateFile);
    expect(contact(state, "jdoe")!.cols).toMatchObject({ contact_oreon: "1", contact_lang: "fr_FR.UTF-8" });
    expect(contact(state, "jdoe")!.passwordHash).toBe(hashPassword("Jdoe-Pa55word!2"));
    expect(state.applied.slice(start)).toEqual([]);
    // A change the engines use still applies them all.
    expect((await run(executor((d) => { withLogin(true, "fr_FR")(d); d.contacts[0].email = "john.doe@example.org"; }), { ...SECRETS, jdoe_password: "Jdoe-Pa55word!2" })).code).toBe(0);
    expect(readState(stateFile).applied.slice(start).sort()).toEqual(["Central", "poller-lille", "poller-lyon", "poller-paris"]);
  });

  it("a changed secret re-applies the poller whose objects carry it, with the new value", async () => {
    expect((await run(executor())).code).toBe(0);
    const start = readState(stateFile).applied.length;
    expect((await run(executor(), { ...SECRETS, smtp_password: "Rotated-Pa55word!" })).code).toBe(0);
    const state = readState(stateFile);
    expect(state.applied.slice(start)).toEqual(["poller-paris"]);
    const smtpHost = state.hosts.find((h) => h.cols.host_name === "smtp-corporate")!;
    expect(smtpHost.macros.find((m) => m.name === "$_HOSTSMTPPASSWORD$")!.value).toBe("Rotated-Pa55word!");
  });

  it("editing one contact in the fleet changes only that contact", async () => {
    expect((await run(executor())).code).toBe(0);
    const before = readState(stateFile);
    expect((await run(executor((d) => (d.contacts[0].email = "john.doe@example.org")))).code).toBe(0);
    const after = readState(stateFile);
    expect(contact(after, "jdoe")!.cols.contact_email).toBe("john.doe@example.org");
    const withoutJdoe = (s: DoubleState) => objects({ ...s, contacts: s.contacts.filter((c) => c.cols.contact_alias !== "jdoe") });
    expect(withoutJdoe(after)).toEqual(withoutJdoe(before));
    const { contact_email: _e, ...rest } = contact(after, "jdoe")!.cols;
    const { contact_email: _e2, ...restBefore } = contact(before, "jdoe")!.cols;
    expect(rest).toEqual(restBefore);
  });

  it("puts back a managed field switched off by hand in the UI", async () => {
    expect((await run(executor())).code).toBe(0);
    await centreon(`-o CONTACT -a SETPARAM -v 'jdoe;enable_notifications;0'`);
    await centreon(`-o CONTACT -a SETPARAM -v 'jdoe;hostnotifopt;n'`);
    expect(contact(readState(stateFile), "jdoe")!.cols.contact_enable_notifications).toBe("0");
    expect((await run(executor())).code).toBe(0);
    expect(contact(readState(stateFile), "jdoe")!.cols).toMatchObject({ contact_enable_notifications: "1", contact_host_notification_options: "d,u,r" });
  });

  it("removing a contact deletes it and nothing else; an unmanaged contact survives", async () => {
    const made = await centreon(`-o CONTACT -a ADD -v 'Hand Made;handmade;hand@example.org;Hand-Made-Pa55!;0;0;en_US;local'`);
    expect(made.code).toBe(0);
    const secondContact = (d: Record<string, any>) =>
      d.contacts.push({ name: "Jane Roe", alias: "jroe", email: "jroe@example.org", groups: ["ops"], notifications: { service: { events: ["critical"] } } });
    expect((await run(executor(secondContact))).code).toBe(0);
    const before = readState(stateFile);
    expect(contact(before, "jroe")).toBeDefined();

    const removed = await run(executor());
    expect(removed.code).toBe(0);
    expect(removed.stdout).toContain("deleting what the fleet no longer declares: CONTACT;jroe");
    const after = readState(stateFile);
    expect(contact(after, "jroe")).toBeUndefined();
    expect(contact(after, "handmade")).toBeDefined();
    expect(contact(after, "jdoe")).toBeDefined();
    expect(after.contactGroups.find((g) => g.cols.cg_name === "ops")!.contacts).toEqual([contact(after, "jdoe")!.id]);
    expect(after.hosts.map((h) => h.cols.host_name)).toEqual(before.hosts.map((h) => h.cols.host_name));
  });

  it("never deletes an object it did not create, even one it managed", async () => {
    await centreon(`-o CONTACT -a ADD -v 'John Doe;jdoe;old@example.org;Pre-Existing-Pa55!;0;0;en_US;local'`);
    const adopted = await run(executor());
    expect(adopted.code).toBe(0);
    expect(adopted.stdout).toMatch(/managing objects made outside this stack \(.*\): CONTACT;jdoe $/m);
    expect(contact(readState(stateFile), "jdoe")!.cols.contact_email).toBe("jdoe@example.org");
    const withoutJdoe = (d: Record<string, any>) => {
      d.contacts = [];
      d.smtpChecks[0].notify.contacts = [];
    };
    expect((await run(executor(withoutJdoe))).code).toBe(0);
    expect(contact(readState(stateFile), "jdoe")).toBeDefined();
  });

  it("a contact declared with one notification side gets the other off but complete: every poller's APPLYCFG passes Engine's check", async () => {
    const serviceOnly = (d: Record<string, any>) =>
      d.contacts.push({ name: "Service Only", alias: "svconly", email: "svconly@example.org", groups: ["ops"], notifications: { service: { events: ["critical"] } } });
    const first = await run(executor(serviceOnly));
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const svconly = contact(readState(stateFile), "svconly")!;
    expect(svconly.cols).toMatchObject({ contact_host_notification_options: "n", contact_service_notification_options: "c", contact_enable_notifications: "1" });
    expect(svconly.hostNotifCmds).toHaveLength(1);
    expect(readState(stateFile).applied.sort()).toEqual(["Central", "poller-lille", "poller-lyon", "poller-paris"]);
  });

  const withoutMessage = (d: Record<string, any>) => delete d.smtpChecks[0].message;
  const serviceOf = (state: DoubleState, hostName: string, service: string) => {
    const found = state.hosts.find((h) => h.cols.host_name === hostName)!;
    return state.services.find((s) => s.hosts.includes(found.id) && s.cols.service_description === service);
  };

  it("an SMTP check host made by hand keeps its own SMTP-Message when the fleet declares the check without a message probe", async () => {
    // As an operator makes it with the connector: the host on its template, both services applied.
    for (const args of [
      `-o HOST -a ADD -v 'smtp-corporate;smtp-corporate;smtp.example.org;App-Protocol-SMTP-custom;poller-paris;'`,
      `-o HOST -a APPLYTPL -v 'smtp-corporate'`,
      `-o SERVICE -a SETMACRO -v 'smtp-corporate;SMTP-Message;SMTPTO;noc@example.org'`,
    ]) {
      expect((await centreon(args)).code).toBe(0);
    }
    const adopted = await run(executor(withoutMessage));
    expect(adopted.code).toBe(0);
    expect(adopted.stdout).toMatch(/managing objects made outside this stack \(.*\): HOST;smtp-corporate SERVICE;smtp-corporate;SMTP-Login $/m);
    const message = serviceOf(readState(stateFile), "smtp-corporate", "SMTP-Message");
    expect(message?.macros.find((m) => m.name === "$_SERVICESMTPTO$")?.value).toBe("noc@example.org");
    expect(serviceOf(readState(stateFile), "smtp-corporate", "SMTP-Login")).toBeDefined();
  });

  it("a check dropped from a host made by hand: the services this stack created and its password macro go, the host and what was there stay", async () => {
    expect((await run(executor((d) => (d.smtpChecks = [])))).code).toBe(0);
    expect((await centreon(`-o HOST -a ADD -v 'smtp-corporate;gateway;smtp.example.org;generic-active-host-custom;poller-paris;'`)).code).toBe(0);
    expect((await centreon(`-o HOST -a SETMACRO -v 'smtp-corporate;OWNER;noc'`)).code).toBe(0);
    expect((await run(executor())).code).toBe(0);
    const password = () => readState(stateFile).hosts.find((h) => h.cols.host_name === "smtp-corporate")!.macros.find((m) => m.name === "$_HOSTSMTPPASSWORD$");
    expect(password()?.value).toBe(SECRETS.smtp_password);

    const dropped = await run(executor((d) => (d.smtpChecks = [])));
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(dropped.stdout).toContain("removing the password macros this stack set on hosts made outside it, which the fleet no longer declares (left in place): smtp-corporate;SMTPPASSWORD \n");
    expect(dropped.stdout).toContain("deleting what the fleet no longer declares: SERVICE;smtp-corporate;SMTP-Login SERVICE;smtp-corporate;SMTP-Message \n");
    const state = readState(stateFile);
    const smtpHost = state.hosts.find((h) => h.cols.host_name === "smtp-corporate")!;
    expect(password()).toBeUndefined();
    expect(JSON.stringify(objects(state))).not.toContain(SECRETS.smtp_password);
    expect(smtpHost.macros.find((m) => m.name === "$_HOSTOWNER$")?.value).toBe("noc");
    expect(state.services.filter((s) => s.hosts.includes(smtpHost.id))).toEqual([]);
    // Nothing left to do: the next run removes nothing again.
    const settled = await run(executor((d) => (d.smtpChecks = [])));
    expect(settled.stdout).not.toContain("removing the password macros");
    expect(readFileSync(host.path("/var/lib/centreon-mail-as-code/acme-monitoring.state"), "utf8")).not.toMatch(/smtp-corporate/i);
  });

  it("a password macro removal CLAPI refuses on a host made by hand is tried again by the next run", async () => {
    expect((await centreon(`-o HOST -a ADD -v 'smtp-corporate;gateway;smtp.example.org;generic-active-host-custom;poller-paris;'`)).code).toBe(0);
    expect((await run(executor())).code).toBe(0);
    const drop = (d: Record<string, any>) => (d.smtpChecks = []);
    const password = () => readState(stateFile).hosts.find((h) => h.cols.host_name === "smtp-corporate")!.macros.find((m) => m.name === "$_HOSTSMTPPASSWORD$");
    const stackState = () => readFileSync(host.path("/var/lib/centreon-mail-as-code/acme-monitoring.state"), "utf8");
    // The prune lines follow the batch: the first is the macro's removal.
    updateState(stateFile, (state) => (state.failOnLine = executorLines(drop).length + 1));
    const refused = await run(executor(drop));
    expect(refused.code).toBe(22);
    expect(refused.stderr).toContain("HOST;DELMACRO;smtp-corporate;SMTPPASSWORD");
    expect(password()?.value).toBe(SECRETS.smtp_password);
    // Still recorded, with the host's adoption: the next run knows the macro is this stack's to remove.
    expect(stackState()).toMatch(/smtp-corporate/);

    updateState(stateFile, (state) => (state.failOnLine = null));
    const retried = await run(executor(drop));
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stdout).toContain("removing the password macros this stack set on hosts made outside it, which the fleet no longer declares (left in place): smtp-corporate;SMTPPASSWORD \n");
    expect(password()).toBeUndefined();
    expect(stackState()).not.toMatch(/smtp-corporate/i);
  });

  it("a check dropped from a host made by hand with the connector's services: both services stay, the password macro goes", async () => {
    for (const args of [
      `-o HOST -a ADD -v 'smtp-corporate;smtp-corporate;smtp.example.org;App-Protocol-SMTP-custom;poller-paris;'`,
      `-o HOST -a APPLYTPL -v 'smtp-corporate'`,
    ]) {
      expect((await centreon(args)).code).toBe(0);
    }
    expect((await run(executor())).code).toBe(0);
    const dropped = await run(executor((d) => (d.smtpChecks = [])));
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(dropped.stdout).not.toContain("deleting what the fleet no longer declares");
    const state = readState(stateFile);
    expect(serviceOf(state, "smtp-corporate", "SMTP-Login")).toBeDefined();
    expect(serviceOf(state, "smtp-corporate", "SMTP-Message")).toBeDefined();
    expect(JSON.stringify(objects(state))).not.toContain(SECRETS.smtp_password);
  });

  it("a check created without a message probe has no SMTP-Message; one the fleet drops later is deleted, the check stays", async () => {
    expect((await run(executor(withoutMessage))).code).toBe(0);
    expect(serviceOf(readState(stateFile), "smtp-corporate", "SMTP-Message")).toBeUndefined();
    expect(serviceOf(readState(stateFile), "smtp-corporate", "SMTP-Login")).toBeDefined();

    expect((await run(executor())).code).toBe(0);
    expect(serviceOf(readState(stateFile), "smtp-corporate", "SMTP-Message")).toBeDefined();
    const dropped = await run(executor(withoutMessage));
    expect(dropped.code).toBe(0);
    expect(dropped.stdout).toContain("deleting what the fleet no longer declares: SERVICE;smtp-corporate;SMTP-Message \n");
    expect(serviceOf(readState(stateFile), "smtp-corporate", "SMTP-Message")).toBeUndefined();
    expect(serviceOf(readState(stateFile), "smtp-corporate", "SMTP-Login")).toBeDefined();
  });

  it("the SMTP-Message an earlier release added (HOST;APPLYTPL) on this stack's host is this stack's: deleted once the fleet drops it", async () => {
    // What an earlier release left: its host, recorded as created, with both template services.
    for (const args of [
      `-o HOST -a ADD -v 'smtp-corporate;smtp-corporate;smtp.example.org;App-Protocol-SMTP-custom;poller-paris;'`,
      `-o HOST -a APPLYTPL -v 'smtp-corporate'`,
    ]) {
      expect((await centreon(args)).code).toBe(0);
    }
    const stateDir = host.path("/var/lib/centreon-mail-as-code");
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(join(stateDir, "acme-monitoring.state"), "created\tHOST\tsmtp-corporate\n");
    const upgraded = await run(executor());
    expect(upgraded.code).toBe(0);
    expect(upgraded.stdout).not.toContain("managing objects made outside this stack");
    expect((await run(executor(withoutMessage))).stdout).toContain("deleting what the fleet no longer declares: SERVICE;smtp-corporate;SMTP-Message");
    expect(serviceOf(readState(stateFile), "smtp-corporate", "SMTP-Message")).toBeUndefined();
  });

  // A run CLAPI did not carry out (wrong CLAPI password here) must not claim the objects that
  // already existed: the stack would delete them once the fleet stops declaring them.
  it("a refused login claims nothing: a contact made by hand survives its removal from the fleet", async () => {
    await centreon(`-o CONTACT -a ADD -v 'John Doe;jdoe;old@example.org;Pre-Existing-Pa55!;0;0;en_US;local'`);
    const refused = await run(executor(), { ...SECRETS, centreon_admin_password: "Wrong-Pa55word!" });
    expect(refused.code).toBe(20);
    expect(refused.stderr.split("\n").filter((l) => l.startsWith("centreon-mail-as-code: "))).toEqual([
      "centreon-mail-as-code: Central: login failed: CLAPI refused the login of admin (Invalid credentials.). Fix: set TF_VAR_centreon_admin_password to the Centreon password of admin (central.clapi.user; its password must not have expired), then deploy again",
    ]);
    expect((await run(executor())).code).toBe(0);
    const removed = await run(executor(dropJdoe));
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).not.toContain("CONTACT;jdoe");
    expect(contact(readState(stateFile), "jdoe")).toBeDefined();
  });

  it("a CLAPI user that is not an admin: exit 20, one line saying what the user needs; nothing imported", async () => {
    initState(stateFile, {
      adminPassword: ADMIN_PASSWORD,
      pollers: ["poller-paris", "poller-lyon", "poller-lille"],
      extraUsers: [{ alias: "ops-bot", password: ADMIN_PASSWORD }],
    });
    const before = readState(stateFile);
    const refused = await run(executor((d) => (d.central.clapi.user = "ops-bot")));
    expect(refused.code).toBe(20);
    expect(refused.stderr.split("\n").filter((l) => l.startsWith("centreon-mail-as-code: "))).toEqual([
      "centreon-mail-as-code: Central: login failed: ops-bot may not use CLAPI (You don't have permissions for CLAPI.). Fix: make ops-bot an active Centreon admin (Configuration > Users > Contacts: Admin yes), or set central.clapi.user to one, then deploy again",
    ]);
    expect(objects(readState(stateFile))).toEqual(objects(before));
  });

  // Later Centreon releases word a refused login otherwise ("Authentication failed.", checkUser in
  // centreonAPI.class.php): a CLAPI that fails without naming a line ran none of the batch.
  it("a login refused in words this executor does not know claims nothing and says to check the credentials", async () => {
    await centreon(`-o CONTACT -a ADD -v 'John Doe;jdoe;old@example.org;Pre-Existing-Pa55!;0;0;en_US;local'`);
    useCentreon("#!/bin/sh\necho 'Authentication failed.'\nexit 1\n");
    const refused = await run(executor());
    expect(refused.code).toBe(20);
    expect(refused.stderr).toContain("centreon-mail-as-code: Central: login failed: CLAPI refused the login of admin (Authentication failed.). Fix: set TF_VAR_centreon_admin_password");
    useDouble();
    expect((await run(executor())).code).toBe(0);
    const removed = await run(executor(dropJdoe));
    expect(removed.code, removed.stderr).toBe(0);
    expect(contact(readState(stateFile), "jdoe")).toBeDefined();
  });

  // On a re-run every existing object answers "Object already exists": a CLAPI killed partway (exit
  // 137) has said something, and the lines it never reached say nothing, like objects it created.
  it("an import killed partway claims nothing: a contact made by hand survives its removal from the fleet", async () => {
    expect((await run(executor(dropJdoe))).code).toBe(0);
    await centreon(`-o CONTACT -a ADD -v 'John Doe;jdoe;old@example.org;Pre-Existing-Pa55!;0;0;en_US;local'`);
    // The import runs its first 3 lines, then CLAPI is killed; APPLYCFG runs as usual.
    const killedAfter3Lines = `#!/bin/sh
killed=no prev=
for arg; do
  if [ "$prev" = -i ]; then head -n 3 "$arg" >"$arg.part" && mv "$arg.part" "$arg"; killed=yes; fi
  prev=$arg
done
${DOUBLE} "$@" || status=$?
[ "$killed" = no ] || exit 137
exit \${status:-0}
`;
    useCentreon(killedAfter3Lines);
    const killed = await run(executor());
    expect(killed.code).toBe(22);
    expect(killed.stderr).toContain("CLAPI stopped (exit 137) before the end of the import");
    expect(killed.stderr).toContain("what it imported is unknown, so nothing was applied");
    useDouble();
    expect((await run(executor())).code).toBe(0);
    const removed = await run(executor(dropJdoe));
    expect(removed.code, removed.stderr).toBe(0);
    expect(contact(readState(stateFile), "jdoe")).toBeDefined();
  });

  it("a session closed during APPLYCFG keeps what the import created: removed from the fleet, it is deleted", async () => {
    // The deploy is cancelled while the first poller is applied: the executor gets SIGHUP.
    const hangUpAtApplycfg = `#!/bin/sh
case " $* " in *" APPLYCFG "*) kill -HUP $PPID; exit 1 ;; esac
exec ${DOUBLE} "$@"
`;
    useCentreon(hangUpAtApplycfg);
    const cut = await run(executor());
    expect(cut.code).not.toBe(0);
    expect(contact(readState(stateFile), "jdoe")).toBeDefined();
    useDouble();
    const again = await run(executor());
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toContain("managing objects made outside this stack");
    const removed = await run(executor(dropJdoe));
    expect(removed.code, removed.stderr).toBe(0);
    expect(contact(readState(stateFile), "jdoe")).toBeUndefined();
  });

  it("a session closed during the import keeps what it created, also when the run has objects to adopt (said after the import)", async () => {
    await centreon(`-o CONTACT -a ADD -v 'John Doe;jdoe;old@example.org;Pre-Existing-Pa55!;0;0;en_US;local'`);
    // The reader goes away once the import is announced: the executor's next message kills it (SIGPIPE).
    await run(executor(), SECRETS, {}, (script) => `${script} 2>&1 | sed '/importing .* CLAPI lines/q'`);
    expect(contact(readState(stateFile), "mmartin")).toBeDefined();
    // mmartin was created by that run: this stack's, so dropping it from the fleet deletes it.
    const removed = await run(executor((d) => (d.contacts = d.contacts.filter((c: { alias: string }) => c.alias !== "mmartin"))));
    expect(removed.code, removed.stderr).toBe(0);
    expect(contact(readState(stateFile), "mmartin")).toBeUndefined();
  });

  it("a group renamed only by case is the same group for Centreon: never deleted for it", async () => {
    expect((await run(executor())).code).toBe(0);
    const renamed = await run(executor(renameGroup("ops", "OPS")));
    expect(renamed.stdout).not.toMatch(/deleting what the fleet no longer declares/);
    const ops = readState(stateFile).contactGroups.find((g) => g.cols.cg_name === "ops");
    expect(ops?.contacts.length).toBeGreaterThan(0);
  });

  // CLAPI writes every SETMACRO value in clear in Centreon's audit log (log_action_modification).
  it("sends an SMTP check's password macro only when its secret changed, or to a host deleted by hand since", async () => {
    const audited = () => readState(stateFile).macroAudit.filter((a) => a.macro === "SMTPPASSWORD" && a.value !== "");
    const macro = () => readState(stateFile).hosts.find((h) => h.cols.host_name === "smtp-corporate")!.macros.find((m) => m.name === "$_HOSTSMTPPASSWORD$");
    expect((await run(executor())).code).toBe(0);
    expect(audited()).toEqual([{ object: "smtp-corporate", macro: "SMTPPASSWORD", value: SECRETS.smtp_password }]);
    // Another change (a contact's e-mail) imports the batch again, without the password.
    const other = await run(executor((d) => (d.contacts[0].email = "jdoe@other.example.org")));
    expect(other.code, other.stderr).toBe(0);
    expect(audited()).toHaveLength(1);
    const rotated = await run(executor(), { ...SECRETS, smtp_password: "Rotated-Pa55word!" });
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(audited().map((a) => a.value)).toEqual([SECRETS.smtp_password, "Rotated-Pa55word!"]);
    // Deleted by hand: the run creates the host again and sets its password, in a second import.
    expect((await centreon(`-o HOST -a DEL -v smtp-corporate`)).code).toBe(0);
    const recreated = await run(executor(), { ...SECRETS, smtp_password: "Rotated-Pa55word!" });
    expect(recreated.code, recreated.stderr).toBe(0);
    expect(macro()).toMatchObject({ value: "Rotated-Pa55word!", isPassword: 1 });
    expect(audited()).toHaveLength(3);
  });

  // Two fleets on one central: a contact this one created and another adopted is the other's too.
  it("an object another stack on the central adopted is left in place when this stack drops it", async () => {
    expect((await run(executor())).code).toBe(0);
    const other = await run(executor((d) => (d.name = "acme-other")));
    expect(other.code, other.stderr).toBe(0);
    expect(readFileSync(host.path("/var/lib/centreon-mail-as-code/acme-other.state"), "utf8")).toContain("adopted\tCONTACT\tjdoe\n");
    const dropped = await run(executor(dropJdoe));
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(dropped.stdout).toContain("left in place, no longer managed here: another stack on this central declares them: CONTACT;jdoe (stack acme-other)");
    const state = readState(stateFile);
    const jdoe = contact(state, "jdoe")!;
    expect(jdoe).toBeDefined();
    // Nor are its links, which the other fleet declares too: its group, the check it is notified by.
    expect(state.contactGroups.find((g) => g.cols.cg_name === "ops")!.contacts).toContain(jdoe.id);
    expect(state.hosts.find((h) => h.cols.host_name === "smtp-corporate")!.contacts).toContain(jdoe.id);
  });

  it("a contact group the fleet stops declaring is left in place (hand-made hosts may notify it), without the members this stack added", async () => {
    expect((await run(executor())).code).toBe(0);
    await centreon(`-o CONTACT -a ADD -v 'Night Shift;nightshift;night@example.org;Night-Shift-Pa55!;0;0;en_US;local'`);
    await centreon(`-o CG -a ADDCONTACT -v 'ops;nightshift'`);
    const renamed = await run(executor(renameGroup("ops", "noc")));
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(renamed.stdout).toContain("left in place, no longer managed (objects made by hand may use them; delete them in Centreon if nothing does): CG;ops");
    const state = readState(stateFile);
    const ops = state.contactGroups.find((g) => g.cols.cg_name === "ops");
    const nightshift = contact(state, "nightshift")!;
    expect(ops?.contacts).toEqual([nightshift.id]);
    // Declared again: this stack's again, not adopted, with the links it makes.
    const back = await run(executor());
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).not.toContain("managing objects made outside this stack");
    const withoutJdoeInOps = await run(executor((d) => (d.contacts[0].groups = [])));
    expect(withoutJdoeInOps.code, withoutJdoeInOps.stderr).toBe(0);
    const after = readState(stateFile);
    expect(after.contactGroups.find((g) => g.cols.cg_name === "ops")!.contacts).not.toContain(contact(after, "jdoe")!.id);
  });

  // A SERVICE is recorded as host;service: its refused DEL must keep that record, not lose it.
  it.each([
    ["a contact's", (d: Record<string, any>) => (d.contacts = d.contacts.filter((c: { alias: string }) => c.alias !== "mmartin")), "CONTACT;DEL;mmartin", (s: DoubleState) => contact(s, "mmartin")],
    ["a service's", withoutMessage, "SERVICE;DEL;smtp-corporate;SMTP-Message", (s: DoubleState) => serviceOf(s, "smtp-corporate", "SMTP-Message")],
    [
      "a membership's",
      (d: Record<string, any>) => (d.contacts[0].groups = []),
      "CG;DELCONTACT;ops;jdoe",
      (s: DoubleState) => s.contactGroups.find((g) => g.cols.cg_name === "ops")?.contacts.find((id) => id === contact(s, "jdoe")!.id),
    ],
  ])("%s removal CLAPI refuses is tried again by the next run", async (_what, change, del, find) => {
    expect((await run(executor())).code).toBe(0);
    // The prune lines follow the batch: the first is that removal.
    updateState(stateFile, (state) => (state.failOnLine = executorLines(change).length + 1));
    const refused = await run(executor(change));
    expect(refused.code).toBe(22);
    expect(refused.stderr).toContain(del);
    expect(find(readState(stateFile))).toBeDefined();
    updateState(stateFile, (state) => (state.failOnLine = null));
    const retried = await run(executor(change));
    expect(retried.code, retried.stderr).toBe(0);
    expect(find(readState(stateFile))).toBeUndefined();
  });

  it("an ADD CLAPI refused claims nothing: a contact made by hand survives its removal from the fleet", async () => {
    await centreon(`-o CONTACT -a ADD -v 'John Doe;jdoe;old@example.org;Pre-Existing-Pa55!;0;0;en_US;local'`);
    const withPassword = (d: Record<string, any>) => (d.contacts[0].password = { secret: "jdoe_password" });
    // CLAPI checks the password policy before it finds the contact exists: the ADD fails otherwise.
    const refused = await run(executor(withPassword), { ...SECRETS, jdoe_password: "too-short" });
    expect(refused.code).toBe(22);
    expect(refused.stderr).toContain("Your password must be 12 characters long");
    const removed = await run(executor(dropJdoe));
    expect(removed.code, removed.stderr).toBe(0);
    expect(contact(readState(stateFile), "jdoe")).toBeDefined();
  });

  it("a membership made by hand is never removed, though the fleet declared it for a while", async () => {
    await centreon(`-o CONTACT -a ADD -v 'John Doe;jdoe;old@example.org;Pre-Existing-Pa55!;0;0;en_US;local'`);
    await centreon(`-o CG -a ADD -v 'ops;Operations'`);
    await centreon(`-o CG -a ADDCONTACT -v 'ops;jdoe'`);
    expect((await run(executor())).code).toBe(0);
    const notInOps = (d: Record<string, any>) => (d.contacts.find((c: { alias: string }) => c.alias === "jdoe").groups = []);
    expect((await run(executor(notInOps))).code).toBe(0);
    const state = readState(stateFile);
    expect(state.contactGroups.find((g) => g.cols.cg_name === "ops")!.contacts).toEqual([contact(state, "jdoe")!.id]);
  });

  it("a membership this stack made is removed with its declaration", async () => {
    const jroeInOps = (d: Record<string, any>) =>
      d.contacts.push({ name: "Jane Roe", alias: "jroe", email: "jroe@example.org", groups: ["ops"], notifications: { service: { events: ["critical"] } } });
    expect((await run(executor(jroeInOps))).code).toBe(0);
    const jroeAlone = (d: Record<string, any>) => {
      jroeInOps(d);
      d.contacts.at(-1).groups = [];
    };
    const removed = await run(executor(jroeAlone));
    expect(removed.code, removed.stderr).toBe(0);
    const state = readState(stateFile);
    expect(state.contactGroups.find((g) => g.cols.cg_name === "ops")!.contacts).not.toContain(contact(state, "jroe")!.id);
  });

  it("a poller removed from the fleet is applied once more, its deleted objects with it, then forgotten", async () => {
    expect((await run(executor())).code).toBe(0);
    const withoutLille = (d: Record<string, any>) => (d.pollers = d.pollers.filter((p: { name: string }) => p.name !== "poller-lille"));
    const removed = await run(executor(withoutLille));
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain("deleting what the fleet no longer declares: HOST;poller-lille-postfix");
    const state = readState(stateFile);
    expect(state.hosts.map((h) => h.cols.host_name)).not.toContain("poller-lille-postfix");
    expect(state.invocations.at(-1)!.argv).toEqual(expect.arrayContaining(["APPLYCFG", "poller-lille"]));
    expect(state.applied.filter((p) => p === "poller-lille")).toHaveLength(2);
    const again = await run(executor(withoutLille));
    expect(again.code).toBe(0);
    expect(readState(stateFile).applied.filter((p) => p === "poller-lille")).toHaveLength(2);
  });

  it("a poller removed from the fleet and from Centreon is forgotten without failing the apply", async () => {
    expect((await run(executor())).code).toBe(0);
    updateState(stateFile, (state) => (state.instances = state.instances.filter((i) => i.cols.name !== "poller-lille")));
    const removed = await run(executor((d) => (d.pollers = d.pollers.filter((p: { name: string }) => p.name !== "poller-lille"))));
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain("poller poller-lille is no longer in Centreon: nothing to apply");
  });

  // Centreon refuses a password change within an hour of the last one and any of the last three:
  // a declared password goes with the ADD, and its SETPARAM only when the secret changes.
  it("a contact's declared password: set at creation, not sent again, changed when its secret changes", async () => {
    const withPassword = executor((doc) => (doc.contacts[0].password = { secret: "jdoe_password" }));
    const first = await run(withPassword, { ...SECRETS, jdoe_password: "First-Pa55word!" });
    expect(first.code, first.stderr).toBe(0);
    const passwordOf = () => contact(readState(stateFile), "jdoe")!;
    expect(passwordOf().passwordHistory).toHaveLength(1);

    const again = await run(withPassword, { ...SECRETS, jdoe_password: "First-Pa55word!" });
    expect(again.code, again.stderr).toBe(0);
    expect(passwordOf().passwordHistory).toHaveLength(1);

    // Within the hour Centreon refuses the change, and says why; an hour later it takes it, once.
    const tooSoon = await run(withPassword, { ...SECRETS, jdoe_password: "Second-Pa55word!" });
    expect(tooSoon.code).toBe(22);
    expect(tooSoon.stderr).toContain("the delay before changing password is not over");
    updateState(stateFile, (state) => (state.clockOffsetSeconds += 3601));
    for (let i = 0; i < 2; i++) expect((await run(withPassword, { ...SECRETS, jdoe_password: "Second-Pa55word!" })).code).toBe(0);
    expect(passwordOf().passwordHistory).toHaveLength(2);
    expect(passwordOf().passwordHash).toBe(hashPassword("Second-Pa55word!"));
  });

  it("a contact made by hand gets the declared password once", async () => {
    await centreon(`-o CONTACT -a ADD -v 'John Doe;jdoe;old@example.org;Pre-Existing-Pa55!;0;0;en_US;local'`);
    updateState(stateFile, (state) => (state.clockOffsetSeconds += 3601));
    const withPassword = executor((doc) => (doc.contacts[0].password = { secret: "jdoe_password" }));
    for (let i = 0; i < 2; i++) expect((await run(withPassword, { ...SECRETS, jdoe_password: "Declared-Pa55word!" })).code).toBe(0);
    expect(contact(readState(stateFile), "jdoe")!.passwordHistory).toHaveLength(2);
    expect(contact(readState(stateFile), "jdoe")!.passwordHash).toBe(hashPassword("Declared-Pa55word!"));
  });

  // Centreon's "already used" covers the current password and the two before it: the executor
  // cannot tell them apart, so it says what it assumed.
  it("a contact made by hand whose earlier password is the secret: the deploy says it took it as the current one", async () => {
    await centreon(`-o CONTACT -a ADD -v 'John Doe;jdoe;old@example.org;Earlier-Pa55word!;0;0;en_US;local'`);
    updateState(stateFile, (state) => (state.clockOffsetSeconds += 3601));
    await centreon(`-o CONTACT -a SETPARAM -v 'jdoe;password;Current-Pa55word!'`);
    updateState(stateFile, (state) => (state.clockOffsetSeconds += 3601));
    const withPassword = executor((doc) => (doc.contacts[0].password = { secret: "jdoe_password" }));
    const done = await run(withPassword, { ...SECRETS, jdoe_password: "Earlier-Pa55word!" });
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toMatch(
      /line \d+: CONTACT;SETPARAM;jdoe;password;<secret:jdoe_password>: Centreon says this password was already used, so it is taken as the contact's current one;.*if the contact has another password now, choose another secret/,
    );
    expect(done.stdout).not.toContain("Earlier-Pa55word!");
    expect(contact(readState(stateFile), "jdoe")!.passwordHash).toBe(hashPassword("Current-Pa55word!"));
  });

  it("a command the fleet no longer declares is left in place: a contact made by hand may still notify with it", async () => {
    expect((await run(executor())).code).toBe(0);
    const command = readState(stateFile).commands.find((c) => c.cols.command_name === "notify-host-by-email-fr")!;
    expect(command).toBeDefined();
    expect((await centreon(`-o CONTACT -a ADD -v 'Hand Made;handmade;hand@example.org;Hand-Made-Pa55!;0;0;en_US;local'`)).code).toBe(0);
    expect((await centreon(`-o CONTACT -a SETPARAM -v 'handmade;hostnotifcmd;notify-host-by-email-fr'`)).code).toBe(0);
    const withoutCommands = (d: Record<string, any>) => {
      d.contacts = d.contacts.filter((c: { alias: string }) => c.alias !== "mmartin");
      d.notificationCommands = [];
    };
    const removed = await run(executor(withoutCommands));
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toMatch(/left in place, no longer managed .*CMD;notify-host-by-email-fr/);
    const after = readState(stateFile);
    expect(contact(after, "mmartin")).toBeUndefined();
    expect(after.commands.map((c) => c.id)).toContain(command.id);
    expect(contact(after, "handmade")!.hostNotifCmds).toEqual([command.id]);
  });

  // CLAPI cannot SET an empty list: the contact set earlier is removed by DELCONTACT.
  it("a check that stops notifying a contact (the group only now) no longer notifies that contact", async () => {
    expect((await run(executor())).code).toBe(0);
    const targets = (state: DoubleState) => {
      const smtpHost = state.hosts.find((h) => h.cols.host_name === "smtp-corporate")!;
      const services = state.services.filter((s) => s.hosts.includes(smtpHost.id));
      return [smtpHost, ...services].map((o) => ({ contacts: o.contacts, groups: o.contactGroups }));
    };
    const before = readState(stateFile);
    const [jdoe, ops] = [contact(before, "jdoe")!.id, before.contactGroups.find((g) => g.cols.cg_name === "ops")!.id];
    expect(targets(before)).toEqual(Array(3).fill({ contacts: [jdoe], groups: [ops] }));

    const groupOnly = await run(executor((d) => (d.smtpChecks[0].notify.contacts = [])));
    expect(groupOnly.code, groupOnly.stderr).toBe(0);
    expect(groupOnly.stdout).toContain("removing notify targets the fleet no longer declares: HOST;DELCONTACT;smtp-corporate;jdoe");
    expect(targets(readState(stateFile))).toEqual(Array(3).fill({ contacts: [], groups: [ops] }));
    expect(readState(stateFile).applied.at(-1)).toBe("poller-paris");
    const again = await run(executor((d) => (d.smtpChecks[0].notify.contacts = [])));
    expect(again.stdout).not.toContain("removing notify targets");
  });

  it("a membership added later between this stack's group and contact is removed with its declaration", async () => {
    const jroe = (groups: string[]) => (d: Record<string, any>) =>
      d.contacts.push({ name: "Jane Roe", alias: "jroe", email: "jroe@example.org", groups, notifications: { service: { events: ["critical"] } } });
    expect((await run(executor(jroe([])))).code).toBe(0);
    expect((await run(executor(jroe(["ops"])))).code).toBe(0);
    const ops = () => readState(stateFile).contactGroups.find((g) => g.cols.cg_name === "ops")!.contacts;
    expect(ops()).toContain(contact(readState(stateFile), "jroe")!.id);
    expect((await run(executor(jroe([])))).code).toBe(0);
    expect(ops()).not.toContain(contact(readState(stateFile), "jroe")!.id);
  });

  it("a link this stack made to a group made by hand goes when the fleet renames the group; the group stays", async () => {
    expect((await centreon(`-o CG -a ADD -v 'ops;Operations'`)).code).toBe(0);
    expect((await run(executor())).code).toBe(0);
    const members = (name: string) => {
      const state = readState(stateFile);
      const ids = state.contactGroups.find((g) => g.cols.cg_name === name)?.contacts ?? [];
      return state.contacts.filter((c) => ids.includes(c.id)).map((c) => c.cols.contact_alias);
    };
    expect(members("ops")).toContain("jdoe");
    const renamed = await run(
      executor((d) => {
        d.contactGroups[0].name = "ops-team";
        for (const c of d.contacts) c.groups = c.groups?.map((g: string) => (g === "ops" ? "ops-team" : g));
        d.smtpChecks[0].notify.groups = ["ops-team"];
        d.queueChecks.notify.groups = ["ops-team"];
      }),
    );
    expect(renamed.code, renamed.stderr).toBe(0);
    expect(readState(stateFile).contactGroups.map((g) => g.cols.cg_name).sort()).toEqual(["ops", "ops-team"]);
    expect(members("ops")).toEqual([]);
    expect(members("ops-team")).toContain("jdoe");
  });

  it("a password rotated back to an earlier one fails, every run, with Centreon's message", async () => {
    const withPassword = executor((doc) => (doc.contacts[0].password = { secret: "jdoe_password" }));
    const deploy = async (password: string) => {
      const result = await run(withPassword, { ...SECRETS, jdoe_password: password });
      updateState(stateFile, (state) => (state.clockOffsetSeconds += 3601));
      return result;
    };
    expect((await deploy("First-Pa55word!")).code).toBe(0);
    expect((await deploy("Second-Pa55word!")).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      const back = await deploy("First-Pa55word!");
      expect(back.code).toBe(22);
      expect(back.stderr).toContain("Your password has already been used");
      expect(back.stderr).toContain("if the secret already is that contact's password in Centreon, remove the contact's 'password' line from /var/lib/centreon-mail-as-code/");
    }
    expect(contact(readState(stateFile), "jdoe")!.passwordHash).toBe(hashPassword("Second-Pa55word!"));
  });

  it("emptying a notify list removes each old target, even when one of them was deleted by hand", async () => {
    const twoContacts = (d: Record<string, any>) => {
      d.contacts.push({ name: "Jane Roe", alias: "jroe", email: "jroe@example.org", notifications: { service: { events: ["critical"] } } });
      d.smtpChecks[0].notify = { contacts: ["jdoe", "jroe"], groups: [] };
    };
    expect((await run(executor(twoContacts))).code).toBe(0);
    expect((await centreon(`-o CONTACT -a DEL -v jroe`)).code).toBe(0);
    const none = await run(executor((d) => (d.smtpChecks[0].notify = { contacts: [], groups: [] })));
    expect(none.code, none.stderr).toBe(0);
    const state = readState(stateFile);
    const smtpHost = state.hosts.find((h) => h.cols.host_name === "smtp-corporate")!;
    expect([smtpHost, ...state.services.filter((s) => s.hosts.includes(smtpHost.id))].map((o) => o.contacts)).toEqual([[], [], []]);
  });

  it("a poller removed from the fleet whose APPLYCFG fails is retried later, without failing the deploy", async () => {
    expect((await run(executor())).code).toBe(0);
    updateState(stateFile, (state) => (state.failApplyFor = ["poller-lille"]));
    const withoutLille = executor((d) => (d.pollers = d.pollers.filter((p: { name: string }) => p.name !== "poller-lille")));
    const removed = await run(withoutLille);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stderr).toContain("APPLYCFG failed on poller-lille, which the fleet no longer names");
    updateState(stateFile, (state) => (state.failApplyFor = []));
    const retried = await run(withoutLille);
    expect(retried.stdout).toContain("APPLYCFG poller-lille (no longer in the fleet");
    expect(readState(stateFile).applied.at(-1)).toBe("poller-lille");
  });

  it("a contact names a time period and a command made by hand (central.existing): used, never changed or removed", async () => {
    const useSms = (d: Record<string, any>) => {
      d.central.existing = { timePeriods: ["business-hours"], notificationCommands: ["notify-by-sms"] };
      d.contacts[0].notifications.host.period = "business-hours";
      d.contacts[0].notifications.service.commands = ["service-notify-by-email", "notify-by-sms"];
    };
    // Listed but missing in Centreon: CLAPI's own message names what to make.
    const missing = await run(executor(useSms));
    expect(missing.code).toBe(22);
    expect(missing.stderr).toContain("CLAPI: Unknown timeperiod: business-hours");
    expect(missing.stderr).toContain("CLAPI: Object not found:notify-by-sms");

    await centreon(`-o TP -a ADD -v 'business-hours;Business hours'`);
    await centreon(`-o CMD -a ADD -v 'notify-by-sms;notif;/usr/local/bin/send-sms $CONTACTPAGER$'`);
    const made = await run(executor(useSms));
    expect(made.code, made.stderr).toBe(0);
    const state = readState(stateFile);
    const idOf = (name: string) => state.commands.find((c) => c.cols.command_name === name)!.id;
    const jdoe = contact(state, "jdoe")!;
    expect(jdoe.svcNotifCmds).toEqual([idOf("service-notify-by-email"), idOf("notify-by-sms")]);
    expect(jdoe.cols.timeperiod_tp_id).toBe(String(state.timeperiods.find((t) => t.cols.tp_name === "business-hours")!.id));

    // Dropped from the fleet: the contact is back on the stock ones; what was made by hand stays as it was.
    const smsCommand = JSON.stringify(state.commands.find((c) => c.cols.command_name === "notify-by-sms"));
    const smsPeriod = JSON.stringify(state.timeperiods.find((t) => t.cols.tp_name === "business-hours"));
    expect((await run(executor())).code).toBe(0);
    const after = readState(stateFile);
    expect(contact(after, "jdoe")!.svcNotifCmds).toEqual([idOf("service-notify-by-email")]);
    expect(JSON.stringify(after.commands.find((c) => c.cols.command_name === "notify-by-sms"))).toBe(smsCommand);
    expect(JSON.stringify(after.timeperiods.find((t) => t.cols.tp_name === "business-hours"))).toBe(smsPeriod);
  });

  it("a check notifies a contact and a group made by hand (central.existing): linked, never changed; unlinked when dropped", async () => {
    await centreon(`-o CONTACT -a ADD -v 'On call;oncall;oncall@example.org;Pre-Existing-Pa55!;1;1;fr_FR;local'`);
    await centreon(`-o CG -a ADD -v 'noc;Network operations'`);
    await centreon(`-o CG -a ADDCONTACT -v 'noc;oncall'`);
    const handMade = (state: DoubleState) => JSON.stringify([contact(state, "oncall"), state.contactGroups.find((g) => g.cols.cg_name === "noc")]);
    const before = handMade(readState(stateFile));
    const notifyOncall = (d: Record<string, any>) => {
      d.central.existing = { contacts: ["oncall"], contactGroups: ["noc"] };
      d.smtpChecks[0].notify = { contacts: ["jdoe", "oncall"], groups: ["noc"] };
    };
    const linked = await run(executor(notifyOncall));
    expect(linked.code, linked.stderr).toBe(0);
    let state = readState(stateFile);
    const smtpHost = () => state.hosts.find((h) => h.cols.host_name === "smtp-corporate")!;
    const oncall = contact(state, "oncall")!.id;
    const noc = state.contactGroups.find((g) => g.cols.cg_name === "noc")!.id;
    expect([smtpHost().contacts, smtpHost().contactGroups]).toEqual([[contact(state, "jdoe")!.id, oncall], [noc]]);
    expect(serviceOf(state, "smtp-corporate", "SMTP-Login")!.contacts).toContain(oncall);
    expect(handMade(state)).toBe(before);
    expect(linked.stdout).not.toContain("managing objects made outside this stack");

    // Dropped from the fleet: unlinked from the check; the contact and the group stay as they were.
    const dropped = await run(executor());
    expect(dropped.code, dropped.stderr).toBe(0);
    state = readState(stateFile);
    expect(smtpHost().contacts).not.toContain(oncall);
    expect(smtpHost().contactGroups).not.toContain(noc);
    expect(handMade(state)).toBe(before);
  });

  it("a contact joins a group made by hand (central.existing): its membership comes and goes, the group and its other members stay", async () => {
    await centreon(`-o CONTACT -a ADD -v 'On call;oncall;oncall@example.org;Pre-Existing-Pa55!;1;1;fr_FR;local'`);
    await centreon(`-o CG -a ADD -v 'noc;Network operations'`);
    await centreon(`-o CG -a ADDCONTACT -v 'noc;oncall'`);
    const noc = () => readState(stateFile).contactGroups.find((g) => g.cols.cg_name === "noc")!;
    const { contacts: _members, ...nocBefore } = noc();
    const joined = await run(
      executor((d) => {
        d.central.existing = { contactGroups: ["noc"] };
        d.contacts[0].groups = ["ops", "noc"];
      }),
    );
    expect(joined.code, joined.stderr).toBe(0);
    const state = readState(stateFile);
    expect(noc().contacts).toEqual([contact(state, "oncall")!.id, contact(state, "jdoe")!.id]);

    const left = await run(executor());
    expect(left.code, left.stderr).toBe(0);
    expect(left.stdout).toContain("deleting what the fleet no longer declares: CG;noc;jdoe \n");
    const { contacts: members, ...nocAfter } = noc();
    expect(members).toEqual([contact(readState(stateFile), "oncall")!.id]);
    expect(nocAfter).toEqual(nocBefore);
  });

  it("a line CLAPI rejects fails the apply with the line and CLAPI's message", async () => {
    initState(stateFile, { adminPassword: ADMIN_PASSWORD, pollers: ["poller-paris", "poller-lyon", "poller-lille"], failOnLine: 13 });
    const failed = await run(executor());
    expect(failed.code).toBe(22);
    const line13 = executorLines()[12];
    expect(failed.stderr).toContain(`line 13: ${line13}`);
    expect(failed.stderr).toMatch(/CLAPI: .*Simulated failure/);
    expect(failed.stderr).toMatch(
      /^centreon-mail-as-code: Central: import failed: CLAPI rejected 1 line\(s\) of the batch \(the other changes were imported, and applied where they changed\)\. Fix: correct the object named above/m,
    );
    // The pollers got what was imported; once the line passes, they are applied again.
    expect(readState(stateFile).applied.sort()).toEqual(["Central", "poller-lille", "poller-lyon", "poller-paris"]);
    updateState(stateFile, (state) => (state.failOnLine = null));
    const fixed = await run(executor());
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(readState(stateFile).applied).toHaveLength(8);
    expect((await run(executor())).stdout).not.toContain("APPLYCFG");
  });

  it("a poller whose APPLYCFG failed is the only one applied again by the next run", async () => {
    expect((await run(executor())).code).toBe(0);
    updateState(stateFile, (state) => (state.failApplyFor = ["poller-lyon"]));
    const newEmail = executor((d) => (d.contacts[0].email = "jdoe.new@example.org"));
    const failed = await run(newEmail);
    expect(failed.code).toBe(23);
    expect(failed.stderr).toContain("APPLYCFG failed for poller-lyon");
    updateState(stateFile, (state) => (state.failApplyFor = []));
    const appliedBefore = readState(stateFile).applied.length;
    const retried = await run(newEmail);
    expect(retried.code, retried.stderr).toBe(0);
    expect(readState(stateFile).applied.slice(appliedBefore)).toEqual(["poller-lyon"]);
  });

  // A cancelled deploy closes the SSH session; without a pty the executor learns it from SIGPIPE at
  // its first message, once the secrets are decoded into its scratch directory.
  it("a session closed before its first message imports nothing and leaves no scratch file", async () => {
    const tmp = join(host.root, "session-tmp");
    mkdirSync(tmp, { mode: 0o700 });
    const before = objects(readState(stateFile));
    await run(executor(), SECRETS, { TMPDIR: tmp }, (script) => `${script} 2>&1 | head -c 0`);
    expect(readdirSync(tmp)).toEqual([]);
    expect(objects(readState(stateFile))).toEqual(before);
  });

  it("refuses a secret CLAPI would split, before sending anything", async () => {
    const failed = await run(executor(), { ...SECRETS, smtp_password: "semi;colon" });
    expect(failed.code).toBe(21);
    expect(failed.stderr).toContain("the secret smtp_password contains ';' or a line break");
    expect(failed.stderr).not.toContain("semi;colon");
    expect(readState(stateFile).invocations).toEqual([]);
  });

  it("refuses a secret with a space or tab at either end, which CLAPI would trim, before sending anything", async () => {
    for (const password of ["Trailing-Pa55 ", "\tLeading-Pa55"]) {
      const failed = await run(executor(), { ...SECRETS, smtp_password: password });
      expect(failed.code).toBe(21);
      expect(failed.stderr).toContain("the secret smtp_password begins or ends with a space or tab, which CLAPI trims");
      expect(failed.stderr).not.toContain(password.trim());
    }
    expect(readState(stateFile).invocations).toEqual([]);
    // Inside the value, spaces are carried as they are.
    const done = await run(executor(), { ...SECRETS, smtp_password: "inner space-Pa55" });
    expect(done.code, done.stderr).toBe(0);
  });

  it("refuses a single quote or a backslash in an SMTP check's password (its command line quotes it), not in a contact's", async () => {
    const failed = await run(executor(), { ...SECRETS, smtp_password: "it's-Pa55" });
    expect(failed.code).toBe(21);
    expect(failed.stderr).toContain("the secret smtp_password contains a single quote, which the SMTP check's command line cannot carry");
    expect(failed.stderr).not.toContain("it's-Pa55");
    expect(readState(stateFile).invocations).toEqual([]);
    const backslash = await run(executor(), { ...SECRETS, smtp_password: "Pa\\ss-Pa55" });
    expect(backslash.code).toBe(21);
    expect(backslash.stderr).toContain("the secret smtp_password contains a backslash, which Centreon Engine reads as an escape");
    expect(readState(stateFile).invocations).toEqual([]);

    const contactPassword = executor((doc) => (doc.contacts[0].password = { secret: "jdoe_password" }));
    const done = await run(contactPassword, { ...SECRETS, jdoe_password: "O'Brien-Pa55word!" });
    expect(done.code, done.stderr).toBe(0);
  });
});

function executorLines(change: (doc: Record<string, any>) => void = () => undefined): string[] {
  const doc: Record<string, any> = parseFleet(readFileSync("examples/fleet.yaml", "utf8"));
  change(doc);
  const fleet = buildFleet(Testing.app(), parseFleet(stringify(doc)));
  return fleet.central!.configuration!.batch().text.trimEnd().split("\n");
}
