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
  return runResponse(req, toRunView(status), req.query.get("failOnError") === "true");
}
