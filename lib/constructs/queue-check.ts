import { Construct } from "constructs";
import { queueCheckLines, type ObjectLines } from "../clapi/objects.js";
import { declareObjectRecord } from "../remote/record.js";
import type { Engine } from "../remote/remote-script.js";
import type { CentreonObject, ContactRef, ContactGroupRef } from "./contact.js";
import { terraformName } from "../remote/names.js";
import type { Thresholds } from "./smtp-check.js";

/** The fleet's queue checks: thresholds (whole numbers of messages, warning < critical), and who their problems notify. */
export interface QueueCheckSettings extends Thresholds {
  /** Contacts its problems notify. @default - none */
  contacts?: readonly ContactRef[];
  /** Contact groups its problems notify. @default - none */
  groups?: readonly ContactGroupRef[];
}

export interface QueueCheckProps extends QueueCheckSettings {
  /** The poller whose Postfix queue is watched. */
  poller: string;
  /** Its address, for the Centreon host that carries the service. */
  address: string;
}

/** One poller's Postfix queue size, watched by check_mailq -M postfix. */
export class QueueCheck extends Construct implements CentreonObject {
  constructor(
    scope: Construct,
    id: string,
    private readonly props: QueueCheckProps & { engine: Engine },
  ) {
    super(scope, id);
    declareObjectRecord(this, {
      engine: props.engine,
      terraformName: terraformName("queue_check", props.poller),
      object: this,
    });
  }

  readonly revision = 0;

  clapiLines(comment: string): ObjectLines {
    const { poller, address, warning, critical, contacts = [], groups = [] } = this.props;
    return queueCheckLines({ poller, address, warning, critical, contacts: contacts.map((c) => c.alias), groups: groups.map((g) => g.name) }, comment);
  }
}
