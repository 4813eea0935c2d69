// The end-to-end lab: one "machine" per poller and one for the central, each a scratch host (its
// own /etc/postfix, queue, logs, /root) in its own network namespace on a private subnet that
// exists only inside the namespaces made here, each with its own sshd and host key; an upstream
// SMTP gateway requiring STARTTLS and AUTH; the CLAPI test double as `centreon` on the central.
// Terraform runs in the root namespace and reaches the hosts through a hub bridge.
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { initState } from "../clapi-double/state.js";
import { makeTestCa, startScratchHost, startUpstream, type ScratchHost, type TestCa, type Upstream } from "../support/index.js";

export const PROJECT_DIR = join(import.meta.dirname, "../..");
const DOUBLE = join(PROJECT_DIR, "test/clapi-double/centreon");

export interface LabHost {
  name: string;
  address: string;
  fqdn: string;
  scratch: ScratchHost;
  /** "ssh-ed25519 AAAA..." of this host's sshd. */
  hostKey: string;
  /** SSH connections accepted so far (from sshd's own log). */
  connections(): number;
  /** Stops sshd (the host becomes unreachable) or starts it again. */
  setReachable(reachable: boolean): Promise<void>;
  /** Gives sshd a new host key (another machine answering at this address); returns it. */
  replaceHostKey(): Promise<string>;
}

export interface LabOptions {
  pollers: string[];
  /** Users the upstream gateway accepts. */
  users: Record<string, string>;
  clapiAdminPassword: string;
}

export interface Lab {
  dir: string;
  subnet: string;
  privateKeyFile: string;
  ca: TestCa;
  central: LabHost;
  pollers: LabHost[];
  gateway: { address: string; port: number; upstream: Upstream };
  clapiState: string;
  /** Runs terraform in `stackDir` with the lab's CLI config; never throws. */
  terraform(stackDir: string, args: string[], env?: Record<string, string>): { code: number; output: string };
  /** The same, without blocking: the process (to watch or kill) and its result. */
  terraformAsync(stackDir: string, args: string[], env?: Record<string, string>): { child: ChildProcess; done: Promise<{ code: number; output: string }> };
  stop(): Promise<void>;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"] }).toString();

const SUBNET_CLAIMS = "/run/cmr-lab-subnets";

/**
 * 198.18.0.0/15 is reserved for network tests; each lab takes one /24, 198.18.N.0/24. Labs run in
 * parallel (one per test file), so N is claimed with a file only one process can create; a claim
 * whose process is gone is taken over, and a subnet some interface already uses is skipped.
 */
function claimSubnet(): number {
  mkdirSync(SUBNET_CLAIMS, { recursive: true });
  const inUse = run("ip", ["-4", "-o", "addr", "show"]);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const octet = 1 + Math.floor(Math.random() * 250);
    if (inUse.includes(` 198.18.${octet}.`)) continue;
    const claim = join(SUBNET_CLAIMS, String(octet));
    try {
      writeFileSync(claim, String(process.pid), { flag: "wx" });
      return octet;
    } catch {
      let owner = 0;
      try {
        owner = Number(readFileSync(claim, "utf8"));
      } catch {
        /* released meanwhile */
      }
      if (owner && !isAlive(owner)) rmSync(claim, { force: true });
    }
  }
  throw new Error(`no free lab subnet in 198.18.1-250.0/24: see ${SUBNET_CLAIMS}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startLab(opts: LabOptions): Promise<Lab> {
  const dir = mkdtempSync("/var/tmp/cmr-lab-");
  const id = dir.slice(-6).replace(/[^A-Za-z0-9]/g, "x");
  const octet = claimSubnet();
  const subnet = `198.18.${octet}`;
  const hub = `cmr-hub-${id}`;
  const cleanups: (() => Promise<void> | void)[] = [
    () => rmSync(join(SUBNET_CLAIMS, String(octet)), { force: true }),
    () => rmSync(dir, { recursive: true, force: true }),
  ];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        /* keep tearing down */
      }
    }
  };

  try {
    mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
    run("ip", ["netns", "add", hub]);
    cleanups.push(() => void spawnSync("ip", ["netns", "delete", hub]));
    run("ip", ["-n", hub, "link", "add", "br0", "type", "bridge"]);
    run("ip", ["-n", hub, "link", "set", "br0", "up"]);
    // The root namespace's leg: Terraform connects from 198.18.N.1.
    const rootLeg = `cmr${id}r`;
    run("ip", ["link", "add", rootLeg, "type", "veth", "peer", "name", "hub-root", "netns", hub]);
    cleanups.push(() => void spawnSync("ip", ["link", "delete", rootLeg]));
    run("ip", ["-n", hub, "link", "set", "hub-root", "master", "br0", "up"]);
    run("ip", ["addr", "add", `${subnet}.1/24`, "dev", rootLeg]);
    run("ip", ["link", "set", rootLeg, "up"]);

    const privateKeyFile = join(dir, "id_ed25519");
    run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "lab", "-f", privateKeyFile]);
    writeFileSync(join(dir, "authorized_keys"), readFileSync(`${privateKeyFile}.pub`));
    const ca = makeTestCa(join(dir, "ca"), { ips: [`${subnet}.5`] });
    const clapiState = join(dir, "clapi-state.json");
    initState(clapiState, { adminPassword: opts.clapiAdminPassword, pollers: opts.pollers });

    let index = 0;
    const attach = async (scratch: ScratchHost, address: string) => {
      const veth = `cmr${id}${index++}`;
      run("ip", ["link", "add", veth, "type", "veth", "peer", "name", `${veth}p`]);
      run("ip", ["link", "set", veth, "netns", hub]);
      run("ip", ["-n", hub, "link", "set", veth, "master", "br0", "up"]);
      run("ip", ["link", "set", `${veth}p`, "netns", String(scratch.pid)]);
      const r = await scratch.exec(`ip link set ${veth}p name eth0 && ip addr add ${address}/24 dev eth0 && ip link set eth0 up`);
      if (r.code !== 0) throw new Error(`lab: cannot configure ${address}: ${r.stderr}`);
    };

    const makeHost = async (name: string, address: string, central: boolean): Promise<LabHost> => {
      const scratch = await startScratchHost({
        name,
        mainCf: "none",
        // The central runs the double from this checkout, which may live under /tmp.
        privateTmp: !central,
        privateDirs: central ? ["/root", "/usr/local/bin"] : ["/root"],
      });
      cleanups.push(() => scratch.stop());
      await attach(scratch, address);
      const hostDir = join(dir, name);
      mkdirSync(hostDir);
      run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", join(hostDir, "ssh_host_ed25519_key")]);
      const config = join(hostDir, "sshd_config");
      writeFileSync(
        config,
        [
          `ListenAddress ${address}:22`,
          `HostKey ${join(hostDir, "ssh_host_ed25519_key")}`,
          `PidFile ${join(hostDir, "sshd.pid")}`,
          `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
          "PermitRootLogin prohibit-password",
          "PasswordAuthentication no",
          "KbdInteractiveAuthentication no",
          "UsePAM no",
          "StrictModes no",
          "LogLevel INFO",
          "PrintLastLog no",
          ...(central ? [`SetEnv CENTREON_DOUBLE_STATE=${clapiState} CENTREON_DOUBLE_HOME=${PROJECT_DIR}`] : []),
          "",
        ].join("\n"),
      );
      if (central) symlinkSync(DOUBLE, scratch.path("/usr/local/bin/centreon"));
      const log = join(hostDir, "sshd.log");
      let sshd: ChildProcess | undefined;
      const startSshd = async () => {
        const fd = openSync(log, "a");
        sshd = spawn("nsenter", ["-t", String(scratch.pid), "-m", "-n", "/usr/sbin/sshd", "-D", "-e", "-f", config], {
          stdio: ["ignore", fd, fd],
        });
        closeSync(fd);
        for (let i = 0; i < 50; i++) {
          if ((await scratch.exec(`ss -ltn 'sport = :22'`)).stdout.includes(`${address}:22`)) return;
          await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`lab: sshd on ${name} did not start: ${readFileSync(log, "utf8")}`);
      };
      const stopSshd = async () => {
        if (!sshd || sshd.exitCode !== null) return;
        const exited = new Promise((r) => sshd!.once("exit", r));
        sshd.kill("SIGTERM");
        await exited;
      };
      await startSshd();
      cleanups.push(stopSshd);
      return {
        name,
        address,
        fqdn: `${name}.lab.example.org`,
        scratch,
        hostKey: readFileSync(join(hostDir, "ssh_host_ed25519_key.pub"), "utf8").trim().split(" ").slice(0, 2).join(" "),
        connections: () => (readFileSync(log, "utf8").match(/Accepted publickey for root/g) ?? []).length,
        setReachable: async (reachable) => (reachable ? startSshd() : stopSshd()),
      async replaceHostKey() {
        await stopSshd();
        const key = join(hostDir, "ssh_host_ed25519_key");
        rmSync(key, { force: true });
        rmSync(`${key}.pub`, { force: true });
        run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", key]);
        await startSshd();
        return readFileSync(`${key}.pub`, "utf8").trim().split(" ").slice(0, 2).join(" ");
      },
      };
    };

    const central = await makeHost("central", `${subnet}.10`, true);
    const pollers: LabHost[] = [];
    for (const [i, name] of opts.pollers.entries()) pollers.push(await makeHost(name, `${subnet}.${21 + i}`, false));

    const gatewayHost = await startScratchHost({ name: "gateway" });
    cleanups.push(() => gatewayHost.stop());
    await attach(gatewayHost, `${subnet}.5`);
    const upstream = await startUpstream({ host: gatewayHost, listen: `${subnet}.5`, port: 587, mode: "starttls", users: opts.users, tlsDir: join(dir, "ca") });
    cleanups.push(() => upstream.stop());

    const cliConfig = join(dir, "terraformrc");
    writeFileSync(cliConfig, "");
    const terraformEnv = (env: Record<string, string>) => ({
      ...process.env,
      TF_CLI_CONFIG_FILE: cliConfig,
      CHECKPOINT_DISABLE: "1",
      TF_IN_AUTOMATION: "1",
      ...env,
    });
    return {
      dir,
      subnet,
      privateKeyFile,
      ca,
      central,
      pollers,
      gateway: { address: `${subnet}.5`, port: 587, upstream },
      clapiState,
      terraform(stackDir, args, env = {}) {
        const result = spawnSync("terraform", args, { cwd: stackDir, env: terraformEnv(env), encoding: "utf8", timeout: 300_000 });
        return { code: result.status ?? 1, output: `${result.stdout}${result.stderr}` };
      },
      terraformAsync(stackDir, args, env = {}) {
        const child = spawn("terraform", args, { cwd: stackDir, env: terraformEnv(env) });
        let output = "";
        child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
        child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
        const done = new Promise<{ code: number; output: string }>((resolve) =>
          child.once("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), output })),
        );
        return { child, done };
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
