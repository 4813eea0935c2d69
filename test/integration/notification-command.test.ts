// The notification commands, end to end on a poller: the line CLAPI stored (the double), expanded
// and split the way Centreon Engine does it, run on a scratch host whose Postfix the relay script
// configured, delivered through a TLS + AUTH upstream. Hostile plugin outputs ride along.
import { copyFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Testing } from "../../lib/cdktf.js";
import { buildFleet } from "../../lib/fleet/build.js";
import { parseFleet } from "../../lib/fleet/load.js";
import { shellQuote } from "../../lib/render/templates.js";
import { runImport } from "../clapi-double/clapi.js";
import { createState } from "../clapi-double/state.js";
import { baseFleet, withScriptBodies } from "../fixtures/fleets.js";
import { CENTREON_ILLEGAL_OUTPUT_CHARS, expandMacros, splitLikeEngine } from "../support/centreon-engine.js";
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

const CA_IN_HOST = "/etc/postfix/lab-ca.pem";
const PASSWORD = "Relay-Pa55word";
const DISPLAY_NAME = "Équipe Supervision";
const PORTAL = "https://centreon.example.org/centreon";
const MARKER = "/tmp/notification-ran-code";

const LANGUAGES = {
  en: {
    subject: "** ${NOTIFICATIONTYPE}: ${HOSTNAME}/${SERVICEDESC} is ${SERVICESTATE} **",
    body: "Service: ${SERVICEDESC}\nHost: ${HOSTNAME}\nInfo: ${SERVICEOUTPUT}\nDate: ${LONGDATETIME}\n\n${PORTALURL}/monitoring/resources",
  },
  fr: {
    subject: "** ${NOTIFICATIONTYPE} : l'hôte ${HOSTNAME}, service ${SERVICEDESC} est ${SERVICESTATE} **",
    body: "Service : ${SERVICEDESC}\nHôte : ${HOSTNAME}\nInformation : ${SERVICEOUTPUT}\nDate : ${LONGDATETIME}\n\n${PORTALURL}/monitoring/resources",
  },
};

/** One poller relaying to the upstream, the central (CLAPI only matters here), one service command in en and fr. */
function fleetDoc(upstreamPort: number): Record<string, any> {
  const doc = baseFleet();
  doc.engine = "terraform_data";
  doc.central.portalUrl = PORTAL;
  doc.gateways = {
    corporate: {
      host: "127.0.0.1",
      port: upstreamPort,
      security: "starttls",
      verifyCertificate: true,
      caFile: CA_IN_HOST,
      auth: { username: "poller-relay", password: { secret: "smtp_password" } },
      from: "centreon@example.org",
      displayName: DISPLAY_NAME,
      replyTo: "noc@example.org",
    },
  };
  doc.pollers = [{ name: "poller1", address: "192.0.2.21", fqdn: "poller1.example.org", os: "auto", gateway: "corporate" }];
  doc.notificationCommands = [{ name: "notify-service-by-email", kind: "service", languages: LANGUAGES }];
  return doc;
}

/** RFC 2047 encoded words → text (the B encoding this project writes). */
const decodeWords = (header: string) =>
  header.replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=/gi, (_all, b64: string) => Buffer.from(b64, "base64").toString("utf8"));

/** The body as sent: Postfix turns 8bit into quoted-printable for a server without 8BITMIME. */
function bodyText(message: UpstreamMessage): string {
  if (!/quoted-printable/i.test(message.headers["content-transfer-encoding"] ?? "")) return message.body;
  const bytes = message.body.replace(/=\n/g, "").replace(/=([0-9A-F]{2})/gi, (_all, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, "latin1").toString("utf8");
}

describe.skipIf(!requirePrivileged("notification command delivery"))("a notification command, run on a poller as Centreon Engine runs it", () => {
  let host: ScratchHost;
  let upstream: Upstream;
  let storedLines: Record<string, string>;

  beforeAll(async () => {
    const tlsDir = mkdtempSync(join(tmpdir(), "cmr-notify-ca-"));
    const ca = makeTestCa(tlsDir, { ips: ["127.0.0.1"] });
    host = await startScratchHost({ name: "notify", mainCf: "none" });
    copyFileSync(ca.caPath, host.path(CA_IN_HOST));
    upstream = await startUpstream({ host, port: 0, mode: "starttls", users: { "poller-relay": PASSWORD }, tlsDir });

    const doc = fleetDoc(upstream.port);
    const app = Testing.app();
    const fleet = buildFleet(app, parseFleet(stringify(doc)));
    const resources = withScriptBodies(Testing.synth(fleet)).resource.terraform_data;
    const run = await provisionLikeTerraform(host, resources["relay_poller1"], { smtp_password: PASSWORD });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);

    // The lines as CLAPI stores them: the batch through the CLAPI double.
    const state = createState({ adminPassword: "Admin-Pa55word!", pollers: ["poller1"] });
    const imported = runImport(state, fleet.central!.configuration!.batch().text.replaceAll("<secret:smtp_password>", PASSWORD));
    expect(imported.stdout.split("\n").filter((l) => /^Line \d+ : /.test(l))).toEqual([]);
    storedLines = Object.fromEntries(
      state.commands.filter((c) => c.cols.command_name!.startsWith("notify-")).map((c) => [c.cols.command_name!, c.cols.command_line!]),
    );
    expect(Object.keys(storedLines).sort()).toEqual(["notify-service-by-email-en", "notify-service-by-email-fr"]);
  });

  afterAll(async () => {
    await upstream?.stop();
    await host?.stop();
  });

  /** Macro expansion and splitting like the engine, then the program run with that argument vector (no shell) as an unprivileged user. */
  async function notify(command: string, values: Record<string, string>, illegalOutputChars = CENTREON_ILLEGAL_OUTPUT_CHARS) {
    const argv = splitLikeEngine(expandMacros(storedLines[command], values, { illegalOutputChars }));
    return host.exec(`exec setpriv --reuid=65534 --regid=65534 --clear-groups ${argv.map(shellQuote).join(" ")}`);
  }

  const macros = (output: string, contact: string) => ({
    NOTIFICATIONTYPE: "PROBLEM",
    HOSTNAME: "web01",
    SERVICEDESC: "HTTP",
    SERVICESTATE: "CRITICAL",
    SERVICEOUTPUT: output,
    LONGDATETIME: "Sun Nov 22 12:00:00 UTC 2026",
    CONTACTEMAIL: contact,
  });

  it.each([
    ["en", "ops-en@example.org", "** PROBLEM: web01/HTTP is CRITICAL **", ["Service: HTTP", "Host: web01"]],
    ["fr", "ops-fr@example.org", "** PROBLEM : l'hôte web01, service HTTP est CRITICAL **", ["Service : HTTP", "Hôte : web01"]],
  ] as const)("%s: the right subject, body with the portal link, From display name and Reply-To; a hostile output runs nothing", async (language, contact, subject, lines) => {
    const hostile = `CRITICAL - 503 $(touch ${MARKER}) \`touch ${MARKER}\` '; touch ${MARKER}; ' "x" | touch ${MARKER} & x\\`;
    const run = await notify(`notify-service-by-email-${language}`, macros(hostile, contact));
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);

    const received = (await upstream.waitFor((r) => isMessage(r) && r.rcptTo.includes(contact), 20_000)) as UpstreamMessage;
    expect(received.mailFrom).toBe("centreon@example.org");
    expect(received.rcptTo).toEqual([contact]);
    expect(decodeWords(received.subject)).toBe(subject);
    if (language === "fr") expect(received.subject).toMatch(/^=\?UTF-8\?B\?/); // non-ASCII: encoded, not raw
    // The display name survives the relay's sender rewrite; the Reply-To address is kept.
    expect(decodeWords(received.headers.from)).toBe(`${DISPLAY_NAME} <centreon@example.org>`);
    expect(received.headers["reply-to"]).toBe("noc@example.org");
    const body = bodyText(received);
    // Centreon's default illegal_macro_output_chars took ` $ & | ' " out of the output; the rest is text.
    // A final backslash (D:\) escapes the builder's guard space: the line break after it stays one.
    const cleaned = `CRITICAL - 503 (touch ${MARKER}) touch ${MARKER} ; touch ${MARKER};  x  touch ${MARKER}  x`;
    expect(body).toBe(
      [...lines, `${language === "en" ? "Info: " : "Information : "}${cleaned}`, `Date${language === "en" ? "" : " "}: Sun Nov 22 12:00:00 UTC 2026`, "", `${PORTAL}/monitoring/resources`, ""].join("\n"),
    );
    expect((await host.exec(`test -e ${MARKER}`)).code).toBe(1);
  });

  it("with illegal_macro_output_chars emptied, quotes and $(...) in the output still run nothing: they are text in the body", async () => {
    const contact = "ops-raw@example.org";
    const hostile = `503 "$(touch ${MARKER})" '\`touch ${MARKER}\`' ; touch ${MARKER}`;
    const run = await notify("notify-service-by-email-en", macros(hostile, contact), "");
    expect(run.code).toBe(0);
    const received = (await upstream.waitFor((r) => isMessage(r) && r.rcptTo.includes(contact), 20_000)) as UpstreamMessage;
    expect(received.headers["reply-to"]).toBe("noc@example.org");
    // The engine's splitter took the (balanced) single quotes as quoting; everything else arrived as text.
    expect(bodyText(received)).toContain(`Info: 503 "$(touch ${MARKER})" \`touch ${MARKER}\` ; touch ${MARKER}\n`);
    expect((await host.exec(`test -e ${MARKER}`)).code).toBe(1);
  });
});
