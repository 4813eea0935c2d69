// Where a stack keeps its Terraform state: the one place that maps a declared backend to cdktf's.
// Credentials never come from here: Terraform reads them from its usual environment variables
// (AWS_* for s3, TF_HTTP_PASSWORD for http, a credentials file or TF_TOKEN_* for remote).
import type { TerraformStack } from "../cdktf.js";
import { HttpBackend, LocalBackend, NamedRemoteWorkspace, RemoteBackend, S3Backend } from "../cdktf.js";

/** "{stack}" in a backend setting stands for the stack's name: one state per stack. */
export const STACK_PLACEHOLDER = "{stack}";

export interface S3StateProps {
  bucket: string;
  region: string;
  /** The state key is <keyPrefix><stack>.tfstate. @default "centreon-mail-as-code/" */
  keyPrefix?: string;
  /** DynamoDB table for state locking. @default - no locking */
  dynamodbTable?: string;
  /** Server-side encryption of the state object. @default true */
  encrypt?: boolean;
}

export interface HttpStateProps {
  /** REST address of the state; "{stack}" stands for the stack name. */
  address: string;
  /** Lock address ("{stack}" allowed). @default - no locking */
  lockAddress?: string;
  /** Unlock address ("{stack}" allowed). @default - the lock address */
  unlockAddress?: string;
  /** HTTP method that takes the lock (GitLab: POST). @default "LOCK" (Terraform's) */
  lockMethod?: string;
  /** HTTP method that releases it (GitLab: DELETE). @default "UNLOCK" (Terraform's) */
  unlockMethod?: string;
  /** Basic-auth user; the password comes from TF_HTTP_PASSWORD. @default - none */
  username?: string;
}

export interface RemoteStateProps {
  /** @default "app.terraform.io" */
  hostname?: string;
  organization: string;
  /** The workspace is <workspacePrefix><stack>. @default "" */
  workspacePrefix?: string;
}

export type StateBackend = { s3: S3StateProps } | { http: HttpStateProps } | { remote: RemoteStateProps };

/** Declares the stack's backend: the one given, or a local state file at `localPath`. */
export function declareStateBackend(stack: TerraformStack, backend: StateBackend | undefined, localPath: string): void {
  const name = stack.node.id;
  const forStack = (value: string) => value.replaceAll(STACK_PLACEHOLDER, name);
  if (!backend) {
    // Explicit: cdktf's default would write the checkout's absolute path into the JSON.
    new LocalBackend(stack, { path: localPath });
  } else if ("s3" in backend) {
    const { bucket, region, keyPrefix = "centreon-mail-as-code/", dynamodbTable, encrypt = true } = backend.s3;
    new S3Backend(stack, { bucket, region, key: `${keyPrefix}${name}.tfstate`, encrypt, ...(dynamodbTable ? { dynamodbTable } : {}) });
  } else if ("http" in backend) {
    const { address, lockAddress, unlockAddress, lockMethod, unlockMethod, username } = backend.http;
    new HttpBackend(stack, {
      address: forStack(address),
      ...(lockAddress ? { lockAddress: forStack(lockAddress), unlockAddress: forStack(unlockAddress ?? lockAddress) } : {}),
      ...(lockMethod ? { lockMethod } : {}),
      ...(unlockMethod ? { unlockMethod } : {}),
      ...(username ? { username } : {}),
    });
  } else {
    const { hostname, organization, workspacePrefix = "" } = backend.remote;
    new RemoteBackend(stack, {
      ...(hostname ? { hostname } : {}),
      organization,
      workspaces: new NamedRemoteWorkspace(`${workspacePrefix}${name}`),
    });
  }
}
