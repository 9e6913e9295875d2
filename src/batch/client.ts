/**
 * The one Azure ML REST client: invoke a batch endpoint, read and cancel the job, read the workspace
 * (data, endpoint, deployment, component) for pre-flight. Build it once
 * per process and reuse it (the bearer policies cache tokens per client).
 */

import { createDefaultHttpClient, type HttpClient } from "@azure/core-rest-pipeline";
import type { TokenCredential } from "@azure/core-auth";
import { type BatchClientSettings, type BatchEndpointClient } from "./types";
import { cancelJob } from "./cancelJob";
import { createLazyCredential } from "./credential";
import { getJob } from "./getJob";
import { invokeJob } from "./invokeJob";
import { listJobs } from "./listJobs";
import { getDataVersion, getDatastore } from "./workspaceData";
import { getBatchDeployment, getBatchEndpoint, getComponentVersion } from "./endpointReads";
import { createArmPipeline, createInvokePipeline, DEFAULT_ARM_RETRY, DEFAULT_INVOKE_RETRY, type ArmRetrySettings, type InvokeRetrySettings } from "./pipelines";
import type { BatchClientContext } from "./send";
import { createReadCache } from "./readCache";

export const DEFAULT_INVOKE_TIMEOUT_MS = 60_000;
export const DEFAULT_ARM_TIMEOUT_MS = 30_000;

export interface BatchEndpointClientOptions {
  config: BatchClientSettings;
  /** Default: ManagedIdentityCredential({clientId}) when AZURE_CLIENT_ID is set, else DefaultAzureCredential, created on first need. */
  credential?: TokenCredential;
  /** Where tests plug in; default createDefaultHttpClient(). */
  httpClient?: HttpClient;
  /** Per-attempt timeouts (default 60 s for invoke, 30 s for ARM calls). */
  invokeTimeoutMs?: number;
  armTimeoutMs?: number;
  /** Retry tuning (tests); defaults in pipelines.ts. */
  invokeRetry?: Partial<InvokeRetrySettings>;
  armRetry?: Partial<ArmRetrySettings>;
}

export function createBatchEndpointClient(options: BatchEndpointClientOptions): BatchEndpointClient {
  const { config } = options;
  const credential = createLazyCredential(config, options.credential);
  const ctx: BatchClientContext = {
    config,
    httpClient: options.httpClient ?? createDefaultHttpClient(),
    invokePipeline: createInvokePipeline(credential, config, { ...DEFAULT_INVOKE_RETRY, ...options.invokeRetry }),
    armPipeline: createArmPipeline(credential, config, { ...DEFAULT_ARM_RETRY, ...options.armRetry }),
    invokeTimeoutMs: options.invokeTimeoutMs ?? DEFAULT_INVOKE_TIMEOUT_MS,
    armTimeoutMs: options.armTimeoutMs ?? DEFAULT_ARM_TIMEOUT_MS,
  };
  const definitions = createReadCache({ ttlMs: (config.definitionCacheSeconds ?? 0) * 1000 });
  return {
    invokeJob: (request) => invokeJob(ctx, request),
    getJob: (locator) => getJob(ctx, locator),
    cancelJob: (locator) => cancelJob(ctx, locator),
    listJobs: (query) => listJobs(ctx, query),
    getDatastore: (workspace, name) => definitions.get(`datastore ${workspace} ${name}`, () => getDatastore(ctx, workspace, name)),
    // A data asset's "latest" moves with each new version: only a named version is kept.
    getDataVersion: (workspace, name, version) =>
      version === null
        ? getDataVersion(ctx, workspace, name, version)
        : definitions.get(`data ${workspace} ${name} ${version}`, () => getDataVersion(ctx, workspace, name, version)),
    getBatchEndpoint: (workspace, endpoint) => definitions.get(`endpoint ${workspace} ${endpoint}`, () => getBatchEndpoint(ctx, workspace, endpoint)),
    getBatchDeployment: (workspace, endpoint, deployment) =>
      definitions.get(`deployment ${workspace} ${endpoint} ${deployment}`, () => getBatchDeployment(ctx, workspace, endpoint, deployment)),
    getComponentVersion: (componentId) => definitions.get(`component ${componentId}`, () => getComponentVersion(ctx, componentId)),
    forgetKeptDefinitions: () => definitions.clear(),
  };
}
