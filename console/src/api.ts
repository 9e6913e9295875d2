/**
 * The console's only door to the runs: the app's own HTTP API, same origin, with the key (if one
 * was given) as the `x-functions-key` header. Never `?code=`: a key in a URL ends up in logs and
 * browser history.
 */
import { functionKey } from "./functionKey";
import type { ApiErrorBody, BatchView, RunPage, RunView } from "./types";

/** The API said 401 or 403: the key is missing or wrong. */
export class KeyRequiredError extends Error {
  /** The window event the app listens to, to show the key prompt. */
  static readonly eventName = "scoring-console:key-required";
  constructor(readonly status: number) {
    super(status === 401 ? "The API needs a function key." : "The API refused this key.");
  }
}

/** Any other answer that is not a success: its status and the error body's code and message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const key = functionKey.get();
  if (key) headers["x-functions-key"] = key;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(`/api/${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
    credentials: "same-origin",
    redirect: "error",
  });
  if (response.status === 401 || response.status === 403) {
    window.dispatchEvent(new CustomEvent(KeyRequiredError.eventName, { detail: response.status }));
    throw new KeyRequiredError(response.status);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === "" ? null : JSON.parse(text);
  } catch {
    parsed = null; // not JSON (a proxy's error page): the status alone tells
  }
  // A run view is the body of a 202 (running) and, with failOnError, of a 500: both are answers.
  if (response.status >= 400 && !(parsed && typeof parsed === "object" && "id" in parsed)) {
    const error = (parsed as ApiErrorBody | null)?.error;
    throw new ApiError(response.status, error?.code ?? `HTTP${response.status}`, error?.message ?? `The API answered ${response.status}.`);
  }
  return { status: response.status, body: parsed as T };
}

const id = (value: string) => encodeURIComponent(value);

export const api = {
  listRuns: async (query: string) => (await call<RunPage>("GET", `scoring-runs?${query}`)).body,
  getRun: async (runId: string) => (await call<RunView>("GET", `scoring-runs/${id(runId)}`)).body,
  cancelRun: async (runId: string, reason: string) =>
    (await call<RunView>("POST", `scoring-runs/${id(runId)}/cancel`, reason.trim() === "" ? undefined : { reason: reason.trim() })).body,
  rerunRun: async (runId: string) => (await call<RunView>("POST", `scoring-runs/${id(runId)}/rerun`, {})).body,
  getBatch: async (batchId: string, token: string | null) =>
    (await call<BatchView>("GET", `scoring-batches/${id(batchId)}?${new URLSearchParams({ top: "100", ...(token ? { continuationToken: token } : {}) })}`))
      .body,
};
