/**
 * ARM Jobs List on a workspace, filtered by a job property (`properties=<key>` or
 * `properties=<key>=<value>`), following `nextLink` on the same ARM host only (a token never
 * follows a link elsewhere). Used to find the job an invoke created when its answer was lost.
 */
import { createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import { DEFAULT_JOBS_API_VERSION } from "./armJobRequest";
import { checkArmEndpoint } from "./endpointHosts";
import { BatchEndpointError, parseErrorResponse } from "./errors";
import { parseJson, readJobResource } from "./jobResource";
import { parseWorkspaceId, workspaceJobPath } from "./resourceIds";
import { send, type BatchClientContext } from "./send";
import type { JobListQuery, ListedJob } from "./types";

/** Enough for any one invoke id; a workspace's full marker scan stops at the first page that has one. */
const maxPages = 20;

const asRecord = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

export async function listJobs(ctx: BatchClientContext, query: JobListQuery): Promise<ListedJob[]> {
  const arm = checkArmEndpoint(ctx.config.armEndpoint, ctx.config);
  if (!arm.ok) throw new BatchEndpointError("EndpointNotAllowed", arm.reason);
  const ws = parseWorkspaceId(query.workspace);
  if (!ws) throw new BatchEndpointError("InvalidRequest", `"${query.workspace.slice(0, 300)}" is not an Azure ML workspace resource id.`);
  const base = arm.url.toString().replace(/\/+$/, "");
  const filter = query.value === undefined ? query.property : `${query.property}=${query.value}`;
  const apiVersion = query.apiVersion?.trim() || DEFAULT_JOBS_API_VERSION;
  let url: string | undefined =
    `${base}/subscriptions/${ws.subscriptionId}/resourceGroups/${ws.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${ws.workspace}/jobs` +
    `?api-version=${encodeURIComponent(apiVersion)}&properties=${encodeURIComponent(filter)}`;
  const context = `List jobs of workspace ${ws.workspace}`;
  const jobs: ListedJob[] = [];
  for (let page = 0; url && page < maxPages; page++) {
    const request = createPipelineRequest({ url, method: "GET", headers: createHttpHeaders({ Accept: "application/json" }), timeout: ctx.armTimeoutMs, allowInsecureConnection: arm.loopback });
    const response = await send(ctx.armPipeline, ctx.httpClient, request, context, false);
    if (response.status !== 200) throw parseErrorResponse(response.status, response.headers, response.bodyAsText, { context });
    const body = asRecord(parseJson(response.bodyAsText));
    const items = Array.isArray(body?.value) ? body.value : [];
    for (const item of items) {
      const job = toListedJob(item, query);
      if (job) jobs.push(job);
    }
    if (query.firstOnly && jobs.length > 0) break;
    const next = typeof body?.nextLink === "string" ? body.nextLink : undefined;
    url = next && new URL(next).origin === arm.url.origin ? next : undefined;
  }
  return jobs.sort((a, b) => (a.createdAt ?? "").localeCompare(b.createdAt ?? ""));
}

/** A listed job, if it really carries the property asked for (a service may ignore the filter). */
function toListedJob(item: unknown, query: JobListQuery): ListedJob | null {
  const fields = readJobResource(item);
  const root = asRecord(item);
  const properties = asRecord(root?.properties);
  const marker = asRecord(properties?.properties)?.[query.property] ?? asRecord(properties?.tags)?.[query.property];
  if (!fields?.id || !fields.name || marker === undefined) return null;
  if (query.value !== undefined && marker !== query.value) return null;
  const created = asRecord(root?.systemData)?.createdAt ?? asRecord(properties?.creationContext)?.createdAt;
  let jobPath: string;
  try {
    jobPath = workspaceJobPath(fields.id, fields.name);
  } catch {
    return null;
  }
  return {
    name: fields.name, id: fields.id, jobPath, status: fields.status ?? "Unknown", studioUrl: fields.studioUrl,
    createdAt: typeof created === "string" ? created : null,
  };
}
