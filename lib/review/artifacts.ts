// Review artifacts: what a reviewer reads in a merge request, written at every synth.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Fleet } from "../constructs/fleet.js";
import { tlsLevelOf } from "../postfix/relay-parameters.js";
import { render } from "../render/templates.js";

/** Writes <outdir>/review/<stack>/: pollers/<host>/{main.cf,sasl_passwd,provision.sh}, SUMMARY.md. */
export function writeReview(outdir: string, fleet: Fleet, warnings: string[] = []): string {
  const dir = join(outdir, "review", fleet.node.id);
  rmSync(dir, { recursive: true, force: true });
  for (const relay of fleet.relays) {
    const hostDir = join(dir, "pollers", relay.hostName);
    mkdirSync(hostDir, { recursive: true });
    for (const [name, content] of Object.entries(relay.reviewFiles())) writeFileSync(join(hostDir, name), content);
  }
  mkdirSync(dir, { recursive: true });
  const configuration = fleet.central?.configuration;
  if (configuration) writeFileSync(join(dir, "central.clapi"), configuration.batch().text);
  writeFileSync(join(dir, "SUMMARY.md"), summary(fleet, warnings));
  return dir;
}

export function summary(fleet: Fleet, warnings: string[] = []): string {
  const gateways = fleet.gateways.map((g) => ({
    name: g.gatewayName,
    relayhost: g.relayhost,
    security: g.settings.security,
    tlsLevel: tlsLevelOf(g.settings),
    username: g.settings.username ?? "(none)",
    password: g.password?.placeholder ?? "(none)",
    from: [
      g.settings.from ?? "(unchanged)",
      g.displayName ? ` shown as "${g.displayName.replace(/\|/g, "\\|")}"` : "",
      g.settings.replyTo ? `, Reply-To ${g.settings.replyTo}` : "",
    ].join(""),
    state: g.settings.enabled ? "enabled" : "DISABLED: mail held in the queue",
  }));
  const hosts = fleet.relays.map((relay) => {
    const c = relay.remote.connection;
    return {
      name: relay.hostName,
      role: relay.hostName === fleet.central?.name ? "central" : "poller",
      ssh: `${c.user ?? "root"}@${c.host}:${c.port ?? 22}`,
      fqdn: relay.fqdn,
      os: relay.os,
      gateway: relay.gateway.gatewayName,
      hostKey: c.hostKey ? `pinned (${c.hostKey.split(" ")[0]})` : "NOT PINNED",
    };
  });
  const batch = fleet.central?.configuration?.batch();
  const objects = (batch?.objects ?? []).map((o) => ({
    kind: o.kind,
    key: o.key,
    poller: o.scope === "global" ? "all" : o.scope.poller,
    lines: o.lineCount,
  }));
  return render("review/SUMMARY.md.hbs", {
    name: fleet.node.id,
    engine: fleet.engine,
    gateways,
    hosts,
    warnings,
    centreon: batch ? { central: fleet.central!.name, lineCount: batch.lines.length, objects, memberships: batch.memberships.map(([g, a]) => `${a} in ${g}`) } : null,
  });
}
