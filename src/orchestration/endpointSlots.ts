/**
 * The per-endpoint job limit (SCORING_MAX_JOBS_PER_ENDPOINT) as a counting semaphore kept by a
 * durable entity, one per endpoint (scoring URI + deployment). Every scoring run, alone or in a
 * batch, takes a slot before its invoke and gives it back at its end. Pure: the entity applies
 * these operations to its state; times come from the caller's replayed clock.
 *
 * - A slot is a lease that ends at the holder's deadline (+ grace): a run terminated from
 *   outside (it never releases) cannot hold a slot forever.
 * - Waiters queue first come, first served; a waiter that stops asking (terminated while
 *   waiting) drops out after `staleAfterSeconds`.
 */
import { names } from "../runs/names";

export const endpointSlotsEntity = names.batches.slotsEntity;
/** After the deadline the run still cancels its job (a few attempts): the lease outlives it by this much. */
export const leaseGraceSeconds = 15 * 60;
/** A waiting run asks again this often (durable timer); a cancel wakes it at once. */
export const slotRetrySeconds = 15;
/** A waiter that has not asked for this long is dropped from the queue. */
export const staleAfterSeconds = 4 * slotRetrySeconds;

export interface SlotsState {
  holders: Record<string, { since: string; expiresAt: string }>;
  waiting: { runId: string; lastAskedAt: string }[];
}

export interface AcquireRequest {
  runId: string;
  limit: number;
  /** The caller's currentUtcDateTime (ISO). */
  now: string;
  /** When the lease ends if never released (ISO). */
  expiresAt: string;
}

export type AcquireAnswer = { granted: true; holders: number; limit: number } | { granted: false; position: number; holders: number; limit: number };

export const emptySlots = (): SlotsState => ({ holders: {}, waiting: [] });

/** Drops leases past their end and waiters that stopped asking. */
export function expire(state: SlotsState, now: string): SlotsState {
  const at = Date.parse(now);
  const holders = Object.fromEntries(Object.entries(state.holders).filter(([, h]) => Date.parse(h.expiresAt) > at));
  const waiting = state.waiting.filter((w) => at - Date.parse(w.lastAskedAt) <= staleAfterSeconds * 1000);
  return { holders, waiting };
}

/**
 * A run asks for a slot: granted when it holds one already (a repeated call), or when a slot is
 * free for it in queue order; otherwise it is queued (or its place kept) and told its place.
 */
export function acquire(current: SlotsState, ask: AcquireRequest): { state: SlotsState; answer: AcquireAnswer } {
  const state = expire(current, ask.now);
  const limit = Math.max(1, ask.limit);
  const holding = Object.keys(state.holders).length;
  if (state.holders[ask.runId]) return { state, answer: { granted: true, holders: holding, limit } };
  const waiting = state.waiting.some((w) => w.runId === ask.runId)
    ? state.waiting.map((w) => (w.runId === ask.runId ? { ...w, lastAskedAt: ask.now } : w))
    : [...state.waiting, { runId: ask.runId, lastAskedAt: ask.now }];
  const place = waiting.findIndex((w) => w.runId === ask.runId);
  const free = limit - holding;
  if (place < free) {
    return {
      state: {
        holders: { ...state.holders, [ask.runId]: { since: ask.now, expiresAt: ask.expiresAt } },
        waiting: waiting.filter((w) => w.runId !== ask.runId),
      },
      answer: { granted: true, holders: holding + 1, limit },
    };
  }
  return { state: { holders: state.holders, waiting }, answer: { granted: false, position: place - Math.max(0, free) + 1, holders: holding, limit } };
}

/** A run gives its slot back (or leaves the queue); releasing what it does not hold is a no-op. */
export function release(current: SlotsState, runId: string): SlotsState {
  const holders = { ...current.holders };
  delete holders[runId];
  return { holders, waiting: current.waiting.filter((w) => w.runId !== runId) };
}

/**
 * The entity key of an endpoint: scoring URI host and path (lower case, no query, no trailing
 * '/') and the deployment ("" for the default one), with only key-safe characters.
 */
export function endpointKey(endpointUri: string, deployment: string | null): string {
  let hostPath = endpointUri.toLowerCase();
  const parsed = /^[a-z]+:\/\/([^/?#]+)([^?#]*)/.exec(hostPath);
  if (parsed) hostPath = `${parsed[1]}${(parsed[2] ?? "").replace(/\/+$/, "")}`;
  return `${hostPath}|${(deployment ?? "").toLowerCase()}`.replace(/[^a-z0-9.:|_-]/g, "_");
}

/** When a run's lease ends: its deadline plus the grace its cancel at the deadline may take. */
export function leaseEnd(deadlineAt: string): string {
  return new Date(Date.parse(deadlineAt) + leaseGraceSeconds * 1000).toISOString();
}
