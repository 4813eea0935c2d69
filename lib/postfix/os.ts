// Everything that differs between distribution families, in one table.
export type OsFamily = "debian" | "rhel";
export type OsChoice = OsFamily | "auto";

export interface OsProfile {
  /** /etc/os-release ID or ID_LIKE words that select this family when os is auto. */
  osReleaseIds: string[];
  packageManager: "apt" | "dnf";
  /** Postfix and the SASL client mechanisms (PLAIN/LOGIN) it only "suggests". */
  relayPackages: string[];
  caBundle: string;
  /** Where Postfix logs itself (maillog_file) on a host without syslog. */
  mailLog: string;
}

export const OS_PROFILES: Record<OsFamily, OsProfile> = {
  debian: {
    osReleaseIds: ["debian", "ubuntu"],
    packageManager: "apt",
    relayPackages: ["postfix", "libsasl2-modules", "ca-certificates"],
    caBundle: "/etc/ssl/certs/ca-certificates.crt",
    mailLog: "/var/log/mail.log",
  },
  rhel: {
    osReleaseIds: ["rhel", "centos", "rocky", "almalinux", "fedora", "ol"],
    packageManager: "dnf",
    relayPackages: ["postfix", "cyrus-sasl-plain", "ca-certificates"],
    caBundle: "/etc/pki/tls/certs/ca-bundle.crt",
    mailLog: "/var/log/maillog",
  },
};

export const OS_FAMILIES = Object.keys(OS_PROFILES) as OsFamily[];
