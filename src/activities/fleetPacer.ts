/**
 * The worker's view of the fleet's read budget (docs/operations.md#fleet-read-budget): the fleet
 * entity's state, read again after `ttlMs` or after `usesPerRead` paces, whichever comes first
 * (one entity read per many polls, never one per poll; a busy worker sees the count move sooner), and the 429s
 * ARM answered here, applied at once to this worker's view and reported to the entity (at most
 * once per `reportEveryMs`) so every run slows down. The entity is auxiliary: a read or signal
 * that fails leaves the last view (or none), and polling goes on. Each pace also places the run's
 * next poll in its window (pollCalendar), so the polls this worker hands out spread evenly.
 */
import {
  applyFleetOperation,
  BUDGET_HEADROOM,
  emptyFleetState,
  type FleetPace,
  type FleetState,
  type FleetThrottled,
  pacedFloorSeconds,
  paceOf,
} from "../runs/fleet";
import { createPollCalendar, evenlySpread } from "./pollCalendar";

export interface FleetEntityAccess {
  read(): Promise<FleetState | undefined>;
  reportThrottled(seen: FleetThrottled): Promise<void>;
}

export interface FleetPacer {
  /** ARM answered 429 (with its Retry-After, if any). */
  noteThrottled(retryAfterSeconds: number | null): void;
  /**
   * The pace for the next poll; undefined when the fleet's state has never been read. With the
   * orchestration's time of the read (`pacedAtMs`), the poll's spread is a place in this worker's calendar.
   */
  pace(entity: FleetEntityAccess, readsPerSecond: number, pacedAtMs?: number): Promise<FleetPace | undefined>;
}

export function createFleetPacer(options: { ttlMs?: number; usesPerRead?: number; reportEveryMs?: number; now?: () => number } = {}): FleetPacer {
  const ttlMs = options.ttlMs ?? 15_000;
  const usesPerRead = options.usesPerRead ?? 25;
  let uses = 0;
  const reportEveryMs = options.reportEveryMs ?? 30_000;
  const now = options.now ?? Date.now;
  let view: { state: FleetState; readAt: number } | null = null;
  let reading: Promise<void> | null = null;
  let unreported: FleetThrottled | null = null;
  /** The last 429 seen here, applied to an entity state that does not show it yet. */
  let lastSeen: FleetThrottled | null = null;
  let lastReportAt = Number.NEGATIVE_INFINITY;
  /** Paces handed out without a time: the k-th gets the k-th evenly spread point. */
  let handedOut = 0;
  const calendar = createPollCalendar();

  async function refresh(entity: FleetEntityAccess): Promise<void> {
    try {
      const state = (await entity.read()) ?? emptyFleetState();
      // A 429 seen here but not yet in the entity's state (its signal still on the way) still counts.
      const shows = (seen: FleetThrottled) => state.lowered !== null && Date.parse(state.lowered.until) > Date.parse(seen.at);
      view = { state: lastSeen && !shows(lastSeen) ? applyFleetOperation(state, "throttled", lastSeen) : state, readAt: now() };
    } catch {
      if (view) view = { ...view, readAt: now() };
    }
  }

  return {
    noteThrottled(retryAfterSeconds) {
      const seen: FleetThrottled = { at: new Date(now()).toISOString(), retryAfterSeconds };
      unreported = seen;
      lastSeen = seen;
      view = { state: applyFleetOperation(view?.state ?? emptyFleetState(), "throttled", seen), readAt: view?.readAt ?? Number.NEGATIVE_INFINITY };
    },
    async pace(entity, readsPerSecond, pacedAtMs) {
      if (unreported && now() - lastReportAt >= reportEveryMs) {
        const seen = unreported;
        unreported = null;
        lastReportAt = now();
        await entity.reportThrottled(seen).catch(() => {
          unreported ??= seen;
        });
      }
      if (!view || now() - view.readAt >= ttlMs || ++uses >= usesPerRead) {
        uses = 0;
        reading ??= refresh(entity).finally(() => {
          reading = null;
        });
        await reading;
      }
      if (!view) return undefined;
      const pace = paceOf(view.state, readsPerSecond, now());
      // The run's paced window, as the run makes it for a job that is not near its end; the status reads' share is 1 / headroom.
      const floorSeconds = pacedFloorSeconds(pace);
      const spread =
        pacedAtMs !== undefined && Number.isFinite(pacedAtMs) && floorSeconds >= 2
          ? calendar.place(pacedAtMs, floorSeconds / 2, floorSeconds, pace.readsPerSecond / BUDGET_HEADROOM)
          : evenlySpread(++handedOut);
      return { ...pace, spread };
    },
  };
}
