/** Plain ApiRequest objects (src/http/types.ts), as the Functions adapter would build them. */
import type { ApiRequest } from "../../../src/http/types";

export const ORIGIN = "https://scoring-app.azurewebsites.net";

export interface RequestParts {
  method?: string;
  /** Path and query, or a full URL. */
  url?: string;
  headers?: Record<string, string>;
  params?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
}

export function apiRequest(parts: RequestParts = {}): ApiRequest {
  const url = new URL(parts.url ?? "/api/scoring-runs", ORIGIN);
  const headers = new Map(Object.entries(parts.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    method: parts.method ?? "GET",
    url: url.toString(),
    header: (name) => headers.get(name.toLowerCase()) ?? null,
    query: new URLSearchParams(url.search),
    params: parts.params ?? {},
    bodyText: parts.body === undefined ? "" : typeof parts.body === "string" ? parts.body : JSON.stringify(parts.body),
  };
}

/** The error body's details, for asserting which field a 400 names. */
export function detailFields(body: unknown): string[] {
  return ((body as { error?: { details?: Array<{ field: string }> } }).error?.details ?? []).map((d) => d.field);
}
