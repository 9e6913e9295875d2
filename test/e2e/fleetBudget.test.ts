import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import type { FleetState } from "../../src/runs/fleet";
import { names } from "../../src/runs/names";
import { useStack } from "./stack";

/** The fleet's read budget (docs/operations.md#fleet-read-budget), through the dev host on the virtual clock. */
describe("fleet read budget (SCORING_ARM_READS_PER_SECOND)", () => {
  const saved = process.env.SCORING_ARM_READS_PER_SECOND;
  beforeAll(() => {
    process.env.SCORING_ARM_READS_PER_SECOND = "1";
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.SCORING_ARM_READS_PER_SECOND;
    else process.env.SCORING_ARM_READS_PER_SECOND = saved;
  });
  const ctx = useStack();
  const fleet = () => ctx.stack.host.engine.entityState<FleetState>(names.fleet, "all");

  it("a run among many live runs polls no more often than its share of the budget, and its view says so; the count goes back down when it ends", async () => {
    const { stack } = ctx;
    process.env.SCORING_POLL_MODE = "adaptive";
    // 59 other live runs, as the fleet entity counts them.
    for (let i = 0; i < 59; i++) stack.host.engine.signalEntity(names.fleet, "all", "started", undefined);
    await stack.host.engine.idle();
    expect(fleet()?.live).toBe(59);
    stack.emulator.enqueueLifecycle(
      lifecycles.timed([
        ["Queued", 60_000],
        ["Running", 1800_000],
      ]),
    );
    const start = await stack.api("/api/scoring-runs", { json: stack.startBody({ pollIntervalSeconds: 120 }) });
    const id = start.body.id as string;
    const t0 = stack.clock.now();
    await stack.host.engine.runUntil(() => stack.emulator.requestsFor("getJob").length >= 1);
    expect(fleet()?.live).toBe(60);
    const view = (await stack.api(`/api/scoring-runs/${id}`)).body;
    expect(view.progress.pacing, JSON.stringify(view.progress)).toEqual({ slowedByReadBudget: true, liveRuns: 60, readsPerSecond: 1, lowered: false });

    await stack.host.engine.runUntil(() => stack.host.engine.get(id)?.runtimeStatus === "Completed");
    // 60 runs × 1.5 / 1 read per second: a mean wait of 90 s, spread over [45 s, 135 s); adaptive alone waits 10 s, then 20 s, … at first.
    const reads = stack.emulator.requestsFor("getJob").map((r) => r.at);
    const gaps = reads.slice(2).map((t, i) => (t - reads[i + 1]!) / 1000);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(45);
    expect(reads.length).toBeLessThan(1860 / 45);
    // Even the first read is paced: the invoke hands the run its pace.
    expect(reads[0]! - t0).toBeGreaterThanOrEqual(45_000);
    expect(fleet()?.live).toBe(59);
    const ended = (await stack.api(`/api/scoring-runs/${id}`)).body;
    expect(ended.progress.pacing).toBeUndefined();
  });

  it("runs started together are admitted in turn: the first at once, the next ones spaced, each saying so while it waits, and a cancel ends the wait", async () => {
    const { stack } = ctx;
    process.env.SCORING_POLL_MODE = "adaptive";
    // Admission's bucket is full again after the earlier tests' starts. (Before the 429 test: a worker stamps a lowered
    // budget with its own clock, which the virtual clock does not move.)
    await stack.host.engine.advanceTo(stack.clock.now() + 600_000);
    const invokesBefore = stack.emulator.requestsFor("invoke").length;
    const t0 = stack.clock.now();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      stack.emulator.enqueueLifecycle(lifecycles.timed([["Running", 600_000]]));
      ids.push((await stack.api("/api/scoring-runs", { json: stack.startBody({ pollIntervalSeconds: 120 }) })).body.id as string);
    }
    await stack.host.engine.idle();
    // At 1 read per second, starts take a third of it at 2 reads each: one every 6 s.
    const waiting = (await stack.api(`/api/scoring-runs/${ids[2]}`)).body;
    expect(waiting.job).toBeNull();
    expect(waiting.progress.pacing).toMatchObject({ slowedByReadBudget: true, readsPerSecond: 1 });
    const cancel = await stack.api(`/api/scoring-runs/${ids[2]}/cancel`, { method: "POST", json: { reason: "not needed" } });
    expect(cancel.status).toBe(202);
    await stack.host.engine.runUntil(
      () => stack.emulator.requestsFor("invoke").length >= invokesBefore + 2 && stack.host.engine.get(ids[2]!)?.runtimeStatus === "Failed",
    );
    const invokes = stack.emulator
      .requestsFor("invoke")
      .slice(invokesBefore)
      .map((r) => r.at - t0);
    expect(invokes).toHaveLength(2);
    expect(invokes[0]).toBeLessThan(6_000);
    expect(invokes[1]).toBeGreaterThanOrEqual(6_000);
    const canceled = (await stack.api(`/api/scoring-runs/${ids[2]}`)).body;
    expect(canceled).toMatchObject({ status: "Canceled", job: null });
  });

  it("a 429 from ARM on one run's read lowers the budget for every run, for a while", async () => {
    const { stack } = ctx;
    process.env.SCORING_POLL_MODE = "adaptive";
    stack.emulator.injectFault({ match: { route: "getJob" }, times: 1, kind: { status: 429, retryAfterSeconds: 1 } });
    const ids: string[] = [];
    for (const _ of [1, 2]) {
      stack.emulator.enqueueLifecycle(lifecycles.timed([["Running", 3600_000]]));
      ids.push((await stack.api("/api/scoring-runs", { json: stack.startBody({ pollIntervalSeconds: 120 }) })).body.id as string);
    }
    await stack.host.engine.runUntil(() => stack.emulator.requestsFor("getJob").filter((r) => r.status === 200).length >= 6);
    // The throttled read was retried (the throttling policy honours Retry-After) and the entity heard of it.
    expect(fleet()?.lowered).toMatchObject({ factor: 0.5 });
    for (const id of ids) {
      const view = (await stack.api(`/api/scoring-runs/${id}`)).body;
      expect(view.progress.pacing).toMatchObject({ slowedByReadBudget: true, readsPerSecond: 0.5, lowered: true });
    }
  });
});
