import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { EventType } from "../../dev/host/history";
import { type Stack, startStack } from "./stack";

/** History stays bounded however long the job runs, and nothing is lost at the switch. */
describe("bounded history (continueAsNew)", () => {
  let stack: Stack;
  const maxPolls = 20;
  beforeAll(async () => {
    stack = await startStack({ clock: "virtual", env: { SCORING_MAX_POLLS_PER_EXECUTION: String(maxPolls) } });
  });
  afterAll(async () => stack?.stop());

  it("a long job at 10 s polls: every execution's history stays under the bound, polls add up across executions", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.completesAfter(499));
    const start = await stack.api("/api/scoring-runs", { json: stack.startBody({ pollIntervalSeconds: 10 }) });
    const id = start.body.id as string;
    await stack.host.engine.runUntil(() => stack.host.engine.get(id)?.runtimeStatus === "Completed");
    const record = stack.host.engine.get(id)!;
    const executions = [...record.pastExecutions.map((e) => e.history), record.history];
    // Per poll, two episodes: OrchestratorStarted, TimerFired, TaskScheduled, OrchestratorCompleted, then OrchestratorStarted,
    // TaskCompleted, TimerCreated, OrchestratorCompleted (+ the start and the settle timer): a fixed bound, whatever the run's length.
    const bound = maxPolls * 8 + 20;
    expect(executions.length).toBe(Math.ceil(500 / maxPolls));
    for (const history of executions) expect(history.length).toBeLessThanOrEqual(bound);
    const view = await stack.api(`/api/scoring-runs/${id}`);
    expect(view.body).toMatchObject({ status: "Succeeded", progress: { polls: 500 } });
    expect(stack.emulator.requestsFor("getJob")).toHaveLength(500);
    expect(stack.emulator.requestsFor("invoke")).toHaveLength(1);
    for (const r of await stack.host.engine.verifyReplay(id)) expect(r.identical, r.detail).toBe(true);
  });

  it("a cancel raised while the last poll of an execution runs is not lost in the switch", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Running"));
    const start = await stack.api("/api/scoring-runs", { json: stack.startBody({ pollIntervalSeconds: 10 }) });
    const id = start.body.id as string;
    let polls = 0;
    stack.host.engine.interceptor = {
      async before(name) {
        if (name !== "getBatchJobStatus" || ++polls !== maxPolls) return;
        // The last poll before continueAsNew: the cancel lands while it runs.
        expect(stack.host.engine.raiseEvent(id, "CancelRequested", { reason: "during the switch" })).toBe("delivered");
      },
    };
    try {
      await stack.host.engine.runUntil(() => stack.host.engine.get(id)?.runtimeStatus === "Failed", 24 * 3600_000);
    } finally {
      stack.host.engine.interceptor = undefined;
    }
    const view = await stack.api(`/api/scoring-runs/${id}`);
    expect(view.body).toMatchObject({ status: "Canceled", error: { code: "RunCanceled" } });
    expect(view.body.error.message).toContain("during the switch");
    expect(stack.emulator.requestsFor("cancelJob").length).toBeGreaterThanOrEqual(1);
    // The cancel was read and sent to Azure ML in the execution it arrived in, not dropped with it.
    const first = stack.host.engine.get(id)!.pastExecutions[0]!.history;
    expect(first.some((e) => e.EventType === EventType.EventRaised && e.Name === "CancelRequested")).toBe(true);
    expect(first.some((e) => e.EventType === EventType.TaskScheduled && e.Name === "cancelBatchJob")).toBe(true);
  });
});
