/**
 * The batch routes: POST /api/scoring-batches (validate everything, start one batch per
 * Idempotency-Key), GET /api/scoring-batches/{id} (the batch view, paged children: 202 while
 * running, 200 once ended), POST /api/scoring-batches/{id}/cancel.
 */
import type { AppConfig } from "../config";
import { batchFingerprint, batchIdForKey, newBatchId } from "../runs/batches/batchIds";
import { type BatchView, needsLiveLook, pageStart, toBatchView } from "../runs/batches/batchView";
import { childRunId } from "../runs/batches/childRuns";
import type { BatchesClient } from "../runs/batches/durableBatches";
import type { ManifestEntry, ScoringBatchInput, ScoringBatchRequest } from "../runs/batches/types";
import { validateBatchRequest } from "../runs/batches/validateBatchRequest";
import type { RunsClient } from "../runs/durableRuns";
import { toRunView } from "../runs/runView";
import { type ErrorDetail, errorBody, invalidRequestBody } from "./errorBodies";
import { wholeNumberParam } from "./queryParams";
import { readStartHeaders } from "./startHeaders";
import type { ApiRequest, ApiResponse } from "./types";

/** 1,000 items of a few URIs each; anything larger is a mistake. */
export const maxBatchBodyBytes = 2 * 1024 * 1024;
export const defaultPageSize = 100;
export const maxPageSize = 1000;

export interface BatchDeps {
  runs: RunsClient;
  batches: BatchesClient;
}

export async function startScoringBatch(req: ApiRequest, deps: BatchDeps, config: AppConfig): Promise<ApiResponse> {
  const size = Buffer.byteLength(req.bodyText);
  if (size > maxBatchBodyBytes) return bad([{ field: "body", message: `is ${size} bytes; the limit is ${maxBatchBodyBytes}.` }]);
  let body: unknown;
  try {
    body = req.bodyText.trim() === "" ? undefined : JSON.parse(req.bodyText);
  } catch {
    return bad([{ field: "body", message: "The request body is not valid JSON." }]);
  }
  const details: ErrorDetail[] = [];
  const { key, correlationId, details: headerProblems } = readStartHeaders(req);
  details.push(...headerProblems);
  const validation = validateBatchRequest(body, config);
  if (!validation.ok) details.push(...validation.details);
  if (details.length > 0 || !validation.ok) return bad(details);

  const batchId = key !== null ? batchIdForKey(key) : newBatchId();
  const input: ScoringBatchInput = {
    batchId,
    request: validation.request,
    runSettings: {
      maxPollsPerExecution: config.maxPollsPerExecution,
      pollPolicy: config.pollPolicy,
      queuedWarningSeconds: config.queuedWarningSeconds,
      maxJobsPerEndpoint: config.maxJobsPerEndpoint,
      armReadsPerSecond: config.armReadsPerSecond,
    },
    createdAt: new Date().toISOString(),
    correlationId: correlationId,
    maxChildrenPerExecution: config.batchChildrenPerExecution,
  };
  const existing = await deps.batches.get(batchId);
  if (existing) {
    if (!sameBatch(existing.input, validation.request)) return conflict(batchId);
    return respond(req, deps, batchId, false);
  }
  try {
    await deps.batches.start(batchId, input);
  } catch (err) {
    // Lost a race on the same key: the winner's batch is the answer (or a conflict).
    const raced = await deps.batches.get(batchId);
    if (!raced) throw err;
    if (!sameBatch(raced.input, validation.request)) return conflict(batchId);
  }
  return respond(req, deps, batchId, true);
}

export async function getScoringBatch(req: ApiRequest, deps: BatchDeps): Promise<ApiResponse> {
  const details: ErrorDetail[] = [];
  const top = pageSize(req.query.get("top"), details);
  const start = pageStart(req.query.get("continuationToken"));
  if (start === null) details.push({ field: "continuationToken", message: "is not a token this route gave out." });
  if (details.length > 0) return bad(details);
  return respond(req, deps, req.params.id ?? "", false, { start: start ?? 0, top });
}

export async function cancelScoringBatch(req: ApiRequest, deps: BatchDeps): Promise<ApiResponse> {
  const id = req.params.id ?? "";
  let reason = "";
  if (req.bodyText.trim() !== "") {
    let body: unknown;
    try {
      body = JSON.parse(req.bodyText);
    } catch {
      return bad([{ field: "body", message: "is not valid JSON." }]);
    }
    const r = (body as { reason?: unknown } | null)?.reason;
    if (r !== undefined && (typeof r !== "string" || r.length > 200)) return bad([{ field: "reason", message: "must be a string of at most 200 characters." }]);
    reason = typeof r === "string" ? r : "";
  }
  const status = await deps.batches.get(id);
  if (!status) return notFound(id);
  const view = toBatchView(status, { start: 0, top: 0 });
  if (view.status !== "Running")
    return { status: 409, body: errorBody("BatchAlreadyEnded", `Scoring batch '${id}' already ended with status ${view.status}.`) };
  await deps.batches.raiseCancel(id, reason);
  return accepted(req, { ...view, phase: "Canceling" });
}

async function respond(req: ApiRequest, deps: BatchDeps, batchId: string, started: boolean, page = { start: 0, top: defaultPageSize }): Promise<ApiResponse> {
  const status = await deps.batches.get(batchId);
  if (!status) {
    if (!started) return notFound(batchId);
    return accepted(req, pendingView(batchId));
  }
  // Children still running: their own status (a page at most, read in parallel).
  const looks = new Map<number, ManifestEntry>();
  const first = toBatchView(status, page);
  await Promise.all(
    first.children.items
      .filter((e) => e.runId !== null && e.status === "Running" && needsLiveLook(status, e.index))
      .map(async (e) => {
        const run = await deps.runs.get(childRunId(batchId, e.index));
        if (!run) return;
        const v = toRunView(run);
        looks.set(e.index, {
          index: e.index,
          runId: v.id,
          status: v.status === "Pending" ? "Running" : v.status,
          output: v.output?.uri ?? null,
          blobUrl: v.output?.blobUrl ?? null,
          errorCode: v.error?.code ?? null,
        });
      }),
  );
  const view = looks.size > 0 ? toBatchView(status, page, (i) => looks.get(i) ?? null) : first;
  const links = batchLinks(req, batchId);
  if (started || view.status === "Running") return accepted(req, view, links);
  return { status: 200, headers: { "Content-Type": "application/json" }, body: { ...links, ...view } };
}

function batchLinks(req: ApiRequest, id: string) {
  const url = (suffix: string) => new URL(`/api/scoring-batches/${encodeURIComponent(id)}${suffix}`, new URL(req.url).origin).toString();
  return { id, statusQueryGetUri: url(""), cancelPostUri: url("/cancel") };
}

function accepted(req: ApiRequest, view: BatchView, links = batchLinks(req, view.id)): ApiResponse {
  const location = new URL(links.statusQueryGetUri);
  const code = req.query.get("code");
  if (code) location.searchParams.set("code", code);
  return {
    status: 202,
    headers: { "Content-Type": "application/json", Location: location.toString(), "Retry-After": "30" },
    body: { ...links, ...view },
  };
}

function pendingView(id: string): BatchView {
  const now = new Date().toISOString();
  return {
    id,
    status: "Running",
    createdAt: now,
    lastUpdatedAt: now,
    phase: "Pending",
    total: 0,
    maxConcurrentJobs: 0,
    toleratedFailurePercent: 0,
    counts: { NotStarted: 0, Running: 0, Succeeded: 0, Failed: 0, Canceled: 0 },
    listing: null,
    stoppedBecause: null,
    executions: 1,
    children: { items: [], continuationToken: null },
  };
}

function sameBatch(existingInput: unknown, request: ScoringBatchRequest): boolean {
  const previous = (existingInput as Partial<ScoringBatchInput> | null)?.request;
  return previous !== undefined && batchFingerprint(previous) === batchFingerprint(request);
}

function pageSize(raw: string | null, details: ErrorDetail[]): number {
  if (raw === null || raw === "") return defaultPageSize;
  const value = wholeNumberParam(raw, 1, maxPageSize);
  if (value === null) details.push({ field: "top", message: `must be a whole number from 1 to ${maxPageSize}.` });
  return value ?? defaultPageSize;
}

const bad = (details: ErrorDetail[]): ApiResponse => ({ status: 400, body: invalidRequestBody(details) });
const notFound = (id: string): ApiResponse => ({ status: 404, body: errorBody("BatchNotFound", `No scoring batch with id '${id}'.`) });
const conflict = (id: string): ApiResponse => ({
  status: 409,
  body: errorBody(
    "IdempotencyConflict",
    `Scoring batch '${id}' was already started with a different request body; use a new Idempotency-Key or send the same body again.`,
  ),
});
