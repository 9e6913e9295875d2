/** How a run view is answered over HTTP: status code, Location and Retry-After. */
import { httpStatusForView, retryAfterSeconds, toRunView } from "../runs/runView";
import type { RunView } from "../runs/types";
import type { RunsClient } from "../runs/durableRuns";
import { hasEnded } from "../runs/runtimeStatus";
import type { ApiRequest, ApiResponse } from "./types";

/**
 * The status URL of a run; `failOnError=true` so an ADF Web activity following it fails the
 * pipeline on failure. A caller that authenticated with `?code=` gets it back in the URL (as
 * durable's own status URLs carry their key): it already holds it, and a poller following
 * Location may not resend headers. A key sent as a header is never copied into a URL.
 */
export function runLocation(req: ApiRequest, instanceId: string): string {
  const url = new URL(runUrl(req, instanceId, ""));
  url.searchParams.set("failOnError", "true");
  const code = req.query.get("code");
  if (code) url.searchParams.set("code", code);
  return url.toString();
}

/** A route of the app for one run. */
function runUrl(req: ApiRequest, instanceId: string, suffix: "" | "/cancel"): string {
  return new URL(`/api/scoring-runs/${encodeURIComponent(instanceId)}${suffix}`, new URL(req.url).origin).toString();
}

/**
 * Where a caller follows and cancels a run, under the names Durable's check-status payload uses:
 * the app's own routes (function keys), never the task hub's management webhooks, whose URLs
 * carry its system key (which grants terminate and purge on every instance). No key goes into
 * a body: bodies end up in pipeline outputs and logs.
 */
export function runLinks(req: ApiRequest, instanceId: string): { id: string; statusQueryGetUri: string; cancelPostUri: string } {
  return { id: instanceId, statusQueryGetUri: runUrl(req, instanceId, ""), cancelPostUri: runUrl(req, instanceId, "/cancel") };
}

export function runResponse(req: ApiRequest, view: RunView, failOnError: boolean): ApiResponse {
  const status = httpStatusForView(view, failOnError);
  return status === 202 ? acceptedResponse(req, view) : { status, headers: { "Content-Type": "application/json" }, body: view };
}

/** 202 + Location + Retry-After: the async pattern ADF's Web activity and durable callers follow. */
export function acceptedResponse(req: ApiRequest, view: RunView): ApiResponse {
  return {
    status: 202,
    headers: { "Content-Type": "application/json", Location: runLocation(req, view.id), "Retry-After": String(retryAfterSeconds(view, new Date()) ?? 10) },
    body: view,
  };
}

/** Polls the run until it ends or `timeoutMs` passes (wall clock: this holds an HTTP request open). */
export async function waitForRun(runs: RunsClient, instanceId: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let delay = 100;
  for (;;) {
    const status = await runs.get(instanceId);
    if (!status || hasEnded(status.runtimeStatus)) return status;
    const left = deadline - Date.now();
    if (left <= 0) return status;
    await new Promise((r) => setTimeout(r, Math.min(delay, left)));
    delay = Math.min(delay * 2, 1000);
  }
}

/** The view of a run just started whose status cannot be read yet. */
export function pendingView(instanceId: string): RunView {
  const now = new Date().toISOString();
  return toRunView({ instanceId, name: "", runtimeStatus: "Pending", createdTime: now, lastUpdatedTime: now, input: null, output: null, customStatus: null });
}
