/**
 * The start route's quick look at the output, before anything starts: a file that already
 * exists is a 409 `OutputAlreadyExists` (Azure ML would fail the job only after queueing and
 * compute start-up), a folder or a non-Blob datastore a 400 naming the field. Only answers when it
 * can tell within a few seconds; otherwise (or when the place cannot be read) the run starts and
 * its own pre-flight decides.
 */
import { errorBody, type ErrorDetail, invalidRequestBody } from "./errorBodies";
import type { ScoringRunRequest } from "../runs/types";
import type { JobOutput } from "../batch/types";
import type { PreflightCheck } from "../runs/preflightReport";
import type { ApiResponse } from "./types";

export type OutputCheck = (output: JobOutput, workspace: string | null) => Promise<PreflightCheck>;

/** Long enough for a Datastores Get and a blob HEAD; short against ADF's 230 s. */
export const outputCheckBudgetMs = 5_000;

export async function refuseUnusableOutput(
  request: ScoringRunRequest,
  outputField: string,
  check: OutputCheck,
  budgetMs = outputCheckBudgetMs,
): Promise<ApiResponse | null> {
  if (!request.output || request.preflight !== "strict") return null;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), budgetMs)));
  let result: PreflightCheck | null;
  try {
    result = await Promise.race([check(request.output, request.workspace), timedOut]);
  } catch {
    result = null; // the run's own pre-flight will look again
  } finally {
    clearTimeout(timer);
  }
  if (result?.result !== "failed") return null;
  if (result.code === "OutputAlreadyExists") {
    return { status: 409, body: errorBody("OutputAlreadyExists", result.message, [{ field: outputField, message: result.message }]) };
  }
  const detail: ErrorDetail = { field: outputField, message: `${result.code}: ${result.message}` };
  return { status: 400, body: invalidRequestBody([detail]) };
}
