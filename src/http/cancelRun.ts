/** POST /api/scoring-runs/{id}/cancel: ask a running run to cancel its Azure ML job and end Canceled. */
import { type ErrorDetail, invalidRequestBody, runAlreadyEndedBody } from "./errorBodies";
import { toRunView } from "../runs/runView";
import { runNotFound } from "./getRun";
import { acceptedResponse } from "./runResponses";
import type { RunsClient } from "../runs/durableRuns";
import type { ApiRequest, ApiResponse } from "./types";

export async function cancelScoringRun(req: ApiRequest, runs: RunsClient): Promise<ApiResponse> {
  const id = req.params.id ?? "";
  const parsed = parseCancelBody(req.bodyText);
  if (!parsed.ok) return { status: 400, body: invalidRequestBody([parsed.detail]) };
  const status = await runs.get(id);
  if (!status) return runNotFound(id);
  const view = toRunView(status);
  if (view.status === "Succeeded" || view.status === "Failed" || view.status === "Canceled") {
    return { status: 409, body: runAlreadyEndedBody(id, view.status) };
  }
  await runs.raiseCancel(id, parsed.reason);
  return acceptedResponse(req, view);
}

/** The optional body: nothing, or `{"reason": "<at most 200 characters>"}` and nothing else. */
function parseCancelBody(text: string): { ok: true; reason: string } | { ok: false; detail: ErrorDetail } {
  if (text.trim() === "") return { ok: true, reason: "" };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, detail: { field: "body", message: "is not valid JSON." } };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { ok: false, detail: { field: "body", message: "must be a JSON object." } };
  const unknown = Object.keys(body).find((k) => k !== "reason");
  if (unknown !== undefined) return { ok: false, detail: { field: unknown, message: "is not a known field; the only one is 'reason'." } };
  const reason = (body as { reason?: unknown }).reason;
  if (reason !== undefined && reason !== null && (typeof reason !== "string" || reason.length > 200)) {
    return { ok: false, detail: { field: "reason", message: "must be a string of at most 200 characters." } };
  }
  return { ok: true, reason: typeof reason === "string" ? reason : "" };
}
