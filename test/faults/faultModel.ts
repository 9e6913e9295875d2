/**
 * An independent model of what a fault sequence should do, written from the documents rather
 * than from the code under test:
 *
 * - `armCall`: one ARM call (Jobs Get or Cancel) through the pipeline src/batch/pipelines.ts
 *   builds, with the retry semantics of @azure/core-rest-pipeline 1.25 (ts-http-runtime): from
 *   outermost to innermost, exponentialRetryPolicy (5xx except 501/505, and 408, unless it is a 429/503
 *   with Retry-After; never system errors), systemErrorRetryPolicy (ECONNRESET & co., never a
 *   response), throttlingRetryPolicy (a 429/503 carrying Retry-After, waited in-process), and
 *   the app's cap (a 429/503 whose Retry-After is over 30 s ends the call at once). Retry-After
 *   is core's business on 429/503 only; on any other status it is ignored in-process, but the
 *   app still hands it to the orchestrator as the floor of the next read. Each retry
 *   policy sends at most 1 + 3 times; exponential waits are jittered in [d/2, d], d = min(8 s,
 *   1 s · 2^n). (The cap's 60 s budget per call is not modelled: no row uses Retry-After values
 *   where it could matter.)
 * - `modelPolling`: the orchestrator's monitoring loop as README "How a run behaves" states it:
 *   a poll every interval; after a failed read, 5 s doubling per consecutive failure, capped by
 *   the interval, never sooner than Retry-After; 3 non-retryable (401/403/404) reads in a row end
 *   the run JobStatusUnavailable; never sleeping past timeoutSeconds, which ends the run
 *   DeadlineExceeded.
 *
 * Every matrix row compares what the emulator recorded with this model, request by request.
 */
import type { FaultKind } from "../../dev/batch-emulator";

/** What the emulator records per request: the status it answered, or "reset". */
export type Seen = number | "reset";

/** A sleep the pipeline should ask for: exact (min = max) or a jitter window. */
export interface ExpectedSleep {
  minMs: number;
  maxMs: number;
}

export type CallOutcome = { ok: true } | { ok: false; status: number | null; retryable: boolean; retryAfterSeconds: number | null };

export interface CallTrace {
  requests: Seen[];
  sleeps: ExpectedSleep[];
  outcome: CallOutcome;
}

const MAX_RETRIES = 3;
const RETRY_DELAY_MS = 1000;
const MAX_RETRY_DELAY_MS = 8000;
const MAX_RETRY_AFTER_S = 30;
const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

class Reset {}
class RetryAfterTooLong {
  constructor(
    readonly status: number,
    readonly retryAfterSeconds: number,
  ) {}
}
interface Response {
  status: number;
  retryAfterSeconds: number | null;
}

const jitter = (n: number): ExpectedSleep => {
  const d = Math.min(MAX_RETRY_DELAY_MS, RETRY_DELAY_MS * 2 ** n);
  return { minMs: d / 2, maxMs: d };
};

/** Expands `{times, kind}` injections into the queue the emulator takes them from, in order. */
export function feedOf(faults: Array<{ times: number; kind: FaultKind }>): FaultKind[] {
  return faults.flatMap((f) => Array.from({ length: f.times }, () => f.kind));
}

/** One ARM call; consumes faults from the front of `feed` (an empty feed answers 200). */
export function armCall(feed: FaultKind[]): CallTrace {
  const requests: Seen[] = [];
  const sleeps: ExpectedSleep[] = [];
  const send = (): Response => {
    const fault = feed.shift();
    if (fault === undefined || "delayMs" in fault) {
      requests.push(200);
      return { status: 200, retryAfterSeconds: null };
    }
    if ("reset" in fault || "resetAfterProcessing" in fault) {
      requests.push("reset");
      throw new Reset();
    }
    requests.push(fault.status);
    return { status: fault.status, retryAfterSeconds: fault.retryAfterSeconds ?? null };
  };
  const cap = (): Response => {
    const r = send();
    if ((r.status === 429 || r.status === 503) && r.retryAfterSeconds !== null && r.retryAfterSeconds > MAX_RETRY_AFTER_S) {
      throw new RetryAfterTooLong(r.status, r.retryAfterSeconds);
    }
    return r;
  };
  /** core's throttling strategy: a 429 or 503 that carries Retry-After (any other status: not its business). */
  const throttled = (r: Response): boolean => (r.status === 429 || r.status === 503) && r.retryAfterSeconds !== null;
  const throttling = (): Response => {
    for (let n = 0; ; n++) {
      const r = cap();
      if (n >= MAX_RETRIES || !throttled(r)) return r;
      sleeps.push({ minMs: r.retryAfterSeconds! * 1000, maxMs: r.retryAfterSeconds! * 1000 });
    }
  };
  const systemError = (): Response => {
    for (let n = 0; ; n++) {
      try {
        return throttling();
      } catch (err) {
        if (!(err instanceof Reset) || n >= MAX_RETRIES) throw err;
        sleeps.push(jitter(n));
      }
    }
  };
  const exponential = (): Response => {
    for (let n = 0; ; n++) {
      const r = systemError();
      const exponentialStatus = (r.status >= 500 && r.status !== 501 && r.status !== 505) || r.status === 408;
      if (n >= MAX_RETRIES || throttled(r) || !exponentialStatus) return r;
      sleeps.push(jitter(n));
    }
  };
  let outcome: CallOutcome;
  try {
    const r = exponential();
    outcome =
      r.status >= 200 && r.status < 300
        ? { ok: true }
        : { ok: false, status: r.status, retryable: RETRYABLE.has(r.status), retryAfterSeconds: r.retryAfterSeconds };
  } catch (err) {
    if (err instanceof RetryAfterTooLong) {
      outcome = { ok: false, status: err.status, retryable: true, retryAfterSeconds: err.retryAfterSeconds };
    } else {
      outcome = { ok: false, status: null, retryable: true, retryAfterSeconds: null };
    }
  }
  return { requests, sleeps, outcome };
}

export interface PollGroup {
  /** Seconds after the invoke (virtual time). */
  atSeconds: number;
  requests: Seen[];
  outcome: CallOutcome;
}

export interface PollModel {
  groups: PollGroup[];
  sleeps: ExpectedSleep[];
  /** "Succeeded", or the error code the run should end with. */
  result: string;
  /** Seconds after the invoke at which the run ends. */
  endSeconds: number;
}

export const errorBackoff = (n: number, capSeconds: number): number => Math.min(capSeconds, 5 * 2 ** (n - 1));

/**
 * The status reads of one run whose job shows `busyPolls` non-terminal reads before Completed.
 * `feed` holds the getJob faults in the order the emulator will apply them.
 */
export function modelPolling(options: { feed: FaultKind[]; intervalSeconds: number; busyPolls: number; timeoutSeconds?: number }): PollModel {
  const { feed, intervalSeconds, busyPolls } = options;
  const deadline = options.timeoutSeconds ?? 7 * 24 * 3600;
  const groups: PollGroup[] = [];
  const sleeps: ExpectedSleep[] = [];
  let t = Math.min(intervalSeconds, deadline);
  let consecutive = 0;
  let hardInARow = 0;
  let successes = 0;
  for (let guard = 0; guard < 100_000; guard++) {
    const call = armCall(feed);
    groups.push({ atSeconds: t, requests: call.requests, outcome: call.outcome });
    sleeps.push(...call.sleeps);
    let wait: number;
    if (call.outcome.ok) {
      successes++;
      consecutive = 0;
      hardInARow = 0;
      if (successes > busyPolls) return { groups, sleeps, result: "Succeeded", endSeconds: t };
      wait = intervalSeconds;
    } else {
      consecutive++;
      hardInARow = call.outcome.retryable ? 0 : hardInARow + 1;
      if (hardInARow >= 3) return { groups, sleeps, result: "JobStatusUnavailable", endSeconds: t };
      wait = errorBackoff(consecutive, intervalSeconds);
      if (call.outcome.retryAfterSeconds) wait = Math.max(wait, call.outcome.retryAfterSeconds);
    }
    if (t >= deadline) return { groups, sleeps, result: "DeadlineExceeded", endSeconds: t };
    t = Math.max(Math.min(t + wait, deadline), t + 1);
  }
  throw new Error("modelPolling: no end in sight");
}
