import { describe, expect, it } from "vitest";
import {
  admitStart,
  applyFleetOperation,
  emptyFleetState,
  LOWEST_BUDGET_FACTOR,
  paceOf,
  READS_PER_START,
  START_BURST_SECONDS,
  START_SHARE,
} from "../../../src/runs/fleet";

const T = Date.parse("2026-01-01T00:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();

describe("the fleet entity's state", () => {
  it("counts live runs from their start and end signals, never below 0", () => {
    let s = emptyFleetState();
    s = applyFleetOperation(s, "started", null);
    s = applyFleetOperation(s, "started", null);
    s = applyFleetOperation(s, "ended", null);
    expect(s.live).toBe(1);
    expect(applyFleetOperation(applyFleetOperation(s, "ended", null), "ended", null).live).toBe(0);
  });

  it("a 429 halves the budget for at least 5 minutes (twice Retry-After when longer), down to an eighth", () => {
    let s = applyFleetOperation(emptyFleetState(), "throttled", { at: iso(T), retryAfterSeconds: null });
    expect(paceOf(s, 16, T + 1000)).toEqual({ live: 0, readsPerSecond: 8, lowered: true });
    expect(paceOf(s, 16, T + 300_000)).toMatchObject({ readsPerSecond: 16, lowered: false });
    for (let i = 0; i < 5; i++) s = applyFleetOperation(s, "throttled", { at: iso(T + i), retryAfterSeconds: 600 });
    expect(s.lowered!.factor).toBe(LOWEST_BUDGET_FACTOR);
    expect(Date.parse(s.lowered!.until)).toBe(T + 4 + 1_200_000);
  });
});

describe("admitStart", () => {
  const at = (s: ReturnType<typeof emptyFleetState>, ms: number, readsPerSecond = 15) => admitStart(s, { at: iso(ms), readsPerSecond });

  it("admits a burst at once, then spaces starts so their reads keep to the start share of the budget", () => {
    const spacingMs = (READS_PER_START / (15 * START_SHARE)) * 1000;
    const burst = Math.floor((START_BURST_SECONDS * 1000) / spacingMs);
    let s = emptyFleetState();
    const starts: number[] = [];
    for (let i = 0; i < burst + 5; i++) {
      const admitted = at(s, T);
      s = admitted.state;
      starts.push(Date.parse(admitted.answer.startAt) - T);
    }
    expect(burst).toBe(25);
    expect(starts.slice(0, burst)).toEqual(new Array(burst).fill(0));
    // Times are whole milliseconds (ISO strings): each later start is within 1 ms per start of its slot.
    starts.slice(burst).forEach((start, i) => expect(Math.abs(start - (i + 1) * spacingMs)).toBeLessThanOrEqual(burst + i + 1));
    // Over any START_BURST_SECONDS from the first, start reads stay within the start share of that window, plus the burst.
    const inWindow = starts.filter((ms) => ms < START_BURST_SECONDS * 1000).length;
    expect(inWindow * READS_PER_START).toBeLessThanOrEqual(15 * START_SHARE * START_BURST_SECONDS * 2 + 1e-9);
    // Later, with the bucket refilled, a run starts at once again.
    expect(at(s, T + 60_000).answer.startAt).toBe(iso(T + 60_000));
  });

  it("at a small budget there is no burst: each start waits its spacing", () => {
    let s = emptyFleetState();
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const admitted = at(s, T, 1);
      s = admitted.state;
      starts.push(Date.parse(admitted.answer.startAt) - T);
    }
    expect(starts).toEqual([0, 6000, 12000]);
  });

  it("spaces starts wider while a 429 has lowered the budget, and says so", () => {
    const lowered = applyFleetOperation({ ...emptyFleetState(), live: 7 }, "throttled", { at: iso(T), retryAfterSeconds: null });
    let s = lowered;
    let last: ReturnType<typeof admitStart> | undefined;
    for (let i = 0; i < 13; i++) {
      last = at(s, T + 1000);
      s = last.state;
    }
    // 7.5 reads/s: a 0.8 s spacing, a burst of 12; the 13th waits one spacing. Each admitted run counts as live.
    expect(last!.answer).toMatchObject({ live: 7 + 13, readsPerSecond: 7.5, lowered: true });
    expect(s.live).toBe(20);
    expect(Date.parse(last!.answer.startAt) - (T + 1000)).toBeCloseTo((READS_PER_START / (7.5 * START_SHARE)) * 1000, -1);
  });
});
