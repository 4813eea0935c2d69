// Cheap per-object records: no connection, no provisioner. Their only job is to make `cdktf diff`
// name the Centreon object that changed (the central's executor does the work; the review
// artifacts show what changed). A record holds the hash of the object's CLAPI lines, not the lines:
// Terraform prints every attribute of a new resource, and at 1000 pollers printing the lines of
// 3000 records was more than a quarter of the first plan. One element per stack writes them all: a
// TerraformResource construct per record cost more to synthesize than the records' content.
import { createHash } from "node:crypto";
import { Construct } from "constructs";
import { TerraformElement, TerraformStack } from "../cdktf.js";
import { renderLine } from "../clapi/line.js";
import { linesOf, managedComment, type CentreonObject } from "../clapi/objects.js";
import { ensureNullProvider, type Engine } from "./remote-script.js";

export interface ObjectRecordProps {
  engine: Engine;
  /** Terraform resource name, e.g. contact_jdoe. */
  terraformName: string;
  /** The object: its CLAPI lines are read at synth, after every change. */
  object: CentreonObject;
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
    // The lines the batch sends (same comment), so each object's lines are computed once.
    const comment = managedComment(TerraformStack.of(this).node.id);
    for (const { engine, terraformName, object } of this.records.values()) {
      const lines = linesOf(object, comment).lines.map(renderLine).join("\n");
      const content = { clapi_sha256: createHash("sha256").update(lines).digest("hex") };
      // terraform_data: input, not triggers_replace: a change is an in-place update naming the object, nothing runs.
      (byType[engine] ??= {})[terraformName] = engine === "terraform_data" ? { input: content } : { triggers: content };
    }
    return Object.keys(byType).length ? { resource: byType } : {};
  }
}
