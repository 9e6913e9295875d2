import { describe, expect, it } from "vitest";
import type { InstanceSummary } from "../../../src/runs/durableRuns";
import {
  checkedBatchSize,
  describeOutcome,
  isPurgeable,
  occurrenceTime,
  purgeFinishedRuns,
  type RetentionClient,
  retentionCutoff,
  runRetention,
} from "../../../src/retention/purgeFinishedRuns";

const day = 24 * 3600_000;
const now = new Date("2026-03-01T03:17:00.000Z");

describe("retention cutoff", () => {
  it("is now minus whole days", () => {
    expect(retentionCutoff(now, 30).toISOString()).toBe("2026-01-30T03:17:00.000Z");
    expect(retentionCutoff(now, 1).getTime()).toBe(now.getTime() - day);
    expect(retentionCutoff(now, 3650).getTime()).toBe(now.getTime() - 3650 * day);
  });

  it("refuses days that are not a whole number ≥ 1", () => {
    for (const days of [0, -1, 1.5, Number.NaN]) expect(() => retentionCutoff(now, days)).toThrow(/whole number/);
  });
});

describe("which runs are purged", () => {
  const cutoff = retentionCutoff(now, 30);
  const at = (ms: number) => new Date(ms).toISOString();
  const run = (runtimeStatus: string, lastUpdatedTime: string | Date): InstanceSummary => ({ instanceId: "r", runtimeStatus, lastUpdatedTime });

  it("only ended runs: Completed, Failed, Terminated (and the enum's unused Canceled)", () => {
    const old = at(cutoff.getTime() - 1);
    for (const s of ["Completed", "Failed", "Terminated", "Canceled"]) expect(isPurgeable(run(s, old), cutoff), s).toBe(true);
    for (const s of ["Running", "Pending", "Suspended", "ContinuedAsNew", "completed", ""]) expect(isPurgeable(run(s, old), cutoff), s).toBe(false);
  });

  it("only when the last update is strictly before the cutoff (Date or ISO string); unreadable times never", () => {
    expect(isPurgeable(run("Completed", new Date(cutoff.getTime() - 1)), cutoff)).toBe(true);
    expect(isPurgeable(run("Completed", at(cutoff.getTime())), cutoff)).toBe(false);
    expect(isPurgeable(run("Completed", at(cutoff.getTime() + 1000)), cutoff)).toBe(false);
    // The extension's JSON: whole seconds with a Z.
    expect(isPurgeable(run("Failed", "2026-01-01T00:00:00Z"), cutoff)).toBe(true);
    expect(isPurgeable(run("Completed", "not a date"), cutoff)).toBe(false);
  });
});

describe("the invocation's time", () => {
  const wall = new Date("2026-03-01T03:17:02.500Z");
  it("is the occurrence the host scheduled (scheduleStatus.next), never later than the wall clock", () => {
    expect(occurrenceTime({ scheduleStatus: { next: "2026-03-01T03:17:00+00:00" } }, wall).toISOString()).toBe("2026-03-01T03:17:00.000Z");
    // past due (the app was stopped): the missed occurrence, an earlier cutoff
    expect(occurrenceTime({ scheduleStatus: { next: "2026-02-27T03:17:00Z" } }, wall).toISOString()).toBe("2026-02-27T03:17:00.000Z");
    expect(occurrenceTime({ scheduleStatus: { next: "2026-03-02T03:17:00Z" } }, wall)).toBe(wall);
  });
  it("is the wall clock without a schedule status (no monitor, the admin API)", () => {
    for (const timer of [undefined, null, {}, { scheduleStatus: null }, { scheduleStatus: { next: "garbage" } }])
      expect(occurrenceTime(timer, wall)).toBe(wall);
  });
});

describe("batch bounds", () => {
  it("a batch size is a whole number ≥ 1", () => {
    expect(checkedBatchSize(1)).toBe(1);
    expect(checkedBatchSize(500)).toBe(500);
    for (const n of [0, -3, 2.5, Number.NaN]) expect(() => checkedBatchSize(n)).toThrow(/whole number/);
  });
});

/** An in-memory task hub: listings and purges recorded. */
function fakeClient(instances: Array<InstanceSummary & { createdTime: number }>, fail: (id: string) => boolean = () => false) {
  const live = new Map(instances.map((i) => [i.instanceId, i]));
  const calls = { lists: 0, purged: [] as string[], queries: [] as Array<{ createdBefore: string }> };
  const client: RetentionClient = {
    async listEnded(createdBefore) {
      calls.lists++;
      calls.queries.push({ createdBefore: createdBefore.toISOString() });
      return [...live.values()].filter(
        (i) => ["Completed", "Failed", "Terminated", "Canceled"].includes(i.runtimeStatus) && i.createdTime <= createdBefore.getTime(),
      );
    },
    async purge(id) {
      if (fail(id)) throw new Error(`purge of ${id} failed`);
      calls.purged.push(id);
      return live.delete(id) ? 1 : 0;
    },
  };
  return { client, calls, live };
}

const old = (i: number, status = "Completed") => ({
  instanceId: `old-${String(i).padStart(3, "0")}`,
  runtimeStatus: status,
  createdTime: now.getTime() - 40 * day + i,
  lastUpdatedTime: new Date(now.getTime() - 35 * day + i * 1000).toISOString(),
});

describe("purgeFinishedRuns", () => {
  it("asks for finished runs created before the cutoff, and purges those last updated before it, oldest first", async () => {
    const { client, calls, live } = fakeClient([
      old(2),
      old(1, "Failed"),
      old(3, "Terminated"),
      { ...old(4), instanceId: "old-but-running", runtimeStatus: "Running" },
      // created long ago, ended recently: stays
      { ...old(5), instanceId: "ended-recently", lastUpdatedTime: new Date(now.getTime() - 2 * day).toISOString() },
    ]);
    const outcome = await purgeFinishedRuns(client, { now, days: 30, batchSize: 500 });
    expect(calls.queries[0]).toEqual({ createdBefore: "2026-01-30T03:17:00.000Z" });
    expect(calls.purged.sort()).toEqual(["old-001", "old-002", "old-003"]);
    expect([...live.keys()].sort()).toEqual(["ended-recently", "old-but-running"]);
    expect(outcome).toMatchObject({ purged: 3, alreadyGone: 0, failed: 0, remaining: 0 });
    expect(describeOutcome(outcome)).toBe("purged 3 finished run(s) last updated before 2026-01-30T03:17:00.000Z (batch of at most 500); none left");
  });

  it("purges at most a batch per call, oldest first: 5 runs with batch 2 take 3 calls", async () => {
    const { client, live } = fakeClient([old(5), old(3), old(1), old(4), old(2)]);
    const first = await purgeFinishedRuns(client, { now, days: 30, batchSize: 2, concurrency: 1 });
    expect(first).toMatchObject({ purged: 2, remaining: 3 });
    expect([...live.keys()].sort()).toEqual(["old-003", "old-004", "old-005"]);
    expect(describeOutcome(first)).toMatch(/purged 2 .*; 3 more left for the next invocation\(s\)$/);
    expect(await purgeFinishedRuns(client, { now, days: 30, batchSize: 2 })).toMatchObject({ purged: 2, remaining: 1 });
    expect(await purgeFinishedRuns(client, { now, days: 30, batchSize: 2 })).toMatchObject({ purged: 1, remaining: 0 });
    expect(await purgeFinishedRuns(client, { now, days: 30, batchSize: 2 })).toMatchObject({ purged: 0, remaining: 0 });
    expect(live.size).toBe(0);
  });

  it("lists once per call, and a batch smaller than the backlog takes the oldest and counts the rest", async () => {
    const many = Array.from({ length: 250 }, (_, i) => old(i));
    const all = fakeClient(many);
    expect(await purgeFinishedRuns(all.client, { now, days: 30, batchSize: 1000 })).toMatchObject({ purged: 250, remaining: 0 });
    expect(all.calls.lists).toBe(1);

    const bounded = fakeClient(many);
    const partial = await purgeFinishedRuns(bounded.client, { now, days: 30, batchSize: 50 });
    expect(bounded.calls.lists).toBe(1);
    expect(partial).toMatchObject({ purged: 50, remaining: 200 });
    expect(describeOutcome(partial)).toMatch(/; 200 more left for the next invocation\(s\)$/);
    expect(bounded.calls.purged).toEqual(many.slice(0, 50).map((i) => i.instanceId));
  });

  it("a purge that fails leaves its run for later and is counted; one already gone is not an error", async () => {
    const { client, live } = fakeClient([old(1), old(2), old(3)], (id) => id === "old-002");
    const gone = { ...client, purge: async (id: string) => (id === "old-003" ? 0 : client.purge(id)) };
    const outcome = await purgeFinishedRuns(gone, { now, days: 30, batchSize: 10 });
    expect(outcome).toMatchObject({ purged: 1, alreadyGone: 1, failed: 1, remaining: 1, firstError: "purge of old-002 failed" });
    expect(live.has("old-002")).toBe(true);
    expect(describeOutcome(outcome)).toMatch(/1 already gone; 1 failed \(purge of old-002 failed\); 1 more left/);
  });

  it("purges at most `concurrency` at once", async () => {
    let inFlight = 0;
    let peak = 0;
    const { client } = fakeClient(Array.from({ length: 20 }, (_, i) => old(i)));
    const slow: RetentionClient = {
      listEnded: client.listEnded,
      async purge(id) {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return client.purge(id);
      },
    };
    expect((await purgeFinishedRuns(slow, { now, days: 30, batchSize: 20, concurrency: 3 })).purged).toBe(20);
    expect(peak).toBe(3);
  });
});

describe("runRetention (what the timer does with the settings)", () => {
  const settings = { settings: { days: 30, batchSize: 10 } };

  it("off: logs why and never touches the client", async () => {
    const logs: string[] = [];
    let made = 0;
    await runRetention(
      { off: "kept forever" },
      () => (made++, fakeClient([old(1)]).client),
      now,
      (m) => logs.push(m),
    );
    expect(logs).toEqual(["retention is off: kept forever"]);
    expect(made).toBe(0);
  });

  it("a bad setting fails the invocation with the reason, and purges nothing", async () => {
    let made = 0;
    await expect(
      runRetention(
        { problem: "Setting X is wrong. Nothing was purged." },
        () => (made++, fakeClient([old(1)]).client),
        now,
        () => undefined,
      ),
    ).rejects.toThrow("Setting X is wrong. Nothing was purged.");
    expect(made).toBe(0);
  });

  it("purges one batch and logs the outcome; a failed purge fails the invocation after logging", async () => {
    const logs: string[] = [];
    const ok = fakeClient([old(1), old(2)]);
    await runRetention(
      settings,
      () => ok.client,
      now,
      (m) => logs.push(m),
    );
    expect(ok.live.size).toBe(0);
    expect(logs).toEqual([expect.stringMatching(/^purged 2 finished run\(s\) .*; none left$/)]);

    const failing = fakeClient([old(1), old(2)], (id) => id === "old-001");
    await expect(
      runRetention(
        settings,
        () => failing.client,
        now,
        (m) => logs.push(m),
      ),
    ).rejects.toThrow("1 purge(s) failed, first: purge of old-001 failed");
    expect(logs[1]).toMatch(/^purged 1 .*; 1 failed \(purge of old-001 failed\); 1 more left/);
  });
});
