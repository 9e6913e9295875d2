import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { type Stack, useStack } from "./stack";

/** Adaptive polling and events mode, end to end (the other suites pin fixed polling). */
function policyEnv() {
  let saved: Record<string, string | undefined> = {};
  beforeEach(() => {
    saved = { SCORING_POLL_MODE: process.env.SCORING_POLL_MODE, SCORING_JOB_EVENTS: process.env.SCORING_JOB_EVENTS };
  });
  afterEach(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

describe("adaptive polling through the dev host", () => {
  const ctx = useStack();
  policyEnv();
  const gapsOf = (stack: Stack) => {
    const at = stack.emulator.requestsFor("getJob").map((r) => r.at);
    return at.slice(1).map((t, i) => (t - at[i]!) / 1000);
  };

  it("adaptive: looks after 10 s, then ever less often, never less often than the interval", async () => {
    const { stack } = ctx;
    process.env.SCORING_POLL_MODE = "adaptive";
    stack.emulator.enqueueLifecycle(lifecycles.timed([["Running", 1800_000]]));
    const t0 = stack.clock.now();
    const start = await stack.api("/api/scoring-runs", { json: stack.startBody({ pollIntervalSeconds: 120 }) });
    await stack.host.engine.runUntil(() => stack.host.engine.get(start.body.id)?.runtimeStatus === "Completed");
    const reads = stack.emulator.requestsFor("getJob");
    expect(reads[0]!.at - t0).toBe(10_000);
    const gaps = gapsOf(stack);
    for (let i = 1; i < gaps.length; i++) expect(gaps[i]).toBeGreaterThanOrEqual(gaps[i - 1]!);
    expect(Math.max(...gaps)).toBe(120);
    // Detected no later than one interval after the end, and far sooner than at 10 s throughout.
    expect(reads[reads.length - 1]!.at - t0 - 1800_000).toBeLessThanOrEqual(120_000);
    expect(reads.length).toBeLessThan(40);
  });
});

describe("events mode through the dev host (the emulator emits RunStatusChanged when jobs end)", () => {
  const ctx = useStack({ jobEvents: { latencyMs: 2000 } });
  policyEnv();

  it("events mode: safety polls follow the adaptive curve; the emulator's event at the job's end makes the run look at once", async () => {
    const { stack } = ctx;
    process.env.SCORING_JOB_EVENTS = "true";
    stack.emulator.enqueueLifecycle(
      lifecycles.timed([
        ["Queued", 120_000],
        ["Running", 3000_000],
      ]),
    );
    const t0 = stack.clock.now();
    const start = await stack.api("/api/scoring-runs", { json: stack.startBody({ pollIntervalSeconds: 120 }) });
    const id = start.body.id as string;
    await stack.host.engine.runUntil(() => stack.host.engine.get(id)?.runtimeStatus === "Completed");
    const end = t0 + 3120_000;
    const reads = stack.emulator.requestsFor("getJob").map((r) => r.at - t0);
    // 10 s, then a third of the job's age, at most the 120 s interval; the last read is the event's.
    expect(reads.slice(0, 3)).toEqual([10_000, 20_000, 30_000]);
    for (let i = 1; i < reads.length - 1; i++) expect(reads[i]! - reads[i - 1]!).toBeLessThanOrEqual(120_000);
    expect(reads.at(-1)).toBe(end + 2000 - t0);
    const view = (await stack.api(`/api/scoring-runs/${id}`)).body;
    expect(view.detection).toMatchObject({ by: "event", delaySeconds: 2 });
  });

  it("events mode: a failed job raises no event (as on Azure); a safety poll sees it within the adaptive interval", async () => {
    const { stack } = ctx;
    process.env.SCORING_JOB_EVENTS = "true";
    stack.emulator.enqueueLifecycle(
      lifecycles.timed(
        [
          ["Queued", 60_000],
          ["Running", 1800_000],
        ],
        "Failed",
        "the scoring script raised",
      ),
    );
    const start = await stack.api("/api/scoring-runs", { json: stack.startBody({ pollIntervalSeconds: 120 }) });
    const id = start.body.id as string;
    await stack.host.engine.runUntil(() => stack.host.engine.get(id)?.runtimeStatus === "Failed");
    const view = (await stack.api(`/api/scoring-runs/${id}`)).body;
    expect(view.detection).toMatchObject({ by: "poll" });
    expect(view.detection.maxDelaySeconds).toBeLessThanOrEqual(120);
    expect(stack.logs.join("\n")).not.toContain("RunStatusChanged");
  });
});
