import { describe, expect, it } from "vitest";
import { learnedIntervalSeconds } from "../../../src/orchestration/pollSchedule";
import { applyJobDurationsOperation, DURATIONS_KEPT, emptyJobDurations, expectedDuration } from "../../../src/runs/jobDurations";

describe("learned polling (pure)", () => {
  it("keeps the latest durations of an endpoint, ignores nonsense, and says nothing below 3 samples", () => {
    let state = emptyJobDurations();
    for (const s of [3600, -1, Number.NaN, "x", 3000]) state = applyJobDurationsOperation(state, "record", s);
    expect(state.seconds).toEqual([3600, 3000]);
    expect(expectedDuration(state)).toBeNull();
    state = applyJobDurationsOperation(state, "record", 4200);
    expect(expectedDuration(state)).toEqual({ samples: 3, p10: 3000, p50: 3600, p90: 4200 });
    for (let i = 0; i < 30; i++) state = applyJobDurationsOperation(state, "record", 100 + i);
    expect(state.seconds).toHaveLength(DURATIONS_KEPT);
    expect(state.seconds.at(-1)).toBe(129);
  });

  it("sparse before the expected end's window, every 90 s inside it, the adaptive curve after it", () => {
    const expected = { samples: 10, p10: 4800, p50: 6000, p90: 7200 };
    const wait = (age: number) => learnedIntervalSeconds(age, expected, 120, Math.min(120, Math.max(10, Math.round(age / 3))));
    // The window: 4320 s (p10 − 10%) to about 7920 s (p90 + 10%).
    expect(wait(0)).toBe(1800);
    expect(wait(2000)).toBe(1160);
    expect(wait(4200)).toBe(60);
    expect(wait(4300)).toBe(20);
    expect(wait(4320)).toBe(90);
    expect(wait(7900)).toBe(90);
    expect(wait(7930)).toBe(120);
    // A request asking for reads every 60 s gets them every 60 s inside the window.
    expect(learnedIntervalSeconds(5000, expected, 60, 60)).toBe(60);
    // Reads before the window: from the invoke to its opening, about log2 of the wait, not one per interval.
    let age = 0;
    let reads = 0;
    while (age < 4320) {
      age += wait(age);
      reads++;
    }
    expect(age).toBe(4320);
    expect(reads).toBeLessThanOrEqual(8);
  });
});
