/**
 * The fleet's read budget (docs/operations.md#fleet-read-budget), pure: one durable entity counts
 * the live runs (a call or signal when a run starts, a signal when it ends) and remembers when Azure Resource
 * Manager last answered 429, which lowers the budget for every run for a while. Runs never call the
 * entity per poll: the status activity reads its state through a per-process cache. Each run calls
 * it once at its start, to be counted and admitted: starts are spaced within a share of the budget.
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
  /** Start admission's bucket in one time: when the starts admitted so far have earned back their spacing (absent or past: a full burst may start). */
  nextStartAt?: string;
}

/** What a run's next poll is paced by: the live runs and the reads per second the fleet may make now. */
export interface FleetPace {
  live: number;
  readsPerSecond: number;
  /** The budget is lowered after a 429 from ARM. */
  lowered: boolean;
  /**
   * Where in its paced window the next poll falls, in [0, 1): the worker places it in its calendar
   * (or, without the read's time, hands out an evenly spreading sequence), so polls paced together
   * land apart instead of by chance (absent: the run's own hash).
   */
  spread?: number;
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

/** Reads a paced run may make beyond its share: the fleet's other ARM reads (pre-flight, searches) and hot runs fit in it. */
export const BUDGET_HEADROOM = 1.5;
/** The share of the budget status reads leave to starts: 1 − 1 / headroom. */
export const START_SHARE = 1 - 1 / BUDGET_HEADROOM;
/** ARM reads a run makes at its start before its polls are paced: the Jobs List search before its invoke, and pre-flight's reads the worker has not kept. */
export const READS_PER_START = 2;

/** What a run asks at its start: the orchestration's time, and the budget it started under. */
export interface AdmitRequest {
  at: string;
  readsPerSecond: number;
}

/** When the run may make its start reads, and the fleet as the entity saw it (for the run's view). */
export interface AdmitAnswer {
  startAt: string;
  live: number;
  readsPerSecond: number;
  lowered: boolean;
}

/** Starts may come at once while their reads fit in the start share of this many seconds; later ones are spaced. */
export const START_BURST_SECONDS = 10;

/**
 * Admits one run: it counts as live from here (as the `started` signal counts a run that is not
 * admitted), and its start gets a time, from a token bucket kept in one time (the generic cell rate algorithm):
 * starts are spaced so their reads take no more than the start share of the (possibly lowered)
 * budget, after a burst that fits in the share of START_BURST_SECONDS.
 */
export function admitStart(state: FleetState, request: AdmitRequest): { state: FleetState; answer: AdmitAnswer } {
  const at = Date.parse(request.at);
  const pace = paceOf(state, Math.max(request.readsPerSecond, 0.001), at);
  const spacingMs = (READS_PER_START / (pace.readsPerSecond * START_SHARE)) * 1000;
  const burstMs = Math.max(0, Math.floor((START_BURST_SECONDS * 1000) / spacingMs) - 1) * spacingMs;
  const queued = state.nextStartAt ? Date.parse(state.nextStartAt) : Number.NaN;
  const theoretical = Number.isFinite(queued) && queued > at ? queued : at;
  const startAt = Math.max(at, theoretical - burstMs);
  return {
    state: { ...state, live: state.live + 1, nextStartAt: new Date(theoretical + spacingMs).toISOString() },
    answer: { startAt: new Date(startAt).toISOString(), live: state.live + 1, readsPerSecond: pace.readsPerSecond, lowered: pace.lowered },
  };
}

/**
 * The shortest mean wait between one run's reads that keeps `live` runs within the budget, with
 * headroom: `live × 1.5 / budget` seconds (0 when nothing paces).
 */
export function pacedFloorSeconds(pace: Pick<FleetPace, "live" | "readsPerSecond">): number {
  return pace.live > 0 && pace.readsPerSecond > 0 ? (pace.live * BUDGET_HEADROOM) / pace.readsPerSecond : 0;
}

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
