/**
 * Follows a run until it ends: looks at its `Location` (or status route) as often as the API's
 * `Retry-After` says, never more than `capSeconds` apart; stops at `--max-wait` or on abort
 * (Ctrl-C). A failed look (connection, 429, 5xx) is retried a few times before giving up.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { RunView } from "../src/runs/types";
import { type ApiClient, ApiError, ConnectionError, type RunAnswer } from "./apiClient";

export type FollowEnd = "ended" | "timedOut" | "interrupted";

export interface FollowResult {
  end: FollowEnd;
  /** The last answer seen (the final one when `ended`). */
  answer: RunAnswer;
}

export interface FollowOptions {
  signal: AbortSignal;
  /** Give up waiting after this many seconds (the run goes on). */
  maxWaitSeconds?: number;
  /** Longest pause between looks, whatever Retry-After says. */
  capSeconds?: number;
  /** Pause when the answer has no Retry-After. */
  defaultDelaySeconds?: number;
  /** Failed looks in a row before the error is thrown. */
  maxConsecutiveErrors?: number;
  onView?(view: RunView): void;
  onRetry?(message: string): void;
  now?(): number;
}

export const MAX_SECONDS_BETWEEN_LOOKS = 10;

export function isEnded(view: RunView): boolean {
  return view.status === "Succeeded" || view.status === "Failed" || view.status === "Canceled";
}

function isTransient(err: unknown): boolean {
  if (err instanceof ConnectionError) return true;
  return err instanceof ApiError && [408, 429, 500, 502, 503, 504].includes(err.status);
}

/** Seconds to the next look: Retry-After, at least 1, at most the cap. */
export function nextDelaySeconds(retryAfter: number | null, cap: number, fallback: number): number {
  return Math.min(cap, Math.max(1, retryAfter ?? fallback));
}

export async function followRun(client: ApiClient, first: RunAnswer, options: FollowOptions): Promise<FollowResult> {
  const now = options.now ?? Date.now;
  const cap = options.capSeconds ?? MAX_SECONDS_BETWEEN_LOOKS;
  const fallback = options.defaultDelaySeconds ?? 2;
  const maxErrors = options.maxConsecutiveErrors ?? 5;
  const deadline = options.maxWaitSeconds === undefined ? Number.POSITIVE_INFINITY : now() + options.maxWaitSeconds * 1000;
  const id = first.view.id;
  let answer = first;
  let location = first.location;
  let retryAfter = first.retryAfterSeconds;
  let errors = 0;

  while (!isEnded(answer.view)) {
    const left = deadline - now();
    if (left <= 0) return { end: "timedOut", answer };
    try {
      await sleep(Math.min(nextDelaySeconds(retryAfter, cap, fallback) * 1000, left), undefined, { signal: options.signal });
      const next = await client.look(client.followUrl(id, location), { signal: options.signal });
      answer = next;
      location = next.location ?? location;
      retryAfter = next.retryAfterSeconds;
      errors = 0;
      options.onView?.(next.view);
    } catch (err) {
      if (options.signal.aborted) return { end: "interrupted", answer };
      if (!isTransient(err) || ++errors >= maxErrors) throw err;
      retryAfter = fallback * 2 ** errors; // backs off, still capped
      options.onRetry?.(`looking at run ${id} failed (${err instanceof Error ? err.message : String(err)}); trying again`);
    }
  }
  return { end: "ended", answer };
}
