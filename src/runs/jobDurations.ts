/**
 * Learned polling (SCORING_POLL_MODE=learned, docs/operations.md#learned-polling), pure: one
 * durable entity per endpoint and deployment keeps how long its recent jobs took, from the invoke
 * to the end the run saw, fed by runs whose job completed. A run reads the expected range once,
 * when it invokes (a cached read per worker), never per poll.
 */

/** The entity's state: the latest durations, oldest first, in seconds. */
export interface JobDurationsState {
  seconds: number[];
}

/** What a run plans its polls by: the recent jobs' 10th, 50th and 90th percentile durations, in seconds. */
export interface ExpectedDuration {
  samples: number;
  p10: number;
  p50: number;
  p90: number;
}

/** Durations kept per endpoint and deployment. */
export const DURATIONS_KEPT = 20;
/** Fewer samples than this say too little: the run polls on the adaptive curve. */
export const MIN_SAMPLES = 3;

export const emptyJobDurations = (): JobDurationsState => ({ seconds: [] });

export function applyJobDurationsOperation(state: JobDurationsState, operation: string, input: unknown): JobDurationsState {
  if (operation !== "record" || typeof input !== "number" || !Number.isFinite(input) || input <= 0) return state;
  return { seconds: [...state.seconds, Math.round(input)].slice(-DURATIONS_KEPT) };
}

export function expectedDuration(state: JobDurationsState | undefined): ExpectedDuration | null {
  const sorted = [...(state?.seconds ?? [])].sort((a, b) => a - b);
  if (sorted.length < MIN_SAMPLES) return null;
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { samples: sorted.length, p10: at(0.1), p50: at(0.5), p90: at(0.9) };
}
