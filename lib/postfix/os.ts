// Everything that differs between distribution families, in one table.
export type OsFamily = "debian" | "rhel";
export type OsChoice = OsFamily | "auto";

export interface OsProfile {
  /** /etc/os-release ID or ID_LIKE words that select this family when os is auto. */
  osReleaseIds: string[];
  packageManager: "apt" | "dnf";
  /**
   * Postfix, the SASL client mechanisms (PLAIN/LOGIN) it only "suggests", and the `mail` program
   * Centreon's stock notification commands (host-notify-by-email...) pipe into (/bin/mail). A
   * path stands for whichever package provides it (dnf resolves it; RHEL 8 calls it mailx, 9 s-nail).
   */
  relayPackages: string[];
  caBundle: string;
  /** Where Postfix logs itself (maillog_file) on a host without syslog. */
  mailLog: string;
  /** Centreon's SMTP plugin (monitoring connector, seed 004), on pollers that run SMTP checks. */
  smtpPluginPackages: string[];
  /** check_mailq, on pollers with a queue check. */
  queuePluginPackages: string[];
}

export const OS_PROFILES: Record<OsFamily, OsProfile> = {
  debian: {
    osReleaseIds: ["debian", "ubuntu"],
    packageManager: "apt",
    relayPackages: ["postfix", "libsasl2-modules", "ca-certificates", "bsd-mailx"],
    caBundle: "/etc/ssl/certs/ca-certificates.crt",
    mailLog: "/var/log/mail.log",
    smtpPluginPackages: ["centreon-plugin-applications-protocol-smtp"],
    queuePluginPackages: ["monitoring-plugins-standard"],
  },
  rhel: {
    osReleaseIds: ["rhel", "centos", "rocky", "almalinux", "fedora", "ol"],
    packageManager: "dnf",
    relayPackages: ["postfix", "cyrus-sasl-plain", "ca-certificates", "/usr/bin/mail"],
    caBundle: "/etc/pki/tls/certs/ca-bundle.crt",
    mailLog: "/var/log/maillog",
    smtpPluginPackages: ["centreon-plugin-Applications-Protocol-Smtp"],
    queuePluginPackages: ["nagios-plugins-mailq"],
  },
};

export const OS_FAMILIES = Object.keys(OS_PROFILES) as OsFamily[];
