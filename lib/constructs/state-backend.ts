// Where a stack keeps its Terraform state: the one place that maps a declared backend to cdktf's.
// Credentials never come from here: Terraform reads them from its usual environment variables
// (AWS_* for s3, TF_HTTP_PASSWORD for http, a credentials file or TF_TOKEN_* for remote).
import { basename } from "node:path";
import type { TerraformStack } from "../cdktf.js";
import { Annotations, HttpBackend, LocalBackend, NamedRemoteWorkspace, RemoteBackend, S3Backend } from "../cdktf.js";

/** "{stack}" in a backend setting stands for the stack's name: one state per stack. */
export const STACK_PLACEHOLDER = "{stack}";

export interface S3StateProps {
  bucket: string;
  region: string;
  /** The state key is <keyPrefix><stack>.tfstate. @default "centreon-mail-as-code/" */
  keyPrefix?: string;
  /** Lock the state with a lock file beside it in the bucket (Terraform 1.10 or later). @default true */
  useLockfile?: boolean;
  /** DynamoDB table for state locking, deprecated by Terraform 1.11 (prefer useLockfile). @default - none */
  dynamodbTable?: string;
  /** Server-side encryption of the state object. @default true */
  encrypt?: boolean;
  /**
   * S3-compatible storage (MinIO, Ceph, Scaleway...): its S3 endpoint. Terraform then skips the
   * AWS-only checks (STS credentials, account ID, region name, EC2 metadata). @default - AWS
   */
  endpoint?: string;
  /** Bucket in the URL path instead of the host name (MinIO and others need it). @default false */
  usePathStyle?: boolean;
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

/**
 * Declares the stack's backend: the one given, or a local state file at `localPath`. Returns where
 * the state is, without credentials, as the review shows it (a move starts from an empty state).
 */
export function declareStateBackend(stack: TerraformStack, backend: StateBackend | undefined, localPath: string): string {
  const name = stack.node.id;
  const forStack = (value: string) => value.replaceAll(STACK_PLACEHOLDER, name);
  if (!backend) {
    // Explicit: cdktf's default would write the checkout's absolute path into the JSON.
    new LocalBackend(stack, { path: localPath });
    // Its name only: the path depends on where synth writes (a review compares two checkouts).
    return `local file ${basename(localPath)}`;
  } else if ("s3" in backend) {
    const { bucket, region, keyPrefix = "centreon-mail-as-code/", useLockfile = true, dynamodbTable, encrypt = true, endpoint, usePathStyle } = backend.s3;
    const s3 = new S3Backend(stack, {
      bucket,
      region,
      key: `${keyPrefix}${name}.tfstate`,
      encrypt,
      ...(dynamodbTable ? { dynamodbTable } : {}),
      ...(endpoint
        ? {
            endpoints: { s3: endpoint },
            skipCredentialsValidation: true,
            skipRequestingAccountId: true,
            skipRegionValidation: true,
            skipMetadataApiCheck: true,
            // The checksum headers Terraform 1.6+ sends are refused by several S3-compatible stores,
            // when the state is written: after the hosts were changed.
            skipS3Checksum: true,
          }
        : {}),
      ...(usePathStyle ? { usePathStyle } : {}),
    });
    // cdktf 0.21 predates use_lockfile (Terraform 1.10).
    if (useLockfile) s3.addOverride("use_lockfile", true);
    else if (!dynamodbTable) Annotations.of(stack).addWarning(`state backend s3: useLockfile false and no dynamodbTable, so no lock: ${unlocked(name)}`);
    return `s3://${bucket}/${keyPrefix}${name}.tfstate${endpoint ? ` at ${endpoint}` : ` (AWS, ${region})`}`;
  } else if ("http" in backend) {
    const { address, lockAddress, unlockAddress, lockMethod, unlockMethod, username } = backend.http;
    if (!lockAddress) {
      Annotations.of(stack).addWarning(`state backend http: no lockAddress, so no lock: ${unlocked(name)}`);
    }
    if (!address.includes(STACK_PLACEHOLDER)) {
      Annotations.of(stack).addWarning(
        `state backend http: the address has no ${STACK_PLACEHOLDER}; adding stacks later will need it, and this stack's state will then move: put ${STACK_PLACEHOLDER} in now`,
      );
    }
    new HttpBackend(stack, {
      address: forStack(address),
      ...(lockAddress ? { lockAddress: forStack(lockAddress), unlockAddress: forStack(unlockAddress ?? lockAddress) } : {}),
      ...(lockMethod ? { lockMethod } : {}),
      ...(unlockMethod ? { unlockMethod } : {}),
      ...(username ? { username } : {}),
    });
    return `http ${forStack(address)}`;
  } else {
    const { hostname, organization, workspacePrefix = "" } = backend.remote;
    new RemoteBackend(stack, {
      ...(hostname ? { hostname } : {}),
      organization,
      workspaces: new NamedRemoteWorkspace(`${workspacePrefix}${name}`),
    });
    return `remote ${hostname ?? "app.terraform.io"}, organization ${organization}, workspace ${workspacePrefix}${name}`;
  }
}

const unlocked = (stack: string) => `two deploys of stack ${stack} at once can overwrite each other's state`;
