import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { type Stack, useStack } from "./stack";

/** Adaptive polling and events mode, end to end (the other suites pin fixed polling). */
describe("poll policies through the dev host", () => {
  const ctx = useStack();
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

  it("events mode: a safety poll every 15 minutes; an event makes the run look at once", async () => {
    const { stack } = ctx;
    process.env.SCORING_JOB_EVENTS = "true";
    stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Running"));
    const t0 = stack.clock.now();
    const start = await stack.api("/api/scoring-runs", { json: stack.startBody({ pollIntervalSeconds: 120 }) });
    const id = start.body.id as string;
    await stack.host.engine.advanceTo(t0 + 3600_000);
    expect(stack.emulator.requestsFor("getJob").map((r) => (r.at - t0) / 1000)).toEqual([900, 1800, 2700, 3600]);
    const job = stack.emulator.jobs[0]!;
    stack.emulator.setJobStatus(job.name, "Completed");
    const event = {
      id: "evt-1", topic: stack.emulator.workspaceId, subject: `experiments/x/runs/${job.name}`, eventType: "Microsoft.MachineLearningServices.RunCompleted",
      eventTime: new Date(stack.clock.now()).toISOString(), dataVersion: "2", metadataVersion: "1",
      data: { experimentId: "x", experimentName: "x", runId: job.name, runType: "azureml.batchjob", runTags: job.tags, runProperties: {} },
    };
    await fetch(`${stack.host.baseUrl}/runtime/webhooks/eventgrid?functionName=jobStatusChangedTrigger`, {
      method: "POST", headers: { "content-type": "application/json", "aeg-event-type": "Notification" }, body: JSON.stringify([event]),
    });
    await stack.host.engine.idle();
    expect(stack.host.engine.get(id)?.runtimeStatus).toBe("Completed");
    expect(stack.clock.now()).toBe(t0 + 3600_000);
  });
});
