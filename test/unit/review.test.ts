// The review model (review.json), the diff of two models, CHANGES.md, and `npm run review` on two
// real synth outputs: what a reviewer reads before approving a merge request.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { summary, writeReview } from "../../lib/review/artifacts.js";
import { renderChanges } from "../../lib/review/changes.js";
import { diffReviews, emptyModel, type ReviewDiff } from "../../lib/review/diff.js";
import { reviewModel, type ReviewModel } from "../../lib/review/model.js";
import { baseFleet, HOST_KEYS, synthFleet } from "../fixtures/fleets.js";

type Doc = Record<string, any>;

/** baseFleet with Centreon objects (a group, a contact, an SMTP check logging in, queue checks) and one extra Postfix parameter. */
function reviewedFleet(): Doc {
  const doc = baseFleet();
  doc.pollers[0].postfixParameters = { message_size_limit: "20480000" };
  doc.contactGroups = [{ name: "ops", alias: "Operations" }];
  doc.contacts = [
    {
      name: "John Doe",
      alias: "jdoe",
      email: "jdoe@example.org",
      groups: ["ops"],
      notifications: { host: { events: ["down", "recovery"] }, service: { events: ["critical"] } },
    },
  ];
  doc.smtpChecks = [
    {
      host: "smtp-corporate",
      address: "smtp.example.org",
      poller: "poller-paris",
      auth: { username: "alerts@example.org", password: { secret: "smtp_password" } },
      notify: { contacts: ["jdoe"], groups: ["ops"] },
    },
  ];
  doc.queueChecks = { warning: 50, critical: 200 };
  return doc;
}

const modelOf = (doc: Doc): ReviewModel => reviewModel(synthFleet(doc).fleet);
const BASE = modelOf(reviewedFleet());
/** The diff from reviewedFleet() to reviewedFleet() with `change` applied. */
function diffAfter(change: (doc: Doc) => void): ReviewDiff {
  const doc = reviewedFleet();
  change(doc);
  return diffReviews(BASE, modelOf(doc));
}
const SIDES = [
  { path: "base", missing: null },
  { path: "head", missing: null },
] as const;

describe("the review model (review.json)", () => {
  const { fleet } = synthFleet(reviewedFleet());
  const model = reviewModel(fleet);

  it("lists per host the main.cf parameters it gets, exactly as its review main.cf sets them", () => {
    expect(model.hosts.map((h) => h.name)).toEqual(["poller-paris", "poller-lyon", "poller-lille", "Central"]);
    for (const relay of fleet.relays) {
      const host = model.hosts.find((h) => h.name === relay.hostName)!;
      const mainCf = relay.reviewFiles()["main.cf"].split("\n").filter((l) => !l.startsWith("#") && l.includes(" ="));
      expect(mainCf).toEqual(Object.entries(host.parameters).map(([name, p]) => `${name} =${p.value ? ` ${p.value}` : ""}`));
    }
    const paris = model.hosts[0];
    expect(paris.parameters.relayhost).toEqual({ value: "[smtp.example.org]:587" });
    expect(paris.parameters.message_size_limit).toEqual({ value: "20480000", note: "from postfixParameters" });
    expect(model.hosts[2].parameters.smtp_tls_CAfile).toEqual({ value: "/etc/ssl/certs/ca-certificates.crt", note: "on RHEL: /etc/pki/tls/certs/ca-bundle.crt" });
    expect(model.hosts[1].settings).toMatchObject({
      ssh: "root@192.0.2.22:22",
      os: "rhel",
      gateway: "backup",
      "host key": HOST_KEYS[2],
      credentials: "[192.0.2.25]:465 backup-relay:<secret:backup_smtp_password>",
      packages: "postfix cyrus-sasl-plain ca-certificates /usr/bin/mail nagios-plugins-mailq",
    });
  });

  it("lists per Centreon object its kind, key, poller and the fields its CLAPI lines set, every line accounted for", () => {
    const batch = fleet.central!.configuration!.batch();
    expect(model.objects.reduce((n, o) => n + Object.keys(o.fields).length, 0)).toBe(batch.lines.length);
    const object = (kind: string, key: string) => model.objects.find((o) => o.kind === kind && o.key === key)!;
    expect(object("CONTACT", "jdoe")).toMatchObject({
      poller: "all",
      fields: { email: "jdoe@example.org", hostnotifopt: "d,r", servicenotifopt: "c", ADD: "John Doe;jdoe;jdoe@example.org;<generated-password>;0;0;en_US;local" },
    });
    expect(object("CG", "ops").fields).toMatchObject({ alias: "Operations", ADDCONTACT: "jdoe" });
    expect(object("HOST", "smtp-corporate")).toMatchObject({
      poller: "poller-paris",
      fields: { "macro SMTPPASSWORD": "<secret:smtp_password>;1;", SETINSTANCE: "poller-paris" },
    });
    expect(object("SERVICE", "smtp-corporate;SMTP-Login")).toMatchObject({ poller: "poller-paris", fields: { "SMTP-Login: macro WARNING": "2;0;" } });
    expect(object("HOST", "poller-lyon-postfix").poller).toBe("poller-lyon");
  });

  it("holds secrets only as <secret:NAME> of declared variables, whatever TF_VAR_ values are set", () => {
    const canaries = { smtp_password: "Canary-smtp-4f1e", backup_smtp_password: "Canary-backup-9a2c", centreon_admin_password: "Canary-clapi-77d0" };
    for (const [name, value] of Object.entries(canaries)) process.env[`TF_VAR_${name}`] = value;
    try {
      const { fleet: withEnv, json } = synthFleet(reviewedFleet());
      const text = JSON.stringify(reviewModel(withEnv));
      for (const value of Object.values(canaries)) {
        expect(text).not.toContain(value);
        expect(text).not.toContain(Buffer.from(value).toString("base64"));
      }
      const named = [...text.matchAll(/<secret:([^>]*)>/g)].map((m) => m[1]);
      expect(new Set(named)).toEqual(new Set(["smtp_password", "backup_smtp_password"]));
      expect(text.split("<secret:").length - 1).toBe(named.length);
      for (const name of named) expect(json.variable).toHaveProperty(name);
    } finally {
      for (const name of Object.keys(canaries)) delete process.env[`TF_VAR_${name}`];
    }
    expect(model.secrets).toEqual({
      backup_smtp_password: ["host poller-lyon: credentials"],
      centreon_admin_password: ["central Central: CLAPI password"],
      smtp_password: [
        "host poller-paris: credentials",
        "host poller-lille: credentials",
        "host Central: credentials",
        "HOST smtp-corporate: macro SMTPPASSWORD",
      ],
    });
  });

  it("is written at synth as review.json beside SUMMARY.md, with every host's files and the CLAPI batch", async () => {
    const dir = await writeReview(mkdtempSync(join(tmpdir(), "cmr-review-")), fleet);
    expect(JSON.parse(readFileSync(join(dir, "review.json"), "utf8"))).toEqual(model);
    expect(readFileSync(join(dir, "SUMMARY.md"), "utf8")).toBe(summary(fleet, [], model));
    expect(readFileSync(join(dir, "central.clapi"), "utf8")).toBe(fleet.central!.configuration!.batch().text);
    for (const relay of fleet.relays) {
      for (const [name, content] of Object.entries(relay.reviewFiles())) {
        expect(readFileSync(join(dir, "pollers", relay.hostName, name), "utf8")).toBe(content);
      }
    }
  });

  it("fails, naming the path, when the review files cannot be written", async () => {
    const notADirectory = join(mkdtempSync(join(tmpdir(), "cmr-review-")), "file");
    writeFileSync(notADirectory, "");
    await expect(writeReview(notADirectory, fleet)).rejects.toThrow(/ENOTDIR.*file\/review\/unit-fleet/);
  });

  it("shows a check's message probe as an object of its own (SERVICE host;SMTP-Message); SUMMARY.md counts each line once", () => {
    const doc = reviewedFleet();
    doc.smtpChecks[0].message = { from: "centreon@example.org", to: "probe@example.org", warning: 5, critical: 10 };
    const { fleet: withMessage } = synthFleet(doc);
    const m = reviewModel(withMessage);
    const service = m.objects.find((o) => o.kind === "SERVICE" && o.key === "smtp-corporate;SMTP-Message")!;
    expect(service).toMatchObject({ poller: "poller-paris", fields: { "SMTP-Message: ADD": "App-Protocol-SMTP-Message-custom", "SMTP-Message: macro SMTPTO": "probe@example.org;0;" } });
    expect(Object.keys(m.objects.find((o) => o.key === "smtp-corporate")!.fields).filter((f) => f.startsWith("SMTP-Message: macro"))).toEqual([]);
    const text = summary(withMessage, [], m);
    const rows = [...text.matchAll(/^\| [A-Z]+ \| .* \| (\d+) \|$/gm)].map((row) => Number(row[1]));
    // Every line but the group memberships (CG;ADDCONTACT), which are listed apart.
    const { lines } = withMessage.central!.configuration!.batch();
    expect(rows.reduce((a, b) => a + b, 0)).toBe(lines.filter((l) => l.action !== "ADDCONTACT").length);
    expect(text).toContain("| SERVICE | smtp-corporate;SMTP-Message | poller-paris | 6 |");
  });

  it("SUMMARY.md names the time periods and commands made outside the fleet that its contacts rely on", () => {
    const doc = reviewedFleet();
    doc.central.existing = { timePeriods: ["business-hours"], notificationCommands: ["notify-by-sms", "notify-by-teams"], contactGroups: ["oncall"] };
    doc.contacts[0].notifications.service.commands = ["notify-by-sms"];
    expect(summary(synthFleet(doc).fleet)).toContain(
      "Made outside this fleet, named by its contacts and checks, never changed or deleted by it (a missing\none fails the apply with CLAPI's message): time periods business-hours; notification commands notify-by-sms, notify-by-teams; contact groups oncall.\n",
    );
    expect(summary(fleet, [], model)).not.toContain("Made outside this fleet");
  });

  it("SUMMARY.md lists every host's parameters, alike hosts together, and every object's fields (golden)", async () => {
    const text = summary(fleet, [], model);
    expect(text).toContain("### poller-paris\n\n- inet_interfaces = `loopback-only`\n- relayhost = `[smtp.example.org]:587`\n");
    // poller-lyon (backup) differs from the central (corporate) although both are RHEL; alike hosts share a heading.
    const alike = summary(synthFleet({ ...reviewedFleet(), pollers: reviewedFleet().pollers.map((p: Doc) => ({ ...p, os: "rhel", gateway: "corporate", postfixParameters: undefined })) }).fleet);
    expect(alike).toContain("### poller-paris, poller-lyon, poller-lille, Central\n\n- inet_interfaces");
    expect(text).toContain("- message_size_limit = `20480000` (from postfixParameters)");
    expect(text).toContain("#### CONTACT jdoe\n\n- ADD: `John Doe;jdoe;jdoe@example.org;<generated-password>;0;0;en_US;local`\n- name: `John Doe`\n");
    await expect(text).toMatchFileSnapshot("../golden/review/SUMMARY.md");
  });
});

describe("diffReviews: what changes, per host and per object", () => {
  it("finds no change between two syntheses of one fleet, and says so", () => {
    const diff = diffReviews(BASE, modelOf(reviewedFleet()));
    expect(diff.hosts).toEqual([]);
    expect(diff.objects).toEqual([]);
    expect(renderChanges(diff, ...SIDES)).toContain("**No changes**: the head declares the same hosts");
  });

  it("names the Postfix parameter that changes, old and new, on the hosts of the changed gateway only", () => {
    const diff = diffAfter((d) => (d.gateways.corporate.from = "alerts@example.org"));
    expect(diff.hosts.map((h) => h.name)).toEqual(["poller-paris", "poller-lille", "Central"]);
    for (const host of diff.hosts) {
      expect(host).toMatchObject({ status: "changed", settings: [] });
      expect(host.parameters).toEqual([
        { name: "sender_canonical_maps", before: { value: "static:centreon@example.org" }, after: { value: "static:alerts@example.org" }, secrets: [] },
      ]);
    }
    expect(diff.objects).toEqual([]);
    expect(renderChanges(diff, ...SIDES)).toContain(
      "### poller-paris (poller): changed\n\nPostfix parameters (main.cf):\n- sender_canonical_maps: `static:centreon@example.org` → `static:alerts@example.org`\n",
    );
  });

  it("shows a host added with all it gets, a host removed, and their queue-check objects", () => {
    const diff = diffAfter((d) => {
      d.pollers.splice(2, 1);
      d.pollers.push({ name: "poller-nice", address: "192.0.2.24", fqdn: "poller-nice.example.org", os: "debian", gateway: "corporate", hostKey: HOST_KEYS[3] });
    });
    expect(diff.hosts.map((h) => [h.name, h.status])).toEqual([
      ["poller-nice", "added"],
      ["poller-lille", "removed"],
    ]);
    const added = diff.hosts[0];
    expect(added.parameters.every((p) => p.before === null)).toBe(true);
    expect(added.parameters.find((p) => p.name === "myhostname")!.after).toEqual({ value: "poller-nice.example.org" });
    expect(diff.objects.map((o) => [o.kind, o.key, o.status])).toEqual([
      ["HOST", "poller-nice-postfix", "added"],
      ["HOST", "poller-lille-postfix", "removed"],
    ]);
    const text = renderChanges(diff, ...SIDES);
    expect(text).toContain("## Hosts: 1 added, 1 removed");
    expect(text).toContain("### poller-nice (poller): added\n\nPostfix parameters (main.cf):\n- myhostname: `poller-nice.example.org`\n");
    expect(text).toContain("### poller-lille (poller): removed\n\nTerraform forgets its relay resource; the host's Postfix configuration is left as it is.");
  });

  it("names the Centreon object field that changes", () => {
    const diff = diffAfter((d) => (d.contacts[0].email = "john.doe@example.org"));
    expect(diff.hosts).toEqual([]);
    expect(diff.objects).toHaveLength(1);
    expect(diff.objects[0]).toMatchObject({ kind: "CONTACT", key: "jdoe", poller: "all", status: "changed" });
    expect(diff.objects[0].fields.find((f) => f.name === "email")).toEqual({
      name: "email",
      before: { value: "jdoe@example.org" },
      after: { value: "john.doe@example.org" },
      secrets: [],
    });
    expect(renderChanges(diff, ...SIDES)).toContain("- email: `jdoe@example.org` → `john.doe@example.org`\n");
  });

  it("shows which secret a field references, never a value: a changed TF_VAR_ value is no change", () => {
    process.env.TF_VAR_smtp_password = "first-value-3b1f";
    const before = modelOf(reviewedFleet());
    process.env.TF_VAR_smtp_password = "second-value-8e4d";
    const after = modelOf(reviewedFleet());
    delete process.env.TF_VAR_smtp_password;
    expect(diffReviews(before, after)).toMatchObject({ hosts: [], objects: [] });

    const diff = diffAfter((d) => (d.smtpChecks[0].auth.password = { secret: "smtp_probe_password" }));
    expect(diff.objects).toHaveLength(1);
    expect(diff.objects[0].fields).toEqual([
      {
        name: "macro SMTPPASSWORD",
        before: { value: "<secret:smtp_password>;1;" },
        after: { value: "<secret:smtp_probe_password>;1;" },
        secrets: ["smtp_password", "smtp_probe_password"],
      },
    ]);
    const text = renderChanges(diff, ...SIDES);
    expect(text).toContain(
      "- macro SMTPPASSWORD: `<secret:smtp_password>;1;` → `<secret:smtp_probe_password>;1;` (secret smtp_password, smtp_probe_password: which secret is referenced is compared, never its value)",
    );
    // A secret the base did not use must be supplied before this deploys.
    expect(diff.newSecrets).toEqual(["smtp_probe_password"]);
    expect(text).toContain("- `smtp_probe_password` (**new**: set `TF_VAR_smtp_probe_password` in CI before deploying): HOST smtp-corporate: macro SMTPPASSWORD");
    expect(text).toMatch(/^- `smtp_password`: /m);
  });

  it("treats an empty base as a first deploy: everything added", () => {
    const diff = diffReviews(emptyModel("unit-fleet"), BASE);
    expect(diff.hosts.map((h) => h.status)).toEqual(["added", "added", "added", "added"]);
    expect(diff.objects).toHaveLength(BASE.objects.length);
    expect(diff.objects.every((o) => o.status === "added")).toBe(true);
  });

  it("says nothing runs on a host whose only change is a label (its gateway now inherited); a new host key runs the script", () => {
    const change = (d: Doc) => {
      d.defaultGateway = "corporate";
      delete d.pollers[2].gateway;
      d.pollers[1].hostKey = HOST_KEYS[0];
      d.pollers[0].postfixParameters.message_size_limit = "10240000";
    };
    const diff = diffAfter(change);
    // What Terraform compares: the same triggers, so no run, on the two hosts the review says so of.
    const after = reviewedFleet();
    change(after);
    const [before, head] = [synthFleet(reviewedFleet()).resources, synthFleet(after).resources];
    expect(["relay_poller-paris", "relay_poller-lyon", "relay_poller-lille"].map((r) => JSON.stringify(head[r].triggers) === JSON.stringify(before[r].triggers))).toEqual([false, false, true]);
    expect(head["relay_poller-lyon"].triggers.host_key).toBe(HOST_KEYS[0].split(" ").slice(0, 2).join(" "));
    // A comment after the key is not part of it: nothing to run, nothing to review.
    expect(diffAfter((d) => (d.pollers[2].hostKey = `${d.pollers[2].hostKey} root@rebuilt`)).hosts).toEqual([]);
    expect(diff.hosts.map((h) => [h.name, h.status, h.runs])).toEqual([
      ["poller-paris", "changed", true],
      ["poller-lyon", "changed", true],
      ["poller-lille", "changed", false],
    ]);
    const text = renderChanges(diff, ...SIDES);
    expect(text.split("### ").filter((section) => section.includes("Nothing runs on this host")).map((section) => section.split(" ")[0])).toEqual([
      "poller-lille",
    ]);
  });

  it("a change of the rollout probe or of the engine runs every host's script: each host changed, saying why", () => {
    const probe = diffAfter((d) => (d.rollout = { probe: { recipient: "mail-probe@example.org", timeoutSeconds: 90 } }));
    expect(probe.hosts.map((h) => [h.name, h.status, h.runs])).toEqual(BASE.hosts.map((h) => [h.name, "changed", true]));
    expect(probe.hosts[0].settings).toEqual([{ name: "probe", before: { value: "(none)" }, after: { value: "to mail-probe@example.org, within 90 s" }, secrets: [] }]);
    const engine = diffAfter((d) => (d.engine = "terraform_data"));
    expect(engine.hosts.map((h) => [h.status, h.runs, h.settings.map((x) => x.name)])).toEqual(BASE.hosts.map(() => ["changed", true, ["engine"]]));
    expect(renderChanges(engine, ...SIDES)).not.toContain("**No changes**");
  });

  it("a host whose script alone changed (a new release's templates) is changed and runs, its script hash saying so", () => {
    const head: ReviewModel = structuredClone(BASE);
    head.hosts[1].settings["script sha256"] = "0123456789abcdef";
    const diff = diffReviews(BASE, head);
    expect(diff.hosts.map((h) => [h.name, h.status, h.runs])).toEqual([[BASE.hosts[1].name, "changed", true]]);
    expect(renderChanges(diff, ...SIDES)).toContain("- script sha256: `" + BASE.hosts[1].settings["script sha256"] + "` → `0123456789abcdef` (what the host runs changed: this project's templates?)");
  });

  it("a renamed stack is said, not paired silently: its records start afresh", () => {
    const doc = reviewedFleet();
    doc.name = "renamed-fleet";
    const diff = diffReviews(BASE, modelOf(doc));
    expect(diff.renamedFrom).toBe(BASE.stack);
    const text = renderChanges(diff, ...SIDES);
    expect(text).toContain(`**The stack is renamed** from \`${BASE.stack}\` to \`renamed-fleet\``);
    expect(text).not.toContain("**No changes**");
  });

  it("a state that moves (another backend, bucket or key) is said: the deploy would start from an empty state", () => {
    const doc = reviewedFleet();
    doc.backend = { s3: { bucket: "acme-tf-states", region: "eu-west-3" } };
    const head = modelOf(doc);
    expect(head.state).toBe(`s3://acme-tf-states/centreon-mail-as-code/${BASE.stack}.tfstate (AWS, eu-west-3)`);
    const diff = diffReviews(BASE, head);
    expect(diff.stateMoved).toEqual({ from: "local file terraform.unit-fleet.tfstate", to: head.state });
    const text = renderChanges(diff, ...SIDES);
    expect(text).toContain(
      `**The Terraform state moves** from \`local file terraform.unit-fleet.tfstate\` to \`${head.state}\`. Move it\nbefore the deploy`,
    );
    expect(text).not.toContain("**No changes**");
    // A model of an earlier release, without the state's location: nothing to compare.
    const { state: _state, ...older } = BASE;
    expect(diffReviews(older, head).stateMoved).toBeNull();
  });

  it("renders a change of gateway inheritance, parameters, a host and an object as CHANGES.md (golden)", async () => {
    const diff = diffAfter((d) => {
      d.defaultGateway = "backup";
      delete d.pollers[2].gateway;
      d.gateways.corporate.port = 2525;
      d.contacts[0].notifications.service.events = ["critical", "warning"];
      d.pollers.push({ name: "poller-nice", address: "192.0.2.24", fqdn: "poller-nice.example.org", os: "rhel", hostKey: HOST_KEYS[3] });
    });
    await expect(renderChanges(diff, ...SIDES)).toMatchFileSnapshot("../golden/review/CHANGES.md");
  });
});

describe("npm run review on two real synth outputs", () => {
  const dir = mkdtempSync(join(tmpdir(), "cmr-npm-review-"));
  const synth = (name: string, doc: Doc) => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, stringify(doc));
    const outdir = join(dir, name);
    const run = spawnSync("npx", ["tsx", "main.ts"], { env: { ...process.env, FLEET_FILE: file, CDKTF_OUTDIR: outdir }, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    return outdir;
  };
  const review = (...args: string[]) => spawnSync("npm", ["run", "-s", "review", "--", ...args], { encoding: "utf8" });
  const head = reviewedFleet();
  head.pollers[1].gateway = "corporate";
  head.contacts[0].email = "john.doe@example.org";
  const baseDir = synth("main", reviewedFleet());
  const headDir = synth("branch", head);

  it("prints and writes the changes between the base and the head outdir", () => {
    const out = join(dir, "CHANGES.md");
    const run = review(baseDir, headDir, "--out", out);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(readFileSync(out, "utf8"));
    expect(run.stdout).toContain(`Generated by \`npm run review\` from \`${baseDir}\` (base) and \`${headDir}\` (head).`);
    expect(run.stdout).toContain("## Hosts: 1 changed\n");
    expect(run.stdout).toContain("- relayhost: `[192.0.2.25]:465` → `[smtp.example.org]:587`\n");
    expect(run.stdout).toContain("- gateway: `backup` → `corporate`\n");
    expect(run.stdout).toContain(
      "- credentials: `[192.0.2.25]:465 backup-relay:<secret:backup_smtp_password>` → `[smtp.example.org]:587 alerts@example.org:<secret:smtp_password>`",
    );
    expect(run.stdout).toContain("### CONTACT jdoe (poller: all): changed");
    expect(run.stdout).toContain("- email: `jdoe@example.org` → `john.doe@example.org`\n");
    expect(run.stdout).not.toContain("### poller-paris");
  });

  it("accepts review directories too, and finds nothing between an output and itself", () => {
    const run = review(join(baseDir, "review", "unit-fleet"), join(baseDir, "review", "unit-fleet", "review.json"), "--out", join(dir, "same.md"));
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("**No changes**");
  });

  it("treats a missing base as a first deploy, saying so", () => {
    const missing = join(dir, "never-synthesized");
    const run = review(missing, headDir, "--out", join(dir, "first.md"));
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`warning: base: ${missing} does not exist; treating it as a stack that declares nothing`);
    expect(run.stdout).toContain(`The base declares nothing (${missing} does not exist): this is a first deploy, everything below is new.`);
    expect(run.stdout).toContain("## Hosts: 4 added\n");
  });

  it("refuses a head that does not exist (a wrong path, or no synth), instead of reporting everything removed", () => {
    const run = review(headDir, join(dir, "no-such-head"), "--out", join(dir, "nohead.md"));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`head: ${join(dir, "no-such-head")} does not exist: synthesize the branch first`);
    expect(existsSync(join(dir, "nohead.md"))).toBe(false);
  });

  it("refuses a review model of another version, saying what to do", () => {
    const other = join(dir, "other", "review", "unit-fleet");
    mkdirSync(other, { recursive: true });
    writeFileSync(join(other, "review.json"), JSON.stringify({ ...emptyModel("unit-fleet"), version: 99 }));
    const run = review(join(dir, "other"), headDir, "--out", join(dir, "other.md"));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("is review model version 99, this checkout reads version 1: synth both sides, then run the review, with the same version of this project");
  });
});
