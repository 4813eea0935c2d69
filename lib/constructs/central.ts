import { Construct } from "constructs";
import { Annotations } from "../cdktf.js";
import type { Fleet } from "./fleet.js";
import type { Gateway } from "./gateway.js";
import type { HostProps } from "./host.js";
import { MailRelay } from "./mail-relay.js";
import { CentreonConfiguration } from "./centreon-configuration.js";
import { assertRule, rules } from "../fleet/rules.js";
import type { Secret } from "../secret.js";

/** Names of objects made in Centreon outside the fleet, by kind. */
export interface ExistingObjects {
  timePeriods: string[];
  notificationCommands: string[];
  /** Contact aliases. */
  contacts: string[];
  contactGroups: string[];
}

export interface CentralProps extends HostProps {
  /**
   * The central's own engine notifies too, so it relays like a poller; "none": no relay on it.
   * @default - the fleet's default gateway; no relay when the fleet has none
   */
  gateway?: Gateway | "none";
  /** CLAPI credentials: needed to manage Centreon objects. @default - no Centreon object is managed */
  clapi?: { user: string; password: Secret };
  /** pack: the SMTP connector pack is installed; create: this project creates its templates. @default "pack" */
  smtpTemplates?: "pack" | "create";
  /**
   * Objects made in Centreon outside this fleet that contacts and checks name: listed in the review,
   * never changed or deleted. @default - none
   */
  existing?: Partial<ExistingObjects>;
}

/** The Centreon central server. */
export class Central extends Construct {
  readonly name: string;
  readonly relay?: MailRelay;
  readonly configuration?: CentreonConfiguration;
  /** See CentralProps.existing. */
  readonly existing: ExistingObjects;

  constructor(fleet: Fleet, id: string, props: CentralProps) {
    super(fleet, id);
    this.name = props.name;
    this.existing = {
      timePeriods: props.existing?.timePeriods ?? [],
      notificationCommands: props.existing?.notificationCommands ?? [],
      contacts: props.existing?.contacts ?? [],
      contactGroups: props.existing?.contactGroups ?? [],
    };
    const relayProps = fleet.relayProps(props);
    const gateway = props.gateway === "none" ? undefined : (props.gateway ?? fleet.defaultGateway);
    if (gateway) this.relay = new MailRelay(this, "MailRelay", { ...relayProps, gateway, gatewayInherited: !props.gateway });
    else if (props.gateway === undefined) {
      Annotations.of(this).addWarning(
        `central ${props.name}: no relay (no gateway, and the fleet has no defaultGateway), so what the central's own engine monitors notifies no one by mail; set central.gateway, or gateway: none to say so`,
      );
    }
    if (!gateway && Object.keys(props.postfixParameters ?? {}).length > 0) {
      throw new Error(`central ${props.name}: postfixParameters needs a relay on the central: give it a gateway, or remove them`);
    }
    if (props.clapi) {
      assertRule(rules.contactAlias, "central: clapi.user", props.clapi.user);
      this.configuration = new CentreonConfiguration(this, "Configuration", {
        stackName: fleet.node.id,
        centralName: props.name,
        clapiUser: props.clapi.user,
        clapiPassword: props.clapi.password,
        smtpTemplates: props.smtpTemplates ?? "pack",
        engine: fleet.engine,
        connection: relayProps.connection,
        objects: () => fleet.centreonObjects,
        queueChecks: () => fleet.queueThresholds,
        pollers: () => [...fleet.pollerNames, props.name],
      });
    }
  }
}
