/**
 * ARM Jobs List on a workspace, read page by page through `nextLink` (on the same ARM host only:
 * a token never follows a link elsewhere). Used to find a job an invoke may have created.
 *
 * No server-side filter is used. At the default api-version (2022-10-01) Jobs List takes only
 * `$skip`, `jobType`, `tag` and `listViewType`; the `properties` filter arrives in 2024-04-01 and
 * matches user properties, which model deployments may drop. So the app reads the newest jobs and
 * matches them itself. The service documents no order: when the pages come newest first, the
 * scan stops at the first page that reaches past `notBefore` by the clock-skew margin; otherwise
 * it reads up to `maxPages`.
 */
import { DEFAULT_JOBS_API_VERSION } from "./apiVersions";
import { armEndpointOf, sendArm } from "./armRequest";
import { parseErrorResponse } from "./errors";
import { asObject, getField, parseJson } from "../json";
import { readJobResource } from "./jobResource";
import { requireWorkspaceId, workspaceIdOf, workspaceJobPath } from "./resourceIds";
import type { BatchClientContext } from "./send";
import type { JobListing, JobListQuery, ListedJob } from "./types";

export const defaultMaxListPages = 10;
/**
 * The service stamps a job by its own clock and the run's time is the host's: read this far past
 * `notBefore`. Azure's hosts keep time within about a second of each other; a longer margin would
 * cost pages when many runs start at once (each search would read every job of the margin).
 */
export const LISTING_CLOCK_SKEW_MS = 10_000;

export async function listJobs(ctx: BatchClientContext, query: JobListQuery): Promise<JobListing> {
  const arm = armEndpointOf(ctx);
  const ws = requireWorkspaceId(query.workspace);
  const apiVersion = query.apiVersion?.trim() || DEFAULT_JOBS_API_VERSION;
  const maxPages = query.maxPages ?? defaultMaxListPages;
  const notBefore = query.notBefore ? Date.parse(query.notBefore) - LISTING_CLOCK_SKEW_MS : Number.NaN;
  let url: string | undefined = `${arm.base}${workspaceIdOf(ws)}/jobs` + `?api-version=${encodeURIComponent(apiVersion)}`;
  const context = `List jobs of workspace ${ws.workspace}`;
  const jobs: ListedJob[] = [];
  let newestFirst = true;
  let previous = Number.POSITIVE_INFINITY;
  let pages = 0;
  while (url) {
    if (pages >= maxPages) return { jobs, complete: false, pages };
    const response = await sendArm(ctx, arm, "GET", url, context);
    pages++;
    if (response.status !== 200) throw parseErrorResponse(response.status, response.headers, response.bodyAsText, { context });
    const body = asObject(parseJson(response.bodyAsText));
    const items = Array.isArray(body?.value) ? body.value : [];
    let oldestOnPage = Number.POSITIVE_INFINITY;
    for (const item of items) {
      const job = toListedJob(item);
      if (!job) continue;
      jobs.push(job);
      const created = job.createdAt ? Date.parse(job.createdAt) : Number.NaN;
      if (Number.isNaN(created) || created > previous) newestFirst = false;
      else previous = created;
      if (!Number.isNaN(created)) oldestOnPage = Math.min(oldestOnPage, created);
    }
    // Newest first so far and past the window (with its margin): every later page is older still.
    if (newestFirst && !Number.isNaN(notBefore) && oldestOnPage < notBefore) return { jobs, complete: true, pages };
    const next = typeof body?.nextLink === "string" ? body.nextLink : undefined;
    url = next && sameOrigin(next, arm.url) ? next : undefined;
  }
  return { jobs, complete: true, pages };
}

function sameOrigin(link: string, base: URL): boolean {
  try {
    return new URL(link).origin === base.origin;
  } catch {
    return false;
  }
}

const stringMap = (value: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(asObject(value) ?? {}).filter((e): e is [string, string] => typeof e[1] === "string"));

/** A listed job with what identifies it: its outputs, its tags and properties, when it was created. */
export function toListedJob(item: unknown): ListedJob | null {
  const fields = readJobResource(item);
  if (!fields?.id || !fields.name) return null;
  const root = asObject(item);
  const properties = asObject(getField(root, "properties"));
  const created = getField(asObject(getField(root, "systemData")), "createdAt") ?? getField(asObject(getField(properties, "creationContext")), "createdAt");
  let jobPath: string;
  try {
    jobPath = workspaceJobPath(fields.id, fields.name);
  } catch {
    return null;
  }
  return {
    name: fields.name,
    id: fields.id,
    jobPath,
    status: fields.status ?? "Unknown",
    studioUrl: fields.studioUrl,
    createdAt: typeof created === "string" ? created : null,
    outputs: fields.outputs,
    tags: stringMap(getField(properties, "tags")),
    properties: stringMap(getField(properties, "properties")),
  };
}
