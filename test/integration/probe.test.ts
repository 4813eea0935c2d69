// The rollout probe against REAL Postfix: after its reload, the relay script sends a probe through
// an upstream requiring STARTTLS + AUTH and reads Postfix's own verdict (status=sent / deferred)
// from the host's mail log. A failed probe fails the host with the gateway's reason and one line
// saying what to do, and leaves the queue exactly as it was (the probe removed, other mail kept).
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { singlePoller } from "../fixtures/fleets.js";
import {
  isMessage,
  makeTestCa,
  provisionLikeTerraform,
  requirePrivileged,
  startScratchHost,
  startUpstream,
  type ScratchHost,
  type Upstream,
  type UpstreamMessage,
} from "../support/index.js";

const PASSWORD = "Probe relay pass 'q' $x ;|&";
const CA_IN_HOST = "/etc/postfix/lab-ca.pem";
const RECIPIENT = "mail-probe@example.org";

const probedRelay = (port: number, timeoutSeconds = 20, gateway: Record<string, unknown> = {}) =>
  singlePoller(
    { port, security: "starttls", verifyCertificate: true, caFile: CA_IN_HOST, auth: { username: "poller-relay", password: { secret: "smtp_password" } }, ...gateway },
    {},
    { rollout: { probe: { recipient: RECIPIENT, timeoutSeconds } } },
  ).resource;

/** Queue IDs and first delay reasons, as postqueue -j shows them. */
async function queue(host: ScratchHost): Promise<{ id: string; reason: string }[]> {
  const out = (await host.exec("postqueue -j")).stdout.trim();
  return out ? out.split("\n").map((l) => JSON.parse(l)).map((m) => ({ id: m.queue_id, reason: m.recipients[0]?.delay_reason ?? "" })) : [];
}

/** Something listens on the gateway's port (the upstream paused) and never answers: Postfix waits for a greeting. */
async function silentGateway(host: ScratchHost, port: number): Promise<void> {
  await host.exec(
    `nohup python3 -c 'import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1",${port})); s.listen(); c=[s.accept() for _ in range(5)]; time.sleep(600)' >/dev/null 2>&1 &`,
  );
  await host.exec(`for i in 1 2 3 4 5 6 7 8 9 10; do ss -ltn | grep -q '127.0.0.1:${port} ' && break; sleep 0.2; done`);
}

/** The one line the script promises for a failure, and nothing else shaped like it. */
const failureLines = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("centreon-mail-as-code: "));

describe.skipIf(!requirePrivileged("relay probe integration"))("the relay script's probe, on a real Postfix", () => {
  let host: ScratchHost | undefined;
  let upstream: Upstream | undefined;
  afterEach(async () => {
    await upstream?.stop();
    await host?.stop();
    host = upstream = undefined;
  });

  async function start(password: string, mainCf: "none" | "debian-default" = "none") {
    const tlsDir = mkdtempSync(join(tmpdir(), "cmr-ca-"));
    const ca = makeTestCa(tlsDir, { ips: ["127.0.0.1"] });
    host = await startScratchHost({ name: "probe", mainCf });
    copyFileSync(ca.caPath, host.path(CA_IN_HOST));
    upstream = await startUpstream({ host, port: 0, mode: "starttls", users: { "poller-relay": password }, tlsDir });
    return { host, upstream, tlsDir };
  }

  it("a working relay: the probe reaches the gateway authenticated, the host succeeds, the queue is empty", async () => {
    const { host, upstream } = await start(PASSWORD);
    const run = await provisionLikeTerraform(host, probedRelay(upstream.port), { smtp_password: PASSWORD });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/centreon-mail-relay\[poller1\] probe sent to the gateway \(queue id [0-9A-F]+\): \(250 /);
    const probe = (await upstream.waitFor((r) => isMessage(r) && r.subject === "centreon-mail-as-code probe from poller1")) as UpstreamMessage;
    expect(probe).toMatchObject({ user: "poller-relay", secure: true, rcptTo: [RECIPIENT], ehlo: "poller1.example.org", mailFrom: "centreon@example.org" });
    expect(probe.headers["message-id"]).toMatch(/^<centreon-mail-probe\.\d{14}\.\d+\.[0-9a-f]{12}@poller1\.example\.org>$/);
    expect(await queue(host)).toEqual([]);
  });

  it("a probe Postfix delivers on the host itself (here transport_maps discards its domain): exit 15, not a gateway proven", async () => {
    const { host, upstream } = await start(PASSWORD);
    const discarding = singlePoller(
      { port: upstream.port, security: "starttls", verifyCertificate: true, caFile: CA_IN_HOST, auth: { username: "poller-relay", password: { secret: "smtp_password" } } },
      { postfixParameters: { transport_maps: "inline:{ example.org=discard: }" } },
      { rollout: { probe: { recipient: RECIPIENT, timeoutSeconds: 20 } } },
    ).resource;
    const run = await provisionLikeTerraform(host, discarding, { smtp_password: PASSWORD });
    expect(run.code).toBe(15);
    expect(failureLines(run.stderr)).toEqual([
      `centreon-mail-as-code: poller1: probe failed: the probe to ${RECIPIENT} was delivered by none on this host, not through [127.0.0.1]:${upstream.port}; the previous configuration was put back. Fix: choose a rollout.probe.recipient in a domain this host does not deliver itself (postconf mydestination virtual_alias_domains transport_maps), or correct those parameters, then deploy again`,
    ]);
    expect(upstream.records().filter(isMessage)).toEqual([]);
  });

  it("a probe another SMTP server takes (here transport_maps sends its domain elsewhere): exit 15 naming that server, not a gateway proven", async () => {
    const { host, upstream, tlsDir } = await start(PASSWORD);
    // Another server on the host's loopback that takes mail without a password, as an internal MTA would.
    const elsewhere = await startUpstream({ host, port: 0, mode: "starttls", users: {}, authOptional: true, tlsDir });
    try {
      const diverted = singlePoller(
        { port: upstream.port, security: "starttls", verifyCertificate: true, caFile: CA_IN_HOST, auth: { username: "poller-relay", password: { secret: "smtp_password" } } },
        { postfixParameters: { transport_maps: `inline:{ example.org=smtp:[127.0.0.1]:${elsewhere.port} }` } },
        { rollout: { probe: { recipient: RECIPIENT, timeoutSeconds: 20 } } },
      ).resource;
      const run = await provisionLikeTerraform(host, diverted, { smtp_password: PASSWORD });
      expect(run.code).toBe(15);
      expect(failureLines(run.stderr)).toEqual([
        `centreon-mail-as-code: poller1: probe failed: the probe to ${RECIPIENT} was sent through 127.0.0.1[127.0.0.1]:${elsewhere.port}, not through [127.0.0.1]:${upstream.port}; the previous configuration was put back. Fix: make the probe's domain go through the gateway (postconf transport_maps smtp_fallback_relay: a fallback relay takes mail the gateway refused), or choose another rollout.probe.recipient, then deploy again`,
      ]);
      expect(elsewhere.records().filter(isMessage).map((m) => m.subject)).toEqual(["centreon-mail-as-code probe from poller1"]);
      expect(upstream.records().filter(isMessage)).toEqual([]);
    } finally {
      await elsewhere.stop();
    }
  });

  // smtp_cname_overrides_servername = yes: Postfix logs the name a CNAME led to, not the relayhost's.
  // Stood for here by a second address of the same gateway: same port, another name in the log.
  it("a gateway logged under another name when the host logs CNAME targets: the same port is enough", async () => {
    const tlsDir = mkdtempSync(join(tmpdir(), "cmr-ca-"));
    const ca = makeTestCa(tlsDir, { ips: ["127.0.0.1", "127.0.0.2"] });
    host = await startScratchHost({ name: "probe" });
    copyFileSync(ca.caPath, host.path(CA_IN_HOST));
    upstream = await startUpstream({ host, port: 0, listen: "0.0.0.0", mode: "starttls", users: {}, authOptional: true, tlsDir });
    const aliased = (overrides: string) =>
      singlePoller(
        { port: upstream!.port, security: "starttls", verifyCertificate: true, caFile: CA_IN_HOST },
        { postfixParameters: { transport_maps: `inline:{ example.org=smtp:[127.0.0.2]:${upstream!.port} }`, smtp_cname_overrides_servername: overrides } },
        { rollout: { probe: { recipient: RECIPIENT, timeoutSeconds: 20 } } },
      ).resource;
    const strict = await provisionLikeTerraform(host, aliased("no"), { smtp_password: PASSWORD });
    expect(strict.code).toBe(15);
    expect(failureLines(strict.stderr)[0]).toContain(`was sent through 127.0.0.2[127.0.0.2]:${upstream.port}, not through [127.0.0.1]:${upstream.port}`);
    const run = await provisionLikeTerraform(host, aliased("yes"), { smtp_password: PASSWORD });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("probe sent to the gateway");
  });

  it("a wrong password: exit 15, one line naming the host, the step, the gateway's 535 and the secret to fix; only the probe leaves the queue", async () => {
    const { host, upstream } = await start("the gateway's real password");
    // An alert queued before the deploy, with the gateway down: it must survive the failed probe.
    await upstream.pause();
    const first = await provisionLikeTerraform(host, singlePoller({ port: upstream.port, security: "starttls", caFile: CA_IN_HOST, auth: { username: "poller-relay", password: { secret: "smtp_password" } } }).resource, { smtp_password: PASSWORD });
    expect(first.code).toBe(0);
    expect((await host.exec("sendmail -f nagios ops@example.org", { input: "Subject: alert\n\nkeep me\n" })).code).toBe(0);
    for (let i = 0; i < 40 && (await queue(host)).every((m) => !m.reason); i++) await new Promise((r) => setTimeout(r, 250));
    const alert = await queue(host);
    expect(alert).toHaveLength(1);
    await upstream.resume();
    const mainCf = readFileSync(host.path("/etc/postfix/main.cf"), "utf8");
    const senderMapBefore = (await host.exec("postconf -h sender_canonical_maps")).stdout.trim();
    expect(senderMapBefore).not.toBe("static:noc@example.org");

    // The change also sets a sender address: the failed probe must take it back.
    const run = await provisionLikeTerraform(host, probedRelay(upstream.port, 20, { from: "noc@example.org" }), { smtp_password: PASSWORD });
    expect(run.code).toBe(15);
    expect(readFileSync(host.path("/etc/postfix/main.cf"), "utf8")).toBe(mainCf);
    expect((await host.exec("postconf -h sender_canonical_maps")).stdout.trim()).toBe(senderMapBefore);
    expect((await host.exec("postfix status")).code).toBe(0);
    const lines = failureLines(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^centreon-mail-as-code: poller1: probe failed: the probe was deferred \(SASL authentication failed; server 127\.0\.0\.1\[127\.0\.0\.1\] said: 535 [^)]*\); the probe was removed from the queue; the previous configuration was put back\. Fix: the gateway refused the login of poller-relay: set TF_VAR_smtp_password to its password on \[127\.0\.0\.1\]:\d+ \(or correct auth\.username\), then deploy again$/,
    );
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
    // The alert is still queued (retried later with the right password); the probe is gone.
    expect((await queue(host)).map((m) => m.id)).toEqual(alert.map((m) => m.id));
  });

  // The change restarted Postfix (inet_interfaces all -> loopback-only): the rollback must restart
  // it too, or it keeps listening as the change left it, whatever main.cf says.
  it("a failed probe after a restart: Postfix listens again as the previous main.cf says", async () => {
    const { host, upstream } = await start("the gateway's real password", "debian-default");
    expect((await host.exec("postconf -h inet_interfaces")).stdout.trim()).toBe("all");
    expect((await host.exec("postfix start")).code).toBe(0);
    const run = await provisionLikeTerraform(host, probedRelay(upstream.port), { smtp_password: PASSWORD });
    expect(run.code).toBe(15);
    expect(run.stdout).toContain("restarting Postfix (inet_interfaces: all -> loopback-only)");
    expect((await host.exec("postconf -h inet_interfaces")).stdout.trim()).toBe("all");
    const listening = (await host.exec("ss -ltnH")).stdout;
    expect(listening).toMatch(/ 0\.0\.0\.0:25 /);
  });

  it("the gateway unreachable: exit 15 with the connection error and the reachability fix; the queue is left empty", async () => {
    const { host, upstream } = await start(PASSWORD);
    await upstream.pause();
    const run = await provisionLikeTerraform(host, probedRelay(upstream.port, 10), { smtp_password: PASSWORD });
    expect(run.code).toBe(15);
    const lines = failureLines(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^centreon-mail-as-code: poller1: probe failed: .*Connection refused.*\. Fix: this host cannot reach \[127\.0\.0\.1\]:\d+: check that the gateway is up/);
    expect(await queue(host)).toEqual([]);
    // A first deploy on a host installed with "No configuration": back to no main.cf, Postfix stopped.
    expect(existsSync(host.path("/etc/postfix/main.cf"))).toBe(false);
    // Stopped for real: without a main.cf, `postfix status` fails whether or not master runs.
    expect((await host.exec("ss -ltnH")).stdout).not.toMatch(/:25 /);
    const masterPid = (await host.exec("cat /var/spool/postfix/pid/master.pid 2>/dev/null || true")).stdout.trim();
    // Gone, or exited and not yet reaped (a zombie: nothing in the scratch host's namespaces reaps it).
    const masterState = masterPid ? (await host.exec(`ps -o stat= -p ${masterPid} || true`)).stdout.trim() : "";
    expect(masterState === "" || masterState.startsWith("Z"), `master ${masterPid}: ${masterState}`).toBe(true);
  });

  it("a gateway that accepts the connection and never answers: exit 15 after the timeout, the reachability fix; the probe is removed", async () => {
    const { host, upstream } = await start(PASSWORD);
    await upstream.pause();
    await silentGateway(host, upstream.port);
    const run = await provisionLikeTerraform(host, probedRelay(upstream.port, 5), { smtp_password: PASSWORD });
    expect(run.code).toBe(15);
    const lines = failureLines(run.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^centreon-mail-as-code: poller1: probe failed: no delivery of the probe within 5 s; the probe was removed from the queue; the previous configuration was put back\. Fix: this host cannot reach \[127\.0\.0\.1\]:\d+: check that the gateway is up/,
    );
    for (let i = 0; i < 20 && (await queue(host)).length > 0; i++) await new Promise((r) => setTimeout(r, 250));
    expect(await queue(host)).toEqual([]);
  });

  // A backlog retried before the probe could get the probe throttled by the gateway: the held mail
  // is flushed only once the probe was delivered.
  it("mail held while the gateway was disabled is released after the probe, not before it", async () => {
    const { host, upstream } = await start(PASSWORD);
    const held = await provisionLikeTerraform(host, probedRelay(upstream.port, 20, { enabled: false }), { smtp_password: PASSWORD });
    expect(held.code).toBe(0);
    for (const n of [1, 2, 3]) expect((await host.exec("sendmail -f nagios ops@example.org", { input: `Subject: held ${n}\n\nalert\n` })).code).toBe(0);
    for (let i = 0; i < 40 && (await queue(host)).filter((m) => /deferred transport/.test(m.reason)).length < 3; i++) await new Promise((r) => setTimeout(r, 250));
    expect((await queue(host)).map((m) => m.reason)).toEqual(Array(3).fill(expect.stringMatching(/deferred transport/)));

    const run = await provisionLikeTerraform(host, probedRelay(upstream.port), { smtp_password: PASSWORD });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("queued mail present: asking Postfix to retry it now");
    for (const n of [1, 2, 3]) await upstream.waitFor((r) => isMessage(r) && r.subject === `held ${n}`, 20_000);
    const subjects = upstream.records().filter(isMessage).map((m) => m.subject);
    expect(subjects[0]).toBe("centreon-mail-as-code probe from poller1");
    expect(subjects.slice(1).sort()).toEqual(["held 1", "held 2", "held 3"]);
  });

  // /etc/postfix turns read-only (a failing disk) while the probe waits: the rollback cannot put the
  // previous files back, so it must keep them and say where, not delete them with its scratch copy.
  it("a rollback that cannot put the previous files back keeps them and names the directory", async () => {
    const { host, upstream } = await start(PASSWORD, "debian-default");
    const mainCfBefore = readFileSync(host.path("/etc/postfix/main.cf"), "utf8");
    await upstream.pause();
    await silentGateway(host, upstream.port);
    const running = provisionLikeTerraform(host, probedRelay(upstream.port, 8), { smtp_password: PASSWORD });
    // The probe is queued once the new configuration is live: only then does the disk fail.
    for (let i = 0; i < 100 && (await queue(host)).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await queue(host)).toHaveLength(1);
    expect((await host.exec("mount -o remount,ro,bind /etc/postfix")).code).toBe(0);
    const run = await running.finally(() => host.exec("mount -o remount,rw,bind /etc/postfix"));
    expect(run.code).toBe(15);
    const lines = failureLines(run.stderr);
    expect(lines).toHaveLength(1);
    const kept = /; the previous configuration could NOT all be put back: its files are kept in (\/tmp\/centreon-mail-relay\.\w+\/backup)\. Fix: copy the files in \1 to \/etc\/postfix, run 'postfix reload', delete that directory \(it holds the credentials map\), then this host cannot reach /.exec(lines[0]);
    expect(kept, lines[0]).not.toBeNull();
    expect(readFileSync(host.path(`${kept![1]}/main.cf`), "utf8")).toBe(mainCfBefore);
    // Only the backup is kept: the staged configuration (with the credentials map) is gone.
    expect((await host.exec(`ls -A ${kept![1]}/..`)).stdout.trim()).toBe("backup");
  });
});
