// Generated fleets for the benchmarks: N pollers, each with a relay, 2 SMTP checks and a queue
// check; M contacts in groups of 100.
const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFScmQ6DMoYvKZ9czw9mOb/Q3pRMvikivknMROyPu22b";

export function generatedFleet(pollers: number, contacts: number): Record<string, unknown> {
  const pollerName = (i: number) => `poller-${String(i).padStart(4, "0")}`;
  const address = (i: number) => `198.18.${Math.floor(i / 250)}.${(i % 250) + 2}`;
  const groups = Array.from({ length: Math.max(1, Math.ceil(contacts / 100)) }, (_, g) => ({ name: `team-${g}`, alias: `Team ${g}` }));
  return {
    name: "bench",
    engine: "terraform_data",
    ssh: { user: "root", privateKeyFile: "~/.ssh/id_ed25519" },
    central: {
      name: "Central",
      address: "198.19.0.10",
      fqdn: "centreon.bench.example.org",
      hostKey: HOST_KEY,
      gateway: "corporate",
      clapi: { user: "admin", password: { secret: "centreon_admin_password" } },
    },
    gateways: {
      corporate: {
        host: "smtp.example.org",
        auth: { username: "alerts@example.org", password: { secret: "smtp_password" } },
        from: "centreon@example.org",
      },
    },
    pollers: Array.from({ length: pollers }, (_, i) => ({
      name: pollerName(i),
      address: address(i),
      fqdn: `${pollerName(i)}.bench.example.org`,
      gateway: "corporate",
      hostKey: HOST_KEY,
    })),
    contactGroups: groups,
    contacts: Array.from({ length: contacts }, (_, i) => ({
      name: `Contact ${i}`,
      alias: `contact${i}`,
      email: `contact${i}@example.org`,
      groups: [groups[Math.floor(i / 100)].name],
      notifications: { host: { events: ["down", "recovery"] }, service: { events: ["critical", "recovery"] } },
    })),
    smtpChecks: Array.from({ length: pollers * 2 }, (_, i) => ({
      host: `smtp-${pollerName(Math.floor(i / 2))}-${i % 2 ? "b" : "a"}`,
      address: "smtp.example.org",
      poller: pollerName(Math.floor(i / 2)),
      auth: { username: "probe@example.org", password: { secret: "probe_password" } },
      notify: { groups: [groups[0].name] },
    })),
    queueChecks: { warning: 50, critical: 200 },
  };
}
