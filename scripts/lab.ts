// npm run lab: brings the lab up (a central and three pollers, each with its own sshd and Postfix,
// an SMTP gateway requiring STARTTLS and AUTH, the CLAPI test double on the central), deploys the
// lab fleet with real Terraform, sends a message from every host, shows what the gateway
// received, and tears everything down. Needs root (network namespaces). LAB_KEEP=1 keeps the
// lab up until Enter is pressed, to look around (ip netns, the review files, the state).
import { createInterface } from "node:readline/promises";
import { readState } from "../test/clapi-double/state.js";
import { EXAMPLE_POLLERS, EXAMPLE_USERS, exampleInLab, LAB_SECRETS, secretEnv, synthLab } from "../test/lab/fleet.js";
import { startLab } from "../test/lab/lab.js";
import { isMessage, privilegedReason, type UpstreamMessage } from "../test/support/index.js";

const reason = privilegedReason();
if (reason) {
  console.error(`npm run lab needs root and network namespaces: ${reason}`);
  process.exit(1);
}

const step = (text: string) => console.log(`\n== ${text}`);
step(`starting the lab: central, ${EXAMPLE_POLLERS.join(", ")}, gateway (network namespaces, sshd, Postfix)`);
const lab = await startLab({ pollers: EXAMPLE_POLLERS, users: EXAMPLE_USERS, clapiAdminPassword: LAB_SECRETS.centreon_admin_password });
let exitCode = 0;
try {
  console.log(`lab directory ${lab.dir}, subnet ${lab.subnet}.0/24, gateway ${lab.gateway.address}:${lab.gateway.port}`);
  step("npm run synth on examples/fleet.yaml, placed in the lab (its addresses, host keys, CA; engine terraform_data)");
  const stackDir = synthLab(lab, exampleInLab(lab));
  console.log(`stack ${stackDir}; review files in ${lab.dir}/cdktf.out/review/acme-monitoring`);

  for (const args of [["init", "-input=false", "-no-color"], ["apply", "-auto-approve", "-input=false", "-no-color"]]) {
    step(`terraform ${args[0]}`);
    const result = lab.terraform(stackDir, args, secretEnv(LAB_SECRETS));
    console.log(result.output.split("\n").filter((l) => /Apply complete|Creation complete|Error|Terraform has been/.test(l)).join("\n"));
    if (result.code !== 0) throw new Error(`terraform ${args[0]} failed:\n${result.output}`);
  }

  step("a message from every host, through its relay, to the gateway");
  for (const host of [...lab.pollers, lab.central]) {
    const subject = `hello from ${host.name}`;
    await host.scratch.exec("sendmail -f nagios ops@example.org", { input: `Subject: ${subject}\n\nlab message\n` });
    const m = (await lab.gateway.upstream.waitFor((r) => isMessage(r) && r.subject === subject, 30_000)) as UpstreamMessage;
    console.log(`${host.name.padEnd(13)} user=${m.user} tls=${m.tlsProtocol} ehlo=${m.ehlo} from=${m.mailFrom}`);
  }

  step("Centreon objects in the CLAPI double");
  const state = readState(lab.clapiState);
  console.log(`contacts: ${state.contacts.filter((c) => c.register === 1).map((c) => c.cols.contact_alias).join(", ")}`);
  console.log(`hosts: ${state.hosts.filter((h) => h.register === 1).map((h) => h.cols.host_name).join(", ")}`);
  console.log(`notification commands: ${state.commands.filter((c) => c.cols.command_type === "1" && c.cols.command_comment?.startsWith("Managed by centreon-mail-as-code")).map((c) => c.cols.command_name).join(", ")}`);
  console.log(`APPLYCFG: ${state.applied.join(", ")}`);

  if (process.env.LAB_KEEP && process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    await rl.question("\nthe lab is up; press Enter to tear it down ");
    rl.close();
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  exitCode = 1;
} finally {
  step("tearing the lab down");
  await lab.stop();
}
process.exit(exitCode);
