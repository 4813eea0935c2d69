import { Construct } from "constructs";
import type { Fleet } from "./fleet.js";
import type { Gateway } from "./gateway.js";
import type { HostProps } from "./host.js";
import { MailRelay } from "./mail-relay.js";

export interface CentralProps extends HostProps {
  /** The central's own engine notifies too. @default - no relay on the central */
  gateway?: Gateway;
}

/** The Centreon central server. */
export class Central extends Construct {
  readonly name: string;
  readonly relay?: MailRelay;

  constructor(fleet: Fleet, id: string, props: CentralProps) {
    super(fleet, id);
    this.name = props.name;
    if (props.gateway) this.relay = new MailRelay(this, "MailRelay", fleet.relayProps(props, props.gateway));
  }
}
