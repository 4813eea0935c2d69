// The lab's fleet file and how it is deployed: synthesized by main.ts as a user runs it, then
// applied by real Terraform (terraform_data engine: the null provider cannot be downloaded here).
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { PROJECT_DIR, type Lab } from "./lab.js";

export const LAB_POLLERS = ["poller-1", "poller-2", "poller-3"];
export const LAB_SECRETS = {
  smtp_password: "Corporate relay pass 'quoted' $x",
  backup_smtp_password: "Backup-relay-pass-2",
  probe_password: "Probe-Pa55word",
  centreon_admin_password: "Centreon-Adm1n!",
};
export const LAB_USERS = {
  "relay-corporate": LAB_SECRETS.smtp_password,
  "relay-backup": LAB_SECRETS.backup_smtp_password,
  probe: LAB_SECRETS.probe_password,
};

/** central, poller-1 and poller-2 relay through "corporate", poller-3 through "backup". */
export function labFleet(lab: Lab): Record<string, any> {
  const gateway = (user: string, secret: string) => ({
    host: lab.gateway.address,
    port: lab.gateway.port,
    security: "starttls",
    verifyCertificate: true,
    caFile: lab.ca.caPath,
    auth: { username: user, password: { secret } },
    from: "centreon@lab.example.org",
    enabled: true,
  });
  return {
    name: "lab",
    engine: "terraform_data",
    strictHostKeys: true,
    // Centreon's SMTP plugin comes from Centreon's repositories, which this machine cannot reach.
    installCheckPlugins: false,
    ssh: { user: "root", port: 22, privateKeyFile: lab.privateKeyFile, timeoutSeconds: 10 },
    central: {
      name: "Central",
      address: lab.central.address,
      fqdn: lab.central.fqdn,
      os: "auto",
      hostKey: lab.central.hostKey,
      gateway: "corporate",
      clapi: { user: "admin", password: { secret: "centreon_admin_password" } },
    },
    gateways: {
      corporate: gateway("relay-corporate", "smtp_password"),
      backup: gateway("relay-backup", "backup_smtp_password"),
    },
    pollers: lab.pollers.map((p, i) => ({
      name: p.name,
      address: p.address,
      fqdn: p.fqdn,
      os: i === 1 ? "debian" : "auto",
      gateway: i === 2 ? "backup" : "corporate",
      hostKey: p.hostKey,
    })),
    contactGroups: [{ name: "ops", alias: "Operations" }],
    contacts: [
      {
        name: "John Doe",
        alias: "jdoe",
        email: "jdoe@example.org",
        groups: ["ops"],
        notifications: {
          enabled: true,
          host: { events: ["down", "unreachable", "recovery"], period: "24x7" },
          service: { events: ["warning", "unknown", "critical"], period: "24x7" },
        },
      },
    ],
    smtpChecks: [
      {
        host: "smtp-lab",
        address: lab.gateway.address,
        poller: "poller-1",
        port: lab.gateway.port,
        auth: { username: "probe", password: { secret: "probe_password" } },
        login: { warning: 2, critical: 5 },
        message: { from: "probe@lab.example.org", to: "ops@example.org", warning: 5, critical: 10 },
        notify: { contacts: ["jdoe"], groups: ["ops"] },
      },
    ],
    queueChecks: { warning: 2, critical: 4 },
  };
}

/** Synthesizes `doc` with main.ts as `npm run synth` does; returns the stack directory. */
export function synthLab(lab: Lab, doc: Record<string, any>): string {
  return synthLabWithOutput(lab, doc).stackDir;
}

/** The same, with everything main.ts printed. */
export function synthLabWithOutput(lab: Lab, doc: Record<string, any>): { stackDir: string; output: string } {
  const fleetFile = join(lab.dir, "fleet.yaml");
  writeFileSync(fleetFile, stringify(doc));
  const outdir = join(lab.dir, "cdktf.out");
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  // cwd = the lab: the state file lands there, as it lands in a user's project.
  const result = spawnSync(process.execPath, ["--import", tsx, join(PROJECT_DIR, "main.ts")], {
    cwd: lab.dir,
    env: { ...process.env, FLEET_FILE: fleetFile, CDKTF_OUTDIR: outdir },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`synth failed: ${result.stderr}`);
  return { stackDir: join(outdir, "stacks", doc.name), output: `${result.stdout}${result.stderr}` };
}

/** TF_VAR_ for each secret. */
export function secretEnv(secrets: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).map(([name, value]) => [`TF_VAR_${name}`, value]));
}

/**
 * examples/fleet.yaml as it would be deployed into the lab: the lab's addresses, host keys, key
 * file and CA; os auto (the lab hosts are Debian); the terraform_data engine.
 */
export function exampleInLab(lab: Lab): Record<string, any> {
  const doc: Record<string, any> = parse(readFileSync(join(PROJECT_DIR, "examples/fleet.yaml"), "utf8"));
  doc.engine = "terraform_data";
  doc.installCheckPlugins = false;
  doc.ssh = { ...doc.ssh, privateKeyFile: lab.privateKeyFile, timeoutSeconds: 10 };
  const place = (spec: Record<string, any>, host: LabHostLike) => Object.assign(spec, { address: host.address, hostKey: host.hostKey, os: "auto" });
  place(doc.central, lab.central);
  doc.pollers.forEach((p: Record<string, any>, i: number) => place(p, lab.pollers[i]));
  for (const gateway of Object.values<any>(doc.gateways)) Object.assign(gateway, { host: lab.gateway.address, port: lab.gateway.port, caFile: lab.ca.caPath });
  for (const check of doc.smtpChecks ?? []) Object.assign(check, { address: lab.gateway.address, port: lab.gateway.port });
  return doc;
}

/** The example's gateway user and secret names, for the lab's upstream and TF_VAR_s. */
export const EXAMPLE_USERS = { "alerts@example.org": LAB_SECRETS.smtp_password };
export const EXAMPLE_POLLERS = ["poller-paris", "poller-lyon", "poller-lille"];

type LabHostLike = { address: string; hostKey: string };
