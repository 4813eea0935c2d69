// Splitting a fleet into stacks, and the state backend each stack declares. The split must change
// nothing that is deployed: the same relays (byte for byte), the same Centreon batch.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { App, TerraformStack, Testing } from "../../lib/cdktf.js";
import { Fleet } from "../../lib/constructs/fleet.js";
import { buildFleets } from "../../lib/fleet/build.js";
import { summary } from "../../lib/review/artifacts.js";
import { FleetValidationError, parseFleet } from "../../lib/fleet/load.js";
import { baseFleet } from "../fixtures/fleets.js";

/** The base fleet with Centreon objects on every poller: a contact, SMTP checks, queue checks. */
function centreonFleet(): Record<string, any> {
  const doc = baseFleet();
  doc.contactGroups = [{ name: "ops", alias: "Operations" }];
  doc.contacts = [{ name: "John Doe", alias: "jdoe", email: "jdoe@example.org", groups: ["ops"] }];
  doc.smtpChecks = [
    { host: "smtp-paris", address: "smtp.example.org", poller: "poller-paris", auth: { username: "probe", password: { secret: "probe_password" } }, notify: { groups: ["ops"] } },
    { host: "smtp-lille", address: "smtp.example.org", poller: "poller-lille", notify: { contacts: ["jdoe"] } },
  ];
  doc.queueChecks = { warning: 50, critical: 200 };
  return doc;
}

function synthStacks(doc: Record<string, any>) {
  const app = Testing.app();
  const fleets = buildFleets(app, parseFleet(stringify(doc), "unit.yaml"));
  return fleets.map((fleet) => {
    const json = JSON.parse(Testing.synth(fleet));
    return { fleet, json, resources: (json.resource?.[doc.engine ?? "null_resource"] ?? {}) as Record<string, any> };
  });
}

const split = (doc: Record<string, any>): Record<string, any> => ({ ...doc, stacks: [{ name: "emea", pollers: ["poller-paris", "poller-lyon"] }] });

describe("a fleet split into stacks", () => {
  const [whole] = synthStacks(centreonFleet());
  const [main, emea] = synthStacks(split(centreonFleet()));

  it("makes the main stack and one stack per entry, named <fleet>-<entry>", () => {
    expect(main.fleet.node.id).toBe("unit-fleet");
    expect(emea.fleet.node.id).toBe("unit-fleet-emea");
  });

  it("puts each relay in exactly one stack, unchanged: same resource name, same triggers", () => {
    expect(Object.keys(emea.resources).sort()).toEqual(["relay_poller-lyon", "relay_poller-paris"]);
    expect(Object.keys(main.resources)).not.toContain("relay_poller-paris");
    const relays = (r: Record<string, any>) => Object.fromEntries(Object.entries(r).filter(([n]) => n.startsWith("relay_")).map(([n, v]) => [n, v.triggers]));
    expect({ ...relays(main.resources), ...relays(emea.resources) }).toEqual(relays(whole.resources));
    // The relay of a poller moved out still gets the SMTP plugin and queue access its checks need.
    expect(emea.resources["relay_poller-paris"].triggers).toEqual(whole.resources["relay_poller-paris"].triggers);
  });

  it("keeps the central and every Centreon object in the main stack: the batch is the same", () => {
    const objects = (r: Record<string, any>) => Object.keys(r).filter((n) => !n.startsWith("relay_")).sort();
    expect(objects(main.resources)).toEqual(objects(whole.resources));
    expect(objects(main.resources)).toEqual(expect.arrayContaining(["smtp_check_smtp-paris", "queue_check_poller-paris", "queue_check_poller-lyon", "clapi_Central"]));
    expect(objects(emea.resources)).toEqual([]);
    expect(main.fleet.central!.configuration!.batch().text).toBe(whole.fleet.central!.configuration!.batch().text);
  });

  it("applies the configuration of the pollers other stacks deploy: the executor is the same", () => {
    expect(main.fleet.central!.configuration!.script()).toBe(whole.fleet.central!.configuration!.script());
  });

  it("asks each stack only for the secrets it uses", () => {
    expect(Object.keys(emea.json.variable).sort()).toEqual(["backup_smtp_password", "smtp_password"]);
    // Not backup_smtp_password: only emea's relays log in to that gateway.
    expect(Object.keys(main.json.variable).sort()).toEqual(["centreon_admin_password", "probe_password", "smtp_password"]);
  });

  it("shows a gateway's login in the SUMMARY of the stack whose relays use it, not in the others", () => {
    expect(summary(emea.fleet)).toMatch(/^\| backup \| .*`<secret:backup_smtp_password>`/m);
    expect(summary(main.fleet)).toMatch(/^\| backup \| [^\n]*\| \(no relay of this stack\) \| `\(no relay of this stack\)` \|/m);
  });

  it("gives each stack its own local state file", () => {
    expect(main.json.terraform.backend.local.path).toBe("../../../terraform.unit-fleet.tfstate");
    expect(emea.json.terraform.backend.local.path).toBe("../../../terraform.unit-fleet-emea.tfstate");
  });

  it("refuses contacts in a stack of relays only, naming the stack that takes them", () => {
    expect(() => emea.fleet.addContact({ name: "X", alias: "x", email: "x@example.org", groups: [] })).toThrow(
      "contact x: stack unit-fleet-emea holds relays only; declare it in stack unit-fleet, with the central",
    );
  });
});

describe("Fleet skips cdktf's preparing pass (its stacks never refer to each other)", () => {
  /** cdk.tf.json of every stack, synthesized by App.synth as cdktf deploy does. */
  const synthesizedByApp = (doc: Record<string, any>) => {
    const outdir = mkdtempSync(join(tmpdir(), "cmr-prepare-"));
    const app = new App({ outdir });
    const fleets = buildFleets(app, parseFleet(stringify(doc), "unit.yaml"));
    app.synth();
    return fleets.map((f) => readFileSync(join(outdir, "stacks", f.node.id, "cdk.tf.json"), "utf8"));
  };

  it("writes exactly what the full pass writes", () => {
    const doc = { ...split(centreonFleet()), rollout: { canary: ["poller-paris"], probe: { recipient: "probe@example.org" } } };
    const skipped = synthesizedByApp(doc);
    const ours = Fleet.prototype.prepareStack;
    Fleet.prototype.prepareStack = TerraformStack.prototype.prepareStack;
    try {
      expect(synthesizedByApp(doc)).toEqual(skipped);
    } finally {
      Fleet.prototype.prepareStack = ours;
    }
  });
});

describe("a rollout in a split fleet", () => {
  it("rolls each stack out on its own: its canaries first, every relay probed", () => {
    const doc = { ...split(baseFleet()), rollout: { canary: ["poller-paris", "poller-lille"], probe: { recipient: "probe@example.org" } } };
    const [main, emea] = synthStacks(doc);
    expect(emea.fleet.waves).toEqual([["poller-paris"], ["poller-lyon"]]);
    expect(main.fleet.waves).toEqual([["poller-lille"], ["Central"]]);
    expect(emea.resources["relay_poller-lyon"].depends_on).toEqual(["null_resource.relay_poller-paris"]);
    expect(main.resources["relay_Central"].depends_on).toEqual(["null_resource.relay_poller-lille"]);
  });
});

describe("state backends, one state per stack", () => {
  it.each([
    [{ s3: { bucket: "acme-tf-states", region: "eu-west-3", dynamodbTable: "tf-locks" } }, (stack: string) => ({
      s3: { bucket: "acme-tf-states", region: "eu-west-3", key: `centreon-mail-as-code/${stack}.tfstate`, encrypt: true, dynamodb_table: "tf-locks", use_lockfile: true },
    })],
    // S3-compatible storage: its endpoint, path-style URLs, none of the AWS-only checks.
    [{ s3: { bucket: "acme-tf-states", region: "fr-par", endpoint: "https://s3.fr-par.scw.cloud", usePathStyle: true, useLockfile: false } }, (stack: string) => ({
      s3: {
        bucket: "acme-tf-states",
        region: "fr-par",
        key: `centreon-mail-as-code/${stack}.tfstate`,
        encrypt: true,
        endpoints: { s3: "https://s3.fr-par.scw.cloud" },
        use_path_style: true,
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
        skip_region_validation: true,
        skip_metadata_api_check: true,
        skip_s3_checksum: true,
      },
    })],
    // GitLab locks with POST and unlocks with DELETE, not Terraform's default LOCK/UNLOCK.
    [{ http: { address: "https://gitlab.example.org/api/v4/projects/42/terraform/state/{stack}", lockAddress: "https://gitlab.example.org/api/v4/projects/42/terraform/state/{stack}/lock", lockMethod: "POST", unlockMethod: "DELETE", username: "ci" } }, (stack: string) => ({
      http: {
        address: `https://gitlab.example.org/api/v4/projects/42/terraform/state/${stack}`,
        lock_address: `https://gitlab.example.org/api/v4/projects/42/terraform/state/${stack}/lock`,
        unlock_address: `https://gitlab.example.org/api/v4/projects/42/terraform/state/${stack}/lock`,
        lock_method: "POST",
        unlock_method: "DELETE",
        username: "ci",
      },
    })],
    [{ remote: { organization: "acme", workspacePrefix: "centreon-" } }, (stack: string) => ({
      remote: { organization: "acme", workspaces: { name: `centreon-${stack}` } },
    })],
  ])("%j", (backend, expected) => {
    for (const { fleet, json } of synthStacks({ ...split(baseFleet()), backend })) {
      expect(json.terraform.backend).toEqual(expected(fleet.node.id));
    }
  });

  // init -backend=false (below) does not read the backend block: this init does, and stops at the
  // connection (to a closed loopback port), after Terraform accepted every argument.
  it("S3: Terraform 1.11 takes the lock file and an S3-compatible endpoint, with path-style URLs", () => {
    const dir = mkdtempSync(join(tmpdir(), "cmr-s3-"));
    writeFileSync(join(dir, "terraformrc"), "");
    const backend = { s3: { bucket: "acme-tf-states", region: "fr-par", endpoint: "http://127.0.0.1:9", usePathStyle: true } };
    const [main] = synthStacks({ ...baseFleet(), engine: "terraform_data", backend });
    expect(main.json.terraform.backend.s3.use_lockfile).toBe(true);
    writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify({ terraform: main.json.terraform }));
    const env = { ...process.env, TF_CLI_CONFIG_FILE: join(dir, "terraformrc"), CHECKPOINT_DISABLE: "1", AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_MAX_ATTEMPTS: "1" };
    const init = spawnSync("terraform", ["init", "-input=false", "-no-color"], { cwd: dir, env, encoding: "utf8" });
    const output = init.stdout + init.stderr;
    expect(output).toContain('Get "http://127.0.0.1:9/acme-tf-states?list-type=2');
    expect(output).not.toMatch(/Unsupported argument|Invalid|Warning|deprecated/);
  });

  it("passes terraform validate in every stack (terraform_data engine)", () => {
    const dir = mkdtempSync(join(tmpdir(), "cmr-stacks-"));
    writeFileSync(join(dir, "terraformrc"), "");
    const env = { ...process.env, TF_CLI_CONFIG_FILE: join(dir, "terraformrc"), CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1" };
    const keyFile = join(dir, "id_test");
    writeFileSync(keyFile, "not a real key: validate only reads the file\n");
    const doc: Record<string, any> = { ...split(centreonFleet()), engine: "terraform_data", backend: { s3: { bucket: "acme-tf-states", region: "eu-west-3" } } };
    doc.ssh = { ...doc.ssh, privateKeyFile: keyFile };
    const stacks = synthStacks(doc);
    for (const { fleet, json } of stacks) {
      const stackDir = join(dir, fleet.node.id);
      mkdirSync(stackDir);
      writeFileSync(join(stackDir, "cdk.tf.json"), JSON.stringify(json));
      execFileSync("terraform", ["init", "-backend=false", "-input=false"], { cwd: stackDir, env, stdio: "pipe" });
      const out = execFileSync("terraform", ["validate", "-json"], { cwd: stackDir, env }).toString();
      expect(JSON.parse(out)).toMatchObject({ valid: true, error_count: 0 });
    }
  });
});

describe("fleet file errors in stacks and backend", () => {
  const problems = (doc: Record<string, any>) => {
    try {
      parseFleet(stringify(doc), "unit.yaml");
    } catch (error) {
      if (error instanceof FleetValidationError) return error.message;
      throw error;
    }
    return "";
  };
  it.each<[string, (d: Record<string, any>) => void, string]>([
    ["an undeclared poller", (d) => d.stacks[0].pollers.push("poller-nice"), `stacks[0].pollers[2]: "poller-nice" is not a declared poller: declared pollers are poller-paris, poller-lyon, poller-lille`],
    ["a poller in two stacks", (d) => d.stacks.push({ name: "west", pollers: ["poller-lyon"] }), `stacks[1].pollers[0]: "poller-lyon" is already in stack "emea": a poller is deployed by one stack`],
    ["the central", (d) => d.stacks[0].pollers.push("Central"), `stacks[0].pollers[2]: "Central" is the central: it stays in the main stack "unit-fleet" with the Centreon objects`],
    ["two stacks with one name", (d) => d.stacks.push({ name: "emea", pollers: ["poller-lille"] }), `stacks[1].name: "emea" names two stacks: stack names must be unique`],
    ["a stack name that makes too long a stack name", (d) => (d.stacks[0].name = "e".repeat(60)), `stacks[0].name: "${"e".repeat(60)}" makes the stack "unit-fleet-${"e".repeat(60)}", which is not valid: it must be lower-case letters, digits and '-' (at most 63, starting with a letter or digit)`],
    ["an empty stack", (d) => (d.stacks[0].pollers = []), "stacks[0].pollers"],
    ["one http address for every stack", (d) => (d.backend = { http: { address: "https://state.example.org/centreon" } }), "backend.http.address: is the same for every stack, so the stacks would overwrite each other's state: put {stack} where the stack name goes"],
    // Written in every stack's JSON and in .terraform/, and echoed by CI: refused, and never repeated.
    ...[
      ["a user and token in the state address", "address", "https://ci:glpat-SECRETTOKEN@gitlab.example.org/api/v4/projects/42/terraform/state/{stack}"],
      ["a token in the lock address's query", "lockAddress", "https://gitlab.example.org/api/v4/projects/42/terraform/state/{stack}/lock?private_token=glpat-SECRETTOKEN"],
    ].map(([name, field, url]): [string, (d: Record<string, any>) => void, string] => [
      name,
      (d) => (d.backend = { http: { address: "https://s.example.org/{stack}", [field]: url } }),
      `backend.http.${field}: the value (not shown: it may be a password pasted by mistake) is not valid: it must be an http:// or https:// URL without spaces, quotes, '$' or credentials (no user:password@, no ?token=: give http.username and TF_HTTP_PASSWORD, or the storage's own environment variables), where {stack} stands for the stack name`,
    ]),
    ["two backends", (d) => (d.backend = { s3: { bucket: "acme-tf-states", region: "eu-west-3" }, remote: { organization: "acme" } }), "backend: must declare exactly one of s3, http or remote"],
    ["a password in the backend", (d) => (d.backend = { http: { address: "https://s.example.org/{stack}", password: "hunter2" } }), "backend.http.password: unknown field"],
    ["a bad bucket", (d) => (d.backend = { s3: { bucket: "Acme_States", region: "eu-west-3" } }), `backend.s3.bucket: "Acme_States" is not valid: it must be an S3 bucket name`],
    ["a region that is not AWS's, without an endpoint", (d) => (d.backend = { s3: { bucket: "acme-tf-states", region: "fr-par" } }), `backend.s3.region: "fr-par" is not valid: it must be an AWS region such as eu-west-3 (or set endpoint, for S3-compatible storage)`],
    ["an unlock address without a lock address", (d) => (d.backend = { http: { address: "https://s.example.org/{stack}", unlockAddress: "https://s.example.org/{stack}/lock" } }), "backend.http.unlockAddress: needs lockAddress: without it Terraform takes no lock, and unlockAddress is ignored"],
    ["a lock method without a lock address", (d) => (d.backend = { http: { address: "https://s.example.org/{stack}", lockMethod: "POST", unlockMethod: "DELETE" } }), "backend.http.lockMethod: needs lockAddress: without it Terraform takes no lock, and lockMethod is ignored"],
    ["a DynamoDB lock table with S3-compatible storage", (d) => (d.backend = { s3: { bucket: "acme-tf-states", region: "fr-par", endpoint: "https://s3.fr-par.scw.cloud", dynamodbTable: "tf-locks" } }), "backend.s3.dynamodbTable: with an endpoint (S3-compatible storage), Terraform would look the table up in AWS DynamoDB: lock with useLockfile instead (the default)"],
    ["a lock method without its unlock method", (d) => (d.backend = { http: { address: "https://s.example.org/{stack}", lockAddress: "https://s.example.org/{stack}/lock", lockMethod: "POST" } }), "backend.http.unlockMethod: is required with lockMethod: without it Terraform uses UNLOCK, which a server with its own methods refuses (GitLab: lockMethod POST, unlockMethod DELETE)"],
  ])("%s", (_name, mutate, expected) => {
    const doc = split(baseFleet());
    mutate(doc);
    expect(problems(doc)).toContain(expected);
    expect(problems(doc)).not.toContain("SECRETTOKEN");
  });

  it("warns of an http state without a lock, or whose address has no {stack}", () => {
    const doc = { ...baseFleet(), backend: { http: { address: "https://s.example.org/centreon" } } };
    const [main] = synthStacks(doc);
    expect(main.fleet.warnings).toEqual(
      expect.arrayContaining([
        "state backend http: no lockAddress, so no lock: two deploys of stack unit-fleet at once can overwrite each other's state",
        "state backend http: the address has no {stack}; adding stacks later will need it, and this stack's state will then move: put {stack} in now",
      ]),
    );
  });

  it("warns of an s3 state without a lock", () => {
    const [main] = synthStacks({ ...baseFleet(), backend: { s3: { bucket: "acme-tf-states", region: "eu-west-3", useLockfile: false } } });
    expect(main.fleet.warnings).toContain(
      "state backend s3: useLockfile false and no dynamodbTable, so no lock: two deploys of stack unit-fleet at once can overwrite each other's state",
    );
    const [locked] = synthStacks({ ...baseFleet(), backend: { s3: { bucket: "acme-tf-states", region: "eu-west-3" } } });
    expect(locked.fleet.warnings.filter((w) => w.startsWith("state backend"))).toEqual([]);
  });

  it("reports a stack name with capitals once, not also as the stack name it makes", () => {
    const doc = split(baseFleet());
    doc.stacks[0].name = "EMEA";
    expect(problems(doc).match(/stacks\[0\]\.name/g)).toHaveLength(1);
  });
});
