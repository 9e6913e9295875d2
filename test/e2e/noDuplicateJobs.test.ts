import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import type { VirtualClock } from "../../dev/host/clock";
import { ActivityCrash } from "../../dev/host/durableEngine";
import type { EnsureJobRequest } from "../../src/batch/types";
import { killAndRestart } from "./restart";
import { pipelineDeployment } from "../../dev/stack";
import { type Stack, useStack } from "./stack";

/**
 * Whatever fails around an invoke, Azure ML gets exactly one job per run. Every
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

  it("the answer is dropped after the job was created: found by its output path, no second POST", async () => {
    stack.emulator.injectFault({ match: { route: "invoke" }, times: 1, kind: { resetAfterProcessing: true } });
    const view = await run();
    expect(view.status).toBe("Succeeded");
    expect(view.timeline.find((e: { event: string }) => e.event === "invoked").detail).toContain("found after the invoke's answer was lost");
    expect(stack.emulator.requestsFor("invoke")).toHaveLength(1);
    expect(stack.emulator.createdJobCount).toBe(1);
  });

  it("the answer is lost, no job writes the output, and the workspace keeps markers (pipeline deployment): not accepted, sent again with the same id", async () => {
    const deployment = pipelineDeployment.name;
    await run({ deployment }); // a job keeping its clientInvokeId property: proof that this workspace keeps the marker
    const jobsBefore = stack.emulator.createdJobCount;
    const postsBefore = stack.emulator.requestsFor("invoke").length;
    // A 503 from a gateway in front of the service, after sending: the outcome is unknown, no job was made.
    stack.emulator.injectFault({ match: { route: "invoke" }, times: 1, kind: { status: 503 } });
    const proof = await stack.api("/api/scoring-runs", { json: stack.startBody({ deployment }) });
    const id = proof.body.id as string;
    await stack.host.engine.runUntil(ended(id));
    const view = (await stack.api(`/api/scoring-runs/${id}`)).body;
    expect(view.status).toBe("Succeeded");
    const posts = stack.emulator.requestsFor("invoke").slice(postsBefore);
    expect(posts).toHaveLength(2);
    expect(posts[0]!.headers["repeatability-request-id"]).toBe(posts[1]!.headers["repeatability-request-id"]);
    expect(stack.emulator.createdJobCount - jobsBefore).toBe(1);
  });

  it("the answer is lost, no job writes the output, and the service drops markers (model deployment): InvokeOutcomeUnknown, never a blind second POST", async () => {
    await run(); // a model deployment's job: no marker kept
    const postsBefore = stack.emulator.requestsFor("invoke").length;
    stack.emulator.injectFault({ match: { route: "invoke" }, times: 1, kind: { status: 503 } });
    const view = await run();
    expect(view.error.code).toBe("InvokeOutcomeUnknown");
    expect(view.error.message).toContain("cannot be ruled out");
    expect(view.error.message).toMatch(/created between \S+ and \S+ writing azureml:\/\/datastores\/workspaceblobstore\/paths\/scoring\/output\//);
    expect(stack.emulator.requestsFor("invoke").slice(postsBefore)).toHaveLength(1);
  });

  it("a request naming no output whose answer is lost: InvokeOutcomeUnknown (no path to recognise the job by)", async () => {
    stack.emulator.injectFault({ match: { route: "invoke" }, times: 1, kind: { resetAfterProcessing: true } });
    const view = await run({ output: null });
    expect(view.error.code).toBe("InvokeOutcomeUnknown");
    expect(stack.emulator.requestsFor("invoke")).toHaveLength(1);
    expect(stack.emulator.createdJobCount).toBe(1);
  });

  it("jobs left by earlier attempts: the earliest is kept, the others are canceled", async () => {
    stack.host.engine.interceptor = {
      async before(name, input, attempt) {
        if (name !== "invokeBatchEndpoint" || attempt !== 1) return;
        // Two jobs already write this run's output (say, two workers that died after posting).
        const request = input as EnsureJobRequest;
        for (let i = 0; i < 2; i++) {
          if (i > 0) (stack.clock as VirtualClock).set(stack.clock.now() + 1000); // created a second apart
          await fetch(stack.emulator.scoringUri, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              properties: {
                InputData: { d: { JobInputType: "UriFolder", Uri: "azureml://datastores/workspaceblobstore/paths/scoring/input/" } },
                OutputData: { score: { JobOutputType: "UriFile", Uri: request.outputs[0]!.uri } },
              },
            }),
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

  it("a job of another run writing elsewhere, or an old job writing the same path, is never adopted", async () => {
    const other = await run();
    const postsBefore = stack.emulator.requestsFor("invoke").length;
    const view = await run();
    expect(view.job.name).not.toBe(other.job.name);
    expect(stack.emulator.requestsFor("invoke").slice(postsBefore)).toHaveLength(1);
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
