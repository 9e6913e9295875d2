/** GET /api/scoring-runs/{id}: the run view, with the status code an async poller (ADF) understands. */
import { runNotFoundBody } from "./errorBodies";
import { hasEnded } from "../runs/runtimeStatus";
import { toRunView } from "../runs/runView";
import { runResponse } from "./runResponses";
import type { RunsClient } from "../runs/durableRuns";
import type { ApiRequest, ApiResponse } from "./types";

export function runNotFound(id: string): ApiResponse {
  return { status: 404, body: runNotFoundBody(id) };
}

export async function getScoringRun(req: ApiRequest, runs: RunsClient): Promise<ApiResponse> {
  const id = req.params.id ?? "";
  const status = await runs.get(id);
  if (!status) return runNotFound(id);
  // Only an ended run can have reruns, so a run still being polled costs no entity read. The read is
  // auxiliary: one that fails leaves them unread (null), never the view.
  const reruns = hasEnded(status.runtimeStatus) ? await runs.readReruns(id).catch(() => null) : [];
  return runResponse(req, { ...toRunView(status), reruns }, req.query.get("failOnError") === "true");
}
