import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { lifecycles, strictBehavior } from "../../dev/batch-emulator";
import { type Stack, startStack } from "./stack";

const ended = (stack: Stack, id: string) => () => {
  const s = stack.host.engine.get(id)?.runtimeStatus;
  return s === "Completed" || s === "Failed" || s === "Terminated";
};

describe("scoring run outcomes through the dev host (virtual clock)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ clock: "virtual" });
  });
  afterAll(async () => stack?.stop());
  beforeEach(() => {
    stack.emulator.reset();
    stack.emulator.configure(strictBehavior());
  });

  async function startRun(body: Record<string, unknown> = {}) {
    const res = await stack.api("/api/scoring-runs", { json: stack.startBody(body) });
    expect(res.status).toBe(202);
    return res.body.id as string;
  }

  it("a Failed job fails the run with Azure ML's message, when the job resource has one; failOnError answers 500", async () => {
    stack.emulator.configure({ failureText: "services" });
    stack.emulator.enqueueLifecycle(lifecycles.failsWith("Output file already exists: predictions.csv", 2));
    const id = await startRun();
    await stack.host.engine.runUntil(ended(stack, id));
    expect(stack.host.engine.get(id)?.runtimeStatus).toBe("Failed");

    const view = await stack.api(`/api/scoring-runs/${id}`);
    expect(view.status).toBe(200);
    expect(view.body.status).toBe("Failed");
    expect(view.body.error).toEqual({ code: "JobFailed", message: "Output file already exists: predictions.csv", jobStatus: "Failed" });
    const strict = await stack.api(`/api/scoring-runs/${id}?failOnError=true`);
    expect(strict.status).toBe(500);
    expect(strict.body.error.code).toBe("JobFailed");
    expect(stack.emulator.requestsFor("invoke")).toHaveLength(1);
    expect(stack.emulator.requestsFor("cancelJob")).toHaveLength(0);
  });

  it("a Failed job whose resource carries no reason (the JobBase schema has no error field) says where its logs are", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.failsWith("never shown", 1));
    const id = await startRun();
    await stack.host.engine.runUntil(ended(stack, id));
    const view = (await stack.api(`/api/scoring-runs/${id}`)).body;
    expect(view.error.code).toBe("JobFailed");
    expect(view.error.message).toMatch(/returned no error message.*logs are in Azure ML studio: https:\/\/ml\.azure\.com\/runs\//);
    expect(view.error.message).not.toContain("never shown");
  });

  it("a job Canceled in Azure ML ends the run Canceled instead of polling forever", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.canceledByService(2));
    const id = await startRun();
    await stack.host.engine.runUntil(ended(stack, id));
    const view = await stack.api(`/api/scoring-runs/${id}`);
    expect(view.body.status).toBe("Canceled");
    expect(view.body.error).toMatchObject({ code: "JobCanceled", jobStatus: "Canceled" });
    expect(stack.emulator.requestsFor("getJob")).toHaveLength(3);
    expect(stack.host.engine.nextTimerAt()).toBeUndefined();
  });

  it("cancel through the API cancels the Azure ML job and ends the run Canceled", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Running"));
    const id = await startRun();
    await stack.host.engine.advanceTo(stack.clock.now() + 300_000);
    const cancel = await stack.api(`/api/scoring-runs/${id}/cancel`, { json: { reason: "wrong input" } });
    expect(cancel.status).toBe(202);
    await stack.host.engine.idle();
    expect(stack.emulator.requestsFor("cancelJob")).toHaveLength(1);
    const canceling = await stack.api(`/api/scoring-runs/${id}`);
    expect(canceling.body.progress.phase).toBe("Canceling");

    await stack.host.engine.runUntil(ended(stack, id));
    const view = await stack.api(`/api/scoring-runs/${id}`);
    expect(view.body.status).toBe("Canceled");
    expect(view.body.error).toMatchObject({ code: "RunCanceled", jobStatus: "Canceled" });
    expect(view.body.error.message).toContain("wrong input");
    expect((await stack.api(`/api/scoring-runs/${id}/cancel`, { method: "POST" })).status).toBe(409);
    expect(stack.emulator.requestsFor("cancelJob")).toHaveLength(1);
  });

  it("the timer that lost to a cancel is canceled, and the next look comes 10 s later", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Running"));
    const id = await startRun({ pollIntervalSeconds: 600 });
    await stack.host.engine.idle();
    const t = stack.clock.now();
    expect(stack.host.engine.pendingTimers(id)).toEqual([t + 600_000]);
    await stack.api(`/api/scoring-runs/${id}/cancel`, { method: "POST" });
    await stack.host.engine.idle();
    expect(stack.host.engine.pendingTimers(id)).toEqual([t + 10_000]);
    await stack.host.engine.runUntil(ended(stack, id));
    expect((await stack.api(`/api/scoring-runs/${id}`)).body.status).toBe("Canceled");
  });

  it("a cancel that arrives before the invoke finished is kept and acted on once the job exists", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Queued"));
    stack.emulator.injectFault({ match: { route: "invoke" }, times: 1, kind: { delayMs: 200 } });
    const id = await startRun();
    const cancel = await stack.api(`/api/scoring-runs/${id}/cancel`, { json: { reason: "too early" } });
    expect(cancel.status).toBe(202);
    expect(stack.emulator.requestsFor("getJob")).toHaveLength(0);
    await stack.host.engine.runUntil(ended(stack, id));
    const view = await stack.api(`/api/scoring-runs/${id}`);
    expect(view.body.error).toMatchObject({ code: "RunCanceled", jobStatus: "Canceled" });
    expect(stack.emulator.requestsFor("cancelJob")).toHaveLength(1);
    expect(stack.emulator.createdJobCount).toBe(1);
  });

  it("a cancel raised while a status poll is running is not swallowed by an earlier wait", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Running"));
    const id = await startRun({ pollIntervalSeconds: 60 });
    let polls = 0;
    stack.host.engine.interceptor = {
      before(name) {
        if (name === "getBatchJobStatus" && ++polls === 3) stack.host.engine.raiseEvent(id, "CancelRequested", { reason: "mid-poll" });
      },
    };
    try {
      await stack.host.engine.runUntil(ended(stack, id), 3600_000);
    } finally {
      stack.host.engine.interceptor = undefined;
    }
    const view = await stack.api(`/api/scoring-runs/${id}`);
    expect(view.body).toMatchObject({ status: "Canceled", error: { code: "RunCanceled" } });
    // Acted on right after that poll: the cancel is the next thing sent, not an hour later.
    const routes = stack.emulator.requests.filter((r) => r.route === "getJob" || r.route === "cancelJob").map((r) => r.route);
    expect(routes.slice(0, 4)).toEqual(["getJob", "getJob", "getJob", "cancelJob"]);
  });

  it("a job past timeoutSeconds is canceled and the run fails DeadlineExceeded", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Running"));
    const started = stack.clock.now();
    const id = await startRun({ timeoutSeconds: 3600, pollIntervalSeconds: 600 });
    await stack.host.engine.runUntil(ended(stack, id));
    const view = await stack.api(`/api/scoring-runs/${id}`);
    expect(view.body.error).toMatchObject({ code: "DeadlineExceeded", jobStatus: "Running" });
    expect(view.body.status).toBe("Failed");
    const cancels = stack.emulator.requestsFor("cancelJob");
    expect(cancels).toHaveLength(1);
    // The deadline is noticed at the deadline, not up to a poll interval later.
    expect(cancels[0].at - started).toBe(3600_000);
  });

  it("a cancel at the deadline that the service asks to retry a day later is not waited for: the run ends within the grace and says the job may run on", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Running"));
    stack.emulator.injectFault({ match: { route: "cancelJob" }, times: 20, kind: { status: 429, retryAfterSeconds: 86_400 } });
    const started = stack.clock.now();
    const id = await startRun({ timeoutSeconds: 3600, pollIntervalSeconds: 600 });
    await stack.host.engine.runUntil(ended(stack, id));
    const view = (await stack.api(`/api/scoring-runs/${id}`)).body;
    expect(view.error.code).toBe("DeadlineExceeded");
    expect(view.error.message).toMatch(/Canceling job batchjob-\S+ failed .*may still be running/);
    expect(Date.parse(view.lastUpdatedAt) - started).toBeLessThanOrEqual((3600 + 600) * 1000);
    stack.emulator.clearFaults();
  });

  it("a job still queued after queueTimeoutSeconds is canceled: DeadlineExceeded", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Queued"));
    const id = await startRun({ queueTimeoutSeconds: 900, pollIntervalSeconds: 120 });
    await stack.host.engine.runUntil(ended(stack, id));
    const view = await stack.api(`/api/scoring-runs/${id}`);
    expect(view.body.error).toMatchObject({ code: "DeadlineExceeded", jobStatus: "Queued" });
    expect(view.body.error.message).toContain("queueTimeoutSeconds=900");
    expect(stack.emulator.requestsFor("cancelJob")).toHaveLength(1);
  });

  it("rides through a 429 storm on status reads, never sooner than Retry-After", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.completesAfter(2));
    const id = await startRun({ pollIntervalSeconds: 60 });
    await stack.host.engine.idle();
    stack.emulator.injectFault({ match: { route: "getJob" }, times: 6, kind: { status: 429, retryAfterSeconds: 300 } });
    await stack.host.engine.runUntil(ended(stack, id));
    const view = await stack.api(`/api/scoring-runs/${id}`);
    expect(view.body.status).toBe("Succeeded");
    const reads = stack.emulator.requestsFor("getJob");
    const throttled = reads.filter((r) => r.status === 429);
    expect(throttled).toHaveLength(6);
    // After each throttled read, the next read waited at least the 300 s the server asked for.
    for (let i = 0; i < reads.length - 1; i++) {
      if (reads[i].status === 429 && reads[i + 1].at !== reads[i].at) expect(reads[i + 1].at - reads[i].at).toBeGreaterThanOrEqual(300_000);
    }
  });

  it("an invoke rejected with 4xx fails at once with Azure ML's message and is not retried", async () => {
    stack.emulator.injectFault({
      match: { route: "invoke" },
      times: 1,
      kind: { status: 400, code: "UserError", message: "Input path azureml://datastores/x/paths/y does not exist." },
    });
    const id = await startRun();
    await stack.host.engine.runUntil(ended(stack, id));
    const view = await stack.api(`/api/scoring-runs/${id}`);
    expect(view.body.status).toBe("Failed");
    expect(view.body.error.code).toBe("InvokeRejected");
    expect(view.body.error.message).toContain("Input path azureml://datastores/x/paths/y does not exist.");
    expect(view.body.job).toBeNull();
    expect(stack.emulator.requestsFor("invoke")).toHaveLength(1);
    expect(stack.emulator.createdJobCount).toBe(0);
  });

  it("an invoke whose answer is lost adopts the job it created (found by clientInvokeId), never a second POST", async () => {
    stack.emulator.injectFault({ match: { route: "invoke" }, times: 1, kind: { resetAfterProcessing: true } });
    const id = await startRun();
    await stack.host.engine.runUntil(ended(stack, id));
    const view = await stack.api(`/api/scoring-runs/${id}`);
    expect(view.body.status).toBe("Succeeded");
    expect(view.body.job.name).toBe(stack.emulator.jobs[0]!.name);
    expect(stack.emulator.requestsFor("invoke")).toHaveLength(1);
    expect(stack.emulator.createdJobCount).toBe(1);
  });

  it("without a workspace to search, a lost invoke answer fails InvokeOutcomeUnknown, naming what to look for", async () => {
    const saved = process.env.AML_WORKSPACE_ID;
    delete process.env.AML_WORKSPACE_ID;
    try {
      stack.emulator.injectFault({ match: { route: "invoke" }, times: 1, kind: { resetAfterProcessing: true } });
      const id = await startRun();
      await stack.host.engine.runUntil(ended(stack, id));
      const view = await stack.api(`/api/scoring-runs/${id}`);
      expect(view.body.error.code).toBe("InvokeOutcomeUnknown");
      expect(view.body.error.message).toMatch(/Look in the endpoint's jobs for one created between \S+ and \S+ writing azureml:/);
      expect(stack.emulator.requestsFor("invoke")).toHaveLength(1);
      expect(stack.emulator.createdJobCount).toBe(1);
    } finally {
      process.env.AML_WORKSPACE_ID = saved;
    }
  });
});
