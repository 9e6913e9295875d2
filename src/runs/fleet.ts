/**
 * The fleet's read budget (docs/operations.md#fleet-read-budget), pure: one durable entity counts
 * the live runs (a signal when a run starts and one when it ends) and remembers when Azure Resource
 * Manager last answered 429, which lowers the budget for every run for a while. Runs never call the
 * entity per poll: the status activity reads its state through a per-process cache.
 */
import type { ActivityResult } from "../batch/types";

/** The fleet entity is one instance. */
export const FLEET_KEY = "all";

/** What the status activity returns: the read, and the fleet's pace as the worker last saw it. */
export type PacedRead<T> = ActivityResult<T> & { pace?: FleetPace };

/** The entity's state. */
export interface FleetState {
  /** Runs started and not yet ended (never below 0). */
  live: number;
  /** Set by a 429 from ARM: the budget is multiplied by `factor` until `until`. */
  lowered: { factor: number; until: string } | null;
}

/** What a run's next poll is paced by: the live runs and the reads per second the fleet may make now. */
export interface FleetPace {
  live: number;
  readsPerSecond: number;
  /** The budget is lowered after a 429 from ARM. */
  lowered: boolean;
}

/** A 429 seen by a worker: when, and the Retry-After it carried (null without one). */
export interface FleetThrottled {
  at: string;
  retryAfterSeconds: number | null;
}

export const emptyFleetState = (): FleetState => ({ live: 0, lowered: null });

/** Each 429 halves the budget, down to this share of it. */
export const LOWEST_BUDGET_FACTOR = 1 / 8;
/** A lowered budget lasts at least this long after the last 429 (ARM's token bucket refills over minutes, not seconds). */
export const LOWERED_FOR_SECONDS = 300;

export function applyFleetOperation(state: FleetState, operation: string, input: unknown): FleetState {
  switch (operation) {
    case "started":
      return { ...state, live: state.live + 1 };
    case "ended":
      return { ...state, live: Math.max(0, state.live - 1) };
    case "throttled": {
      const seen = input as FleetThrottled;
      const at = Date.parse(seen.at);
      if (!Number.isFinite(at)) return state;
      const still = state.lowered && Date.parse(state.lowered.until) > at ? state.lowered : null;
      const factor = Math.max(LOWEST_BUDGET_FACTOR, (still?.factor ?? 1) / 2);
      const lasts = Math.max(LOWERED_FOR_SECONDS, 2 * (seen.retryAfterSeconds ?? 0));
      const until = new Date(Math.max(at + lasts * 1000, still ? Date.parse(still.until) : 0)).toISOString();
      return { ...state, lowered: { factor, until } };
    }
    default:
      return state;
  }
}

/** The pace a run gets from the fleet's state at `nowMs`, with the configured budget (SCORING_ARM_READS_PER_SECOND). */
export function paceOf(state: FleetState, readsPerSecond: number, nowMs: number): FleetPace {
  const lowered = state.lowered !== null && Date.parse(state.lowered.until) > nowMs;
  return { live: state.live, readsPerSecond: lowered ? readsPerSecond * state.lowered!.factor : readsPerSecond, lowered };
}
