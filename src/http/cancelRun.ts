/** POST /api/scoring-runs/{id}/cancel: ask a running run to cancel its Azure ML job and end Canceled. */
import { runAlreadyEndedBody } from "../api/errors";
import { invalidRequestBody } from "../api/validateStart";
import { toRunView } from "../api/runView";
import { runNotFound } from "./getRun";
import { runLocation } from "./runResponses";
import type { RunsClient } from "./runsClient";
import type { ApiRequest, ApiResponse } from "./types";

export async function cancelScoringRun(req: ApiRequest, runs: RunsClient): Promise<ApiResponse> {
  const id = req.params.id ?? "";
  let reason = "";
  if (req.bodyText.trim() !== "") {
    let body: unknown;
    try {
      body = JSON.parse(req.bodyText);
    } catch {
      return { status: 400, body: invalidRequestBody([{ field: "body", message: "is not valid JSON." }]) };
    }
    const r = (body as { reason?: unknown } | null)?.reason;
    if (r !== undefined && (typeof r !== "string" || r.length > 200)) {
      return { status: 400, body: invalidRequestBody([{ field: "reason", message: "must be a string of at most 200 characters." }]) };
    }
    reason = typeof r === "string" ? r : "";
  }
  const status = await runs.get(id);
  if (!status) return runNotFound(id);
  const view = toRunView(status);
  if (view.status === "Succeeded" || view.status === "Failed" || view.status === "Canceled") {
    return { status: 409, body: runAlreadyEndedBody(id, view.status) };
  }
  await runs.raiseCancel(id, reason);
  return { status: 202, headers: { Location: runLocation(req, id), "Content-Type": "application/json" }, body: view };
}
