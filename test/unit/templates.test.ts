// Golden tests of the rendered files: a reviewer's view of every variant, byte for byte.
// After an intended change: npx vitest run test/unit/templates.test.ts -u, then read the diff.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { Testing } from "../../lib/cdktf.js";
import { Fleet } from "../../lib/constructs/fleet.js";
import type { GatewayProps } from "../../lib/constructs/gateway.js";
import type { OsChoice } from "../../lib/postfix/os.js";
import type { RolloutProps } from "../../lib/constructs/rollout.js";
import { HOST_KEYS } from "../fixtures/fleets.js";
import { buildFleet } from "../../lib/fleet/build.js";
import { parseFleet } from "../../lib/fleet/load.js";

function relayFiles(os: OsChoice, gateway: Omit<GatewayProps, "auth"> & { auth?: boolean }, rollout?: RolloutProps) {
  const fleet = new Fleet(Testing.app(), "golden");
  const { auth, ...props } = gateway;
  const gw = fleet.addGateway("corporate", {
    ...props,
    auth: auth === false ? undefined : { username: "alerts@example.org", password: fleet.secret("smtp_password") },
  });
  const poller = fleet.addPoller({ name: `poller-${os}`, address: "192.0.2.21", fqdn: `poller-${os}.example.org`, os, gateway: gw, hostKey: HOST_KEYS[1] });
  if (rollout) fleet.setRollout(rollout);
  return poller.relay.reviewFiles();
}

const param = (mainCf: string, name: string) => new RegExp(`^${name} =(.*)$`, "m").exec(mainCf)?.[1].trim();

const variants = {
  "debian-587-starttls-verify": relayFiles("debian", { host: "smtp.example.org", port: 587, security: "starttls", from: "centreon@example.org" }),
  "debian-587-starttls-noverify": relayFiles("debian", { host: "smtp.example.org", port: 587, security: "starttls", verifyCertificate: false }),
  "rhel-465-tls-verify": relayFiles("rhel", { host: "smtp.example.org", port: 465, security: "tls", from: "centreon@example.org" }),
  "rhel-465-tls-noverify": relayFiles("rhel", { host: "smtp.example.org", port: 465, security: "tls", verifyCertificate: false }),
  "auto-25-none-noauth-disabled": relayFiles("auto", { host: "relay.example.org", security: "none", auth: false, enabled: false }),
  "debian-587-starttls-probe": relayFiles(
    "debian",
    { host: "smtp.example.org", port: 587, security: "starttls", from: "centreon@example.org" },
    { probe: { recipient: "mail-probe@example.org", timeoutSeconds: 30 } },
  ),
};

describe.each(Object.entries(variants))("rendered files for %s", (name, files) => {
  it.each(Object.keys(files))("%s matches the golden file", async (file) => {
    await expect(files[file]).toMatchFileSnapshot(`../golden/${name}/${file}`);
  });

  it("never sets the legacy smtp_use_tls", () => {
    expect(files["main.cf"]).not.toMatch(/smtp_use_tls/);
    expect(files["provision.sh"]).not.toMatch(/smtp_use_tls=/);
  });
});

// A quote in a comment inside a single-quoted awk program, say, would end the quoting.
describe("the scripts hosts run parse (sh -n)", () => {
  const executor = buildFleet(Testing.app(), parseFleet(readFileSync("examples/fleet.yaml", "utf8"))).central!.configuration!.script();
  it.each([...Object.entries(variants).map(([name, files]) => [`${name}: provision.sh`, files["provision.sh"]]), ["the central's executor", executor]])(
    "%s",
    (_name, script) => {
      const check = spawnSync("sh", ["-n"], { input: script, encoding: "utf8" });
      expect(check.stderr).toBe("");
      expect(check.status).toBe(0);
      // Two stray quotes keep the shell happy but cut an awk program short. Each program here ends
      // with its closing quote alone on its line (or is one line): a cut one ends mid-line.
      const word = `(?:'[^']*'|"[^"]*"|[^\\s'"])+`;
      const call = new RegExp(`\\bawk((?:[ \\t]+-[A-Za-z][ \\t]*${word})*)[ \\t]+'([^']*)'(.?)`, "g");
      const calls = [...script.matchAll(call)];
      expect(calls.length).toBeGreaterThan(0);
      for (const [, , program, after] of calls) {
        if (program.includes("\n")) expect(program.slice(program.lastIndexOf("\n") + 1), program).toMatch(/^\s*$/);
        expect(after, program).toMatch(/^[\s)]?$/);
        const awk = spawnSync("awk", [program], { input: "", encoding: "utf8", cwd: tmpdir() });
        expect(awk.stderr, program).not.toMatch(/syntax error|runaway|unexpected/i);
      }
    },
  );
});

describe("what each variant means for Postfix", () => {
  it("587 STARTTLS with verification: secure level, no wrapper mode, the Debian CA bundle, sender rewritten", () => {
    const cf = variants["debian-587-starttls-verify"]["main.cf"];
    expect(param(cf, "relayhost")).toBe("[smtp.example.org]:587");
    expect(param(cf, "smtp_tls_security_level")).toBe("secure");
    expect(param(cf, "smtp_tls_wrappermode")).toBe("no");
    expect(param(cf, "smtp_tls_CAfile")).toBe("/etc/ssl/certs/ca-certificates.crt");
    expect(param(cf, "smtp_sasl_security_options")).toBe("noanonymous, noplaintext");
    expect(param(cf, "sender_canonical_maps")).toBe("static:centreon@example.org");
    expect(param(cf, "myhostname")).toBe("poller-debian.example.org");
    expect(param(cf, "inet_interfaces")).toBe("loopback-only");
  });

  it("an IP gateway: verify, the name checked against the address; with certificateName: secure, against that name", () => {
    const byAddress = relayFiles("debian", { host: "192.0.2.25", port: 587 });
    expect(param(byAddress["main.cf"], "smtp_tls_security_level")).toBe("verify");
    expect(param(byAddress["main.cf"], "smtp_tls_secure_cert_match")).toBeUndefined();
    const named = relayFiles("debian", { host: "192.0.2.25", port: 587, certificateName: "smtp.example.org" });
    expect(param(named["main.cf"], "relayhost")).toBe("[192.0.2.25]:587");
    expect(param(named["main.cf"], "smtp_tls_security_level")).toBe("secure");
    expect(param(named["main.cf"], "smtp_tls_secure_cert_match")).toBe("smtp.example.org");
    // Set by the script, and recorded: removing certificateName later puts the host's own value back.
    expect(named["provision.sh"]).toContain("'smtp_tls_secure_cert_match=smtp.example.org'");
    expect(named["provision.sh"]).toMatch(/set_now='[^']*smtp_tls_secure_cert_match/);
  });

  it("without verification: encrypt (TLS required, certificate not checked)", () => {
    expect(param(variants["debian-587-starttls-noverify"]["main.cf"], "smtp_tls_security_level")).toBe("encrypt");
    expect(param(variants["rhel-465-tls-noverify"]["main.cf"], "smtp_tls_security_level")).toBe("encrypt");
  });

  it("465 implicit TLS: wrapper mode on, the RHEL CA bundle and mail log", () => {
    const cf = variants["rhel-465-tls-verify"]["main.cf"];
    expect(param(cf, "smtp_tls_wrappermode")).toBe("yes");
    expect(param(cf, "smtp_tls_security_level")).toBe("secure");
    expect(param(cf, "smtp_tls_CAfile")).toBe("/etc/pki/tls/certs/ca-bundle.crt");
    expect(param(cf, "maillog_file")).toBe("/var/log/maillog");
    expect(variants["rhel-465-tls-verify"]["provision.sh"]).toContain("packages='postfix cyrus-sasl-plain ca-certificates /usr/bin/mail'");
  });

  it("the credentials key is exactly relayhost, the password a placeholder", () => {
    for (const files of Object.values(variants)) {
      if (!files.sasl_passwd) continue;
      const relayhost = param(files["main.cf"], "relayhost");
      expect(files.sasl_passwd).toBe(`# Managed by centreon-mail-as-code: the gateway credentials (root only)\n${relayhost} alerts@example.org:<secret:smtp_password>\n`);
      expect(files["provision.sh"]).toContain(`relay_key='${relayhost}'`);
      expect(files["provision.sh"]).toContain(`postmap -c "$stage" -q "$relay_key"`);
    }
  });

  it("a disabled gateway holds mail (defer_transports) and a gateway without auth turns SASL off", () => {
    const files = variants["auto-25-none-noauth-disabled"];
    expect(param(files["main.cf"], "defer_transports")).toBe("smtp");
    expect(param(files["main.cf"], "smtp_sasl_auth_enable")).toBe("no");
    expect(param(files["main.cf"], "smtp_tls_security_level")).toBe("none");
    expect(param(files["main.cf"], "relayhost")).toBe("[relay.example.org]:25");
    expect(files).not.toHaveProperty("sasl_passwd");
    // postmap only re-indexes the host's own entries of a map an earlier gateway's login shared.
    expect(files["provision.sh"]).not.toContain('postmap -c "$stage" -q');
    expect(files["provision.sh"]).not.toContain("RELAY_SMTP_PASSWORD_B64");
  });

  it("os auto detects the family from /etc/os-release", () => {
    const script = variants["auto-25-none-noauth-disabled"]["provision.sh"];
    expect(script).toContain(`*" debian "*|*" ubuntu "*) os=debian ;;`);
    expect(script).toContain(`*" rhel "*|*" centos "*|*" rocky "*|*" almalinux "*|*" fedora "*|*" ol "*) os=rhel ;;`);
  });
});

// The fix a failed probe prints, from Postfix's delay reason: the shell function itself, run by sh.
describe("the probe's fix for a delay reason", () => {
  const script = variants["debian-587-starttls-probe"]["provision.sh"];
  const probeFix = /^probe_fix\(\) \{\n[\s\S]*?\n\}\n/m.exec(script)![0];
  const fixFor = (reason: string) => execFileSync("sh", ["-c", `${probeFix}sasl_user=alerts@example.org; probe_fix "$1"`, "sh", reason], { encoding: "utf8" }).trim();
  const reach = /^this host cannot reach \[smtp\.example\.org\]:587/;
  const answer = /^read the gateway's answer/;
  it.each([
    ["host smtp.example.org[192.0.2.1] said: 550 5.1.2 <probe@example.org>: Recipient address rejected: Domain not found (in reply to RCPT TO command)", answer],
    ["host smtp.example.org[192.0.2.1] said: 451 4.3.0 Temporary lookup failure: timed out (in reply to RCPT TO command)", answer],
    ["Host or domain name not found. Name service error for name=smtp.example.org type=A: Host not found", reach],
    ["connect to smtp.example.org[192.0.2.1]:587: Connection refused", reach],
    ["conversation with smtp.example.org[192.0.2.1] timed out while receiving the initial server greeting", reach],
    ["SASL authentication failed; server smtp.example.org[192.0.2.1] said: 535 5.7.8 Error: authentication failed", /^the gateway refused the login of alerts@example\.org/],
    ["Server certificate not verified", /^the TLS handshake with/],
  ])("%s", (reason, fix) => {
    expect(fixFor(reason)).toMatch(fix);
  });
});

// The install step's test of what a RHEL host lacks, run by sh with rpm standing in: a package by
// name (rpm -q), a path by whichever package owns it (rpm -qf): RHEL 8's mailx or 9's s-nail.
describe("the install step's reading of what a RHEL host lacks", () => {
  const script = variants["rhel-465-tls-verify"]["provision.sh"];
  const notInstalled = /^not_installed\(\) \{[\s\S]*?\n\}\n/m.exec(script)![0];
  const lacks = (owned: string) =>
    execFileSync("sh", ["-c", `os=rhel\nrpm() { [ "$1" = -qf ] && [ "$2" = "$OWNED" ]; }\n${notInstalled}not_installed postfix /usr/bin/mail`], {
      encoding: "utf8",
      env: { PATH: process.env.PATH, OWNED: owned },
    });
  it("takes /usr/bin/mail as installed when a package owns it, whatever its name", () => {
    expect(lacks("/usr/bin/mail")).toBe(" postfix");
    expect(lacks("")).toBe(" postfix /usr/bin/mail");
  });
});

// The validate step fails on any new postconf warning but the one a kernel without IPv6 makes every
// Postfix command print: the step itself, run by sh with postconf standing in. DIR in a warning
// stands for the directory postconf reads: the scratch copy, or the live one (`live`).
describe("the validate step's reading of postconf warnings", () => {
  const script = variants["debian-587-starttls-verify"]["provision.sh"];
  const step = /^postconf_warnings\(\) [\s\S]*?postconf reports problems[\s\S]*?\nfi\n/m.exec(script)![0];
  const validate = (warning: string, live = "") => {
    const stub = [
      `postconf() { if [ "$2" = "$stage" ]; then w=$NEW; else w=$LIVE; fi; [ -z "$w" ] || printf '%s\\n' "$w" | sed "s|DIR|$2|" >&2; }`,
      `fail() { echo "fail $1"; exit 0; }; say() { echo "say $*"; }`,
      // Removed however the step ends (fail exits).
      `work=$(mktemp -d); trap 'rm -rf "$work"' EXIT; stage=$work/stage; conf=$work/live; mkdir "$stage" "$conf"; : >"$conf/main.cf"`,
    ].join("\n");
    const run = execFileSync("sh", ["-c", `${stub}\n${step}echo passed`], {
      encoding: "utf8",
      env: { PATH: process.env.PATH, NEW: warning, LIVE: live },
      stdio: ["ignore", "pipe", "ignore"],
    });
    return run.trim().split("\n");
  };
  it("passes a main.cf whose only warning is IPv6 being off in the kernel", () => {
    expect(validate("postconf: warning: inet_protocols: disabling IPv6 name/address support: Address family not supported by protocol")).toEqual(["passed"]);
  });
  it("fails on a misspelled parameter", () => {
    expect(validate("postconf: warning: DIR/main.cf: unused parameter: smtp_tls_securty_level=encrypt").pop()).toBe("fail 13");
  });
  it("passes, saying so, a warning the live main.cf gives already, wherever the edits moved its line", () => {
    const run = validate("postconf: warning: DIR/main.cf, line 31: overriding earlier entry: smtpd_banner=a", "postconf: warning: DIR/main.cf, line 27: overriding earlier entry: smtpd_banner=a");
    expect(run.pop()).toBe("passed");
    expect(run[0]).toMatch(/^say left as they are, as the live main\.cf has them already: postconf: warning: .*\/live\/main\.cf, line 31: overriding earlier entry: smtpd_banner=a $/);
  });
  it("fails on a warning the live main.cf does not give", () => {
    expect(validate("postconf: warning: DIR/main.cf: unused parameter: virus_scan=yes", "postconf: warning: DIR/main.cf: unused parameter: virus_scan=no").pop()).toBe("fail 13");
  });
});
