/**
 * The start route's quick look at the outputs, before anything starts: a file that already
 * exists, or a folder output that already holds files, is a 409 (Azure ML would fail or spoil the
 * job only after queueing and compute start-up); a folder where a file is wanted, or a non-Blob
 * datastore, a 400 naming the field. Only answers when it can tell within a few seconds;
 * otherwise (or when the place cannot be read) the run starts and its own pre-flight decides.
 */
import { errorBody, type ErrorDetail, invalidRequestBody } from "./errorBodies";
import { outputList } from "../runs/outputs";
import type { ScoringRunRequest } from "../runs/types";
import type { JobOutput } from "../batch/types";
import type { PreflightCheck } from "../runs/preflightReport";
import type { ApiResponse } from "./types";

export type OutputCheck = (output: JobOutput, workspace: string | null) => Promise<PreflightCheck>;

/** The 409 codes: the output is taken. */
const takenCodes = new Set(["OutputAlreadyExists", "OutputFolderNotEmpty"]);

/** Long enough for a Datastores Get and a blob HEAD; short against ADF's 230 s. */
export const outputCheckBudgetMs = 5_000;

/** `fieldOf` names an output's field as the caller wrote it (`endpoint_output_uri`, `output.uri`, `outputs.<name>.uri`). */
export async function refuseUnusableOutput(
  request: ScoringRunRequest,
  fieldOf: (output: JobOutput) => string,
  check: OutputCheck,
  budgetMs = outputCheckBudgetMs,
): Promise<ApiResponse | null> {
  const outputs = outputList(request);
  if (outputs.length === 0 || request.preflight !== "strict") return null;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), budgetMs)));
  const checks = Promise.all(
    outputs.map((output) =>
      check(output, request.workspace).then(
        (result) => ({ output, result }),
        () => null, // the run's own pre-flight will look again
      ),
    ),
  );
  let results: ({ output: JobOutput; result: PreflightCheck } | null)[] | null;
  try {
    results = await Promise.race([checks, timedOut]);
  } finally {
    clearTimeout(timer);
  }
  const failed = (results ?? []).filter((r): r is { output: JobOutput; result: PreflightCheck } => r?.result.result === "failed");
  if (failed.length === 0) return null;
  const taken = failed.filter((f) => f.result.code !== null && takenCodes.has(f.result.code));
  if (taken.length > 0) {
    const first = taken[0]!.result;
    return {
      status: 409,
      body: errorBody(
        first.code!,
        first.message,
        taken.map((f) => ({ field: fieldOf(f.output), message: f.result.message })),
      ),
    };
  }
  const details: ErrorDetail[] = failed.map((f) => ({ field: fieldOf(f.output), message: `${f.result.code}: ${f.result.message}` }));
  return { status: 400, body: invalidRequestBody(details) };
}
