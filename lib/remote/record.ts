// A cheap per-object record: no connection, no provisioner. Its only job is to make `cdktf diff`
// name the Centreon object that changed (the central's executor does the work).
import { Construct } from "constructs";
import { NullResource, Token, type TerraformResource } from "../cdktf.js";
import { valueAtSynth } from "./at-synth.js";
import { TerraformData, ensureNullProvider, type Engine } from "./remote-script.js";
import { terraformLiteral } from "./names.js";

export interface ObjectRecordProps {
  engine: Engine;
  /** Terraform resource name, e.g. contact_jdoe. */
  terraformName: string;
  /** The object's declared fields, secrets as <secret:NAME>; called at synth, after every addition. */
  fields: () => Record<string, string>;
}

export class ObjectRecord extends Construct {
  readonly resource: TerraformResource;

  constructor(scope: Construct, id: string, props: ObjectRecordProps) {
    super(scope, id);
    const fields = valueAtSynth(() => Object.fromEntries(Object.entries(props.fields()).map(([k, v]) => [k, terraformLiteral(v)])));
    if (props.engine === "terraform_data") {
      this.resource = new TerraformData(this, "Resource", {}, { terraformResourceType: "terraform_data" });
      // input, not triggers_replace: a change is an in-place update naming the object, nothing runs.
      this.resource.addOverride("input", fields);
    } else {
      ensureNullProvider(this);
      this.resource = new NullResource(this, "Resource", { triggers: Token.asStringMap(fields) });
    }
    this.resource.overrideLogicalId(props.terraformName);
  }
}
