/**
 * The start route's quick look at the deployment, before anything starts: when the endpoint's
 * deployment (or the lack of a default one) refuses the request, a 400 naming the field(s). Only
 * answers when the check tells within the same few seconds as the output's; a check that is
 * skipped, slow or fails to run lets the run start, and its own pre-flight decides.
 */
import { type ErrorDetail, invalidRequestBody } from "./errorBodies";
import { isPlainObject } from "../json";
import { deploymentCheckRequestOf, type DeploymentCheckRequest, type DeploymentVerdict } from "../preflight/checkDeployment";
import type { ScoringRunRequest } from "../runs/types";
import { outputCheckBudgetMs } from "./outputAtStart";
import type { ApiResponse } from "./types";

export type DeploymentCheck = (request: DeploymentCheckRequest) => Promise<DeploymentVerdict>;

/** The codes that refuse a start: anything else (a warning, a skipped read) lets it start. */
const refusingCodes = new Set(["DeploymentMismatch", "NoDefaultDeployment"]);

/** `fieldOf` names a problem's field (`deployment`, `inputs[.<name>]`, `outputs[.<name>]`, …) as the caller wrote it. */
export async function refuseMismatchedDeployment(
  request: ScoringRunRequest,
  fieldOf: (field: string) => string,
  check: DeploymentCheck,
  budgetMs = outputCheckBudgetMs,
): Promise<ApiResponse | null> {
  if (request.preflight !== "strict") return null;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), budgetMs)));
  let verdict: DeploymentVerdict | null;
  try {
    // A check that throws is the run's own pre-flight's to look at again.
    verdict = await Promise.race([check(deploymentCheckRequestOf(request)).catch(() => null), timedOut]);
  } finally {
    clearTimeout(timer);
  }
  const code = verdict?.check.code;
  if (!verdict || verdict.check.result !== "failed" || !code || !refusingCodes.has(code) || verdict.problems.length === 0) return null;
  const byField = new Map<string, string[]>();
  for (const p of verdict.problems) {
    const field = fieldOf(p.field);
    byField.set(field, [...(byField.get(field) ?? []), p.message]);
  }
  const details: ErrorDetail[] = [...byField].map(([field, messages]) => ({ field, message: `${code}: ${messages.join("; ")}` }));
  return { status: 400, body: invalidRequestBody(details) };
}

/**
 * How the caller named a deployment problem's field, in the body form it used: the seed form has
 * one input (`endpoint_input_uri`), one output (`endpoint_output_uri`) and no deployment field
 * (the endpoint, `endpoint_uri`, decides); the camelCase form's single `output` is `output`.
 */
export function deploymentFieldNamer(body: unknown): (field: string) => string {
  const head = (field: string) => field.split(".")[0]!;
  if (isPlainObject(body) && "endpoint_uri" in body) {
    const seed: Record<string, string> = { deployment: "endpoint_uri", inputs: "endpoint_input_uri", outputs: "endpoint_output_uri" };
    return (field) => seed[head(field)] ?? field;
  }
  if (isPlainObject(body) && !isPlainObject(body.outputs)) return (field) => (head(field) === "outputs" ? "output" : field);
  return (field) => field;
}
