// The only module that imports CDK for Terraform. cdktf 0.21 is the last release; to move to its
// maintained fork, change the package names below (cdktn, @cdktn/provider-null) and nothing else.
export {
  App,
  Annotations,
  Fn,
  HttpBackend,
  LocalBackend,
  NamedRemoteWorkspace,
  RemoteBackend,
  S3Backend,
  TerraformElement,
  TerraformResource,
  TerraformStack,
  TerraformVariable,
  Testing,
  Token,
} from "cdktf";
export type { IResolvable, SSHProvisionerConnection, TerraformResourceConfig } from "cdktf";
export { NullProvider } from "@cdktf/provider-null/lib/provider/index.js";
export { Resource as NullResource } from "@cdktf/provider-null/lib/resource/index.js";
