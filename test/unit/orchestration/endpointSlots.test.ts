import { describe, expect, it } from "vitest";
import { acquire, emptySlots, endpointKey, leaseEnd, release, staleAfterSeconds } from "../../../src/orchestration/endpointSlots";

const at = (s: number) => new Date(Date.UTC(2026, 11, 1) + s * 1000).toISOString();
const ask = (runId: string, now = 0, expiresAt = 3600) => ({ runId, limit: 2, now: at(now), expiresAt: at(expiresAt) });

describe("endpoint slots", () => {
  it("grants up to the limit, queues the rest first come first served, and tells each its place", () => {
    let s = emptySlots();
    for (const id of ["a", "b"]) {
      const r = acquire(s, ask(id));
      expect(r.answer.granted).toBe(true);
      s = r.state;
    }
    let r = acquire(s, ask("c"));
    expect(r.answer).toEqual({ granted: false, position: 1, holders: 2, limit: 2 });
    s = r.state;
    r = acquire(s, ask("d"));
    expect(r.answer).toMatchObject({ granted: false, position: 2 });
    s = r.state;
    s = release(s, "a");
    // d asks first after the release, but c is ahead of it.
    r = acquire(s, ask("d", 5));
    expect(r.answer.granted).toBe(false);
    s = r.state;
    r = acquire(s, ask("c", 6));
    expect(r.answer.granted).toBe(true);
    s = r.state;
    expect(Object.keys(s.holders).sort()).toEqual(["b", "c"]);
  });

  it("is idempotent for a holder, and a release of nothing is a no-op", () => {
    const first = acquire(emptySlots(), ask("a"));
    const again = acquire(first.state, ask("a", 1));
    expect(again.answer.granted).toBe(true);
    expect(Object.keys(again.state.holders)).toEqual(["a"]);
    expect(release(first.state, "zzz")).toEqual(first.state);
  });

  it("ends a lease at its expiry (a terminated run), and drops a waiter that stopped asking", () => {
    let s = acquire(emptySlots(), ask("a", 0, 100)).state;
    s = acquire(s, ask("b", 0, 100)).state;
    s = acquire(s, ask("gone", 1)).state;
    expect(acquire(s, ask("c", 50)).answer.granted).toBe(false);
    // At 101 the two leases ended; "gone" stopped asking long ago.
    const later = acquire(s, ask("c", 101 + staleAfterSeconds));
    expect(later.answer.granted).toBe(true);
    expect(later.state.waiting).toEqual([]);
  });

  it("keys an endpoint by scoring URI and deployment, normalised", () => {
    expect(endpointKey("https://EP.westeurope.inference.ml.azure.com/jobs/", "Blue")).toBe(
      endpointKey("https://ep.westeurope.inference.ml.azure.com/jobs?x=1", "blue"),
    );
    expect(endpointKey("https://ep.westeurope.inference.ml.azure.com/jobs", null)).not.toBe(
      endpointKey("https://ep.westeurope.inference.ml.azure.com/jobs", "blue"),
    );
    expect(endpointKey("http://127.0.0.1:7000/ep/jobs", null)).toMatch(/^[a-z0-9.:|_-]+$/);
    expect(leaseEnd(at(0))).toBe(at(15 * 60));
  });
});
