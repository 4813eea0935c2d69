import type { OsChoice } from "../postfix/os.js";

/** SSH settings of one host; unset fields come from the fleet's. */
export interface HostSshSettings {
  /** @default - the fleet's (root) */
  user?: string;
  /** @default - the fleet's (22) */
  port?: number;
  /** @default - the fleet's (SSH agent when none) */
  privateKeyFile?: string;
  /** @default - the fleet's (30) */
  timeoutSeconds?: number;
  /** @default - the fleet's (/root) */
  scriptDirectory?: string;
}

/** A machine this project configures over SSH: a poller, or the central. */
export interface HostProps {
  /** The host's poller name in Centreon. */
  name: string;
  /** Address Terraform connects to over SSH. */
  address: string;
  /** Fully qualified name: Postfix myhostname, the EHLO name the gateway sees. */
  fqdn: string;
  /** @default "auto" - read /etc/os-release on the host */
  os?: OsChoice;
  /** The host's SSH public key. @default - not pinned: a synth warning, an error with strictHostKeys */
  hostKey?: string;
  /** @default - the fleet's SSH settings */
  ssh?: HostSshSettings;
  /** Extra main.cf parameters for this host. @default - none */
  postfixParameters?: Record<string, string>;
}
