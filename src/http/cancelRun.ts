/** POST /api/scoring-runs/{id}/cancel: ask a running run to cancel its Azure ML job and end Canceled. */
import { errorBody } from "../api/errors";
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
      return { status: 400, body: errorBody("InvalidRequest", "The request body is not valid JSON.", [{ field: "body", message: "not valid JSON" }]) };
    }
    const r = (body as { reason?: unknown } | null)?.reason;
    if (r !== undefined && (typeof r !== "string" || r.length > 200)) {
      return { status: 400, body: errorBody("InvalidRequest", "reason must be a string of at most 200 characters.", [{ field: "reason", message: "must be a string of at most 200 characters" }]) };
    }
    reason = typeof r === "string" ? r : "";
  }
  const status = await runs.get(id);
  if (!status) return runNotFound(id);
  const view = toRunView(status);
  if (view.status === "Succeeded" || view.status === "Failed" || view.status === "Canceled") {
    return { status: 409, body: errorBody("RunAlreadyEnded", `Run '${id}' has already ended (${view.status}).`) };
  }
  await runs.raiseCancel(id, reason);
  return { status: 202, headers: { Location: runLocation(req, id), "Content-Type": "application/json" }, body: view };
}
