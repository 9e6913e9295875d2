/** How a run view is answered over HTTP: status code, Location and Retry-After. */
import { httpStatusForView } from "../api/runView";
import type { RunView } from "../api/types";
import type { RunsClient } from "./runsClient";
import type { ApiRequest, ApiResponse } from "./types";

/** The status URL of a run; `failOnError=true` so an ADF Web activity following it fails the pipeline on failure. */
export function runLocation(req: ApiRequest, instanceId: string): string {
  const origin = new URL(req.url).origin;
  return `${origin}/api/scoring-runs/${encodeURIComponent(instanceId)}?failOnError=true`;
}

/** Seconds a poller should wait: until just after the run's next poll, within 2…60 s. */
export function retryAfterSeconds(view: RunView, now: number = Date.now()): number {
  const next = view.progress.nextPollAt ? Date.parse(view.progress.nextPollAt) : NaN;
  if (Number.isNaN(next)) return 5;
  return Math.min(60, Math.max(2, Math.ceil((next - now) / 1000) + 1));
}

export function runResponse(req: ApiRequest, view: RunView, failOnError: boolean): ApiResponse {
  const status = httpStatusForView(view, failOnError);
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (status === 202) {
    headers.Location = runLocation(req, view.id);
    headers["Retry-After"] = String(retryAfterSeconds(view));
  }
  return { status, headers, body: view };
}

const terminalRuntime = new Set(["Completed", "Failed", "Terminated", "Canceled"]);

/** Polls the run until it ends or `timeoutMs` passes (wall clock: this holds an HTTP request open). */
export async function waitForRun(runs: RunsClient, instanceId: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let delay = 100;
  for (;;) {
    const status = await runs.get(instanceId);
    if (!status || terminalRuntime.has(status.runtimeStatus)) return status;
    const left = deadline - Date.now();
    if (left <= 0) return status;
    await new Promise((r) => setTimeout(r, Math.min(delay, left)));
    delay = Math.min(delay * 2, 1000);
  }
}
