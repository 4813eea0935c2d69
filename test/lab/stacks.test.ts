// End to end: a fleet split into two stacks, each with its own state in an HTTP state backend (a
// loopback server speaking Terraform's http backend protocol, with its default LOCK/UNLOCK locks).
// Each stack deploys its own relays; the main stack's CLAPI batch still covers every poller.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueCheckHostName } from "../../lib/clapi/objects.js";
import { readState } from "../clapi-double/state.js";
import { isMessage, requirePrivileged, type UpstreamMessage } from "../support/index.js";
import { LAB_SECRETS, LAB_USERS, labFleet, secretEnv, synthLab } from "./fleet.js";
import { startLab, type Lab } from "./lab.js";

const privileged = requirePrivileged("stacks lab (network namespaces, sshd, Postfix, terraform)");

/** Terraform's http backend protocol: GET/POST/DELETE the state, LOCK/UNLOCK its lock address. */
async function startStateServer() {
  const states = new Map<string, string>();
  const locks = new Map<string, string>();
  let lockCount = 0;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    const reply = (status: number, text = ""): void => void res.writeHead(status).end(text);
    req.on("end", (): void => {
      const path = new URL(req.url ?? "/", "http://state").pathname;
      const lock = /^\/state\/([\w-]+)\/lock$/.exec(path);
      const state = /^\/state\/([\w-]+)$/.exec(path);
      if (lock && req.method === "LOCK") {
        if (locks.has(lock[1])) return reply(423, locks.get(lock[1]));
        locks.set(lock[1], body);
        lockCount++;
        return reply(200);
      }
      if (lock && req.method === "UNLOCK") {
        locks.delete(lock[1]);
        return reply(200);
      }
      if (state && req.method === "GET") return states.has(state[1]) ? reply(200, states.get(state[1])) : reply(404);
      if (state && req.method === "POST") {
        states.set(state[1], body);
        return reply(200);
      }
      if (state && req.method === "DELETE") {
        states.delete(state[1]);
        return reply(200);
      }
      reply(405);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/state`,
    states,
    locks,
    lockCount: () => lockCount,
    /** Resource names recorded in a stack's state. */
    resources: (stack: string) => (JSON.parse(states.get(stack) ?? '{"resources":[]}').resources as { name: string }[]).map((r) => r.name).sort(),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.skipIf(!privileged)("the lab: a fleet split into stacks, state in an http backend", () => {
  let lab: Lab;
  let stateServer: Awaited<ReturnType<typeof startStateServer>>;
  let doc: Record<string, any>;

  const hosts = () => [...lab.pollers, lab.central];
  const connections = () => Object.fromEntries(hosts().map((h) => [h.name, h.connections()]));
  // Not lab.terraform: its spawnSync would block this process, and with it the state server.
  const applyAll = async () => {
    const main = synthLab(lab, doc);
    const stackDirs = { lab: main, "lab-p2": join(dirname(main), "lab-p2") };
    for (const [stack, dir] of Object.entries(stackDirs)) {
      for (const args of [["init", "-input=false", "-no-color"], ["apply", "-auto-approve", "-input=false", "-no-color"]]) {
        const result = await lab.terraformAsync(dir, args, secretEnv(LAB_SECRETS)).done;
        if (result.code !== 0) throw new Error(`terraform ${args[0]} of stack ${stack} failed:\n${result.output.slice(-4000)}`);
      }
    }
  };

  beforeAll(async () => {
    lab = await startLab({ pollers: ["poller-1", "poller-2"], users: LAB_USERS, clapiAdminPassword: LAB_SECRETS.centreon_admin_password });
    stateServer = await startStateServer();
    doc = {
      ...labFleet(lab),
      stacks: [{ name: "p2", pollers: ["poller-2"] }],
      backend: { http: { address: `${stateServer.url}/{stack}`, lockAddress: `${stateServer.url}/{stack}/lock` } },
    };
  });
  afterAll(async () => {
    await stateServer?.stop();
    await lab?.stop();
  });

  it("deploys each stack's relays from its own state, and the main stack's Centreon objects cover every poller", async () => {
    await applyAll();
    expect([...stateServer.states.keys()].sort()).toEqual(["lab", "lab-p2"]);
    expect(stateServer.resources("lab-p2")).toEqual(["relay_poller-2"]);
    expect(stateServer.resources("lab")).toEqual(expect.arrayContaining(["relay_poller-1", "relay_Central", "clapi_Central", "queue_check_poller-2"]));
    expect(stateServer.resources("lab")).not.toContain("relay_poller-2");
    // Every apply locked its state and released the lock.
    expect(stateServer.lockCount()).toBeGreaterThanOrEqual(2);
    expect(stateServer.locks.size).toBe(0);

    // poller-2's relay, deployed by the other stack, relays through the gateway.
    const subject = "from the p2 stack";
    const sent = await lab.pollers[1].scratch.exec("sendmail -f nagios ops@example.org", { input: `Subject: ${subject}\nFrom: nagios\n\nbody\n` });
    expect(sent.code).toBe(0);
    const message = (await lab.gateway.upstream.waitFor((m) => isMessage(m) && m.subject === subject, 30_000)) as UpstreamMessage;
    expect(message.user).toBe("relay-corporate");

    // The main stack's batch created the queue check of poller-2 on poller-2.
    const state = readState(lab.clapiState);
    const queueHost = state.hosts.find((h) => h.register === 1 && h.cols.host_name === queueCheckHostName("poller-2"));
    expect(queueHost).toBeDefined();
    expect(state.instances.find((i) => i.id === queueHost!.instance)?.cols.name).toBe("poller-2");
  });

  it("re-applies both stacks without touching a host", async () => {
    const before = connections();
    await applyAll();
    expect(connections()).toEqual(before);
  });
});
