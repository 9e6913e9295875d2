/**
 * Where a worker places the paced polls it hands out (docs/operations.md#fleet-read-budget): the
 * seconds of its recent handouts. Each new poll gets a target spread evenly over its window, then
 * the second nearest to it, earlier or later, where every 10 s window stays within this worker's
 * share of the budget. Spread by chance alone, a few reads a second bunch up to two or three times
 * their mean in some 10 s windows. Only this worker's polls are seen: with several workers each
 * evens out its own.
 */
const INVERSE_GOLDEN_RATIO = (Math.sqrt(5) - 1) / 2;

/** The k-th point of an evenly spreading sequence in [0, 1), frac(k / φ): any n in a row sit about 1/n apart. */
export const evenlySpread = (k: number): number => (k * INVERSE_GOLDEN_RATIO) % 1;
/** The window the fleet's peak is judged over. */
const WINDOW_SECONDS = 10;

export interface PollCalendar {
  /**
   * Places one poll in [at + fromSeconds, at + fromSeconds + lengthSeconds), keeping each 10 s
   * window to this worker's share (`readsPerSecond`) where the window has room, and answers where,
   * as a share of the window in [0, 1).
   */
  place(atMs: number, fromSeconds: number, lengthSeconds: number, readsPerSecond: number): number;
}

/** A new calendar; `maxSeconds` bounds the seconds one placement looks at (and so its cost). */
export function createPollCalendar(options: { maxSeconds?: number } = {}): PollCalendar {
  const maxSeconds = options.maxSeconds ?? 7200;
  /** Whole seconds since the epoch → polls placed in that second. */
  const placed = new Map<number, number>();
  const countAt = (second: number) => placed.get(second) ?? 0;
  let handouts = 0;
  let prunedAt = Number.NEGATIVE_INFINITY;

  /** The most polls any 10 s window holding `second` has. */
  function busiestWindow(second: number): number {
    let inWindow = 0;
    for (let k = second - WINDOW_SECONDS + 1; k <= second; k++) inWindow += countAt(k);
    let most = inWindow;
    for (let k = second + 1; k < second + WINDOW_SECONDS; k++) {
      inWindow += countAt(k) - countAt(k - WINDOW_SECONDS);
      most = Math.max(most, inWindow);
    }
    return most;
  }

  return {
    place(atMs, fromSeconds, lengthSeconds, readsPerSecond) {
      const perWindow = Math.floor(WINDOW_SECONDS * readsPerSecond);
      const nowSecond = Math.floor(atMs / 1000);
      if (nowSecond - prunedAt >= 60) {
        for (const second of placed.keys()) if (second < nowSecond) placed.delete(second);
        prunedAt = nowSecond;
      }
      const start = atMs / 1000 + fromSeconds;
      const first = Math.ceil(start);
      const seconds = Math.max(1, Math.min(maxSeconds, Math.floor(start + lengthSeconds) - first));
      // The target moves on by the golden ratio each time: targets fill the window evenly, so waits keep their mean.
      const target = first + Math.floor(evenlySpread(++handouts) * seconds);
      let chosen = target;
      let quietest = Number.POSITIVE_INFINITY;
      // Nearest first, earlier and later in turn, so a move away from the target is as often one way as the other.
      for (let step = 0; step < 2 * seconds; step++) {
        const second = target + (step % 2 === 0 ? step / 2 : -(step + 1) / 2);
        if (second < first || second >= first + seconds) continue;
        const busiest = busiestWindow(second);
        if (busiest < perWindow) {
          chosen = second;
          break;
        }
        if (busiest < quietest) [chosen, quietest] = [second, busiest];
      }
      placed.set(chosen, countAt(chosen) + 1);
      const share = (chosen + 0.5 - start) / lengthSeconds;
      return Math.min(Math.max(share, 0), 1 - Number.EPSILON);
    },
  };
}
