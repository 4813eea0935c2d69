// The provisioning script against REAL Postfix (Debian package), on scratch hosts: private
// /etc/postfix, queue and log in their own mount and network namespaces, normal paths.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { singlePoller } from "../fixtures/fleets.js";
import { provisionLikeTerraform, requirePrivileged, scriptPath, startScratchHost, type ScratchHost } from "../support/index.js";

const PASSWORD = "Relay pass: 'q' \"dq\" $HOME `id` ;|&<> é";

/** poller1 relaying to [127.0.0.1]:2525 (nothing listens there: mail stays queued). */
const pollerResource = (gateway: Record<string, unknown> = {}, poller: Record<string, unknown> = {}) =>
  singlePoller({ port: 2525, security: "starttls", verifyCertificate: false, ...gateway }, poller);

const postconf = async (host: ScratchHost, name: string) => (await host.exec(`postconf -h ${name}`)).stdout.trim();
const fileState = (host: ScratchHost, path: string) => {
  const s = statSync(host.path(path));
  return { uid: s.uid, gid: s.gid, mode: (s.mode & 0o7777).toString(8) };
};
const liveFiles = (host: ScratchHost) =>
  Object.fromEntries(
    ["main.cf", "sasl_passwd", "sasl_passwd.db"].map((f) => {
      try {
        return [f, readFileSync(host.path(`/etc/postfix/${f}`)).toString("base64")];
      } catch {
        return [f, null];
      }
    }),
  );
/** Queue one message that cannot leave (nothing listens on the gateway port in this host). */
async function queueMessage(host: ScratchHost): Promise<void> {
  const sent = await host.exec("printf 'Subject: queued\\n\\nkeep me\\n' | sendmail -f root@poller1.example.org ops@example.org");
  expect(sent.code).toBe(0);
}
/** Deferred messages' queue IDs, once `count` of them are deferred (IDs change until then). */
async function deferredIds(host: ScratchHost, count: number): Promise<string[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const out = (await host.exec("postqueue -j")).stdout.trim();
    const messages = out ? out.split("\n").map((l) => JSON.parse(l)) : [];
    const deferred = messages.filter((m) => m.queue_name === "deferred").map((m) => m.queue_id as string);
    if (deferred.length === count && messages.length === count) return deferred.sort();
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`expected ${count} deferred message(s): ${(await host.exec("postqueue -p")).stdout}`);
}

describe("rendered main.cf parameters pass real postconf", () => {
  it.each(["debian-587-starttls-verify", "rhel-465-tls-noverify", "auto-25-none-noauth-disabled"])(
    "%s: postconf -c DIR -n prints no warning and reads every value back",
    (variant) => {
      const dir = mkdtempSync(join(tmpdir(), "cmr-postconf-"));
      copyFileSync("/etc/postfix/master.cf", join(dir, "master.cf"));
      const mainCf = readFileSync(`test/golden/${variant}/main.cf`, "utf8");
      writeFileSync(join(dir, "main.cf"), mainCf);
      // Postfix waits for a main.cf younger than 2 s to settle: date it back.
      utimesSync(join(dir, "main.cf"), new Date(Date.now() - 10_000), new Date(Date.now() - 10_000));
      const run = spawnSync("postconf", ["-c", dir, "-n"], { encoding: "utf8" });
      expect(run.status).toBe(0);
      expect(run.stderr).toBe("");
      for (const [, name, value] of mainCf.matchAll(/^(\w+) =(.*)$/gm)) {
        expect(execFileSync("postconf", ["-c", dir, "-h", name], { encoding: "utf8" }).trimEnd()).toBe(value.trim());
      }
    },
  );
});

describe.skipIf(!requirePrivileged("Postfix provisioning integration"))("the provisioning script on a real Postfix", () => {
  let host: ScratchHost | undefined;
  afterEach(async () => {
    await host?.stop();
    host = undefined;
  });

  it("configures a host installed with 'No configuration', idempotently, with a root-only credentials map", async () => {
    host = await startScratchHost({ name: "fresh", mainCf: "none" });
    const { resource, review } = pollerResource();
    const first = await provisionLikeTerraform(host, resource, { smtp_password: PASSWORD });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("centreon-mail-relay[poller1] relay to [127.0.0.1]:2525 ready");

    // Every managed parameter as the review says (debian family detected from /etc/os-release).
    for (const [, name, value] of review["main.cf"].matchAll(/^(\w+) =(.*)$/gm)) {
      expect(await postconf(host, name), name).toBe(value.trim());
    }
    expect(await postconf(host, "smtp_sasl_password_maps")).toBe("${default_database_type}:/etc/postfix/sasl_passwd");
    expect((await host.exec("postfix status")).code).toBe(0);

    // The map: root-only, key = relayhost, the password byte for byte.
    expect(fileState(host, "/etc/postfix/sasl_passwd")).toEqual({ uid: 0, gid: 0, mode: "600" });
    expect(fileState(host, "/etc/postfix/sasl_passwd.db")).toEqual({ uid: 0, gid: 0, mode: "600" });
    expect((await host.exec("postmap -q '[127.0.0.1]:2525' hash:/etc/postfix/sasl_passwd")).stdout).toBe(`poller:${PASSWORD}\n`);

    // Nothing left behind: neither the uploaded script nor scratch copies.
    expect((await host.exec(`ls -A /tmp`)).stdout).toBe("");

    const mainCf = readFileSync(host.path("/etc/postfix/main.cf"), "utf8");
    const second = await provisionLikeTerraform(host, resource, { smtp_password: PASSWORD });
    expect(second.code).toBe(0);
    expect(readFileSync(host.path("/etc/postfix/main.cf"), "utf8")).toBe(mainCf);
    expect((await host.exec("postfix status")).code).toBe(0);
  });

  it("keeps the host's own settings, removes the legacy smtp_use_tls and saves the original main.cf once", async () => {
    host = await startScratchHost({ name: "existing" });
    await host.exec("postconf -e 'smtp_use_tls = yes' 'message_size_limit = 12345678' && touch -d '10 seconds ago' /etc/postfix/main.cf");
    const original = readFileSync(host.path("/etc/postfix/main.cf"), "utf8");
    const run = await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD });
    expect(run.code).toBe(0);
    expect(await postconf(host, "message_size_limit")).toBe("12345678");
    expect((await host.exec("postconf -n")).stdout).not.toContain("smtp_use_tls");
    expect(readFileSync(host.path("/etc/postfix/main.cf.before-centreon-mail"), "utf8")).toBe(original);
    expect((await host.exec("postfix status")).code).toBe(0);
  });

  // Without syslog, Postfix logs through its postlog service, which a master.cf from before
  // Postfix 3.4 lacks: it is added to the live master.cf, not only to the scratch copy.
  it("adds the postlog service to a master.cf without one, so that maillog_file gets written", async () => {
    host = await startScratchHost({ name: "postlog" });
    expect((await host.exec("test -S /dev/log")).code, "this test needs a host without syslog").not.toBe(0);
    expect((await host.exec("postconf -M -X postlog/unix-dgram && postconf -M postlog/unix-dgram")).stdout.trim()).toBe("");
    const run = await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD });
    expect(run.code, run.stderr).toBe(0);
    expect((await host.exec("postconf -M postlog/unix-dgram")).stdout).toMatch(/^postlog\s+unix-dgram\s+n\s+-\s+n\s+-\s+1\s+postlogd/);
    const logFile = await postconf(host, "maillog_file");
    expect(logFile).not.toBe("");
    await host.exec(`for i in $(seq 50); do grep -q 'postfix/' ${logFile} 2>/dev/null && break; sleep 0.1; done`);
    expect(readFileSync(host.path(logFile), "utf8")).toMatch(/postfix\/\w+\[\d+\]/);
  });

  it("a gateway that no longer authenticates: the credentials map this project wrote goes, one made by hand stays", async () => {
    host = await startScratchHost({ name: "noauth" });
    expect((await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD })).code).toBe(0);
    expect(readFileSync(host.path("/etc/postfix/sasl_passwd"), "utf8")).toContain(PASSWORD);
    writeFileSync(host.path("/etc/postfix/sasl_passwd.orig"), "the operator's own notes\n");
    const withoutAuth = pollerResource({ auth: undefined }).resource;
    const run = await provisionLikeTerraform(host, withoutAuth, {});
    expect(run.code, run.stderr).toBe(0);
    expect((await host.exec("ls /etc/postfix")).stdout.split("\n").filter((f) => f.startsWith("sasl_passwd"))).toEqual(["sasl_passwd.orig"]);
    expect(await postconf(host, "smtp_sasl_password_maps")).toBe("");

    writeFileSync(host.path("/etc/postfix/sasl_passwd"), "[other.example.org]:587 someone:their-password\n", { mode: 0o600 });
    expect((await host.exec("postmap /etc/postfix/sasl_passwd")).code).toBe(0);
    const again = await provisionLikeTerraform(host, pollerResource({ auth: undefined, from: "x@example.org" }).resource, {});
    expect(again.code, again.stderr).toBe(0);
    expect(readFileSync(host.path("/etc/postfix/sasl_passwd"), "utf8")).toBe("[other.example.org]:587 someone:their-password\n");
    expect((await host.exec("ls /etc/postfix")).stdout).toMatch(/sasl_passwd\.(db|lmdb)/);
  });

  // A Postfix installed with "No configuration" never ran newaliases; this machine's /etc/aliases.db
  // is real, so the host's alias database is pointed into its private /etc/postfix.
  it("builds an alias database that is missing, so local mail is delivered; one that exists stays as it is", async () => {
    host = await startScratchHost({ name: "aliases" });
    expect((await host.exec("test -S /dev/log")).code, "this test reads maillog_file: it needs a host without syslog").not.toBe(0);
    writeFileSync(host.path("/etc/postfix/aliases"), "postmaster: root\ncentreon-sink: /dev/null\n", { mode: 0o644 });
    writeFileSync(host.path("/etc/postfix/aliases-own"), "ops: root\n", { mode: 0o644 });
    expect((await host.exec("postalias hash:/etc/postfix/aliases-own")).code).toBe(0);
    appendFileSync(host.path("/etc/postfix/aliases-own"), "added-after: root\n");
    const ownDb = readFileSync(host.path("/etc/postfix/aliases-own.db"));
    const maps = "hash:/etc/postfix/aliases, hash:/etc/postfix/aliases-own";
    await host.exec(`postconf -e 'alias_maps = ${maps}' 'alias_database = ${maps}' && touch -d '10 seconds ago' /etc/postfix/main.cf`);

    const run = await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("built the missing alias database /etc/postfix/aliases.db");
    expect(run.stdout).not.toContain("aliases-own.db");
    expect(fileState(host, "/etc/postfix/aliases.db")).toEqual({ uid: 0, gid: 0, mode: "644" });
    expect(readFileSync(host.path("/etc/postfix/aliases-own.db"))).toEqual(ownDb);

    // Local delivery through the alias now succeeds (to /dev/null: /var/mail is this machine's).
    expect((await host.exec("printf 'Subject: local\\n\\nto an alias\\n' | sendmail centreon-sink@localhost")).code).toBe(0);
    const log = await host.exec("for i in $(seq 100); do grep -q 'delivered to file: /dev/null' /var/log/mail.log && break; sleep 0.1; done; cat /var/log/mail.log");
    expect(log.stdout).toMatch(/to=<centreon-sink@localhost>.*status=sent \(delivered to file: \/dev\/null\)/);
    expect(log.stdout).not.toContain("alias database unavailable");

    const again = await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toContain("alias database");
  });

  it("a parameter the fleet stops setting goes back to the host's own value, else to Postfix's default", async () => {
    host = await startScratchHost({ name: "unset" });
    const ownBanner = await postconf(host, "smtpd_banner");
    // A per-service parameter: postconf knows it only with master.cf beside main.cf.
    appendFileSync(host.path("/etc/postfix/main.cf"), "smtp_destination_rate_delay = 2s\n");
    // tls_append_default_CA: a mixed-case name, which the fleet file allows.
    const extras = { maximal_queue_lifetime: "10d", smtpd_banner: "relay", smtp_destination_rate_delay: "5s", tls_append_default_CA: "yes" };
    const withExtras = pollerResource({}, { postfixParameters: extras }).resource;
    expect((await provisionLikeTerraform(host, withExtras, { smtp_password: PASSWORD })).code).toBe(0);
    for (const [name, value] of Object.entries(extras)) expect(await postconf(host, name)).toBe(value);
    const run = await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("maximal_queue_lifetime is no longer set by the fleet: back to Postfix's default");
    expect(run.stdout).toContain(`smtpd_banner is no longer set by the fleet: back to the host's own value (smtpd_banner = ${ownBanner})`);
    expect((await host.exec("postconf -n maximal_queue_lifetime")).stdout).toBe("");
    expect(run.stdout).toContain("tls_append_default_CA is no longer set by the fleet: back to Postfix's default");
    expect((await host.exec("postconf -n tls_append_default_CA")).stdout).toBe("");
    expect(await postconf(host, "smtpd_banner")).toBe(ownBanner);
    expect(await postconf(host, "smtp_destination_rate_delay")).toBe("2s");
    // The managed parameters stay; nothing more is said on the next run.
    expect(await postconf(host, "relayhost")).toBe("[127.0.0.1]:2525");
    const again = await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD });
    expect(again.stdout).not.toContain("no longer set by the fleet");
  });

  // A gateway that requires the authenticated address as sender (Microsoft 365, Gmail) has the host's
  // own map do it: without `from`, the fleet has nothing to say about the sender.
  it("without a gateway `from`, the host's own sender_canonical_maps stays; one an earlier `from` set goes back to it", async () => {
    host = await startScratchHost({ name: "sendermap" });
    const own = "inline:{ root=noc@example.org }";
    appendFileSync(host.path("/etc/postfix/main.cf"), `sender_canonical_maps = ${own}\n`);
    const withoutFrom = pollerResource({ from: undefined }).resource;
    expect((await provisionLikeTerraform(host, withoutFrom, { smtp_password: PASSWORD })).code).toBe(0);
    expect(await postconf(host, "sender_canonical_maps")).toBe(own);
    expect((await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD })).code).toBe(0);
    expect(await postconf(host, "sender_canonical_maps")).toBe("static:centreon@example.org");
    const back = await provisionLikeTerraform(host, withoutFrom, { smtp_password: PASSWORD });
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain(`sender_canonical_maps is no longer set by the fleet: back to the host's own value (sender_canonical_maps = ${own})`);
    expect(await postconf(host, "sender_canonical_maps")).toBe(own);
  });

  it("refuses a master.cf override of a managed SMTP client setting (-o on the smtp service), changing nothing", async () => {
    host = await startScratchHost({ name: "override" });
    expect((await host.exec("postconf -P 'smtp/unix/smtp_tls_security_level=may' 'smtp/unix/smtp_sasl_password_maps=static:fbuser:S3cret-Pw'")).code).toBe(0);
    const mainCf = readFileSync(host.path("/etc/postfix/main.cf"), "utf8");
    const run = await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD });
    expect(run.code).toBe(13);
    expect(run.stderr).toContain(
      "centreon-mail-as-code: poller1: validate failed: master.cf overrides what the fleet sets for the smtp service: smtp/unix/smtp_sasl_password_maps smtp/unix/smtp_tls_security_level. Fix: remove these -o options from the smtp line of /etc/postfix/master.cf",
    );
    expect(run.stdout + run.stderr).not.toContain("S3cret-Pw");
    expect(readFileSync(host.path("/etc/postfix/main.cf"), "utf8")).toBe(mainCf);
  });

  it("on a host that had no main.cf, a parameter the fleet stops setting goes back to Postfix's default", async () => {
    host = await startScratchHost({ name: "unset-fresh", mainCf: "none" });
    const withLifetime = pollerResource({}, { postfixParameters: { maximal_queue_lifetime: "10d" } }).resource;
    for (let i = 0; i < 2; i++) expect((await provisionLikeTerraform(host, withLifetime, { smtp_password: PASSWORD })).code).toBe(0);
    expect(readFileSync(host.path("/etc/postfix/main.cf.before-centreon-mail"), "utf8")).toBe("");
    const run = await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD });
    expect(run.stdout).toContain("maximal_queue_lifetime is no longer set by the fleet: back to Postfix's default");
    expect((await host.exec("postconf -n maximal_queue_lifetime")).stdout).toBe("");
  });

  // A live file that cannot be replaced (immutable here; a failing disk elsewhere) stops the
  // activation after its staged copy, with the new password, was written beside it.
  it("an activation cut short leaves no staged copy of the new credentials in /etc/postfix", async () => {
    host = await startScratchHost({ name: "cutshort" });
    expect((await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD })).code).toBe(0);
    const live = host.path("/etc/postfix/sasl_passwd");
    execFileSync("chattr", ["+i", live]);
    try {
      const run = await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: "Rotated-secret-value" });
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/^centreon-mail-as-code: poller1: reload failed: .*could NOT all be put back/m);
    } finally {
      execFileSync("chattr", ["-i", live]);
    }
    expect((await host.exec("grep -rl Rotated-secret-value /etc/postfix || true")).stdout).toBe("");
  });

  it("waits for another deploy configuring the same host (two fleets sharing a central) before it starts", async () => {
    host = await startScratchHost({ name: "locked" });
    const other = host.exec("mkdir -p /var/lib/centreon-mail-as-code && flock /var/lib/centreon-mail-as-code/relay.lock sleep 3");
    await new Promise((r) => setTimeout(r, 500));
    const started = Date.now();
    const run = await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("another deploy is configuring this host's relay: waiting for it to end (at most 10 minutes)");
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect((await other).code).toBe(0);
    // The Postfix it started does not hold the lock: the next run starts at once.
    const again = await provisionLikeTerraform(host, pollerResource({ port: 2526 }).resource, { smtp_password: PASSWORD });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toContain("waiting for it to end");
  });

  it("a credentials map that is a symbolic link: its target is never written, the map becomes a file of its own", async () => {
    host = await startScratchHost({ name: "linkedmap" });
    const own = "[other.example.org]:587 someone:their-password\n";
    mkdirSync(host.path("/etc/postfix/private-maps"));
    writeFileSync(host.path("/etc/postfix/private-maps/sasl"), own, { mode: 0o640 });
    expect((await host.exec("ln -s /etc/postfix/private-maps/sasl /etc/postfix/sasl_passwd")).code).toBe(0);
    const run = await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD });
    expect(run.code, run.stderr).toBe(0);
    expect(readFileSync(host.path("/etc/postfix/private-maps/sasl"), "utf8")).toBe(own);
    expect(fileState(host, "/etc/postfix/private-maps/sasl").mode).toBe("640");
    expect(lstatSync(host.path("/etc/postfix/sasl_passwd")).isSymbolicLink()).toBe(false);
    expect(fileState(host, "/etc/postfix/sasl_passwd")).toEqual({ uid: 0, gid: 0, mode: "600" });
    const lookup = async (key: string) => (await host!.exec(`postmap -q '${key}' hash:/etc/postfix/sasl_passwd`)).stdout;
    expect(await lookup("[127.0.0.1]:2525")).toBe(`poller:${PASSWORD}\n`);
    expect(await lookup("[other.example.org]:587")).toBe("someone:their-password\n");
  });

  it("a credentials map of the host's own keeps its entries for other next hops, and is kept once as it was, root only", async () => {
    host = await startScratchHost({ name: "ownmap" });
    // Another relay's entry (smtp_fallback_relay, a transport), and an old one for the gateway's key.
    const others = "[other.example.org]:587 someone:their-password\n[third.example.org]:465 app:app-password";
    const own = `${others}\n[127.0.0.1]:2525 old-user:old-password\n`;
    writeFileSync(host.path("/etc/postfix/sasl_passwd"), own, { mode: 0o644 });
    const lookup = async (key: string) => (await host!.exec(`postmap -q '${key}' hash:/etc/postfix/sasl_passwd`)).stdout;
    const first = await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(
      "the host's own /etc/postfix/sasl_passwd gets the gateway's credentials first (its entries for other next hops stay): kept as it was in /etc/postfix/sasl_passwd.before-centreon-mail",
    );
    expect(readFileSync(host.path("/etc/postfix/sasl_passwd.before-centreon-mail"), "utf8")).toBe(own);
    expect(fileState(host, "/etc/postfix/sasl_passwd.before-centreon-mail")).toEqual({ uid: 0, gid: 0, mode: "600" });
    expect(await lookup("[127.0.0.1]:2525")).toBe(`poller:${PASSWORD}\n`);
    expect(await lookup("[other.example.org]:587")).toBe("someone:their-password\n");
    expect(await lookup("[third.example.org]:465")).toBe("app:app-password\n");
    // The map is the project's now: a later run (a new password, a gateway on another port) keeps
    // the saved copy as it was, the other entries, and no line of the gateway's old key.
    const second = await provisionLikeTerraform(host, pollerResource({ port: 2526 }).resource, { smtp_password: `${PASSWORD} 2` });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).not.toContain("gets the gateway's credentials first");
    expect(readFileSync(host.path("/etc/postfix/sasl_passwd.before-centreon-mail"), "utf8")).toBe(own);
    const map = readFileSync(host.path("/etc/postfix/sasl_passwd"), "utf8");
    expect(map.split("\n").slice(1)).toEqual([`[127.0.0.1]:2526 poller:${PASSWORD} 2`, ...others.split("\n"), ""]);
    // Upgraded from a release that kept no other entry: they come back from the saved copy.
    const oldRelease = readFileSync(host.path("/etc/postfix/sasl_passwd"), "utf8").split("\n").slice(0, 2).join("\n");
    writeFileSync(host.path("/etc/postfix/sasl_passwd"), `${oldRelease}\n`, { mode: 0o600 });
    const upgraded = await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: `${PASSWORD} 3` });
    expect(upgraded.code, upgraded.stderr).toBe(0);
    expect(await lookup("[other.example.org]:587")).toBe("someone:their-password\n");
    expect(await lookup("[127.0.0.1]:2525")).toBe(`poller:${PASSWORD} 3\n`);
    // A gateway without a login: the gateway's line goes, the other entries stay, the map the host's again.
    const third = await provisionLikeTerraform(host, singlePoller({ port: 2526, security: "starttls", verifyCertificate: false, auth: undefined }).resource, {});
    expect(third.code, third.stderr).toBe(0);
    expect(readFileSync(host.path("/etc/postfix/sasl_passwd"), "utf8")).toBe(`${others}\n`);
    expect(await lookup("[other.example.org]:587")).toBe("someone:their-password\n");
    expect(fileState(host, "/etc/postfix/sasl_passwd")).toEqual({ uid: 0, gid: 0, mode: "600" });
  });

  describe("a change Postfix's own checks reject leaves the previous configuration, Postfix and the queue alone", () => {
    const cases: [string, () => { resource: any }, Record<string, string>, RegExp][] = [
      [
        "misspelled parameter (postconf warning)",
        () => pollerResource({}, { postfixParameters: { smtp_sasl_auth_enabel: "yes" } }),
        { smtp_password: PASSWORD },
        /unused parameter: smtp_sasl_auth_enabel=yes[\s\S]*^centreon-mail-as-code: poller1: validate failed: postconf reports problems in the new main\.cf/m,
      ],
      [
        "malformed value (postconf warning)",
        () => pollerResource({}, { postfixParameters: { compatibility_level: "not-a-level" } }),
        { smtp_password: PASSWORD },
        /malformed compatibility level syntax[\s\S]*^centreon-mail-as-code: poller1: validate failed: postconf reports problems in the new main\.cf/m,
      ],
      [
        "maillog_file outside the allowed prefixes (postfix check)",
        () => pollerResource({}, { postfixParameters: { maillog_file_prefixes: "/nonexistent" } }),
        { smtp_password: PASSWORD },
        /maillog_file[\s\S]*^centreon-mail-as-code: poller1: validate failed: postfix check rejects the new configuration/m,
      ],
      [
        "a CA file missing on the host",
        () => pollerResource({ verifyCertificate: true, caFile: "/etc/postfix/no-such-ca.pem" }),
        { smtp_password: PASSWORD },
        /^centreon-mail-as-code: poller1: validate failed: the CA file \/etc\/postfix\/no-such-ca\.pem \(smtp_tls_CAfile\) cannot be read on this host\. Fix: install it there/m,
      ],
      [
        "password the map cannot hold (postmap -q)",
        () => pollerResource(),
        { smtp_password: "first line\nsecond line" },
        /^centreon-mail-as-code: poller1: validate failed: the credentials map does not hold the password byte for byte/m,
      ],
    ];

    it("no room even for the script (a full TMPDIR at upload): exit 16 and one line naming the SSH target; nothing changed", async () => {
      host = await startScratchHost({ name: "fullup" });
      const before = liveFiles(host);
      // 8 KiB: less than the script itself.
      expect((await host.exec("mkdir /tmp/full && mount -t tmpfs -o size=8k cmr-full /tmp/full")).code).toBe(0);
      const run = await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD }, { TMPDIR: "/tmp/full" });
      expect(run.stderr.split("\n").filter((l) => l.startsWith("centreon-mail-as-code: "))).toEqual([
        "centreon-mail-as-code: root@192.0.2.21:22: upload failed: the script could not be written in /tmp/full. Fix: free space there (df -h /tmp/full), then deploy again",
      ]);
      expect(run.code).toBe(16);
      expect(liveFiles(host)).toEqual(before);
    });

    it("warnings the live main.cf gives already are the host's own: said, not fatal; a new one still is", async () => {
      host = await startScratchHost({ name: "cruft" });
      // What years of hand edits leave: a parameter of a removed setup, an entry set twice.
      appendFileSync(host.path("/etc/postfix/main.cf"), "virus_scan = yes\nsmtpd_banner = a\nsmtpd_banner = b\n");
      const run = await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD });
      // Every Postfix command on this host warns about them (on stderr), before and after the run.
      expect(run.stderr).not.toContain("centreon-mail-as-code: ");
      expect(run.code).toBe(0);
      const said = run.stdout.split("\n").find((l) => l.includes("left as they are, as the live main.cf has them already: "));
      expect(said).toContain("unused parameter: virus_scan=yes");
      expect(said).toContain("overriding earlier entry: smtpd_banner=a");
      expect(await postconf(host, "relayhost")).toBe("[127.0.0.1]:2525");
      expect(readFileSync(host.path("/etc/postfix/main.cf"), "utf8")).toContain("virus_scan = yes\n");

      const typo = await provisionLikeTerraform(host, pollerResource({}, { postfixParameters: { smtp_sasl_auth_enabel: "yes" } }).resource, { smtp_password: PASSWORD });
      expect(typo.code).toBe(13);
      expect(typo.stderr).toContain("unused parameter: smtp_sasl_auth_enabel=yes");
      expect(typo.stderr).toMatch(/^centreon-mail-as-code: poller1: validate failed: postconf reports problems in the new main\.cf/m);
    });

    it("a failure no check foresaw (a full TMPDIR) exits with its step's code and one line; the live configuration is unchanged", async () => {
      host = await startScratchHost({ name: "full" });
      const before = liveFiles(host);
      // 64 KiB: room for the script (25 KiB), not for the copy of /etc/postfix (over 100 KiB).
      expect((await host.exec("mkdir /tmp/full && mount -t tmpfs -o size=64k cmr-full /tmp/full")).code).toBe(0);
      const run = await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD }, { TMPDIR: "/tmp/full" });
      expect(run.stderr).toMatch(/No space left on device/);
      expect(run.stderr.split("\n").filter((l) => l.startsWith("centreon-mail-as-code: "))).toEqual([
        "centreon-mail-as-code: poller1: configure failed: a command exited with status 1. Fix: read the messages above",
      ]);
      expect(run.code).toBe(12);
      expect(liveFiles(host)).toEqual(before);
      expect((await host.exec("ls -A /tmp/full")).stdout).toBe("");
    });

    it.each(cases)("%s", async (_name, fleet, secrets, message) => {
      host = await startScratchHost({ name: "reject" });
      expect((await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD })).code).toBe(0);
      await queueMessage(host);
      const before = { files: liveFiles(host), queue: await deferredIds(host, 1) };

      const run = await provisionLikeTerraform(host, fleet().resource, secrets);
      expect(run.code).toBe(13);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).toContain("the live configuration is unchanged");
      expect(run.stderr + run.stdout).not.toContain("second line");
      expect(liveFiles(host)).toEqual(before.files);
      expect((await host.exec("postfix status")).code).toBe(0);
      expect(await deferredIds(host, 1)).toEqual(before.queue);
      expect((await host.exec(`ls -A /tmp`)).stdout).toBe("");
    });
  });

  it("when Postfix cannot start on the new configuration, puts the previous files back and exits non-zero", async () => {
    host = await startScratchHost({ name: "nostart" });
    const before = liveFiles(host);
    // Something else holds port 25 in this host: master cannot bind its smtpd listener.
    await host.exec("nohup python3 -c 'import socket,time; s=socket.socket(); s.bind((\"127.0.0.1\",25)); s.listen(); time.sleep(600)' >/dev/null 2>&1 &");
    await host.exec("for i in 1 2 3 4 5 6 7 8 9 10; do ss -ltn | grep -q '127.0.0.1:25 ' && break; sleep 0.2; done");
    const run = await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD });
    expect(run.code).toBe(14);
    expect(run.stderr).toMatch(/^centreon-mail-as-code: poller1: reload failed: Postfix (did not start|is not running after the change); the previous configuration was put back\. Fix: read the mail log \(\/var\/log\/mail\.log\) on this host/m);
    expect(run.stderr).toContain("restoring the previous configuration");
    expect(liveFiles(host)).toEqual(before);
  });

  // A cancelled deploy closes the SSH session: without a pty the script learns it from SIGPIPE at
  // its next message. The script prints two: after detecting the OS, and once the relay is ready.
  it.each([
    ["before its first message", 0],
    ["between its two messages", 1],
  ])("a session closed %s leaves the old or the new configuration and no scratch file", async (_when, bytes) => {
    host = await startScratchHost({ name: "cut" });
    expect((await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD })).code).toBe(0);
    const before = liveFiles(host);
    const changed = pollerResource({ from: "cut@example.org" }).resource;
    await provisionLikeTerraform(host, changed, { smtp_password: PASSWORD }, {}, (script) => `${script} 2>&1 | head -c ${bytes} >/dev/null`);
    expect((await host.exec("ls -A /tmp")).stdout).toBe("");
    expect((await host.exec("postfix status")).code).toBe(0);
    const after = liveFiles(host);
    if (JSON.stringify(after) !== JSON.stringify(before)) {
      expect(readFileSync(host.path("/etc/postfix/main.cf"), "utf8")).toContain("static:cut@example.org");
    }
  });

  // What a closed SSH session also does: sshd sends the session's shell (our bootstrap) SIGHUP.
  it("a SIGHUP to the session's shell removes the script file at once; the script still finishes and cleans up", async () => {
    host = await startScratchHost({ name: "hup" });
    const run = await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD }, {}, (script) =>
      `${script} >/dev/null 2>&1 & pid=$!; sleep 1; kill -HUP $pid && echo hup-sent; wait $pid; echo "exit $?"; ls -A /tmp`,
    );
    expect(run.stdout).toContain("hup-sent\nexit 129\n");
    // What is left right after the shell exits: at most the running script's scratch directory.
    expect(run.stdout.split("\n").slice(2).filter((name) => name && !name.startsWith("centreon-mail-relay."))).toEqual([]);
    // The script's output was not cut here, so it runs to the end and removes its scratch directory.
    let left = "";
    for (let i = 0; i < 600; i++) {
      left = (await host.exec("ls -A /tmp")).stdout;
      if (!left) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(left).toBe("");
    expect(await postconf(host, "relayhost")).toBe("[127.0.0.1]:2525");
  });

  // The install step against real apt and dpkg: the host's own package database and APT sources
  // (copies), a local repository holding one empty package, no network.
  describe("installing missing packages with apt-get", () => {
    const PLUGIN = "cmr-test-check-plugin";
    const withPackage = (name: string) =>
      singlePoller({ port: 2525, security: "starttls", verifyCertificate: false }, {}, {}, (fleet) =>
        fleet.relays[0].addPackages({ debian: [name], rhel: [] }),
      ).resource;

    /** Control stanzas of the empty packages in the local repository. */
    const REPO_PACKAGES = [
      `Package: ${PLUGIN}\nVersion: 1.0\nArchitecture: all\nMaintainer: tests <tests@example.org>\nDescription: empty package for the install test\n`,
      // What the host lacks in the mail server tests below: declared as Debian's postfix is.
      "Package: postfix\nVersion: 0.0~cmr\nArchitecture: all\nMaintainer: tests <tests@example.org>\nProvides: mail-transport-agent\n" +
        "Conflicts: mail-transport-agent\nReplaces: mail-transport-agent\nDescription: empty stand-in for the install test\n",
      "Package: bsd-mailx\nVersion: 0.0~cmr\nArchitecture: all\nMaintainer: tests <tests@example.org>\nDescription: empty stand-in for the install test\n",
    ];
    /** Debian's default mail server, as dpkg records it once installed (no files: nothing of this machine's goes). */
    const mtaStatus = (name: string) =>
      `Package: ${name}\nStatus: install ok installed\nPriority: optional\nSection: mail\nMaintainer: tests <tests@example.org>\n` +
      "Architecture: all\nVersion: 4.96-cmr\nProvides: mail-transport-agent\nConflicts: mail-transport-agent\nReplaces: mail-transport-agent\n" +
      "Description: stand-in for the install test\n";

    /**
     * A host with its own dpkg database and APT sources (copies), a local repository (REPO_PACKAGES),
     * no network. withExim: Postfix and bsd-mailx are not installed there but exim4-daemon-light
     * is, as on a default Debian (its spool in the host's private /var/spool).
     */
    async function aptHost({ withExim = false, mta = "exim4-daemon-light" } = {}): Promise<ScratchHost> {
      const privateDirs = ["/var/lib/dpkg", "/etc/apt", "/var/lib/apt", "/var/cache/apt", "/var/cache/debconf", ...(withExim ? ["/var/spool"] : [])];
      const started = await startScratchHost({ name: "apt", mainCf: "none", privateDirs });
      for (const dir of ["/var/lib/dpkg", "/var/cache/debconf"]) execFileSync("cp", ["-a", `${dir}/.`, started.path(dir)]);
      if (withExim) {
        const status = started.path("/var/lib/dpkg/status");
        const stanzas = readFileSync(status, "utf8").split("\n\n").filter((stanza) => !/^Package: (postfix|bsd-mailx)\n/.test(stanza));
        writeFileSync(status, `${[...stanzas.filter((s) => s.trim()), mtaStatus(mta).trimEnd()].join("\n\n")}\n`);
        writeFileSync(started.path(`/var/lib/dpkg/info/${mta}.list`), "");
      }
      const build = mkdtempSync(join(tmpdir(), "cmr-deb-"));
      const repo = started.path("/var/cache/apt/cmr-repo");
      mkdirSync(repo);
      const index: string[] = [];
      try {
        for (const control of REPO_PACKAGES) {
          const name = /^Package: (.*)$/m.exec(control)![1];
          const version = /^Version: (.*)$/m.exec(control)![1];
          mkdirSync(join(build, name, "DEBIAN"), { recursive: true });
          writeFileSync(join(build, name, "DEBIAN", "control"), control);
          const deb = `${name}_${version}_all.deb`;
          execFileSync("dpkg-deb", ["--root-owner-group", "--build", join(build, name), join(repo, deb)], { stdio: "ignore" });
          const bytes = readFileSync(join(repo, deb));
          index.push(`${control}Filename: ./${deb}\nSize: ${bytes.length}\nSHA256: ${createHash("sha256").update(bytes).digest("hex")}\n`);
        }
      } finally {
        rmSync(build, { recursive: true, force: true });
      }
      writeFileSync(join(repo, "Packages"), `${index.join("\n")}\n`);
      for (const dir of ["/etc/apt/apt.conf.d", "/etc/apt/preferences.d", "/etc/apt/sources.list.d", "/var/lib/apt/lists/partial", "/var/cache/apt/archives/partial", "/var/log/apt"]) {
        mkdirSync(started.path(dir), { recursive: true });
      }
      writeFileSync(started.path("/etc/apt/sources.list"), "deb [trusted=yes] file:/var/cache/apt/cmr-repo ./\n");
      return started;
    }
    const installed = async (name: string) => (await host!.exec(`dpkg-query -W -f='\${Status}' ${name}`)).stdout;

    it("another mail server with queued mail (exim4 on a default Debian): exit 11 naming it and its queue; nothing installed, its queue kept", async () => {
      host = await aptHost({ withExim: true });
      const input = host.path("/var/spool/exim4/input");
      mkdirSync(input, { recursive: true });
      for (const id of ["1tA2bC-000001-AB", "1tA2bD-000002-CD"]) for (const part of ["H", "D"]) writeFileSync(join(input, `${id}-${part}`), "queued alert\n");
      const run = await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD });
      expect(run.code).toBe(11);
      expect(run.stderr.split("\n").filter((l) => l.startsWith("centreon-mail-as-code: "))).toEqual([
        "centreon-mail-as-code: poller1: install failed: installing postfix bsd-mailx would remove exim4-daemon-light, a mail server with 2 message(s) queued in /var/spool/exim4/input, which would then never be delivered. " +
          "Fix: have exim4-daemon-light deliver its queue first (exim4 -qff retries every message, exim4 -bp lists what is left), then deploy again; nothing was installed or changed",
      ]);
      expect(await installed("exim4-daemon-light")).toBe("install ok installed");
      expect(await installed("postfix")).not.toBe("install ok installed");
      expect(readFileSync(join(input, "1tA2bD-000002-CD-D"), "utf8")).toBe("queued alert\n");
      expect(existsSync(host.path("/etc/postfix/main.cf"))).toBe(false);
    });

    it("a mail server whose queue the script cannot check (courier-mta): exit 11 naming it; nothing installed", async () => {
      host = await aptHost({ withExim: true, mta: "courier-mta" });
      const run = await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD });
      expect(run.code).toBe(11);
      expect(run.stderr.split("\n").filter((l) => l.startsWith("centreon-mail-as-code: "))).toEqual([
        "centreon-mail-as-code: poller1: install failed: installing postfix bsd-mailx would remove courier-mta, a mail server whose queue this script cannot check. " +
          "Fix: have courier-mta deliver its queue (or check it has none), remove it yourself, then deploy again; nothing was installed or changed",
      ]);
      expect(await installed("courier-mta")).toBe("install ok installed");
      expect(await installed("postfix")).not.toBe("install ok installed");
    });

    it("another mail server with an empty queue is replaced by Postfix, and the relay is configured", async () => {
      host = await aptHost({ withExim: true });
      mkdirSync(host.path("/var/spool/exim4/input"), { recursive: true });
      const run = await provisionLikeTerraform(host, pollerResource().resource, { smtp_password: PASSWORD });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("apt-get removes, to install postfix bsd-mailx: exim4-daemon-light (no queued mail is lost)");
      expect(await installed("exim4-daemon-light")).not.toBe("install ok installed");
      expect(await installed("postfix")).toBe("install ok installed");
      // The mail program Centreon's stock notification commands pipe into (/bin/mail).
      expect(await installed("bsd-mailx")).toBe("install ok installed");
      expect(await postconf(host, "relayhost")).toBe("[127.0.0.1]:2525");
    });

    it("a failure after Postfix replaced the host's mail server says the host cannot send mail, and how to take it back", async () => {
      host = await aptHost({ withExim: true });
      mkdirSync(host.path("/var/spool/exim4/input"), { recursive: true });
      const misspelled = pollerResource({}, { postfixParameters: { smtp_sasl_auth_enabel: "yes" } }).resource;
      const run = await provisionLikeTerraform(host, misspelled, { smtp_password: PASSWORD });
      expect(run.code).toBe(13);
      const line = run.stderr.split("\n").find((l) => l.startsWith("centreon-mail-as-code: "));
      expect(line).toContain(
        "; installing Postfix removed exim4-daemon-light, so this host cannot send mail until a deploy succeeds (apt-get install exim4-daemon-light takes it back). Fix: ",
      );
    });

    it("waits for the dpkg lock another package manager holds (unattended-upgrades), then installs", async () => {
      host = await aptHost();
      // Held with fcntl, as apt and unattended-upgrades hold it, for 8 s.
      await host.exec(
        `nohup python3 -c 'import fcntl,time; f=open("/var/lib/dpkg/lock-frontend","w"); fcntl.lockf(f, fcntl.LOCK_EX); open("/var/lib/apt/cmr-locked","w").close(); time.sleep(8)' >/dev/null 2>&1 &`,
      );
      const locked = await host.exec("for i in $(seq 50); do [ -e /var/lib/apt/cmr-locked ] && exit 0; sleep 0.1; done; exit 1");
      expect(locked.code).toBe(0);
      const start = Date.now();
      const run = await provisionLikeTerraform(host, withPackage(PLUGIN), { smtp_password: PASSWORD });
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`installing the check plugins: ${PLUGIN}`);
      expect(Date.now() - start).toBeGreaterThan(5_000);
      expect(await installed(PLUGIN)).toBe("install ok installed");
      // Installed in the host's copy only, never on this machine.
      expect(spawnSync("dpkg-query", ["-W", PLUGIN]).status).not.toBe(0);
    });

    it("a check plugin no source has: exit 11, one line naming it as a plugin and where plugins come from; no configuration written", async () => {
      host = await aptHost();
      const run = await provisionLikeTerraform(host, withPackage("cmr-test-no-such-package"), { smtp_password: PASSWORD });
      expect(run.code).toBe(11);
      expect(run.stderr.split("\n").filter((l) => l.startsWith("centreon-mail-as-code: "))).toEqual([
        "centreon-mail-as-code: poller1: install failed: apt-get could not install the check plugins: cmr-test-no-such-package. Fix: add the repository that has them (Centreon's for centreon-plugin-*; on RHEL, EPEL for nagios-plugins-mailq), or set installCheckPlugins: false and install them yourself, then deploy again",
      ]);
      expect(existsSync(host.path("/etc/postfix/main.cf"))).toBe(false);
    });
  });

  it("removes the uploaded script before running, so a failed run leaves no secret on disk", async () => {
    host = await startScratchHost({ name: "cleanup" });
    const run = await provisionLikeTerraform(host, pollerResource({}, { postfixParameters: { compatibility_level: "bad" } }).resource, {
      smtp_password: PASSWORD,
    });
    expect(run.code).toBe(13);
    expect(() => statSync(host!.path(scriptPath(host!)))).toThrow();
    const leftovers = (await host.exec(`grep -rlF ${Buffer.from(PASSWORD).toString("base64").slice(0, 16)} /tmp /etc/postfix /var/lib/postfix || true`)).stdout;
    expect(leftovers).toBe("");
  });
});
