import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import type { VirtualClock } from "../../dev/host/clock";
import { ActivityCrash } from "../../dev/host/durableEngine";
import type { EnsureJobRequest } from "../../src/batch/types";
import { killAndRestart } from "./restart";
import { type Stack, useStack } from "./stack";

/**
 * Guarantee 1: whatever fails around an invoke, Azure ML gets exactly one job per run. Every
 * test ends by counting the jobs the emulator accepted.
 */
describe("no duplicate Azure ML jobs", () => {
  const ctx = useStack({}, (s) => s.emulator.setDefaultLifecycle(lifecycles.completesAfter(1)));
  let stack: Stack;
  beforeEach(() => {
    stack = ctx.stack;
  });
  afterEach(() => {
    stack.host.engine.interceptor = undefined;
  });

  const ended = (id: string) => () => ["Completed", "Failed"].includes(stack.host.engine.get(id)?.runtimeStatus ?? "");
  async function run(body: Record<string, unknown> = {}) {
    const res = await stack.api("/api/scoring-runs", { json: stack.startBody(body) });
    expect(res.status).toBe(202);
    const id = res.body.id as string;
    await stack.host.engine.runUntil(ended(id));
    return (await stack.api(`/api/scoring-runs/${id}`)).body;
  }

  it("the worker dies after Azure ML accepted the POST: the re-run finds the job and adopts it", async () => {
    let crashed = 0;
    stack.host.engine.interceptor = {
      after(name, _input, result, attempt) {
        if (name === "invokeBatchEndpoint" && attempt === 1 && (result as { ok: boolean }).ok) {
          crashed++;
          throw new ActivityCrash("worker died before recording the invoke's answer");
        }
      },
    };
    const view = await run();
    expect(crashed).toBe(1);
    expect(view).toMatchObject({ status: "Succeeded", job: { name: stack.emulator.jobs[0]!.name } });
    expect(stack.emulator.requestsFor("invoke")).toHaveLength(1);
    expect(stack.emulator.createdJobCount).toBe(1);
  });

  it("the answer is dropped after the job was created: found by its marker, no second POST", async () => {
    stack.emulator.injectFault({ match: { route: "invoke" }, times: 1, kind: { resetAfterProcessing: true } });
    const view = await run();
    expect(view.status).toBe("Succeeded");
    expect(stack.emulator.requestsFor("invoke")).toHaveLength(1);
    expect(stack.emulator.createdJobCount).toBe(1);
  });

  it("the answer is lost, no job carries the marker, and the workspace keeps markers: not accepted, sent again with the same id", async () => {
    await run(); // a job with a clientInvokeId marker: proof that this workspace keeps the marker
    const jobsBefore = stack.emulator.createdJobCount;
    const postsBefore = stack.emulator.requestsFor("invoke").length;
    // A 503 from a gateway in front of the service, after sending: the outcome is unknown, no job was made.
    stack.emulator.injectFault({ match: { route: "invoke" }, times: 1, kind: { status: 503 } });
    const proof = await stack.api("/api/scoring-runs", { json: stack.startBody() });
    const id = proof.body.id as string;
    await stack.host.engine.runUntil(ended(id));
    const view = (await stack.api(`/api/scoring-runs/${id}`)).body;
    expect(view.status).toBe("Succeeded");
    const posts = stack.emulator.requestsFor("invoke").slice(postsBefore);
    expect(posts).toHaveLength(2);
    expect(posts[0]!.headers["repeatability-request-id"]).toBe(posts[1]!.headers["repeatability-request-id"]);
    expect(stack.emulator.createdJobCount - jobsBefore).toBe(1);
  });

  it("the answer is lost and the service drops markers: InvokeOutcomeUnknown, never a blind second POST", async () => {
    stack.emulator.configure({ dropInvokeMarkers: true });
    stack.emulator.injectFault({ match: { route: "invoke" }, times: 1, kind: { resetAfterProcessing: true } });
    const view = await run();
    expect(view.error.code).toBe("InvokeOutcomeUnknown");
    expect(view.error.message).toContain("cannot be ruled out");
    expect(stack.emulator.requestsFor("invoke")).toHaveLength(1);
    expect(stack.emulator.createdJobCount).toBe(1);
  });

  it("jobs left by earlier attempts: the earliest is kept, the others are canceled", async () => {
    stack.host.engine.interceptor = {
      async before(name, input, attempt) {
        if (name !== "invokeBatchEndpoint" || attempt !== 1) return;
        // Two jobs already carry this invoke's id (say, two workers that died after posting).
        const request = input as EnsureJobRequest;
        for (let i = 0; i < 2; i++) {
          if (i > 0) (stack.clock as VirtualClock).set(stack.clock.now() + 1000); // created a second apart
          await fetch(stack.emulator.scoringUri, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ properties: { InputData: { d: { JobInputType: "UriFolder", Uri: "azureml://datastores/ds/paths/in/" } }, properties: { clientInvokeId: request.invokeId }, tags: { clientInvokeId: request.invokeId } } }),
          });
        }
      },
    };
    const view = await run();
    const [first, second] = stack.emulator.jobs;
    expect(view).toMatchObject({ status: "Succeeded", job: { name: first!.name } });
    expect(stack.emulator.createdJobCount).toBe(2); // the two that were there; this run posted none
    expect(stack.emulator.job(second!.name)!.status).toMatch(/Cancel/);
  });

  it("the host is killed between the invoke and recording its answer, and restarted: one job", async () => {
    await killAndRestart(
      async (first) => {
        first.emulator.setDefaultLifecycle(lifecycles.completesAfter(2));
        first.host.engine.interceptor = {
          async after(name) {
            if (name !== "invokeBatchEndpoint") return;
            await first.host.stop(); // killed: the answer is never recorded
            throw new ActivityCrash("host killed");
          },
        };
        const start = await first.api("/api/scoring-runs", { json: first.startBody() });
        await new Promise((r) => setTimeout(r, 200));
        expect(first.emulator.createdJobCount).toBe(1);
        return start.body.id as string;
      },
      (view, first) => {
        expect(view).toMatchObject({ status: "Succeeded", job: { name: first.emulator.jobs[0]!.name } });
        expect(first.emulator.requestsFor("invoke")).toHaveLength(1);
        expect(first.emulator.createdJobCount).toBe(1);
      },
    );
  });
});
