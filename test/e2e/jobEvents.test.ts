import { randomUUID } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { type Stack, useStack } from "./stack";

/** Azure ML job events wake the waiting run; the run confirms by GET before acting. */
describe("job status events (RunStatusChanged / RunCompleted)", () => {
  const ctx = useStack();
  let stack: Stack;
  beforeEach(() => {
    stack = ctx.stack;
  });

  const hour = 3600_000;
  async function waitingRun() {
    stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Running"));
    const res = await stack.api("/api/scoring-runs", { json: stack.startBody({ pollIntervalSeconds: 3600 }) });
    await stack.host.engine.idle();
    const job = stack.emulator.jobs[stack.emulator.jobs.length - 1]!;
    return { id: res.body.id as string, job, startedAt: stack.clock.now() };
  }
  function jobEvent(jobName: string, runStatus: string, tags: Record<string, string>, type = "Microsoft.MachineLearningServices.RunStatusChanged") {
    return {
      id: randomUUID(),
      topic: stack.emulator.workspaceId,
      subject: `experiments/0000/runs/${jobName}`,
      eventType: type,
      eventTime: new Date(stack.clock.now()).toISOString(),
      dataVersion: "2",
      metadataVersion: "1",
      data: { experimentId: "0000", experimentName: "ep-scoring", runId: jobName, runType: "azureml.batchjob", runTags: tags, runProperties: {}, runStatus },
    };
  }
  async function deliver(events: unknown[]) {
    const res = await fetch(`${stack.host.baseUrl}/runtime/webhooks/eventgrid?functionName=jobStatusChangedTrigger`, {
      method: "POST",
      headers: { "content-type": "application/json", "aeg-event-type": "Notification" },
      body: JSON.stringify(events),
    });
    expect(res.status).toBeLessThan(300);
    await stack.host.engine.idle();
  }

  it("a job that completes between polls is noticed at once: one event delivery, one confirming GET", async () => {
    stack.emulator.configure({ keepInvokeMarkers: true });
    const { id, job, startedAt } = await waitingRun();
    expect(job.tags.scoringRunId).toBe(id);
    stack.emulator.setJobStatus(job.name, "Completed");
    await deliver([jobEvent(job.name, "Completed", job.tags)]);
    expect(stack.host.engine.get(id)?.runtimeStatus).toBe("Completed");
    expect(stack.clock.now()).toBe(startedAt); // no timer waited
    expect(stack.emulator.requestsFor("getJob")).toHaveLength(1);
    const view = await stack.api(`/api/scoring-runs/${id}`);
    expect(view.body).toMatchObject({ status: "Succeeded", progress: { polls: 1 }, detection: { by: "event", delaySeconds: 0, maxDelaySeconds: 0 } });
  });

  it("late, repeated, out-of-order, forged or foreign events never end a run whose job is still running, nor delay its polls", async () => {
    const { id, job, startedAt } = await waitingRun();
    await deliver([jobEvent(job.name, "Completed", job.tags)]); // forged: the job is Running
    await deliver([jobEvent(job.name, "Completed", job.tags, "Microsoft.MachineLearningServices.RunCompleted")]);
    await deliver([jobEvent(job.name, "Running", job.tags), jobEvent(job.name, "Queued", job.tags)]); // out of order, repeated
    expect(stack.emulator.requestsFor("getJob")).toHaveLength(4); // each confirmed by a GET, each said Running
    await deliver([jobEvent("batchjob-someone-else", "Completed", job.tags)]); // names this run but another job: no GET
    await deliver([jobEvent(job.name, "Completed", { scoringRunId: "no-such-run" })]);
    expect(stack.emulator.requestsFor("getJob")).toHaveLength(4);
    expect(stack.host.engine.get(id)?.runtimeStatus).toBe("Running");
    expect(stack.logs.join("\n")).toContain("no running scoring run is waiting on job batchjob-someone-else");
    // The scheduled hourly poll still comes on time.
    await stack.host.engine.advanceTo(startedAt + hour);
    expect(stack.emulator.requestsFor("getJob").map((r) => r.at)).toContain(startedAt + hour);
    await stack.api(`/api/scoring-runs/${id}/cancel`, { method: "POST" });
    await stack.host.engine.runUntil(() => stack.host.engine.get(id)?.runtimeStatus === "Failed");
  });

  it("when the service dropped the job's tags (a model deployment), the run waiting on that job is found by the job's name", async () => {
    stack.emulator.configure({ failureText: "services" });
    const { id, job } = await waitingRun();
    expect(job.tags.scoringRunId).toBeUndefined();
    stack.emulator.setJobStatus(job.name, "Failed", { errorMessage: "out of memory" });
    await deliver([jobEvent(job.name, "Failed", {})]);
    const view = await stack.api(`/api/scoring-runs/${id}`);
    expect(view.body).toMatchObject({ status: "Failed", error: { code: "JobFailed", message: "out of memory" } });
  });

  it("the HTTP events route takes job events too", async () => {
    const { id, job } = await waitingRun();
    stack.emulator.setJobStatus(job.name, "Completed");
    const res = await stack.api("/api/scoring-runs/events", {
      method: "POST",
      body: JSON.stringify([jobEvent(job.name, "Completed", job.tags)]),
      headers: { "content-type": "application/json" },
    });
    expect(res.body.results).toEqual([{ eventId: expect.any(String), outcome: "signaled", runId: id }]);
    await stack.host.engine.idle();
    expect(stack.host.engine.get(id)?.runtimeStatus).toBe("Completed");
  });
});
