/** Error bodies the HTTP API answers with: `{"error":{"code","message","details"?}}` (ARM shape). */

import type { ErrorDetail } from "../runs/request/validateStartRequest";

export type { ErrorDetail };

export interface ErrorBody {
  error: { code: string; message: string; details?: ErrorDetail[] };
}

export function errorBody(code: string, message: string, details?: ErrorDetail[]): ErrorBody {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}

/** 404 body for an unknown run id. */
export function runNotFoundBody(id: string): ErrorBody {
  return errorBody("RunNotFound", `No scoring run with id '${id}'.`);
}

/** 409 body: an Idempotency-Key (or instanceId) already names a run started with a different body. */
export function idempotencyConflictBody(id: string): ErrorBody {
  return errorBody(
    "IdempotencyConflict",
    `Scoring run '${id}' was already started with a different request body; ` + "use a new Idempotency-Key or instanceId, or send the same body again.",
  );
}

/** 409 body: cancel asked of a run that already ended. */
export function runAlreadyEndedBody(id: string, status: string): ErrorBody {
  return errorBody("RunAlreadyEnded", `Scoring run '${id}' already ended with status ${status}.`);
}

/** The 400 body for a failed validation. */
export function invalidRequestBody(details: ErrorDetail[]): ErrorBody {
  const n = details.length;
  const first = details[0];
  const summary = first ? `${first.field || "body"}: ${first.message}` : "the request is invalid";
  const more = n > 1 ? ` (and ${n - 1} more, see details)` : "";
  return errorBody("InvalidRequest", `${n} problem${n === 1 ? "" : "s"} with the request: ${summary}${more}`, details);
}
