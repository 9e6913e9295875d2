/** GET /api/scoring-runs/{id}: the run view, with the status code an async poller (ADF) understands. */
import { runNotFoundBody } from "./errorBodies";
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
  // The reruns are an auxiliary read: one that fails leaves them unread (null), never the view.
  const reruns = await runs.readReruns(id).catch(() => null);
  return runResponse(req, { ...toRunView(status), reruns }, req.query.get("failOnError") === "true");
}
