/**
 * Jobs Cancel: `POST {jobPath}/cancel`. 200/202/204 → done (the cancel is asynchronous: read the
 * status afterwards). 409, or a 400 whose message says the job is already terminal, means there
 * is nothing left to cancel: returns normally too. 404 and anything else → BatchEndpointError.
 */

import { sendArmJobRequest } from "./armJobRequest";
import { parseErrorResponse } from "./errors";
import type { BatchClientContext } from "./send";
import type { JobLocator } from "./types";

const ALREADY_TERMINAL = /\balready\b.*\b(terminal|completed|canceled|cancelled|finished|failed)\b|\bterminal (state|status)\b/i;

export async function cancelJob(ctx: BatchClientContext, locator: JobLocator): Promise<void> {
  const operation = "Cancel job";
  const { response, job } = await sendArmJobRequest(ctx, "POST", locator, "/cancel", operation);
  if (response.status === 200 || response.status === 202 || response.status === 204) return;
  const error = parseErrorResponse(response.status, response.headers, response.bodyAsText, {
    context: `${operation} ${job.jobName}`,
  });
  if (response.status === 409) return;
  if (response.status === 400 && ALREADY_TERMINAL.test(response.bodyAsText ?? "")) return;
  throw error;
}
