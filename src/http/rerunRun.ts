/**
 * POST /api/scoring-runs/{id}/rerun: a new run with the same request as an ended one, and outputs
 * of its own (docs/api.md#rerun-a-run). The rerun names its original (`rerunOf`) and the original
 * lists it (`reruns`). One rerun per Idempotency-Key; without a key, the same rerun of the same
 * run again is the same run, as for starts.
 */
import { randomUUID } from "node:crypto";
import type { AppConfig } from "../config";
import type { RunsClient } from "../runs/durableRuns";
import { parseRerunBody, rerunRequest } from "../runs/rerun";
import { startBodyOf } from "../runs/request/startBodyOf";
import { validateStartRequest } from "../runs/request/validateStartRequest";
import { instanceIdForKey, requestFingerprint } from "../runs/runIds";
import { newRunInput, type ScoringRunInput } from "../runs/runInput";
import { hasEnded } from "../runs/runtimeStatus";
import { toRunView } from "../runs/runView";
import { startOrJoin } from "../runs/startOrJoin";
import { errorBody, type ErrorDetail, idempotencyConflictBody, invalidRequestBody } from "./errorBodies";
import { runNotFound } from "./getRun";
import { type OutputCheck, refuseUnusableOutput } from "./outputAtStart";
import { acceptedResponse, pendingView, runLinks } from "./runResponses";
import { readStartHeaders } from "./startHeaders";
import type { ApiRequest, ApiResponse } from "./types";

export async function rerunScoringRun(req: ApiRequest, runs: RunsClient, config: AppConfig, checkOutput: OutputCheck): Promise<ApiResponse> {
  const id = req.params.id ?? "";
  const details: ErrorDetail[] = [];
  const { key, correlationId, details: headerProblems } = readStartHeaders(req);
  details.push(...headerProblems);

  const original = await runs.get(id);
  if (!original) return runNotFound(id);
  const view = toRunView(original);
  if (!hasEnded(original.runtimeStatus) || view.request === null) {
    const why = view.request === null ? "its request cannot be read" : `it is still ${view.status}; cancel it first, or wait for its end`;
    return { status: 409, body: errorBody("RunNotEnded", `Scoring run '${id}' cannot be rerun: ${why}.`) };
  }
  const previous = (original.input as Partial<ScoringRunInput> | null)?.request ?? view.request;
  const parsed = parseRerunBody(req.bodyText, previous);
  if (!parsed.ok) details.push(...parsed.details);
  if (details.length > 0 || !parsed.ok) return { status: 400, body: invalidRequestBody(details) };

  // The rerun's ordinal names its default outputs; two reruns asked at once get the same one, so the same run.
  const ordinal = (await runs.readReruns(id).catch(() => [])).length + 1;
  const validation = validateStartRequest(startBodyOf(rerunRequest(previous, parsed.body, ordinal)), config);
  if (!validation.ok) return { status: 400, body: invalidRequestBody(validation.details) };
  const { request } = validation;

  // Keyed to the original, so a rerun never joins an unrelated run that happens to ask the same.
  const instanceId =
    key !== null
      ? instanceIdForKey(`rerun of ${id}: ${key}`)
      : Object.keys(request.outputs).length > 0
        ? instanceIdForKey(`rerun of ${id}: ${requestFingerprint(request)}`)
        : randomUUID().replace(/-/g, "");
  const input: ScoringRunInput = { ...newRunInput(request, config, new Date(), correlationId), rerunOf: id };
  const outcome = await startOrJoin(runs, instanceId, input, () => refuseUnusableOutput(request, (o) => `outputs.${o.name}.uri`, checkOutput));
  switch (outcome.kind) {
    case "refused":
      return outcome.refusal;
    case "conflict":
      return { status: 409, body: idempotencyConflictBody(instanceId) };
    case "joined":
    case "started": {
      await runs.linkRerun(id, instanceId);
      const status = await runs.get(instanceId);
      const rerun = status ? toRunView(status) : pendingView(instanceId);
      return { ...acceptedResponse(req, rerun), body: { ...runLinks(req, instanceId), ...rerun } };
    }
  }
}
