import { Construct } from "constructs";
import type { Fleet } from "./fleet.js";
import type { Gateway } from "./gateway.js";
import type { HostProps } from "./host.js";
import { MailRelay } from "./mail-relay.js";

export interface PollerProps extends HostProps {
  /** The gateway this poller's notifications leave through. @default - the fleet's default gateway */
  gateway?: Gateway;
}

/** A Centreon poller: it sends the notifications for what it monitors, so it gets a relay. */
export class Poller extends Construct {
  readonly name: string;
  readonly relay: MailRelay;

  constructor(fleet: Fleet, id: string, props: PollerProps) {
    super(fleet, id);
    this.name = props.name;
    const gateway = props.gateway ?? fleet.defaultGateway;
    if (!gateway) {
      throw new Error(
        `poller ${props.name}: no gateway: give it one (declared gateways are ${fleet.gateways.map((g) => g.gatewayName).join(", ") || "none"}) or set the fleet's default gateway first (setDefaultGateway)`,
      );
    }
    this.relay = new MailRelay(this, "MailRelay", { ...fleet.relayProps(props), gateway, gatewayInherited: !props.gateway });
  }
}
