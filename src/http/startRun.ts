/**
 * POST /api/scoring-runs: validate, start exactly one run per idempotency key, answer 202 with
 * the run view and management URLs (or hold the answer up to `?wait=` seconds).
 */
import { randomUUID } from "node:crypto";
import { isPlainObject } from "../json";
import { type ErrorDetail, idempotencyConflictBody, invalidRequestBody } from "./errorBodies";
import { blobRunPrefix, instanceIdForKey, instanceIdForRequest, KEY_INSTANCE_PREFIX, REQUEST_INSTANCE_PREFIX } from "../runs/runIds";
import { toRunView } from "../runs/runView";
import { BATCH_INSTANCE_PREFIX } from "../runs/batches/childRuns";
import { validateStartRequest } from "../runs/request/validateStartRequest";
import type { AppConfig } from "../config";
import { newRunInput } from "../runs/runInput";
import { startOrJoin } from "../runs/startOrJoin";
import type { RunsClient } from "../runs/durableRuns";
import { readStartHeaders } from "./startHeaders";
import type { ApiRequest, ApiResponse } from "./types";
import { wholeNumberParam } from "./queryParams";
import { acceptedResponse, pendingView, runLinks, runResponse, waitForRun } from "./runResponses";
import { type OutputCheck, refuseUnusableOutput } from "./outputAtStart";
import { type DeploymentCheck, deploymentFieldNamer, refuseMismatchedDeployment } from "./deploymentAtStart";
import type { JobOutput } from "../batch/types";

/** ADF's Azure Function / Web activities give up after 230 s; answer well before. */
export const maxWaitSeconds = 220;

/** Start bodies are small (a few URIs); anything larger is a mistake or an attack. */
export const maxStartBodyBytes = 64 * 1024;
const jsonContentType = /^(application\/(.+\+)?json|text\/json)\s*(;|$)/i;

export async function startScoringRun(
  req: ApiRequest,
  runs: RunsClient,
  config: AppConfig,
  checkOutput: OutputCheck,
  checkDeployment?: DeploymentCheck,
): Promise<ApiResponse> {
  const size = Buffer.byteLength(req.bodyText);
  if (size > maxStartBodyBytes) {
    return { status: 400, body: invalidRequestBody([{ field: "body", message: `is ${size} bytes; the limit is ${maxStartBodyBytes}.` }]) };
  }
  const contentType = req.header("content-type");
  if (contentType !== null && contentType.trim() !== "" && !jsonContentType.test(contentType.trim())) {
    return { status: 400, body: invalidRequestBody([{ field: "Content-Type", message: `is ${contentType}; send the body as application/json.` }]) };
  }
  let body: unknown;
  try {
    body = req.bodyText.trim() === "" ? undefined : JSON.parse(req.bodyText);
  } catch {
    return { status: 400, body: invalidRequestBody([{ field: "body", message: "The request body is not valid JSON." }]) };
  }
  const details: ErrorDetail[] = [];
  const wait = parseWait(req.query.get("wait"), details);
  const { key, correlationId, details: headerProblems } = readStartHeaders(req);
  details.push(...headerProblems);
  const validation = validateStartRequest(body, config);
  if (!validation.ok) details.push(...validation.details);
  if (validation.ok && validation.instanceId !== null) {
    if (key !== null) details.push({ field: "instanceId", message: "names the run, as the Idempotency-Key header does: send one or the other, not both." });
    const reserved = [KEY_INSTANCE_PREFIX, REQUEST_INSTANCE_PREFIX, blobRunPrefix, BATCH_INSTANCE_PREFIX].find((prefix) =>
      validation.instanceId?.startsWith(prefix),
    );
    if (reserved)
      details.push({
        field: "instanceId",
        message: `must not start with '${reserved}': those ids name runs started with an Idempotency-Key, by request content, by a blob event, or by a batch.`,
      });
  }
  if (details.length > 0 || !validation.ok) return { status: 400, body: invalidRequestBody(details) };

  const { request } = validation;
  const instanceId =
    validation.instanceId ??
    (key !== null ? instanceIdForKey(key) : Object.keys(request.outputs).length > 0 ? instanceIdForRequest(request) : randomUUID().replace(/-/g, ""));
  // Only for a new run: a resubmit of a finished run finds its own predictions file there.
  const outputField = outputFieldNamer(body);
  const input = newRunInput(request, config, new Date(), correlationId, validation.warnings);
  // Both quick looks at once; a taken output (409) is answered before a deployment mismatch (400).
  const refuse = async () => {
    const [output, deployment] = await Promise.all([
      refuseUnusableOutput(request, outputField, checkOutput),
      checkDeployment ? refuseMismatchedDeployment(request, deploymentFieldNamer(body), checkDeployment) : null,
    ]);
    return output ?? deployment;
  };
  const outcome = await startOrJoin(runs, instanceId, input, refuse);
  switch (outcome.kind) {
    case "refused":
      return outcome.refusal;
    case "conflict":
      return { status: 409, body: idempotencyConflictBody(instanceId) };
    case "joined":
      // The same request again: the same run, never a second job.
      return respondWithRun(req, runs, instanceId, wait);
    case "started":
      return respondWithRun(req, runs, instanceId, wait, { alwaysAccepted: wait === 0 });
  }
}

/**
 * A new run answers 202 with Location (ADF follows it), even if it already ended by the time the
 * view is read. A run found again by its key, or waited on, answers as its status route does.
 */
async function respondWithRun(
  req: ApiRequest,
  runs: RunsClient,
  instanceId: string,
  wait: number,
  opts: { alwaysAccepted?: boolean } = {},
): Promise<ApiResponse> {
  const status = wait > 0 ? await waitForRun(runs, instanceId, wait * 1000) : await runs.get(instanceId);
  const view = status ? toRunView(status) : pendingView(instanceId);
  const response = opts.alwaysAccepted ? acceptedResponse(req, view) : runResponse(req, view, req.query.get("failOnError") === "true");
  return { ...response, body: { ...runLinks(req, instanceId), ...view } };
}

/** How the caller named an output's URI, in the body form it used. */
function outputFieldNamer(body: unknown): (output: JobOutput) => string {
  if (isPlainObject(body) && "endpoint_output_uri" in body) return () => "endpoint_output_uri";
  if (isPlainObject(body) && isPlainObject(body.outputs)) return (output) => `outputs.${output.name}.uri`;
  return () => "output.uri";
}

function parseWait(raw: string | null, details: ErrorDetail[]): number {
  if (raw === null || raw === "") return 0;
  const value = wholeNumberParam(raw, 0, maxWaitSeconds);
  if (value === null) {
    details.push({ field: "wait", message: `must be a whole number of seconds from 0 to ${maxWaitSeconds}.` });
    return 0;
  }
  return value;
}
