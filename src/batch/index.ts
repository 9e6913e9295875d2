/** Public surface of the Azure ML batch client. */

export type * from "./types";
export { createBatchEndpointClient, DEFAULT_ARM_TIMEOUT_MS, DEFAULT_INVOKE_TIMEOUT_MS, type BatchEndpointClientOptions } from "./client";
export {
  BatchEndpointError,
  isBatchEndpointError,
  parseErrorResponse,
  retryAfterSecondsFrom,
  toBatchEndpointError,
  toErrorInfo,
  type BatchEndpointErrorOptions,
  type HeaderSource,
} from "./errors";
export { checkArmEndpoint, checkEndpointUri, hostMatchesPattern, isLoopbackUrl, type EndpointCheck } from "./endpointHosts";
export { parseJobPath, parseWorkspaceId, workspaceJobPath, type JobPathParts, type WorkspaceRef } from "./resourceIds";
export { DEFAULT_JOBS_API_VERSION } from "./apiVersions";
export { buildInvokeBody } from "./invokeJob";
export { describeIdentity } from "./credential";
export { DEFAULT_ARM_RETRY, DEFAULT_INVOKE_RETRY, type ArmRetrySettings, type InvokeRetrySettings } from "./pipelines";
export { sanitizeText } from "./sanitize";
