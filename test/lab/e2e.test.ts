// End to end: real Terraform applies the lab fleet to real hosts (sshd, Postfix, the CLAPI double)
// and mail really flows through an upstream requiring STARTTLS and AUTH. The steps build on each
// other, in order, on one lab.
import { statSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shellQuote } from "../../lib/render/templates.js";
import { readState } from "../clapi-double/state.js";
import { expandMacros, splitLikeEngine } from "../support/centreon-engine.js";
import { isMessage, requirePrivileged, type UpstreamMessage } from "../support/index.js";
import { LAB_POLLERS, LAB_SECRETS, LAB_USERS, labFleet, secretEnv, synthLab } from "./fleet.js";
import { startLab, type Lab, type LabHost } from "./lab.js";

const privileged = requirePrivileged("end-to-end lab (network namespaces, sshd, Postfix, terraform)");

describe.skipIf(!privileged)("the lab: cdktf synth + terraform apply against real hosts", () => {
  let lab: Lab;
  let stackDir: string;
  let doc: Record<string, any>;
  let secrets = { ...LAB_SECRETS };
  let sent = 0;

  const hosts = () => [...lab.pollers, lab.central];
  const connections = () => Object.fromEntries(hosts().map((h) => [h.name, h.connections()]));
  const delta = (before: Record<string, number>) => Object.fromEntries(hosts().map((h) => [h.name, h.connections() - before[h.name]]));
  const apply = () => {
    stackDir = synthLab(lab, doc);
    return lab.terraform(stackDir, ["apply", "-auto-approve", "-input=false", "-no-color"], secretEnv(secrets));
  };
  const expectApplied = (result: { code: number; output: string }) => {
    if (result.code !== 0) throw new Error(`terraform apply failed:\n${result.output.slice(-4000)}`);
  };
  /** Sends one message with sendmail on `host`; returns its subject. */
  const send = async (host: LabHost) => {
    const subject = `lab message ${++sent} from ${host.name}`;
    const r = await host.scratch.exec("sendmail -f nagios ops@example.org", { input: `Subject: ${subject}\nFrom: nagios\n\nalert body\n` });
    expect(r.code).toBe(0);
    return subject;
  };
  const received = (subject: string, timeoutMs = 30_000) =>
    lab.gateway.upstream.waitFor((r) => isMessage(r) && r.subject === subject, timeoutMs) as Promise<UpstreamMessage>;
  const queue = async (host: LabHost) => {
    const out = (await host.scratch.exec("postqueue -j")).stdout.trim();
    return out ? out.split("\n").map((l) => JSON.parse(l)) : [];
  };
  const waitQueue = async (host: LabHost, ok: (q: any[]) => boolean, what: string) => {
    for (let i = 0; i < 120; i++) {
      const q = await queue(host);
      if (ok(q)) return q;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`${host.name}: timed out waiting for ${what}: ${JSON.stringify(await queue(host))}`);
  };
  const poller = (name: string) => lab.pollers.find((p) => p.name === name)!;

  beforeAll(async () => {
    lab = await startLab({ pollers: LAB_POLLERS, users: LAB_USERS, clapiAdminPassword: LAB_SECRETS.centreon_admin_password });
    doc = labFleet(lab);
    stackDir = synthLab(lab, doc);
    const init = lab.terraform(stackDir, ["init", "-input=false", "-no-color"]);
    if (init.code !== 0) throw new Error(`terraform init failed:\n${init.output}`);
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("1. first apply: every host relays authenticated over TLS, map root-only, Centreon objects exactly as declared", async () => {
    expectApplied(apply());
    for (const host of hosts()) {
      const message = await received(await send(host));
      const user = host.name === "poller-3" ? "relay-backup" : "relay-corporate";
      expect(message).toMatchObject({ user, secure: true, ehlo: host.fqdn, mailFrom: "centreon@lab.example.org" });
      expect(message.tlsProtocol).toMatch(/^TLSv1\.[23]$/);
      const map = statSync(host.scratch.path("/etc/postfix/sasl_passwd.db"));
      expect({ uid: map.uid, gid: map.gid, mode: (map.mode & 0o777).toString(8) }).toEqual({ uid: 0, gid: 0, mode: "600" });
    }
    const state = readState(lab.clapiState);
    expect(state.contacts.filter((c) => c.register === 1 && c.cols.contact_alias !== "admin").map((c) => c.cols.contact_alias)).toEqual(["jdoe"]);
    expect(state.contactGroups.map((g) => g.cols.cg_name)).toEqual(["ops"]);
    expect(state.hosts.filter((h) => h.register === 1).map((h) => h.cols.host_name).sort()).toEqual(
      ["Central-postfix", "poller-1-postfix", "poller-2-postfix", "poller-3-postfix", "smtp-lab"].sort(),
    );
    expect([...state.applied].sort()).toEqual(["Central", ...LAB_POLLERS].sort());
  });

  it("2. second apply: no changes and no SSH connection", () => {
    const before = connections();
    const result = apply();
    expectApplied(result);
    expect(result.output).toContain("No changes.");
    expect(delta(before)).toEqual({ "poller-1": 0, "poller-2": 0, "poller-3": 0, central: 0 });
  });

  it("3. a new gateway password re-provisions only the hosts using that gateway, and mail flows with it", async () => {
    const before = connections();
    secrets = { ...secrets, smtp_password: "Rotated corporate pass ;|&" };
    await lab.gateway.upstream.setUsers({ ...LAB_USERS, "relay-corporate": secrets.smtp_password });
    expectApplied(apply());
    expect(delta(before)).toEqual({ "poller-1": 1, "poller-2": 1, "poller-3": 0, central: 1 });
    expect((await received(await send(poller("poller-1")))).user).toBe("relay-corporate");
    expect((await received(await send(lab.central))).user).toBe("relay-corporate");
  });

  it("4. changing one contact runs only the central's executor", () => {
    const before = connections();
    doc.contacts[0].email = "john.doe@example.org";
    expectApplied(apply());
    expect(delta(before)).toEqual({ "poller-1": 0, "poller-2": 0, "poller-3": 0, central: 1 });
    const jdoe = readState(lab.clapiState).contacts.find((c) => c.cols.contact_alias === "jdoe")!;
    expect(jdoe.cols.contact_email).toBe("john.doe@example.org");
  });

  it("5. an unreachable poller fails alone; once it is back, a re-run converges", async () => {
    await poller("poller-2").setReachable(false);
    for (const g of Object.values<any>(doc.gateways)) g.from = "noc@lab.example.org";
    const failed = apply();
    expect(failed.code).not.toBe(0);
    expect(failed.output).toMatch(/relay_poller-2/);
    expect((await poller("poller-1").scratch.exec("postconf -h sender_canonical_maps")).stdout.trim()).toBe("static:noc@lab.example.org");
    expect((await poller("poller-2").scratch.exec("postconf -h sender_canonical_maps")).stdout.trim()).toBe("static:centreon@lab.example.org");

    await poller("poller-2").setReachable(true);
    expectApplied(apply());
    expect((await poller("poller-2").scratch.exec("postconf -h sender_canonical_maps")).stdout.trim()).toBe("static:noc@lab.example.org");
    expect(apply().output).toContain("No changes.");
  });

  it("6. relay down: mail waits deferred in the poller's queue and leaves when the gateway is back", async () => {
    const host = poller("poller-1");
    await lab.gateway.upstream.pause();
    const subjects = [await send(host), await send(host)];
    await waitQueue(host, (q) => q.length === 2 && q.every((m) => m.queue_name === "deferred"), "2 deferred messages");
    await lab.gateway.upstream.resume();
    // Postfix would retry by itself after its backoff (minutes); ask it now, as time passing would.
    await host.scratch.exec("postqueue -f");
    for (const subject of subjects) await received(subject);
    await waitQueue(host, (q) => q.length === 0, "an empty queue");
    expect((await host.scratch.exec("grep -c 'status=bounced' /var/log/mail.log || true")).stdout.trim()).toBe("0");
  });

  it("7. a disabled gateway holds mail; enabling it again delivers it", async () => {
    const host = poller("poller-3");
    doc.gateways.backup.enabled = false;
    expectApplied(apply());
    const subject = await send(host);
    await waitQueue(host, (q) => q.length === 1 && /deferred transport/.test(q[0].recipients[0].delay_reason ?? ""), "the message held");
    doc.gateways.backup.enabled = true;
    expectApplied(apply());
    await received(subject);
    await waitQueue(host, (q) => q.length === 0, "an empty queue");
  });

  it("8. the declared queue check, macros expanded, says OK, WARNING then CRITICAL (real check_mailq)", async () => {
    const host = poller("poller-2");
    const state = readState(lab.clapiState);
    const command = state.commands.find((c) => c.cols.command_name === "check-postfix-queue")!.cols.command_line!;
    const queueHost = state.hosts.find((h) => h.cols.host_name === "poller-2-postfix")!;
    const service = state.services.find((s) => s.hosts.includes(queueHost.id) && s.cols.service_description === "Postfix-Queue")!;
    const macro = (name: string) => service.macros.find((m) => m.name === `$_SERVICE${name}$`)!.value;
    const commandLine = command
      .replace("$USER1$", "/usr/lib/nagios/plugins")
      .replace("$_SERVICEWARNING$", macro("WARNING"))
      .replace("$_SERVICECRITICAL$", macro("CRITICAL"));
    expect(commandLine).toBe("/usr/lib/nagios/plugins/check_mailq -M postfix -w 2 -c 4");
    const check = () => host.scratch.exec(commandLine);
    expect((await check()).code).toBe(0);

    await lab.gateway.upstream.pause();
    try {
      for (let i = 0; i < 3; i++) await send(host);
      await waitQueue(host, (q) => q.length === 3, "3 queued messages");
      const warning = await check();
      expect(warning.code).toBe(1);
      expect(warning.stdout).toMatch(/^WARNING/);
      for (let i = 0; i < 2; i++) await send(host);
      await waitQueue(host, (q) => q.length === 5, "5 queued messages");
      const critical = await check();
      expect(critical.code).toBe(2);
      expect(critical.stdout).toMatch(/^CRITICAL/);
    } finally {
      await lab.gateway.upstream.resume();
    }
    await host.scratch.exec("postqueue -f");
    await waitQueue(host, (q) => q.length === 0, "an empty queue");
    expect((await check()).code).toBe(0);
  });

  it("9. a change Postfix rejects fails that host only; its previous configuration, Postfix and queue stay", async () => {
    const host = poller("poller-3");
    await lab.gateway.upstream.pause();
    const subject = await send(host);
    await waitQueue(host, (q) => q.length === 1 && q[0].queue_name === "deferred", "a deferred message");
    const mainCf = (await host.scratch.exec("cat /etc/postfix/main.cf")).stdout;
    doc.pollers[2].postfixParameters = { smtp_sasl_auth_enabel: "yes" };
    const failed = apply();
    expect(failed.code).not.toBe(0);
    expect(failed.output).toMatch(/relay_poller-3/);
    expect((await host.scratch.exec("cat /etc/postfix/main.cf")).stdout).toBe(mainCf);
    expect((await host.scratch.exec("postfix status")).code).toBe(0);
    expect(await queue(host)).toHaveLength(1);

    delete doc.pollers[2].postfixParameters;
    await lab.gateway.upstream.resume();
    expectApplied(apply());
    await host.scratch.exec("postqueue -f");
    await received(subject);
  });

  it("10. a notification command: what CLAPI stored, run on a poller as Centreon Engine runs it, arrives with its subject, From name and Reply-To", async () => {
    const before = connections();
    doc.central.portalUrl = "https://centreon.lab.example.org/centreon";
    Object.assign(doc.gateways.corporate, { displayName: "Supervision du labo", replyTo: "ops-desk@lab.example.org" });
    const from = doc.gateways.corporate.from; // noc@lab.example.org since step 5
    doc.notificationCommands = [
      { name: "notify-host-by-email", kind: "host", languages: { fr: { subject: "Hôte ${HOSTNAME} : ${HOSTSTATE}", body: "Information : ${HOSTOUTPUT}\n${PORTALURL}/monitoring/resources" } } },
    ];
    Object.assign(doc.contacts[0], { language: "fr_FR" });
    doc.contacts[0].notifications.host.commands = ["notify-host-by-email"];
    expectApplied(apply());
    // replyTo changes the corporate relays' sender rewrite; the command and the contact, the batch.
    expect(delta(before)).toEqual({ "poller-1": 1, "poller-2": 1, "poller-3": 0, central: 2 });

    const state = readState(lab.clapiState);
    const command = state.commands.find((c) => c.cols.command_name === "notify-host-by-email-fr")!;
    expect(state.contacts.find((c) => c.cols.contact_alias === "jdoe")!.hostNotifCmds).toEqual([command.id]);
    const macros = { HOSTNAME: "web01", HOSTSTATE: "DOWN", HOSTOUTPUT: "CRITICAL - $(touch /tmp/lab-ran-code) `id`", CONTACTEMAIL: "jdoe@example.org" };
    const argv = splitLikeEngine(expandMacros(command.cols.command_line!, macros));
    const run = await poller("poller-1").scratch.exec(`exec setpriv --reuid=65534 --regid=65534 --clear-groups ${argv.map(shellQuote).join(" ")}`);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    const message = (await lab.gateway.upstream.waitFor((r) => isMessage(r) && r.headers["reply-to"] !== undefined, 30_000)) as UpstreamMessage;
    const decoded = (h: string) => h.replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=/g, (_a, b64: string) => Buffer.from(b64, "base64").toString("utf8"));
    expect(message).toMatchObject({ user: "relay-corporate", mailFrom: from, rcptTo: ["jdoe@example.org"] });
    expect(decoded(message.subject)).toBe("Hôte web01 : DOWN");
    expect(message.headers.from).toBe(`"Supervision du labo" <${from}>`);
    expect(message.headers["reply-to"]).toBe("ops-desk@lab.example.org");
    expect(message.body).toContain("https://centreon.lab.example.org/centreon/monitoring/resources");
    expect((await poller("poller-1").scratch.exec("test -e /tmp/lab-ran-code")).code).toBe(1);
    expect(apply().output).toContain("No changes.");
  });

  // A command is never deleted: a contact made by hand may notify with it.
  it("11. a notification command removed from the fleet is left in place, no longer managed; the contact gets Centreon's own back", () => {
    delete doc.notificationCommands;
    delete doc.contacts[0].notifications.host.commands;
    const applied = apply();
    expectApplied(applied);
    expect(applied.output).toMatch(/left in place, no longer managed .*CMD;notify-host-by-email-fr/);
    const state = readState(lab.clapiState);
    const names = state.commands.map((c) => c.cols.command_name);
    expect(names).toContain("notify-host-by-email-fr");
    expect(names).toEqual(expect.arrayContaining(["host-notify-by-email", "service-notify-by-email"]));
    const stock = state.commands.find((c) => c.cols.command_name === "host-notify-by-email")!;
    expect(state.contacts.find((c) => c.cols.contact_alias === "jdoe")!.hostNotifCmds).toEqual([stock.id]);
  });
});
