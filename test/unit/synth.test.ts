import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { NullProvider, NullResource, Testing } from "../../lib/cdktf.js";
import { Fleet } from "../../lib/constructs/fleet.js";
import { TerraformData } from "../../lib/remote/remote-script.js";
import { summary } from "../../lib/review/artifacts.js";
import { validateFleet } from "../../lib/fleet/load.js";
import { synthesize } from "../../lib/synthesize.js";
import { baseFleet, decodedScript, HOST_KEYS, synthFleet } from "../fixtures/fleets.js";

const HOSTS = ["relay_poller-paris", "relay_poller-lyon", "relay_poller-lille", "relay_Central"];

describe.each(["null_resource", "terraform_data"] as const)("synthesis with engine %s", (engine) => {
  const doc = { ...baseFleet(), engine };
  const { json, text, resources, fleet } = synthFleet(doc);
  const resourceClass = engine === "null_resource" ? NullResource : TerraformData;
  const triggersKey = engine === "null_resource" ? "triggers" : "triggers_replace";

  it("creates exactly one provisioning resource per host (pollers and the central's relay), plus the central's CLAPI executor", () => {
    expect(Object.keys(resources).sort()).toEqual([...HOSTS, "clapi_Central"].sort());
    const otherEngine = engine === "null_resource" ? "terraform_data" : "null_resource";
    expect(json.resource[otherEngine]).toBeUndefined();
    expect(text).toHaveResource(resourceClass);
  });

  it("connects over SSH with the fleet's settings, the pinned host key and a root-only script path", () => {
    expect(text).toHaveResourceWithProperties(resourceClass, {
      connection: {
        type: "ssh",
        host: "192.0.2.21",
        port: 22,
        user: "root",
        timeout: "30s",
        host_key: HOST_KEYS[1],
        private_key: '${file("~/.ssh/id_ed25519")}',
        script_path: "/root/.centreon-mail-relay.sh",
      },
    });
  });

  it("runs ONE remote-exec and no file provisioner, starting with set -eu", () => {
    for (const resource of Object.values(resources)) {
      expect(resource.provisioner).toHaveLength(1);
      expect(Object.keys(resource.provisioner[0])).toEqual(["remote-exec"]);
      const inline = resource.provisioner[0]["remote-exec"].inline;
      expect(inline).toHaveLength(1);
      expect(inline[0].split("\n")[0]).toBe("set -eu");
      // Before set -eu, only comments and the host settings (plain assignments: nothing runs).
      const lines = decodedScript(resource).split("\n");
      const before = lines.slice(0, lines.indexOf("set -eu"));
      expect(lines).toContain("set -eu");
      for (const line of before) expect(line).toMatch(/^(#.*|host_(name|fqdn)='[^']*')$/);
    }
  });

  it("triggers hash everything pushed and each secret, never the secret itself; the pinned host key is one", () => {
    const paris = resources["relay_poller-paris"][triggersKey];
    expect(paris).toEqual({
      host: "root@192.0.2.21:22",
      host_key: HOST_KEYS[1],
      payload_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      secret_smtp_password_sha256: "${sha256(var.smtp_password)}",
    });
    expect(resources["relay_poller-lyon"][triggersKey].secret_backup_smtp_password_sha256).toBe(
      "${sha256(var.backup_smtp_password)}",
    );
  });

  it("declares each secret once, sensitive, without a default", () => {
    expect(Object.keys(json.variable).sort()).toEqual(["backup_smtp_password", "centreon_admin_password", "smtp_password"]);
    for (const variable of Object.values<any>(json.variable)) {
      expect(variable).toMatchObject({ sensitive: true, type: "string", nullable: false });
      expect(variable).not.toHaveProperty("default");
    }
  });

  it("lets secrets reach the script only as apply-time base64 and sha256 expressions", () => {
    const uses = text.match(/[a-z0-9]*\(?var\.(backup_)?smtp_password\)?/g) ?? [];
    expect(uses.length).toBeGreaterThan(0);
    for (const use of uses) expect(use).toMatch(/^(base64encode|sha256)\(var\.(backup_)?smtp_password\)$/);
    // base64 is only ever unmarked inside a provisioner's script, never in an attribute.
    expect(text.match(/nonsensitive\([^)]*\)\)/g)!.every((m) => /^nonsensitive\(base64encode\(var\.\w+\)\)$/.test(m))).toBe(true);
    expect(text).toContain("export RELAY_SMTP_PASSWORD_B64='${nonsensitive(base64encode(var.smtp_password))}'");
  });

  it("runs exactly the reviewed provision.sh", () => {
    const paris = fleet.relays.find((r) => r.hostName === "poller-paris")!;
    expect(decodedScript(resources["relay_poller-paris"])).toBe(paris.reviewFiles()["provision.sh"]);
  });

  it("uses the provider only for null_resource", () => {
    if (engine === "null_resource") expect(text).toHaveProvider(NullProvider);
    else expect(json.provider).toBeUndefined();
  });

  it("declares a local backend with a relative path (no checkout path in the JSON)", () => {
    expect(json.terraform.backend.local.path).toBe("../../../terraform.unit-fleet.tfstate");
    expect(text).not.toContain(process.cwd());
  });
});

describe("secret values never reach synthesis", () => {
  it("keeps TF_VAR_ values present in the environment out of the JSON and the review files", () => {
    const canary = "Canary-S3cret-7f3a9c";
    process.env.TF_VAR_smtp_password = canary;
    try {
      const { text, fleet } = synthFleet(baseFleet());
      expect(text).not.toContain(canary);
      expect(text).not.toContain(Buffer.from(canary).toString("base64"));
      for (const relay of fleet.relays) {
        for (const content of Object.values(relay.reviewFiles())) expect(content).not.toContain(canary);
      }
    } finally {
      delete process.env.TF_VAR_smtp_password;
    }
  });
});

describe("triggers change only for the hosts a change affects", () => {
  const before = synthFleet(baseFleet()).resources;
  const hashes = (resources: Record<string, any>) =>
    Object.fromEntries(Object.entries(resources).map(([name, r]) => [name, r.triggers.payload_sha256]));

  it("is stable: the same fleet gives byte-identical JSON", () => {
    expect(synthFleet(baseFleet()).text).toBe(synthFleet(baseFleet()).text);
  });

  it("changes the hosts of the corporate gateway only when its sender changes", () => {
    const doc = baseFleet();
    doc.gateways.corporate.from = "noc@example.org";
    const after = hashes(synthFleet(doc).resources);
    const old = hashes(before);
    expect(after["relay_poller-lyon"]).toBe(old["relay_poller-lyon"]);
    for (const host of ["relay_poller-paris", "relay_poller-lille", "relay_Central"]) expect(after[host]).not.toBe(old[host]);
  });

  it("changes one poller only when that poller's fqdn changes", () => {
    const doc = baseFleet();
    doc.pollers[0].fqdn = "paris-01.example.org";
    const after = hashes(synthFleet(doc).resources);
    const old = hashes(before);
    const changed = Object.keys(after).filter((h) => after[h] !== old[h]);
    expect(changed).toEqual(["relay_poller-paris"]);
  });
});

describe("user text in Terraform JSON is never a Terraform template", () => {
  it("carries Centreon values only encoded, and pins the host key without its comment", () => {
    const doc: Record<string, any> = { ...baseFleet(), contactGroups: [{ name: "ops", alias: '${upper("x")} %{if true}y%{endif}' }] };
    doc.pollers[0].hostKey = `${HOST_KEYS[1]} %{if true}x%{endif}`;
    const { json, resources } = synthFleet(doc);
    // Records hold hashes, the executor's batch travels gzipped and base64-encoded.
    expect(JSON.stringify(json)).not.toContain("upper(");
    expect(Object.keys(resources["contact_group_ops"].triggers)).toEqual(["clapi_sha256"]);
    expect(resources["relay_poller-paris"].connection.host_key).toBe(HOST_KEYS[1]);
  });
});

describe("checks whose alerts would reach no one", () => {
  const withChecks = (notifications: Record<string, unknown> | undefined, notify: Record<string, string[]>) => {
    const doc = baseFleet();
    doc.contacts = [{ name: "John Doe", alias: "jdoe", email: "jdoe@example.org", ...(notifications ? { notifications } : {}) }];
    doc.smtpChecks = [{ host: "smtp-corporate", address: "smtp.example.org", poller: "poller-paris", notify }];
    doc.queueChecks = { warning: 5, critical: 10, notify };
    return synthFleet(doc).fleet.warnings.filter((w) => w.startsWith("SMTP check") || w.startsWith("queueChecks"));
  };

  it("warns about a notified contact who gets no service notification (the default), and about a check notifying nobody", () => {
    expect(withChecks(undefined, { contacts: ["jdoe"] })).toEqual([
      "SMTP check smtp-corporate: contact jdoe is notified but gets no service notification (notifications disabled, or no notifications.service.events); give it service events (critical, recovery...)",
      "queueChecks: contact jdoe is notified but gets no service notification (notifications disabled, or no notifications.service.events); give it service events (critical, recovery...)",
    ]);
    expect(withChecks({ enabled: false, service: { events: ["critical"] } }, { contacts: ["jdoe"] })).toHaveLength(2);
    expect(withChecks({ host: { events: ["down"] } }, { contacts: ["jdoe"] })).toHaveLength(2);
    expect(withChecks({ service: { events: ["critical"] } }, {})).toEqual([
      "SMTP check smtp-corporate: notifies nobody, so its alerts reach no one; give it notify contacts or groups",
      "queueChecks: notifies nobody, so its alerts reach no one; give it notify contacts or groups",
    ]);
  });

  it("says nothing when the contact gets service notifications", () => {
    expect(withChecks({ service: { events: ["critical", "recovery"] } }, { contacts: ["jdoe"] })).toEqual([]);
  });
});

describe("a central without a relay", () => {
  const centralWarnings = (gateway: string | undefined) => {
    const doc = baseFleet();
    if (gateway === undefined) delete doc.central.gateway;
    else doc.central.gateway = gateway;
    return synthFleet(doc).fleet.warnings.filter((w) => w.startsWith("central"));
  };
  it("is warned about when it has none by default (no gateway, no defaultGateway), not when gateway: none says so", () => {
    expect(centralWarnings(undefined)).toEqual([
      "central Central: no relay (no gateway, and the fleet has no defaultGateway), so what the central's own engine monitors notifies no one by mail; set central.gateway, or gateway: none to say so",
    ]);
    expect(centralWarnings("none")).toEqual([]);
    expect(centralWarnings("corporate")).toEqual([]);
  });
});

describe("gateway certificate names", () => {
  it("warns about a gateway given by IP address without certificateName (its certificate must then carry the address)", () => {
    const doc = baseFleet();
    doc.gateways.corporate.host = "192.0.2.25";
    expect(synthFleet(doc).fleet.warnings.filter((w) => w.includes("certificate"))).toEqual([
      `gateway corporate: host 192.0.2.25 is an IP address: Postfix checks the certificate's name against it, so mail is deferred ("Server certificate not verified") unless the certificate carries this address (an IP subjectAltName); set certificateName to the name it carries, or host to that name`,
    ]);
    doc.gateways.corporate.certificateName = "smtp.example.org";
    expect(synthFleet(doc).fleet.warnings.filter((w) => w.includes("certificate"))).toEqual([]);
  });
});

describe("host keys", () => {
  it("warns, without failing, about a host without hostKey", () => {
    const doc = baseFleet();
    delete doc.pollers[2].hostKey;
    const { fleet, resources } = synthFleet(doc);
    expect(fleet.warnings.filter((w) => w.includes("hostKey"))).toEqual([
      "host poller-lille: no hostKey, so Terraform will accept any SSH host key at poller-lille.example.org; pin it (ssh-keyscan -t ed25519 poller-lille.example.org)",
    ]);
    expect(resources["relay_poller-lille"].connection).not.toHaveProperty("host_key");
  });

  it("refuses a host without hostKey when strictHostKeys is true (constructs)", () => {
    const fleet = new Fleet(Testing.app(), "strict", { strictHostKeys: true });
    const gateway = fleet.addGateway("gw", { host: "smtp.example.org" });
    expect(() => fleet.addPoller({ name: "p1", address: "192.0.2.1", fqdn: "p1.example.org", gateway })).toThrow(
      "host p1: hostKey is required because strictHostKeys is true: pin the host's SSH key",
    );
  });
});

describe("SMTP port and security (constructs), one rule for gateways and checks", () => {
  it("reads 465 alone as implicit TLS and refuses a security the port cannot speak", () => {
    const fleet = new Fleet(Testing.app(), "transport");
    const implicit = fleet.addGateway("implicit", { host: "smtp.example.org", port: 465 });
    expect(implicit.settings).toMatchObject({ port: 465, security: "tls" });
    expect(() => fleet.addGateway("wrong", { host: "smtp.example.org", port: 465, security: "starttls" })).toThrow(
      'gateway wrong: security "starttls" does not work on port 465, which speaks implicit TLS: use security: tls',
    );
    const clapi = { user: "admin", password: fleet.secret("centreon_admin_password") };
    fleet.setCentral({ name: "Central", address: "192.0.2.10", fqdn: "central.example.org", hostKey: HOST_KEYS[0], gateway: implicit, clapi });
    expect(() => fleet.addSmtpCheck({ host: "smtp-x", address: "smtp.example.org", poller: "Central", port: 587, security: "tls" })).toThrow(
      'SMTP check smtp-x: security "tls" (implicit TLS) does not work on port 587, which speaks STARTTLS: use security: starttls',
    );
  });
});

describe("default gateway: inherited unless a host names its own", () => {
  /** baseFleet with defaultGateway backup: poller-paris and the central inherit it, poller-lyon overrides it. */
  const inheriting = () => {
    const doc = baseFleet();
    doc.defaultGateway = "backup";
    delete doc.pollers[0].gateway;
    doc.pollers[1].gateway = "corporate";
    delete doc.central.gateway;
    return doc;
  };
  const relayhost = (fleet: Fleet, host: string) =>
    /^relayhost = (.*)$/m.exec(fleet.relays.find((r) => r.hostName === host)!.reviewFiles()["main.cf"])![1];

  it("relays a poller without gateway, and the central, through the default; a poller's own gateway wins", () => {
    const { fleet, resources } = synthFleet(inheriting());
    expect(relayhost(fleet, "poller-paris")).toBe("[192.0.2.25]:465");
    expect(relayhost(fleet, "Central")).toBe("[192.0.2.25]:465");
    expect(relayhost(fleet, "poller-lyon")).toBe("[smtp.example.org]:587");
    expect(resources["relay_poller-paris"].triggers).toHaveProperty("secret_backup_smtp_password_sha256");
    expect(resources["relay_poller-lyon"].triggers).toHaveProperty("secret_smtp_password_sha256");
  });

  it("shows in SUMMARY.md which host inherits the default and which names its own", () => {
    const text = summary(synthFleet(inheriting()).fleet);
    const row = (host: string) => text.split("\n").find((l) => l.startsWith(`| ${host} |`))!;
    expect(row("poller-paris")).toContain("| backup (default) |");
    expect(row("Central")).toContain("| backup (default) |");
    expect(row("poller-lyon")).toContain("| corporate |");
    // poller-lille names corporate itself: an explicit choice, even where it differs from the default.
    expect(row("poller-lille")).toMatch(/\| corporate \| pinned/);
  });

  it("gives the central no relay with gateway none, and without gateway when there is no default", () => {
    const none = inheriting();
    none.central.gateway = "none";
    const withoutDefault = baseFleet();
    delete withoutDefault.central.gateway;
    for (const doc of [none, withoutDefault]) {
      const { fleet, resources } = synthFleet(doc);
      expect(fleet.relays.map((r) => r.hostName)).not.toContain("Central");
      expect(resources).not.toHaveProperty("relay_Central");
      expect(resources).toHaveProperty("clapi_Central");
    }
  });

  it("refuses a poller without gateway when the fleet has no default (constructs)", () => {
    const fleet = new Fleet(Testing.app(), "no-default");
    fleet.addGateway("gw", { host: "smtp.example.org" });
    expect(() => fleet.addPoller({ name: "p1", address: "192.0.2.1", fqdn: "p1.example.org", hostKey: HOST_KEYS[1] })).toThrow(
      "poller p1: no gateway: give it one (declared gateways are gw) or set the fleet's default gateway first (setDefaultGateway)",
    );
    const other = new Fleet(Testing.app(), "other").addGateway("gw", { host: "smtp.example.org" });
    expect(() => fleet.setDefaultGateway(other)).toThrow("gateway gw is not one of this fleet's gateways: add it with addGateway first");
  });
});

describe("typed constructs without YAML", () => {
  it("builds a fleet from TypeScript, with SSH agent auth when no key file is given", () => {
    const fleet = new Fleet(Testing.app(), "from-code", { engine: "terraform_data" });
    const gateway = fleet.addGateway("relay", { host: "relay.example.org", security: "none" });
    fleet.addPoller({ name: "p1", address: "192.0.2.1", fqdn: "p1.example.org", gateway, hostKey: HOST_KEYS[1] });
    const json = JSON.parse(Testing.synth(fleet));
    const resource = json.resource.terraform_data["relay_p1"];
    expect(resource.connection.agent).toBe("true");
    expect(resource.connection).not.toHaveProperty("private_key");
    expect(resource.triggers_replace).not.toHaveProperty("secret_smtp_password_sha256");
    expect(json.variable).toBeUndefined();
  });

  it("refuses a non-FQDN myhostname with a message saying how to fix it", () => {
    const fleet = new Fleet(Testing.app(), "bad");
    const gateway = fleet.addGateway("gw", { host: "smtp.example.org" });
    expect(() => fleet.addPoller({ name: "p1", address: "192.0.2.1", fqdn: "poller1", gateway, hostKey: HOST_KEYS[1] })).toThrow(
      'host p1: fqdn (Postfix myhostname) "poller1" is not valid: it must be a fully qualified domain name (e.g. poller1.example.org, without a trailing dot)',
    );
  });

  it("refuses to let postfixParameters override a managed parameter", () => {
    const fleet = new Fleet(Testing.app(), "bad");
    const gateway = fleet.addGateway("gw", { host: "smtp.example.org" });
    expect(() =>
      fleet.addPoller({
        name: "p1",
        address: "192.0.2.1",
        fqdn: "p1.example.org",
        gateway,
        hostKey: HOST_KEYS[1],
        postfixParameters: { relayhost: "[other]:25" },
      }),
    ).toThrow("host p1: postfixParameters.relayhost is managed by this project (from the gateway and host settings): set it there instead");
  });

  it("refuses a legacy TLS switch in postfixParameters: the relay removes them before writing the extras, so it would come back", () => {
    const fleet = new Fleet(Testing.app(), "bad");
    const gateway = fleet.addGateway("gw", { host: "smtp.example.org" });
    expect(() =>
      fleet.addPoller({ name: "p1", address: "192.0.2.1", fqdn: "p1.example.org", gateway, hostKey: HOST_KEYS[1], postfixParameters: { smtp_use_tls: "yes" } }),
    ).toThrow("host p1: postfixParameters.smtp_use_tls is a legacy TLS switch the relay removes");
  });
});

describe("real terraform validate (terraform_data engine: no provider download)", () => {
  it("accepts the synthesized stack, rollout waves included", () => {
    const dir = mkdtempSync(join(tmpdir(), "cmr-validate-"));
    const keyFile = join(dir, "id_test");
    writeFileSync(keyFile, "not a real key: validate only reads the file\n");
    const cliConfig = join(dir, "terraformrc");
    writeFileSync(cliConfig, "");
    const doc = {
      ...baseFleet(),
      engine: "terraform_data",
      ssh: { ...baseFleet().ssh, privateKeyFile: keyFile },
      // Waves: depends_on between relay resources must be references Terraform accepts.
      rollout: { canary: ["poller-lyon"], batchSize: 1, probe: { recipient: "mail-probe@example.org" } },
    };
    const { text } = synthFleet(doc);
    const stackDir = join(dir, "stack");
    execFileSync("mkdir", ["-p", stackDir]);
    writeFileSync(join(stackDir, "cdk.tf.json"), text);
    const env = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
    execFileSync("terraform", ["init", "-backend=false", "-input=false"], { cwd: stackDir, env, stdio: "pipe" });
    const out = execFileSync("terraform", ["validate", "-json"], { cwd: stackDir, env }).toString();
    expect(JSON.parse(out)).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
  });

  it("finds a relative privateKeyFile from the stack's directory, as synth named it from its own", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cmr-keyfile-"));
    try {
      mkdirSync(join(dir, "keys"));
      writeFileSync(join(dir, "keys", "deploy_key"), "not a real key: validate only reads the file\n");
      writeFileSync(join(dir, "terraformrc"), "");
      // Relative to the directory this synth runs in, as a CI checkout would name its key.
      const keyFile = relative(process.cwd(), join(dir, "keys", "deploy_key"));
      const doc = { ...baseFleet(), engine: "terraform_data", ssh: { ...baseFleet().ssh, privateKeyFile: keyFile } };
      const spec = validateFleet(doc);
      await synthesize(spec, join(dir, "out"));
      const stackDir = join(dir, "out", "stacks", spec.name);
      expect(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")).toContain(`file(\\"../../../keys/deploy_key\\")`);
      const env = { ...process.env, TF_CLI_CONFIG_FILE: join(dir, "terraformrc"), CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
      execFileSync("terraform", ["init", "-backend=false", "-input=false"], { cwd: stackDir, env, stdio: "pipe" });
      const out = execFileSync("terraform", ["validate", "-json"], { cwd: stackDir, env }).toString();
      expect(JSON.parse(out)).toMatchObject({ valid: true, error_count: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});


describe("script bodies are shipped once per stack", () => {
  const doc = baseFleet();
  doc.pollers[2].os = "debian"; // poller-lille: now like poller-paris but for its name and fqdn
  const { json, resources } = synthFleet(doc);
  const raw: Record<string, any> = json.resource.null_resource;
  const bodyOf = (name: string) => /\$\{local\.(script_body_\w+)\}/.exec(raw[name].provisioner[0]["remote-exec"].inline[0])?.[1];

  it("gives hosts that differ only by name and fqdn one shared body, and each its own settings and trigger", () => {
    expect(bodyOf("relay_poller-paris")).toBeDefined();
    expect(bodyOf("relay_poller-lille")).toBe(bodyOf("relay_poller-paris"));
    expect(bodyOf("relay_poller-lyon")).not.toBe(bodyOf("relay_poller-paris"));
    const used = new Set(Object.keys(raw).filter((n) => raw[n].provisioner).map(bodyOf));
    expect(Object.keys(json.locals).sort()).toEqual([...used].sort());
    expect(raw["relay_poller-lille"].triggers.payload_sha256).not.toBe(raw["relay_poller-paris"].triggers.payload_sha256);
    expect(decodedScript(resources["relay_poller-lille"])).toContain("host_fqdn='poller-lille.example.org'\n");
    expect(decodedScript(resources["relay_poller-paris"])).toContain("'myhostname='\"$host_fqdn\"");
  });

  it("gives a host with its own postfixParameters its own body, leaving the alike hosts theirs", () => {
    const changed = structuredClone(doc);
    changed.pollers[2].postfixParameters = { smtp_helo_timeout: "60s" };
    const after: Record<string, any> = synthFleet(changed).json.resource.null_resource;
    const bodyAfter = (name: string) => /\$\{local\.(script_body_\w+)\}/.exec(after[name].provisioner[0]["remote-exec"].inline[0])?.[1];
    expect(bodyAfter("relay_poller-paris")).toBe(bodyOf("relay_poller-paris"));
    expect(bodyAfter("relay_poller-lille")).not.toBe(bodyOf("relay_poller-lille"));
    expect(after["relay_poller-paris"].triggers.payload_sha256).toBe(raw["relay_poller-paris"].triggers.payload_sha256);
  });

  it("re-runs only the host whose fqdn changed", () => {
    const changed = structuredClone(doc);
    changed.pollers[2].fqdn = "lille.example.org";
    const after: Record<string, any> = synthFleet(changed).json.resource.null_resource;
    expect(after["relay_poller-lille"].triggers.payload_sha256).not.toBe(raw["relay_poller-lille"].triggers.payload_sha256);
    for (const host of ["relay_poller-paris", "relay_poller-lyon", "relay_Central"]) {
      expect(after[host].triggers.payload_sha256).toBe(raw[host].triggers.payload_sha256);
    }
  });
});

describe("object records: one plain resource per Centreon object, no connection, no provisioner", () => {
  const objects = {
    contactGroups: [{ name: "ops" }],
    contacts: [{ name: "John Doe", alias: "jdoe", email: "jdoe@example.org", groups: ["ops"] }],
  };

  it.each([
    ["terraform_data", "input"],
    ["null_resource", "triggers"],
  ] as const)("with %s, holds in %s the hash of the object's CLAPI lines, which changes with them and only them", (engine, attribute) => {
    const { json, fleet } = synthFleet({ ...baseFleet(), engine, ...objects });
    const records = json.resource[engine];
    // Each record hashes exactly the lines the central receives for its object.
    const batch = fleet.central!.configuration!.batch();
    const sent = (kind: string, key: string) => {
      const o = batch.objects.find((b) => b.kind === kind && b.key === key)!;
      return batch.rendered.slice(o.addLine - 1, o.addLine - 1 + o.lineCount).join("\n");
    };
    const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
    expect(sent("CG", "ops")).toMatch(/^CG;ADD;ops;ops\nCG;SETPARAM;ops;alias;ops\n/);
    expect(records["contact_group_ops"]).toEqual({ [attribute]: { clapi_sha256: sha256(sent("CG", "ops")) } });
    expect(records["contact_jdoe"]).toEqual({ [attribute]: { clapi_sha256: sha256(sent("CONTACT", "jdoe")) } });

    const changed = synthFleet({ ...baseFleet(), engine, ...objects, contacts: [{ ...objects.contacts[0], email: "oncall@example.org" }] }).json.resource[engine];
    expect(changed["contact_jdoe"]).not.toEqual(records["contact_jdoe"]);
    expect(changed["contact_group_ops"]).toEqual(records["contact_group_ops"]);
    if (engine === "null_resource") expect(json.provider).toHaveProperty("null");
  });

  it("refuses two objects whose Terraform names would collide, instead of merging their records", () => {
    const fleet = new Fleet(Testing.app(), "collide", { engine: "terraform_data" });
    fleet.addContact({ name: "A", alias: "a.b", email: "a@example.org" });
    expect(() => fleet.addContact({ name: "B", alias: "a_b", email: "b@example.org" })).toThrow(
      "two Centreon objects would have the Terraform record contact_a_b: rename one of them",
    );
  });
});
