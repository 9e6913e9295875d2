/**
 * The list's filters besides status: which endpoint, and when the run was created. Read from the
 * query, each bad one named; applied to run views (the list reads every run anyway).
 */
import { batchEndpointNameOf } from "../batch/endpointNames";
import type { RunView } from "../runs/types";
import type { ErrorDetail } from "./errorBodies";

export interface RunFilter {
  /** An endpoint name (`ep-scoring`) or a whole scoring URI, lower-cased. */
  endpoint: string | null;
  /** Created at or after (ms since the epoch). */
  createdAfter: number | null;
  /** Created before (ms since the epoch). */
  createdBefore: number | null;
}

const maxEndpointLength = 500;
/** An ISO 8601 date-time with a zone, as the run view writes them; `Date.parse` alone takes far more. */
const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

export function readRunFilter(query: URLSearchParams, details: ErrorDetail[]): RunFilter {
  const endpointParam = query.get("endpoint")?.trim() ?? "";
  if (endpointParam.length > maxEndpointLength) details.push({ field: "endpoint", message: `must be at most ${maxEndpointLength} characters.` });
  return {
    endpoint: endpointParam === "" || endpointParam.length > maxEndpointLength ? null : normalisedEndpoint(endpointParam),
    createdAfter: timeParam(query, "createdAfter", details),
    createdBefore: timeParam(query, "createdBefore", details),
  };
}

function timeParam(query: URLSearchParams, field: string, details: ErrorDetail[]): number | null {
  const raw = query.get(field);
  if (raw === null || raw === "") return null;
  const at = isoDateTime.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(at)) {
    details.push({ field, message: "must be an ISO 8601 date-time with a time zone, e.g. 2026-12-01T00:00:00Z." });
    return null;
  }
  return at;
}

const normalisedEndpoint = (text: string): string => text.toLowerCase().replace(/\/+$/, "");

export function runMatches(view: RunView, filter: RunFilter): boolean {
  const created = Date.parse(view.createdAt);
  if (filter.createdAfter !== null && !(created >= filter.createdAfter)) return false;
  if (filter.createdBefore !== null && !(created < filter.createdBefore)) return false;
  if (filter.endpoint === null) return true;
  const uri = view.request?.endpointUri;
  if (!uri) return false;
  return normalisedEndpoint(uri) === filter.endpoint || batchEndpointNameOf(uri)?.toLowerCase() === filter.endpoint;
}
