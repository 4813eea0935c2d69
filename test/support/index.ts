export { privilegedReason, requirePrivileged } from './privileged.js';
export { startScratchHost, type ExecOptions, type ExecResult, type ScratchHost, type ScratchHostOptions } from './scratch-host.js';
export {
  isMessage, makeTestCa, startUpstream,
  type TestCa, type Upstream, type UpstreamAuthFailure, type UpstreamMessage, type UpstreamOptions, type UpstreamRecord,
} from './upstream-smtp.js';
export { SmtpClient, type SmtpReply, type SmtpTlsOptions } from './smtp-client.js';
export * from './provision.js';
export { offlineTerraformEnv } from './terraform-env.js';
