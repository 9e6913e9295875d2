import { describe, expect, it } from "vitest";
import { createPollCalendar } from "../../../src/activities/pollCalendar";

/** The most polls in any 10 s window (whole seconds) among `times` (ms), from `fromMs` on. */
function peakPer10s(times: number[], fromMs = 0): number {
  const perSecond = new Map<number, number>();
  for (const t of times) if (t >= fromMs) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
  let peak = 0;
  for (const s of perSecond.keys()) {
    let n = 0;
    for (let k = s; k < s + 10; k++) n += perSecond.get(k) ?? 0;
    peak = Math.max(peak, n);
  }
  return peak;
}

/**
 * `runs` runs, each polling again when its poll happens, in a window of [f/2, 3f/2): the fleet's
 * pacing at `runs × 1.5 / budget` seconds. Seeded phases, so the run is the same each time.
 */
function simulate(place: (atMs: number, f: number) => number, runs: number, f: number, polls: number) {
  let seed = 7;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const next = Array.from({ length: runs }, () => random() * f * 1000);
  const times: number[] = [];
  let waited = 0;
  for (let p = 0; p < polls; p++) {
    let i = 0;
    for (let k = 1; k < runs; k++) if (next[k]! < next[i]!) i = k;
    const at = next[i]!;
    times.push(at);
    const wait = f / 2 + place(at, f) * f;
    waited += wait;
    next[i] = at + wait * 1000;
  }
  return { times, meanWait: waited / polls };
}

describe("createPollCalendar", () => {
  it("answers a share of the window in [0, 1) that lands the poll in a whole second of it", () => {
    const calendar = createPollCalendar();
    for (let i = 0; i < 50; i++) {
      const at = 1_000_000 + i * 333;
      const share = calendar.place(at, 30, 60, 0.6);
      expect(share).toBeGreaterThanOrEqual(0);
      expect(share).toBeLessThan(1);
      const pollAt = at / 1000 + 30 + share * 60;
      expect(pollAt - Math.floor(pollAt)).toBeCloseTo(0.5, 6);
    }
  });

  it("keeps every 10 s window within its share where there is room, with the waits' mean kept", () => {
    // 300 runs at 1 read/s: a 450 s floor, 6.7 reads per 10 s on average.
    const calendar = createPollCalendar();
    const placed = simulate((at, f) => calendar.place(at, f / 2, f, 0.7), 300, 450, 12_000);
    const random = simulate(() => Math.random(), 300, 450, 12_000);
    // Once the first (random) phases have passed through the calendar:
    expect(peakPer10s(placed.times, 2_000_000)).toBeLessThanOrEqual(7);
    expect(peakPer10s(random.times, 2_000_000)).toBeGreaterThanOrEqual(12);
    expect(placed.meanWait / 450).toBeGreaterThan(0.99);
    expect(placed.meanWait / 450).toBeLessThan(1.05);
  });

  it("a share below the demand stretches the waits until the polls fit it", () => {
    const calendar = createPollCalendar();
    const placed = simulate((at, f) => calendar.place(at, f / 2, f, 0.5), 300, 450, 12_000);
    expect(peakPer10s(placed.times, 2_000_000)).toBeLessThanOrEqual(5);
    expect(placed.meanWait / 450).toBeGreaterThan(1.2);
  });

  it("over-subscribed, a poll still goes in its window, to the quietest second", () => {
    const calendar = createPollCalendar();
    const at = 5_000_000;
    const seconds = Array.from({ length: 40 }, () => Math.floor(at / 1000 + 10 + calendar.place(at, 10, 20, 0.1) * 20));
    expect(Math.min(...seconds)).toBeGreaterThanOrEqual(at / 1000 + 10);
    expect(Math.max(...seconds)).toBeLessThan(at / 1000 + 30);
    const perSecond = new Map<number, number>();
    for (const s of seconds) perSecond.set(s, (perSecond.get(s) ?? 0) + 1);
    expect(perSecond.size).toBe(20);
  });
});
