// npm run security-report: runs the lab's secrets scenario (a full apply, a changed-password apply,
// a failed apply) and prints where each secret value was found, per place, as a Markdown table:
// the figures of docs/SECURITY.md. Needs root (network namespaces).
import { privilegedReason } from "../test/support/index.js";
import { reportTable, SecurityLab } from "../test/lab/security-scenario.js";

const reason = privilegedReason();
if (reason) {
  console.error(`npm run security-report needs root and network namespaces: ${reason}`);
  process.exit(1);
}
const security = await SecurityLab.start();
try {
  const report = await security.secretScenario();
  console.log(`Secrets found after a full apply, a changed-password apply and a failed apply (${new Date().toISOString().slice(0, 10)}):\n`);
  console.log(reportTable(report));
} finally {
  await security.stop();
}
