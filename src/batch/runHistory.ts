/**
 * The steps of a job, from the workspace's Run History (docs/azure-behaviour.md#batch-job-logs):
 *
 *  1. ARM Workspaces Get (`2023-10-01`) → `properties.discoveryUrl`;
 *  2. GET the discovery document (no token: it is public) → `api`, the workspace's regional API;
 *  3. Run History `GET {api}/history/v1.0/subscriptions/…/workspaces/<ws>/runs/<runId>/children?api-version=v1.0`
 *     with the ARM token, as azure-ai-ml's run history client and Learn's REST how-to do.
 *
 * Both URLs the workspace hands out are checked against the cloud's Azure ML hosts before any
 * request (src/batch/workspaceApiHosts.ts), so the ARM token never leaves for another host. Reads
 * are bounded: one page of children, one retry, short timeouts. Only a child's id, names and
 * status are kept (a Run History run also carries a run token, which is never read).
 */
import { createReadCache, type ReadCache } from "./readCache";
import type { TokenCredential } from "@azure/core-auth";
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type HttpClient,
  type Pipeline,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { asObject, getPath, getString, parseJson } from "../json";
import { createLazyCredential } from "./credential";
import { checkArmEndpoint, type EndpointCheck } from "./endpointHosts";
import { BatchEndpointError, parseErrorResponse, requestIdFrom } from "./errors";
import { createArmPipeline, DEFAULT_ARM_RETRY } from "./pipelines";
import { requireWorkspaceId, workspaceIdOf } from "./resourceIds";
import { displayUrl } from "./sanitize";
import { send } from "./send";
import type { BatchClientSettings } from "./types";
import { checkWorkspaceApiUrl } from "./workspaceApiHosts";

/** ARM Workspaces Get: the version Learn's REST how-to uses; `properties.discoveryUrl` is in it. */
export const WORKSPACE_API_VERSION = "2023-10-01";
/** Run History's api-version, as azure-ai-ml's generated client sends it (the path says v1.0 too). */
export const RUN_HISTORY_API_VERSION = "v1.0";
export const DEFAULT_RUN_HISTORY_TIMEOUT_MS = 15_000;
/** At most this many children are kept (a batch job has one step). */
const MAX_CHILDREN = 50;
/** Run ids: "alphanumeric characters with dashes and underscores", under 256 characters (Run History spec). */
const RUN_ID = /^[A-Za-z0-9_-]{1,255}$/;

/** One child run of a job: a pipeline step. */
export interface ChildRun {
  runId: string;
  name: string | null;
  displayName: string | null;
  status: string | null;
}

export interface RunHistoryClient {
  /** The first page of the children of `runId` (a job's steps), through the workspace's regional API. */
  childRuns(workspace: string, runId: string): Promise<ChildRun[]>;
}

export interface RunHistoryClientOptions {
  config: BatchClientSettings;
  credential?: TokenCredential;
  /** Where tests plug in; default createDefaultHttpClient(). */
  httpClient?: HttpClient;
  /** Per-request timeout (default 15 s). */
  timeoutMs?: number;
}

interface Context {
  config: BatchClientSettings;
  httpClient: HttpClient;
  /** Bearer (ARM audience) for ARM and Run History; loopback gets no token. */
  armPipeline: Pipeline;
  /** No auth policy at all: the discovery document is public. */
  publicPipeline: Pipeline;
  timeoutMs: number;
  /** The workspace's API host, per workspace: it does not move, and each failed run's diagnosis asks for it. */
  apiHosts: ReadCache;
}

function allowed(check: EndpointCheck): { url: URL; loopback: boolean } {
  if (!check.ok) throw new BatchEndpointError("EndpointNotAllowed", check.reason);
  return check;
}

async function getJson(ctx: Context, pipeline: Pipeline, url: string, loopback: boolean, context: string): Promise<unknown> {
  const request = createPipelineRequest({
    url,
    method: "GET",
    headers: createHttpHeaders({ Accept: "application/json" }),
    timeout: ctx.timeoutMs,
    allowInsecureConnection: loopback,
  });
  const response: PipelineResponse = await send(pipeline, ctx.httpClient, request, context, false);
  if (response.status !== 200) throw parseErrorResponse(response.status, response.headers, response.bodyAsText, { context });
  const body = parseJson(response.bodyAsText);
  if (!asObject(body)) {
    throw new BatchEndpointError("UnexpectedResponse", `${context}: HTTP 200 but the body is not a JSON object.`, {
      httpStatus: 200,
      requestId: requestIdFrom(response.headers),
    });
  }
  return body;
}

/** The workspace's regional API base URL (no trailing slash), checked. */
async function workspaceApi(ctx: Context, workspace: string): Promise<{ base: string; loopback: boolean }> {
  const arm = allowed(checkArmEndpoint(ctx.config.armEndpoint, ctx.config));
  const ws = requireWorkspaceId(workspace);
  const armBase = arm.url.toString().replace(/\/+$/, "");
  const resource = asObject(
    await getJson(ctx, ctx.armPipeline, `${armBase}${workspaceIdOf(ws)}?api-version=${WORKSPACE_API_VERSION}`, arm.loopback, `Get workspace ${ws.workspace}`),
  );
  const discoveryUrl = getString(asObject(getPath(resource, "properties")), "discoveryUrl");
  if (!discoveryUrl) throw new BatchEndpointError("UnexpectedResponse", `Workspace ${ws.workspace} names no discoveryUrl.`);
  const discovery = allowed(checkWorkspaceApiUrl(discoveryUrl, ctx.config, "discovery"));
  const document = asObject(
    await getJson(ctx, ctx.publicPipeline, discovery.url.toString(), discovery.loopback, `Get the discovery document of workspace ${ws.workspace}`),
  );
  const api = getString(document, "api");
  if (!api) throw new BatchEndpointError("UnexpectedResponse", `The discovery document at ${displayUrl(discovery.url)} names no api URL.`);
  const checked = allowed(checkWorkspaceApiUrl(api, ctx.config, "api"));
  return { base: `${checked.url.origin}${checked.url.pathname.replace(/\/+$/, "")}`, loopback: checked.loopback };
}

async function childRuns(ctx: Context, workspace: string, runId: string): Promise<ChildRun[]> {
  if (!RUN_ID.test(runId)) throw new BatchEndpointError("InvalidRequest", `"${runId.slice(0, 100)}" is not a run id.`);
  const ws = requireWorkspaceId(workspace);
  const api = await ctx.apiHosts.get(`workspace api ${workspace}`, () => workspaceApi(ctx, workspace));
  const url = `${api.base}/history/v1.0${workspaceIdOf(ws)}/runs/${runId}/children?api-version=${RUN_HISTORY_API_VERSION}`;
  const body = asObject(await getJson(ctx, ctx.armPipeline, url, api.loopback, `List the steps of job ${runId}`));
  const value = body?.value;
  if (!Array.isArray(value)) throw new BatchEndpointError("UnexpectedResponse", `List the steps of job ${runId}: the answer has no value array.`);
  return value.slice(0, MAX_CHILDREN).flatMap((item): ChildRun[] => {
    const run = asObject(item);
    const id = getString(run, "runId");
    if (!id || !RUN_ID.test(id)) return [];
    return [{ runId: id, name: getString(run, "name") ?? null, displayName: getString(run, "displayName") ?? null, status: getString(run, "status") ?? null }];
  });
}

export function createRunHistoryClient(options: RunHistoryClientOptions): RunHistoryClient {
  const { config } = options;
  const credential = createLazyCredential(config, options.credential);
  const publicPipeline = createPipelineFromOptions({
    redirectOptions: { maxRetries: 0 },
    retryOptions: { maxRetries: 1 },
    userAgentOptions: { userAgentPrefix: "batch-scoring-orchestrator" },
  });
  const ctx: Context = {
    config,
    httpClient: options.httpClient ?? createDefaultHttpClient(),
    // Diagnostics are auxiliary: one retry, no long Retry-After waits.
    armPipeline: createArmPipeline(credential, config, { ...DEFAULT_ARM_RETRY, maxRetries: 1, maxRetryAfterSeconds: 5, retryAfterBudgetSeconds: 10 }),
    publicPipeline,
    timeoutMs: options.timeoutMs ?? DEFAULT_RUN_HISTORY_TIMEOUT_MS,
    apiHosts: createReadCache({ ttlMs: (config.definitionCacheSeconds ?? 0) * 1000 }),
  };
  return { childRuns: (workspace, runId) => childRuns(ctx, workspace, runId) };
}
