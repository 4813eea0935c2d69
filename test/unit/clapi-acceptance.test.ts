// The example fleet's central.clapi, line by line, through the CLAPI double of each version.
import { readFileSync } from "node:fs";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { Testing } from "../../lib/cdktf.js";
import { buildFleet } from "../../lib/fleet/build.js";
import { parseFleet } from "../../lib/fleet/load.js";
import { runImport } from "../clapi-double/clapi.js";
import { createState, type ClapiVersion } from "../clapi-double/state.js";

function centralClapi(change: (doc: Record<string, any>) => void = () => undefined): string {
  const doc: Record<string, any> = parseFleet(readFileSync("examples/fleet.yaml", "utf8"));
  change(doc);
  const fleet = buildFleet(Testing.app(), parseFleet(stringify(doc)));
  // What the executor does on the central: placeholders replaced by values CLAPI accepts.
  return fleet.central!.configuration!.batch().text
    .replaceAll("<secret:smtp_password>", "Smtp-Pa55word!")
    .replaceAll("<generated-password>", "Generated-Pa55word@");
}

const errorLines = (stdout: string) => stdout.split("\n").filter((l) => /^Line \d+ : /.test(l));

describe.each(["22.10", "23.10", "24.10"] as ClapiVersion[])("Centreon %s accepts the example fleet's batch", (version) => {
  const pollers = ["poller-paris", "poller-lyon", "poller-lille"];

  it("line by line on a first run, and answers only 'Object already exists' on a re-run", () => {
    const state = createState({ adminPassword: "Admin-Pa55word!", pollers, version });
    const first = runImport(state, centralClapi());
    expect(first.stderr).toBe("");
    expect(errorLines(first.stdout)).toEqual([]);
    const second = runImport(state, centralClapi());
    for (const l of errorLines(second.stdout)) expect(l).toMatch(/^Line \d+ : Object already exists/);
  });

  it("stores each notification command's line byte for byte as the batch's ADD line carries it", () => {
    const state = createState({ adminPassword: "Admin-Pa55word!", pollers, version });
    const batch = centralClapi();
    runImport(state, batch);
    const added = batch.split("\n").filter((l) => /^CMD;ADD;[^;]+;notif;/.test(l));
    expect(added).toHaveLength(4);
    for (const l of added) {
      const [, , name, , ...rest] = l.split(";");
      expect(rest).toHaveLength(1); // nothing after the line: it held no ';'
      const stored = state.commands.find((c) => c.cols.command_name === name)!;
      expect(stored.cols.command_line).toBe(rest[0]);
      expect(stored.cols.enable_shell).toBe("0");
    }
  });

  it("without the connector pack, when the project creates the templates", () => {
    const state = createState({ adminPassword: "Admin-Pa55word!", pollers, version, packInstalled: false });
    const batch = centralClapi((d) => (d.central.smtpTemplates = "create"));
    const first = runImport(state, batch);
    expect(errorLines(first.stdout)).toEqual([]);
    expect(state.services.filter((s) => s.register === 1).map((s) => s.cols.service_description)).toContain("SMTP-Login");
  });

  it("and refuses it without the pack when nothing creates the templates", () => {
    const state = createState({ adminPassword: "Admin-Pa55word!", pollers, version, packInstalled: false });
    expect(errorLines(runImport(state, centralClapi()).stdout).length).toBeGreaterThan(0);
  });
});
