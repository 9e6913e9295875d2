import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { ActivityCrash } from "../../dev/host/durableEngine";
import { killAndRestart } from "./restart";
import { type Stack, useStack } from "./stack";

/** Items for the emulator's endpoint: the stack's input folder, each its own output file. */
const items = (n: number) =>
  Array.from({ length: n }, () => ({
    inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/scoring/input/" } },
    output: { uri: `azureml://datastores/workspaceblobstore/paths/scoring/output/${randomUUID()}.csv` },
  }));

const template = (stack: Stack) => ({ endpointUri: stack.emulator.scoringUri, pollIntervalSeconds: 60, preflight: "off" });

const batchEnded = (stack: Stack, id: string) => () => ["Completed", "Failed", "Terminated"].includes(stack.host.engine.get(id)?.runtimeStatus ?? "");

/** Live jobs (not ended) in the emulator now. */
const liveJobs = (stack: Stack) => stack.emulator.jobs.filter((j) => !["Completed", "Failed", "Canceled"].includes(j.status)).length;

describe("scoring batches", () => {
  const ctx = useStack({ env: { SCORING_BATCH_CHILDREN_PER_EXECUTION: "5" } });

  it("runs 12 items with at most 3 jobs live, and ends with 12 jobs and a manifest", async () => {
    const { stack } = ctx;
    stack.emulator.setDefaultLifecycle(lifecycles.completesAfter(2));
    const start = await stack.api("/api/scoring-batches", { json: { template: template(stack), items: items(12), maxConcurrentJobs: 3 } });
    expect(start.status, JSON.stringify(start.body)).toBe(202);
    expect(start.headers.get("location")).toContain(`/api/scoring-batches/${start.body.id}`);
    const id = start.body.id as string;
    let peak = 0;
    await stack.host.engine.runUntil(() => {
      peak = Math.max(peak, liveJobs(stack));
      return batchEnded(stack, id)();
    });
    expect(peak).toBeLessThanOrEqual(3);
    expect(stack.emulator.peakLiveJobs).toBeLessThanOrEqual(3);
    expect(stack.emulator.requestsFor("invoke")).toHaveLength(12);
    const done = await stack.api(`/api/scoring-batches/${id}?top=5`);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ id, status: "Succeeded", total: 12, counts: { Succeeded: 12, Failed: 0, NotStarted: 0, Running: 0, Canceled: 0 } });
    // 12 children at 5 per execution: three executions (two continueAsNew).
    expect(done.body.executions).toBe(3);
    expect(done.body.children.items).toHaveLength(5);
    expect(done.body.children.items[0]).toMatchObject({ index: 0, runId: `${id}-0000`, status: "Succeeded", output: expect.stringContaining("azureml://") });
    const next = await stack.api(`/api/scoring-batches/${id}?top=10&continuationToken=${done.body.children.continuationToken}`);
    expect(next.body.children.items.map((e: { index: number }) => e.index)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    expect(next.body.children.continuationToken).toBeNull();
    const child = await stack.api(`/api/scoring-runs/${id}-0011`);
    expect(child.status).toBe(200);
    expect(child.body.status).toBe("Succeeded");
  });

  it("stops starting items once failures pass the tolerance", async () => {
    const { stack } = ctx;
    stack.emulator.setDefaultLifecycle(lifecycles.failsWith("bad rows", 1));
    const start = await stack.api("/api/scoring-batches", {
      json: { template: template(stack), items: items(10), maxConcurrentJobs: 2, toleratedFailurePercent: 10 },
    });
    expect(start.status).toBe(202);
    const id = start.body.id as string;
    await stack.host.engine.runUntil(batchEnded(stack, id));
    const done = await stack.api(`/api/scoring-batches/${id}`);
    expect(done.body.status).toBe("Failed");
    expect(done.body.stoppedBecause).toBe("ToleranceExceeded");
    // 10 % of 10 tolerates one failure; the second fails the batch. Two ran at once, so at most 4 started.
    expect(done.body.counts.Failed).toBeGreaterThanOrEqual(2);
    expect(done.body.counts.NotStarted).toBeGreaterThanOrEqual(6);
    expect(stack.emulator.requestsFor("invoke").length).toBe(10 - done.body.counts.NotStarted);
    const notStarted = done.body.children.items.filter((e: { status: string }) => e.status === "NotStarted");
    expect(notStarted[0]).toMatchObject({ runId: null, errorCode: null });
  });

  it("cancel cascades to the live children and their jobs, and starts nothing more", async () => {
    const { stack } = ctx;
    stack.emulator.setDefaultLifecycle(lifecycles.completesAfter(50));
    const start = await stack.api("/api/scoring-batches", { json: { template: template(stack), items: items(8), maxConcurrentJobs: 3 } });
    const id = start.body.id as string;
    await stack.host.engine.runUntil(() => stack.emulator.requestsFor("invoke").length === 3);
    await stack.host.engine.advanceTo(stack.clock.now() + 120_000);
    const cancel = await stack.api(`/api/scoring-batches/${id}/cancel`, { json: { reason: "enough" } });
    expect(cancel.status).toBe(202);
    await stack.host.engine.runUntil(batchEnded(stack, id));
    const done = await stack.api(`/api/scoring-batches/${id}`);
    expect(done.body).toMatchObject({ status: "Canceled", stoppedBecause: "Canceled", counts: { Canceled: 3, NotStarted: 5 } });
    expect(stack.emulator.requestsFor("invoke")).toHaveLength(3);
    expect(stack.emulator.requestsFor("cancelJob")).toHaveLength(3);
    expect(stack.emulator.jobs.every((j) => j.status === "Canceled")).toBe(true);
    expect((await stack.api(`/api/scoring-runs/${id}-0000`)).body.status).toBe("Canceled");
    expect((await stack.api(`/api/scoring-batches/${id}/cancel`, { method: "POST" })).status).toBe(409);
  });

  it("refuses bad input with a 400 naming the field, and starts nothing", async () => {
    const { stack } = ctx;
    const bad = items(5);
    bad[3]!.inputs.input_data.uri = "ftp://nowhere/x/";
    const res = await stack.api("/api/scoring-batches", { json: { template: template(stack), items: bad } });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([expect.objectContaining({ field: "items[3].inputs.input_data.uri" })]);
    await stack.host.engine.idle();
    expect(stack.emulator.requestsFor("invoke")).toHaveLength(0);
  });

  it("is idempotent: the same key and body name the same batch, another body is a conflict", async () => {
    const { stack } = ctx;
    stack.emulator.setDefaultLifecycle(lifecycles.completesAfter(1));
    const body = { template: template(stack), items: items(2) };
    const headers = { "Idempotency-Key": `batch-${randomUUID()}` };
    const first = await stack.api("/api/scoring-batches", { json: body, headers });
    const again = await stack.api("/api/scoring-batches", { json: body, headers });
    expect(again.body.id).toBe(first.body.id);
    const other = await stack.api("/api/scoring-batches", { json: { ...body, items: items(2) }, headers });
    expect(other.status).toBe(409);
    await stack.host.engine.runUntil(batchEnded(stack, first.body.id));
    expect(stack.emulator.requestsFor("invoke")).toHaveLength(2);
  });
});

describe("the per-endpoint limit", () => {
  const ctx = useStack({ env: { SCORING_MAX_JOBS_PER_ENDPOINT: "4" } });

  it("keeps two batches on one endpoint to 4 live jobs together, and a waiting run shows its place", async () => {
    const { stack } = ctx;
    stack.emulator.setDefaultLifecycle(lifecycles.completesAfter(2));
    const a = await stack.api("/api/scoring-batches", { json: { template: template(stack), items: items(8), maxConcurrentJobs: 3 } });
    const b = await stack.api("/api/scoring-batches", { json: { template: template(stack), items: items(8), maxConcurrentJobs: 3 } });
    let peak = 0;
    let waitingSeen: unknown = null;
    const ids = [a.body.id as string, b.body.id as string];
    await stack.host.engine.runUntil(() => {
      peak = Math.max(peak, liveJobs(stack));
      if (!waitingSeen) {
        for (const id of ids)
          for (let i = 0; i < 8; i++) {
            const cs = stack.host.engine.get(`${id}-000${i}`)?.customStatus as { phase?: string; slot?: unknown } | null | undefined;
            if (cs?.phase === "WaitingForSlot") waitingSeen = cs.slot;
          }
      }
      return ids.every((id) => batchEnded(stack, id)());
    });
    expect(peak).toBeLessThanOrEqual(4);
    expect(stack.emulator.peakLiveJobs).toBe(4);
    expect(waitingSeen).toMatchObject({ position: expect.any(Number), limit: 4 });
    expect(stack.emulator.requestsFor("invoke")).toHaveLength(16);
    for (const id of ids) expect((await stack.api(`/api/scoring-batches/${id}`)).body.status).toBe("Succeeded");
  });
});

describe("a batch across a host restart", () => {
  it("killed mid-batch and started again on the same state, finishes with exactly one job per item", async () => {
    await killAndRestart(
      async (first) => {
        first.emulator.setDefaultLifecycle(lifecycles.completesAfter(2));
        let invokes = 0;
        first.host.engine.interceptor = {
          async before(name) {
            if (name !== "invokeBatchEndpoint" || ++invokes !== 6) return;
            await first.host.stop(); // killed as the sixth item invokes
            throw new ActivityCrash("host killed");
          },
        };
        const body = { template: template(first), items: items(10), maxConcurrentJobs: 3 };
        const start = await first.api("/api/scoring-batches", { json: body });
        await first.host.engine.runUntil(() => invokes >= 6, 3600_000).catch(() => undefined);
        await new Promise((r) => setTimeout(r, 100));
        return start.body.id as string;
      },
      (view, first) => {
        expect(view).toMatchObject({ status: "Succeeded", counts: { Succeeded: 10 } });
        expect(first.emulator.createdJobCount).toBe(10);
        expect(new Set(first.emulator.jobs.map((j) => JSON.stringify(j.outputs))).size).toBe(10);
      },
      { env: { SCORING_BATCH_CHILDREN_PER_EXECUTION: "4" }, route: "scoring-batches" },
    );
  });
});
