/**
 * The two headers every start reads (a run, a rerun, a batch): `Idempotency-Key` and the
 * caller's correlation id (`x-correlation-id` or `traceparent`). A bad one is a problem naming
 * the header, reported with the body's problems.
 */
import { correlationOf } from "../observability/correlation";
import { validateIdempotencyKey } from "../runs/runIds";
import type { ErrorDetail } from "./errorBodies";
import type { ApiRequest } from "./types";

export interface StartHeaders {
  /** The Idempotency-Key as sent; null when absent. */
  key: string | null;
  correlationId: string | null;
  details: ErrorDetail[];
}

export function readStartHeaders(req: ApiRequest): StartHeaders {
  const details: ErrorDetail[] = [];
  const key = req.header("idempotency-key");
  const keyCheck = key === null ? undefined : validateIdempotencyKey(key);
  if (keyCheck && !keyCheck.ok) details.push({ field: "Idempotency-Key", message: keyCheck.message });
  const correlation = correlationOf(req.header);
  if (!correlation.ok) details.push({ field: correlation.field, message: correlation.message });
  return { key, correlationId: correlation.ok ? correlation.correlationId : null, details };
}
