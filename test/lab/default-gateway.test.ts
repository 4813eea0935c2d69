// End to end: the fleet's defaultGateway is what hosts without a gateway of their own really relay
// through, a poller's own gateway wins, and changing the default re-provisions exactly the hosts
// the review says change (and no other).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { diffReviews } from "../../lib/review/diff.js";
import type { ReviewModel } from "../../lib/review/model.js";
import { isMessage, requirePrivileged, type UpstreamMessage } from "../support/index.js";
import { LAB_SECRETS, LAB_USERS, labFleet, secretEnv, synthLab } from "./fleet.js";
import { startLab, type Lab, type LabHost } from "./lab.js";

const privileged = requirePrivileged("default gateway lab (network namespaces, sshd, Postfix, terraform)");

describe.skipIf(!privileged)("the lab: defaultGateway inherited by the hosts without their own", () => {
  let lab: Lab;
  let doc: Record<string, any>;
  let sent = 0;

  const hosts = () => [...lab.pollers, lab.central];
  const connections = () => Object.fromEntries(hosts().map((h) => [h.name, h.connections()]));
  const reviewModelNow = (): ReviewModel => JSON.parse(readFileSync(join(lab.dir, "cdktf.out", "review", "lab", "review.json"), "utf8"));
  const apply = () => {
    const stackDir = synthLab(lab, doc);
    const result = lab.terraform(stackDir, ["apply", "-auto-approve", "-input=false", "-no-color"], secretEnv(LAB_SECRETS));
    if (result.code !== 0) throw new Error(`terraform apply failed:\n${result.output.slice(-4000)}`);
  };
  /** The SASL user the gateway saw for a message sent on `host`. */
  const relayUser = async (host: LabHost) => {
    const subject = `default gateway ${++sent} from ${host.name}`;
    const r = await host.scratch.exec("sendmail -f nagios ops@example.org", { input: `Subject: ${subject}\nFrom: nagios\n\nbody\n` });
    expect(r.code).toBe(0);
    const message = (await lab.gateway.upstream.waitFor((m) => isMessage(m) && m.subject === subject, 30_000)) as UpstreamMessage;
    return message.user;
  };

  beforeAll(async () => {
    lab = await startLab({ pollers: ["poller-1", "poller-2"], users: LAB_USERS, clapiAdminPassword: LAB_SECRETS.centreon_admin_password });
    // Relays only: the Centreon objects are the e2e lab's concern.
    const { contactGroups: _g, contacts: _c, smtpChecks: _s, queueChecks: _q, ...relays } = labFleet(lab);
    doc = { ...relays, defaultGateway: "backup" };
    delete doc.pollers[0].gateway;
    doc.pollers[1].gateway = "corporate";
    delete doc.central.gateway;
    delete doc.central.clapi;
    const init = lab.terraform(synthLab(lab, doc), ["init", "-input=false", "-no-color"]);
    if (init.code !== 0) throw new Error(`terraform init failed:\n${init.output}`);
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it("relays poller-1 and the central through the default, poller-2 through its own gateway", async () => {
    apply();
    expect(await relayUser(lab.pollers[0])).toBe("relay-backup");
    expect(await relayUser(lab.pollers[1])).toBe("relay-corporate");
    expect(await relayUser(lab.central)).toBe("relay-backup");
  });

  it("a new default re-provisions exactly the inheriting hosts, the ones the review names", async () => {
    const before = reviewModelNow();
    const connected = connections();
    doc.defaultGateway = "corporate";
    apply();
    const reprovisioned = hosts().filter((h) => h.connections() > connected[h.name]).map((h) => h.name);
    expect(reprovisioned).toEqual(["poller-1", "central"]);
    const diff = diffReviews(before, reviewModelNow());
    expect(diff.hosts.map((h) => h.name)).toEqual(["poller-1", "Central"]);
    expect(diff.hosts[0].settings.find((s) => s.name === "gateway")).toMatchObject({ before: { value: "backup (default)" }, after: { value: "corporate (default)" } });
    expect(await relayUser(lab.pollers[0])).toBe("relay-corporate");
    expect(await relayUser(lab.central)).toBe("relay-corporate");
  });
});
