// Cheap per-object records: no connection, no provisioner. Their only job is to make `cdktf diff`
// name the Centreon object that changed (the central's executor does the work). One element per
// stack writes them all: a TerraformResource construct per record cost more to synthesize than the
// records' content (a third of a 1000-poller synthesis).
import { Construct } from "constructs";
import { TerraformElement, TerraformStack } from "../cdktf.js";
import { ensureNullProvider, type Engine } from "./remote-script.js";
import { terraformLiteral } from "./names.js";

export interface ObjectRecordProps {
  engine: Engine;
  /** Terraform resource name, e.g. contact_jdoe. */
  terraformName: string;
  /** The object's declared fields, secrets as <secret:NAME>; called at synth, after every addition. */
  fields: () => Record<string, string>;
}

/** Declares the record of one Centreon object in `scope`'s stack. */
export function declareObjectRecord(scope: Construct, props: ObjectRecordProps): void {
  if (props.engine === "null_resource") ensureNullProvider(scope);
  ObjectRecords.of(scope).add(props);
}

class ObjectRecords extends TerraformElement {
  static of(scope: Construct): ObjectRecords {
    const stack = TerraformStack.of(scope);
    const existing = stack.node.tryFindChild("object-records");
    return existing instanceof ObjectRecords ? existing : new ObjectRecords(stack, "object-records");
  }

  private readonly records = new Map<string, ObjectRecordProps>();

  add(record: ObjectRecordProps): void {
    if (this.records.has(record.terraformName)) {
      throw new Error(`two Centreon objects would have the Terraform record ${record.terraformName}: rename one of them`);
    }
    this.records.set(record.terraformName, record);
  }

  toTerraform(): unknown {
    const byType: Record<string, Record<string, unknown>> = {};
    for (const { engine, terraformName, fields } of this.records.values()) {
      const literal = Object.fromEntries(Object.entries(fields()).map(([k, v]) => [k, terraformLiteral(v)]));
      // terraform_data: input, not triggers_replace: a change is an in-place update naming the object, nothing runs.
      (byType[engine] ??= {})[terraformName] = engine === "terraform_data" ? { input: literal } : { triggers: literal };
    }
    return Object.keys(byType).length ? { resource: byType } : {};
  }
}
