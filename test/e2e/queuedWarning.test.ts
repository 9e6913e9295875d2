/**
 * A job that stays queued past SCORING_QUEUED_WARNING_SECONDS gets one JobQueuedLong warning on
 * the run, naming quota and compute, while the run goes on; a job that leaves the queue in time
 * gets none.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { type Stack, startStack } from "./stack";

describe("a job that stays queued", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { SCORING_QUEUED_WARNING_SECONDS: "600" } });
  });
  afterAll(async () => stack?.stop());

  const start = async (pollIntervalSeconds: number) => {
    const res = await stack.api("/api/scoring-runs", { json: stack.startBody({ pollIntervalSeconds }) });
    expect(res.status).toBe(202);
    return res.body.id as string;
  };
  const queuedWarnings = async (id: string) =>
    ((await stack.api(`/api/scoring-runs/${id}`)).body.warnings as { code: string; message: string }[]).filter((w) => w.code === "JobQueuedLong");

  it("gets one warning after the threshold, and the run keeps polling", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Queued"));
    const id = await start(120);
    const t0 = stack.host.clock.now();
    await stack.host.engine.advanceTo(t0 + 480_000);
    expect(await queuedWarnings(id)).toEqual([]);
    await stack.host.engine.advanceTo(t0 + 1_500_000);
    const warnings = await queuedWarnings(id);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/has been Queued for 10 min\. A batch job waits there until its compute cluster has the nodes/);
    expect((await stack.api(`/api/scoring-runs/${id}`)).body.status).toBe("Running");
    await stack.api(`/api/scoring-runs/${id}/cancel`, { method: "POST" });
  });

  it("a job that runs before the threshold gets none", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.completesAfter(3));
    const id = await start(300);
    await stack.host.engine.runUntil(() => stack.host.engine.get(id)?.runtimeStatus === "Completed");
    expect(await queuedWarnings(id)).toEqual([]);
  });
});
