/**
 * A run's story from the status endpoint and the logs alone: the bounded timeline, the caller's
 * correlation id echoed, and every app log line of the run naming the run, the job once known,
 * and the correlation id. Through the dev host on a virtual clock.
 */
import { describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { runEnded, runToEnd, useStack } from "./stack";

describe("observability: timeline, correlation id, run-scoped log lines", () => {
  const ctx = useStack({ azurite: true });

  const startAndEnd = (headers: Record<string, string>, body: Record<string, unknown> = {}) => runToEnd(ctx.stack, ctx.stack.startBody(body), headers);

  it("a completed run tells its story in order, and each of its log lines names run, job and correlation id", async () => {
    ctx.stack.emulator.enqueueLifecycle([{ status: "Queued" }, { status: "Running", polls: 2 }, { status: "Completed" }]);
    const logStart = ctx.stack.logs.length;
    const view = await startAndEnd({ "x-correlation-id": "adf-run-7f3a" });
    expect(view.status).toBe("Succeeded");
    expect(view.correlationId).toBe("adf-run-7f3a");
    expect(view.timeline.map((e: any) => e.event)).toEqual(["started", "preflight", "invoked", "status", "status", "succeeded"]);
    expect(view.timeline[0].detail).toBe(`endpoint ${ctx.stack.emulator.scoringUri}`);
    // The input, the output and the deployment.
    expect(view.timeline[1].detail).toBe("strict: 3 passed");
    // The invoke's answer shows the job Queued (the emulator's first step); then each change.
    expect(view.timeline[2].detail).toBe(`job ${view.job.name} (Queued)`);
    expect(view.timeline.slice(3, 5).map((e: any) => e.detail)).toEqual(["Queued → Running", "Running → Completed"]);
    expect(view.timeline.at(-1).detail).toBe(`predictions ${view.output.blobUrl} (${view.output.sizeBytes} bytes)`);
    const times = view.timeline.map((e: any) => Date.parse(e.at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);

    const lines = ctx.stack.logs.slice(logStart).filter((l) => l.includes(view.id));
    expect(lines.length).toBeGreaterThanOrEqual(8);
    for (const line of lines) {
      expect(line).toMatch(new RegExp(`\\[run=${view.id}( job=batchjob-[0-9a-f-]+)? correlationId=adf-run-7f3a\\]`));
    }
    // Once the job is known, its name is on every line.
    const afterInvoke = lines.slice(lines.findIndex((l) => l.includes("invoked")) + 1);
    expect(afterInvoke.length).toBeGreaterThan(3);
    for (const line of afterInvoke) expect(line).toContain(`job=${view.job.name}`);
    // Logged once per step, not again on every replay.
    expect(lines.filter((l) => / started: /.test(l))).toHaveLength(1);
  });

  it("W3C traceparent gives the correlation id; a malformed x-correlation-id is a 400 naming it, and nothing starts", async () => {
    ctx.stack.emulator.enqueueLifecycle(lifecycles.completesAfter(1));
    const view = await startAndEnd({ traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" });
    expect(view.correlationId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    const bad = await ctx.stack.api("/api/scoring-runs", { json: ctx.stack.startBody(), headers: { "x-correlation-id": "two words" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: any) => d.field)).toEqual(["x-correlation-id"]);
    expect(ctx.stack.emulator.requestsFor("invoke")).toHaveLength(1);
  });

  it("cancel requests and a failed outcome are in the timeline", async () => {
    ctx.stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Running"));
    const res = await ctx.stack.api("/api/scoring-runs", { json: ctx.stack.startBody() });
    await ctx.stack.host.engine.advanceTo(ctx.stack.clock.now() + 300_000);
    await ctx.stack.api(`/api/scoring-runs/${res.body.id}/cancel`, { json: { reason: "wrong input" } });
    await ctx.stack.host.engine.runUntil(runEnded(ctx.stack, res.body.id));
    const view = (await ctx.stack.api(`/api/scoring-runs/${res.body.id}`)).body;
    expect(view.timeline.map((e: any) => e.event)).toEqual([
      "started",
      "preflight",
      "invoked",
      "cancelRequested",
      "cancelSent",
      "status",
      "status",
      "canceled",
    ]);
    expect(view.timeline.find((e: any) => e.event === "cancelRequested").detail).toBe("wrong input");
    expect(view.timeline.at(-1).detail).toMatch(/^RunCanceled: /);
    expect(view.correlationId).toBeNull();
  });

  it("the timeline stays bounded over a long run across continueAsNew", async () => {
    const steps = Array.from({ length: 60 }, (_, i) => ({ status: (i % 2 === 0 ? "Queued" : "Running") as "Queued" | "Running" }));
    ctx.stack.emulator.enqueueLifecycle([...steps, { status: "Completed" }]);
    const view = await startAndEnd({}, { pollIntervalSeconds: 60 });
    expect(view.status).toBe("Succeeded");
    expect(view.timeline).toHaveLength(30);
    expect(view.timeline.slice(0, 3).map((e: any) => e.event)).toEqual(["started", "preflight", "invoked"]);
    expect(view.timeline[8]).toMatchObject({ event: "omitted", detail: expect.stringMatching(/^\d+ entries omitted$/) });
    expect(view.timeline.at(-1).event).toBe("succeeded");
  });
});
