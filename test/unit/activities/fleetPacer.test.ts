import { describe, expect, it } from "vitest";
import { createFleetPacer, type FleetEntityAccess } from "../../../src/activities/fleetPacer";
import type { FleetState, FleetThrottled } from "../../../src/runs/fleet";

function entity(state: FleetState) {
  const access: FleetEntityAccess & { reads: number; reports: FleetThrottled[] } = {
    reads: 0,
    reports: [],
    async read() {
      access.reads++;
      return state;
    },
    async reportThrottled(seen) {
      access.reports.push(seen);
    },
  };
  return access;
}

describe("createFleetPacer", () => {
  it("reads the entity again only after its ttl or its uses, never per pace", async () => {
    let t = 0;
    const pacer = createFleetPacer({ ttlMs: 15_000, usesPerRead: 25, now: () => t });
    const e = entity({ live: 40, lowered: null });
    for (let i = 0; i < 10; i++) expect((await pacer.pace(e, 15))!.live).toBe(40);
    expect(e.reads).toBe(1);
    t = 15_000;
    await pacer.pace(e, 15);
    expect(e.reads).toBe(2);
    for (let i = 0; i < 25; i++) await pacer.pace(e, 15);
    expect(e.reads).toBe(3);
  });

  it("hands out spreads that sit evenly in [0, 1): any run of n paces leaves no gap wider than 2/n", async () => {
    const pacer = createFleetPacer();
    const e = entity({ live: 300, lowered: null });
    const spreads: number[] = [];
    for (let i = 0; i < 200; i++) spreads.push((await pacer.pace(e, 1))!.spread!);
    expect(spreads.every((s) => s >= 0 && s < 1)).toBe(true);
    for (const n of [5, 13, 50, 200]) {
      const sorted = spreads.slice(spreads.length - n).sort((a, b) => a - b);
      const gaps = sorted.map((s, i) => (i === 0 ? s + 1 - sorted.at(-1)! : s - sorted[i - 1]!));
      expect(Math.max(...gaps), `n=${n}`).toBeLessThanOrEqual(2 / n);
    }
  });

  it("with the orchestration's time of the read, places the next poll in its calendar: 10 s windows keep to the share", async () => {
    const pacer = createFleetPacer();
    // 300 live runs at 1 read/s: a 450 s floor, polls in [225 s, 675 s) after the read; the share is 6 per 10 s.
    const e = entity({ live: 300, lowered: null });
    const at = Date.parse("2026-01-01T00:00:00Z");
    const polls: number[] = [];
    for (let i = 0; i < 200; i++) {
      const pace = (await pacer.pace(e, 1, at))!;
      polls.push(Math.floor(at / 1000 + 450 * (0.5 + pace.spread!)));
    }
    for (const second of polls) expect(polls.filter((p) => p >= second && p < second + 10).length).toBeLessThanOrEqual(6);
  });

  it("a 429 seen here lowers this worker's pace at once and is reported to the entity", async () => {
    let t = Date.parse("2026-01-01T00:00:00Z");
    const pacer = createFleetPacer({ now: () => t });
    const e = entity({ live: 10, lowered: null });
    expect((await pacer.pace(e, 16))!.readsPerSecond).toBe(16);
    pacer.noteThrottled(30);
    t += 1000;
    const pace = (await pacer.pace(e, 16))!;
    expect(pace).toMatchObject({ readsPerSecond: 8, lowered: true });
    expect(e.reports).toHaveLength(1);
  });
});
