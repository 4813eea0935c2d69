// A real relay proof: Postfix configured by the provisioning script relays through an upstream
// that REQUIRES TLS and AUTH (npm smtp-server, certificate from a CA made here).
import { mkdtempSync, copyFileSync } from "node:fs";
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

const GOOD_PASSWORD = "Correct horse: battery 'staple' $1 `x` é";
const CA_IN_HOST = "/etc/postfix/lab-ca.pem";

function relayResource(port: number, security: "starttls" | "tls", gateway: Record<string, unknown> = {}) {
  // An IP address with verifyCertificate: level verify, the chain checked against caFile and the
  // name against the address (the lab certificate carries 127.0.0.1 unless a test says otherwise).
  const fleet = singlePoller({ port, security, verifyCertificate: true, caFile: CA_IN_HOST, ...gateway, auth: { username: "poller-relay", password: { secret: "smtp_password" } } });
  return fleet.resource;
}

async function send(host: ScratchHost, subject: string): Promise<void> {
  const message = `From: Nagios <nagios@poller1>\nTo: ops@example.org\nSubject: ${subject}\n\n** PROBLEM Service Alert: web/HTTP is CRITICAL **\n`;
  const run = await host.exec("sendmail -f nagios ops@example.org", { input: message });
  expect(run.code).toBe(0);
}

/** The queue as postqueue -j shows it: one entry per message, with its first recipient's delay reason. */
async function queue(host: ScratchHost): Promise<{ queue_name: string; delay_reason: string }[]> {
  const out = (await host.exec("postqueue -j")).stdout.trim();
  return out
    ? out.split("\n").map((line) => {
        const m = JSON.parse(line);
        return { queue_name: m.queue_name, delay_reason: m.recipients[0]?.delay_reason ?? "" };
      })
    : [];
}

async function eventually<T>(probe: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.skipIf(!requirePrivileged("Postfix relay proof"))("a relay configured by the script delivers through a TLS + AUTH upstream", () => {
  let host: ScratchHost | undefined;
  let upstream: Upstream | undefined;
  afterEach(async () => {
    await upstream?.stop();
    await host?.stop();
    host = upstream = undefined;
  });

  async function lab(mode: "starttls" | "implicit-tls", password: string) {
    const tlsDir = mkdtempSync(join(tmpdir(), "cmr-ca-"));
    const ca = makeTestCa(tlsDir, { ips: ["127.0.0.1"] });
    host = await startScratchHost({ name: `relay-${mode}`, mainCf: "none" });
    copyFileSync(ca.caPath, host.path(CA_IN_HOST));
    upstream = await startUpstream({ host, port: 0, mode, users: { "poller-relay": password }, tlsDir });
    return { host, upstream };
  }

  it.each([
    ["starttls", "starttls"],
    ["implicit-tls", "tls"],
  ] as const)("%s: authenticated, over TLS, EHLO = fqdn, sender rewritten", async (mode, security) => {
    const { host, upstream } = await lab(mode, GOOD_PASSWORD);
    const run = await provisionLikeTerraform(host, relayResource(upstream.port, security), { smtp_password: GOOD_PASSWORD });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);

    await send(host, `relay proof ${mode}`);
    const received = (await upstream.waitFor((r) => isMessage(r) && r.subject === `relay proof ${mode}`, 20_000)) as UpstreamMessage;
    expect(received.user).toBe("poller-relay");
    expect(received.secure).toBe(true);
    expect(received.tlsProtocol).toMatch(/^TLSv1\.[23]$/);
    expect(received.ehlo).toBe("poller1.example.org");
    expect(received.mailFrom).toBe("centreon@example.org");
    expect(received.rcptTo).toEqual(["ops@example.org"]);
    expect(received.headers.from).toContain("centreon@example.org");
    await eventually(() => queue(host), (q) => q.length === 0, "an empty queue");
  });

  it("with a wrong password the message stays deferred (never bounced) and leaves once the password is fixed", async () => {
    const { host, upstream } = await lab("starttls", GOOD_PASSWORD);
    const resource = relayResource(upstream.port, "starttls");
    expect((await provisionLikeTerraform(host, resource, { smtp_password: "wrong password" })).code).toBe(0);

    await send(host, "held by a wrong password");
    const [deferred] = await eventually(
      () => queue(host),
      (q) => q.length === 1 && q[0].queue_name === "deferred" && /authentication failed/i.test(q[0].delay_reason),
      "the message deferred with an authentication failure",
    );
    expect(deferred.delay_reason).toMatch(/535/);
    expect(upstream.records().filter(isMessage)).toEqual([]);
    expect(upstream.records()).toContainEqual({ event: "auth-failed", user: "poller-relay" });
    // No bounce: nothing was returned to the sender, the one message is still there.
    expect((await host.exec("grep -c 'status=bounced' /var/log/mail.log || true")).stdout.trim()).toBe("0");

    const fixed = await provisionLikeTerraform(host, resource, { smtp_password: GOOD_PASSWORD });
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain("queued mail present: asking Postfix to retry it now");
    const received = (await upstream.waitFor((r) => isMessage(r) && r.subject === "held by a wrong password", 20_000)) as UpstreamMessage;
    expect(received.user).toBe("poller-relay");
    await eventually(() => queue(host), (q) => q.length === 0, "an empty queue");
  });

  it("verifyCertificate true defers mail to a gateway the CA does not vouch for; false delivers it encrypted", async () => {
    const { host, upstream } = await lab("starttls", GOOD_PASSWORD);
    const otherCa = makeTestCa(mkdtempSync(join(tmpdir(), "cmr-other-ca-")));
    copyFileSync(otherCa.caPath, host.path("/etc/postfix/other-ca.pem"));
    const untrusted = relayResource(upstream.port, "starttls", { caFile: "/etc/postfix/other-ca.pem" });
    expect((await provisionLikeTerraform(host, untrusted, { smtp_password: GOOD_PASSWORD })).code).toBe(0);
    await send(host, "unverified gateway");
    await eventually(
      () => queue(host),
      (q) => q.length === 1 && /certificate not verified/i.test(q[0].delay_reason),
      "the message deferred because the certificate is not verified",
    );
    expect(upstream.records().filter(isMessage)).toEqual([]);

    const unverified = relayResource(upstream.port, "starttls", { caFile: "/etc/postfix/other-ca.pem", verifyCertificate: false });
    expect((await provisionLikeTerraform(host, unverified, { smtp_password: GOOD_PASSWORD })).code).toBe(0);
    const received = (await upstream.waitFor((r) => isMessage(r) && r.subject === "unverified gateway", 20_000)) as UpstreamMessage;
    expect(received.secure).toBe(true);
  });

  it("a gateway reached by IP whose certificate names it by DNS only: deferred at level verify and under a wrong certificateName, delivered under its own", async () => {
    const tlsDir = mkdtempSync(join(tmpdir(), "cmr-ca-"));
    const ca = makeTestCa(tlsDir, { dns: ["smtp.lab.test"], ips: [] });
    host = await startScratchHost({ name: "relay-certname", mainCf: "none" });
    copyFileSync(ca.caPath, host.path(CA_IN_HOST));
    upstream = await startUpstream({ host, port: 0, mode: "starttls", users: { "poller-relay": GOOD_PASSWORD }, tlsDir });
    const notVerified = (count: number) => (q: { queue_name: string; delay_reason: string }[]) =>
      q.length === count && q.every((m) => m.queue_name === "deferred" && /certificate not verified/i.test(m.delay_reason));

    // By address alone (level verify): the name is checked against 127.0.0.1, which the certificate does not carry.
    expect((await provisionLikeTerraform(host, relayResource(upstream.port, "starttls"), { smtp_password: GOOD_PASSWORD })).code).toBe(0);
    await send(host, "by address");
    await eventually(() => queue(host!), notVerified(1), "the message deferred: the certificate does not carry the address");

    // Another name than the certificate's: the name is really checked, not only the chain.
    const wrong = relayResource(upstream.port, "starttls", { certificateName: "other.lab.test" });
    expect((await provisionLikeTerraform(host, wrong, { smtp_password: GOOD_PASSWORD })).code).toBe(0);
    await send(host, "under a wrong name");
    await eventually(() => queue(host!), notVerified(2), "both messages deferred: the certificate is not other.lab.test's");
    expect(upstream.records().filter(isMessage)).toEqual([]);

    const named = await provisionLikeTerraform(host, relayResource(upstream.port, "starttls", { certificateName: "smtp.lab.test" }), { smtp_password: GOOD_PASSWORD });
    expect(named.code).toBe(0);
    expect((await host.exec("postconf -h smtp_tls_security_level smtp_tls_secure_cert_match")).stdout.trim().split("\n")).toEqual(["secure", "smtp.lab.test"]);
    for (const subject of ["by address", "under a wrong name"]) {
      const received = (await upstream.waitFor((r) => isMessage(r) && r.subject === subject, 30_000)) as UpstreamMessage;
      expect(received.secure).toBe(true);
      expect(received.user).toBe("poller-relay");
    }
    await eventually(() => queue(host!), (q) => q.length === 0, "an empty queue");
  });

  it("a disabled gateway holds mail in the queue; enabling it again releases the mail", async () => {
    const { host, upstream } = await lab("starttls", GOOD_PASSWORD);
    const disabled = relayResource(upstream.port, "starttls", { enabled: false });
    const held = await provisionLikeTerraform(host, disabled, { smtp_password: GOOD_PASSWORD });
    expect(held.code).toBe(0);
    expect(held.stdout).toContain("gateway disabled: outgoing mail is held in the queue");
    await send(host, "held while disabled");
    await eventually(
      () => queue(host),
      (q) => q.length === 1 && q[0].queue_name === "deferred" && /deferred transport/.test(q[0].delay_reason),
      "the message held as a deferred transport",
    );
    expect(upstream.records()).toEqual([]);

    const enabled = await provisionLikeTerraform(host, relayResource(upstream.port, "starttls"), { smtp_password: GOOD_PASSWORD });
    expect(enabled.code).toBe(0);
    await upstream.waitFor((r) => isMessage(r) && r.subject === "held while disabled", 20_000);
    await eventually(() => queue(host), (q) => q.length === 0, "an empty queue");
  });
});
