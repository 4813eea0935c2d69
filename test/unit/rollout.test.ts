// Rollout waves: computed once (rolloutWaves), validated in the fleet file, and synthesized as
// depends_on between the relay resources of consecutive waves, the probe in every relay script.
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { rolloutWaves } from "../../lib/constructs/rollout.js";
import { FleetValidationError, parseFleet } from "../../lib/fleet/load.js";
import { formatPath } from "../../lib/fleet/cross-checks.js";
import { summary } from "../../lib/review/artifacts.js";
import { baseFleet, decodedScript, synthFleet } from "../fixtures/fleets.js";

const HOSTS = ["p1", "p2", "p3", "p4", "p5", "p6"];

describe("rolloutWaves", () => {
  it("puts the canaries first, in the order given, then the others in declaration order, batchSize at a time", () => {
    expect(rolloutWaves(HOSTS, ["p4", "p2"], 2)).toEqual([["p4", "p2"], ["p1", "p3"], ["p5", "p6"]]);
    expect(rolloutWaves(HOSTS, ["p1"], 4)).toEqual([["p1"], ["p2", "p3", "p4", "p5"], ["p6"]]);
  });

  it("without batchSize, every other host is one wave; without canary, waves start with the first hosts", () => {
    expect(rolloutWaves(HOSTS, ["p6"])).toEqual([["p6"], ["p1", "p2", "p3", "p4", "p5"]]);
    expect(rolloutWaves(HOSTS, [], 4)).toEqual([["p1", "p2", "p3", "p4"], ["p5", "p6"]]);
    expect(rolloutWaves(HOSTS)).toEqual([HOSTS]);
  });

  it("leaves no empty wave when every host is a canary", () => {
    expect(rolloutWaves(["a", "b"], ["b", "a"], 1)).toEqual([["b", "a"]]);
  });

  it("refuses an unknown canary, a canary named twice and a batch size below 1, naming the value", () => {
    expect(() => rolloutWaves(HOSTS, ["p9"])).toThrow(`rollout.canary: "p9" is not a host with a relay: declared ones are p1, p2, p3, p4, p5, p6`);
    expect(() => rolloutWaves(HOSTS, ["p1", "p1"])).toThrow("rollout.canary: a host is named twice (p1, p1)");
    expect(() => rolloutWaves(HOSTS, [], 0)).toThrow("rollout.batchSize: 0 is not valid: it must be an integer of at least 1");
  });
});

function problems(doc: Record<string, any>): string[] {
  try {
    parseFleet(stringify(doc), "bad.yaml");
  } catch (error) {
    if (error instanceof FleetValidationError) return error.problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
    throw error;
  }
  return [];
}
const withRollout = (rollout: unknown): Record<string, any> => ({ ...baseFleet(), rollout });
const probe = { recipient: "mail-probe@example.org" };

describe("the rollout section of the fleet file", () => {
  it.each([
    [
      "a canary that is not a declared poller",
      { canary: ["poller-nice"], probe },
      `rollout.canary[0]: "poller-nice" is not a declared poller with a relay: declared ones are poller-paris, poller-lyon, poller-lille, Central`,
    ],
    ["a canary named twice", { canary: ["poller-lyon", "poller-lyon"], probe }, `rollout.canary[1]: "poller-lyon" is named twice: list each canary once`],
    ["batchSize 0", { batchSize: 0, probe }, "rollout.batchSize: 0 is not valid: it must be at least 1"],
    ["batchSize 1.5", { batchSize: 1.5, probe }, "rollout.batchSize: 1.5 is not valid: it must be an integer"],
    ["no probe", { canary: ["poller-lyon"] }, "rollout.probe: is required (object)"],
    [
      "a probe recipient that is not an address",
      { probe: { recipient: "ops" } },
      `rollout.probe.recipient: "ops" is not valid: it must be an e-mail address user@domain.tld (letters, digits, '.', '_', '%', '+', '-' before the @)`,
    ],
    ["a probe timeout of 2 s", { probe: { ...probe, timeoutSeconds: 2 } }, "rollout.probe.timeoutSeconds: 2 is not valid: it must be at least 5"],
  ])("%s", (_name, rollout, message) => {
    expect(problems(withRollout(rollout))).toEqual([message]);
  });

  it("refuses the central as a canary when it has no relay: gateway none, or none to inherit", () => {
    const noRelay = `rollout.canary[0]: "Central" is not a declared poller with a relay: declared ones are poller-paris, poller-lyon, poller-lille`;
    const gatewayNone = withRollout({ canary: ["Central"], probe });
    gatewayNone.central.gateway = "none";
    expect(problems(gatewayNone)).toEqual([noRelay]);

    const nothingToInherit = withRollout({ canary: ["Central"], probe });
    delete nothingToInherit.central.gateway;
    expect(nothingToInherit.defaultGateway).toBeUndefined();
    expect(problems(nothingToInherit)).toEqual([noRelay]);
  });

  it("takes as a canary the central that relays through the defaultGateway it inherits", () => {
    const doc = withRollout({ canary: ["Central"], probe });
    doc.defaultGateway = "corporate";
    delete doc.central.gateway;
    expect(problems(doc)).toEqual([]);
    const { fleet } = synthFleet(doc);
    expect(fleet.waves[0]).toEqual(["Central"]);
  });

  it("defaults the probe timeout to 60 s and batchSize to the rest in one wave", () => {
    const spec = parseFleet(stringify(withRollout({ canary: ["poller-lyon"], probe })), "ok.yaml");
    expect(spec.rollout).toEqual({ canary: ["poller-lyon"], probe: { recipient: "mail-probe@example.org", timeoutSeconds: 60 } });
  });
});

describe("synthesized waves", () => {
  const rolled = () => synthFleet(withRollout({ canary: ["poller-lyon"], batchSize: 2, probe: { ...probe, timeoutSeconds: 45 } }));

  it("makes each relay resource depend on every relay of the previous wave, the canary on nothing", () => {
    const { fleet, resources } = rolled();
    expect(fleet.waves).toEqual([["poller-lyon"], ["poller-paris", "poller-lille"], ["Central"]]);
    expect(resources["relay_poller-lyon"].depends_on).toBeUndefined();
    expect(resources["relay_poller-paris"].depends_on).toEqual(["null_resource.relay_poller-lyon"]);
    expect(resources["relay_poller-lille"].depends_on).toEqual(["null_resource.relay_poller-lyon"]);
    expect(resources["relay_Central"].depends_on).toEqual(["null_resource.relay_poller-paris", "null_resource.relay_poller-lille"]);
    // The Centreon objects are not part of the relay rollout.
    expect(resources["clapi_Central"].depends_on).toBeUndefined();
  });

  it("probes every relay host, canary or not, with the declared recipient and timeout", () => {
    const { resources } = rolled();
    for (const name of ["poller-lyon", "poller-paris", "poller-lille", "Central"]) {
      const script = decodedScript(resources[`relay_${name}`]);
      expect(script).toContain("step=probe");
      expect(script).toContain("probe_recipient='mail-probe@example.org'\nprobe_timeout=45\n");
    }
  });

  it("without a rollout section: no depends_on and no probe (the relay resources run in parallel)", () => {
    const { resources, fleet } = synthFleet(baseFleet());
    expect(fleet.waves).toEqual([["poller-paris", "poller-lyon", "poller-lille", "Central"]]);
    for (const name of ["poller-lyon", "poller-paris", "poller-lille", "Central"]) {
      expect(resources[`relay_${name}`].depends_on).toBeUndefined();
      expect(decodedScript(resources[`relay_${name}`])).not.toContain("step=probe");
    }
  });

  it("changes no trigger when only the wave order changes (depends_on orders, it does not replace)", () => {
    const a = rolled().resources;
    const b = synthFleet(withRollout({ canary: ["poller-paris"], batchSize: 1, probe: { ...probe, timeoutSeconds: 45 } })).resources;
    for (const name of ["poller-lyon", "poller-paris", "poller-lille", "Central"]) {
      expect(b[`relay_${name}`].triggers).toEqual(a[`relay_${name}`].triggers);
    }
  });

  it("shows the waves and the probe in the review summary, and no rollout section without one", () => {
    expect(summary(rolled().fleet)).toContain(
      [
        "## Rollout",
        "",
        "Waves, in order: a wave starts only when every host of the previous one succeeded, so a failed",
        "host stops the hosts of the later waves. After its reload, each host sends a probe to",
        "`mail-probe@example.org` through its gateway and fails unless Postfix reports it sent within",
        "45 s.",
        "",
        "| wave | hosts |",
        "|---|---|",
        "| 0 (canaries) | poller-lyon |",
        "| 1 | poller-paris, poller-lille |",
        "| 2 | Central |",
      ].join("\n"),
    );
    expect(summary(synthFleet(baseFleet()).fleet)).not.toContain("## Rollout");
  });
});
