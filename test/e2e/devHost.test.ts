import * as df from "durable-functions";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { ActivityCrash } from "../../dev/host/durableEngine";
import { killAndRestart } from "./restart";
import { type Stack, startStack } from "./stack";

/** The dev host itself: it must catch what Azure would catch, and survive what Azure survives. */
describe("dev host", () => {
  let stack: Stack;
  let flip = 0;
  beforeAll(async () => {
    stack = await startStack({ clock: "virtual" });
    // Test-only functions, registered the way src/ registers (the host captures every registration).
    df.app.activity("probeActivityA", { handler: async () => "a" });
    df.app.activity("probeActivityB", { handler: async () => "b" });
    df.app.orchestration("probeNondeterministic", function* (context) {
      // Branches on process state, not history: replay takes the other branch.
      const name = flip++ % 2 === 0 ? "probeActivityA" : "probeActivityB";
      yield context.df.callActivity(name);
      yield context.df.callActivity("probeActivityA");
      return "done";
    });
    df.app.orchestration("probeRetry", function* (context) {
      yield context.df.callActivityWithRetry("probeActivityA", new df.RetryOptions(1000, 2));
    });
  });
  afterAll(async () => stack?.stop());
  afterEach(() => {
    stack.host.engine.interceptor = undefined;
  });

  it("fails an orchestration whose replay schedules something else than its history", async () => {
    const rec = stack.host.engine.start("probeNondeterministic", "nondet-1", null);
    await stack.host.engine.runUntil(() => ["Completed", "Failed"].includes(stack.host.engine.get(rec.instanceId)!.runtimeStatus));
    const done = stack.host.engine.get("nondet-1")!;
    expect(done.runtimeStatus).toBe("Failed");
    expect(String(done.output)).toContain("Non-Deterministic workflow detected");
  });

  it("says clearly when an orchestrator uses an API the dev host does not support", async () => {
    stack.host.engine.start("probeRetry", "retry-1", null);
    await stack.host.engine.idle();
    expect(String(stack.host.engine.get("retry-1")!.output)).toContain("does not support callActivityWithRetry");
  });

  it("terminate through the management URL ends the run Canceled", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Running"));
    const start = await stack.api("/api/scoring-runs", { json: stack.startBody() });
    await stack.host.engine.idle();
    // An operator terminating the orchestration with the task hub's own API (the app hands out no such URL).
    const terminateUri = `${stack.host.baseUrl}/runtime/webhooks/durabletask/instances/${start.body.id}/terminate?reason=operator%20stop`;
    const res = await fetch(terminateUri, { method: "POST" });
    expect(res.status).toBe(202);
    const view = await stack.api(`/api/scoring-runs/${start.body.id}`);
    expect(view.body.status).toBe("Canceled");
    expect(view.body.error).toMatchObject({ code: "Terminated" });
    expect((await fetch(terminateUri, { method: "POST" })).status).toBe(410);
  });

  it("runs an activity again when the worker dies before reporting its result", async () => {
    let crashes = 0;
    stack.host.engine.interceptor = {
      after(name, _input, _result, attempt) {
        if (name === "getBatchJobStatus" && attempt === 1 && crashes === 0) {
          crashes++;
          throw new ActivityCrash();
        }
      },
    };
    stack.emulator.reset();
    stack.emulator.enqueueLifecycle(lifecycles.completesAfter(1));
    const start = await stack.api("/api/scoring-runs", { json: stack.startBody({ pollIntervalSeconds: 30 }) });
    const id = start.body.id as string;
    await stack.host.engine.runUntil(() => stack.host.engine.get(id)!.runtimeStatus === "Completed");
    expect(crashes).toBe(1);
    // The first read's result was lost, so the status was read once more than the run counted.
    expect(stack.emulator.requestsFor("getJob")).toHaveLength(2);
    const view = await stack.api(`/api/scoring-runs/${id}`);
    expect(view.body).toMatchObject({ status: "Succeeded", progress: { polls: 1 } });
  });
});

describe("dev host restart", () => {
  it("a host stopped mid-run and started again on the same state directory finishes the run with one job", async () => {
    await killAndRestart(
      async (stack) => {
        stack.emulator.enqueueLifecycle(lifecycles.completesAfter(3));
        const start = await stack.api("/api/scoring-runs", { json: stack.startBody({ pollIntervalSeconds: 60 }) });
        await stack.host.engine.advanceTo(stack.clock.now() + 90_000); // invoked, polled once, waiting on a timer
        expect(stack.emulator.requestsFor("getJob")).toHaveLength(1);
        return start.body.id as string;
      },
      (view, stack) => {
        expect(view).toMatchObject({ status: "Succeeded", progress: { polls: 4 } });
        expect(stack.emulator.requestsFor("invoke")).toHaveLength(1);
        expect(stack.emulator.createdJobCount).toBe(1);
        const gets = stack.emulator.requestsFor("getJob").map((r) => r.at);
        for (let i = 1; i < gets.length; i++) expect(gets[i] - gets[i - 1]).toBe(60_000);
      },
    );
  });
});
