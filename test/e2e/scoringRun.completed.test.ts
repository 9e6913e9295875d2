import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { type Stack, startStack } from "./stack";

describe("a scoring run that completes", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ clock: "virtual" });
  });
  afterAll(async () => stack?.stop());

  it("invokes once, polls at the poll interval, reports progress, and succeeds", async () => {
    const { api, emulator, host } = stack;
    emulator.enqueueLifecycle(lifecycles.completesAfter(3));
    const body = stack.startBody({ pollIntervalSeconds: 60 });
    const start = await api("/api/scoring-runs", { json: body });
    expect(start.status).toBe(202);
    const id = start.body.id as string;
    expect(start.headers.get("location")).toBe(`${host.baseUrl}/api/scoring-runs/${id}?failOnError=true`);
    expect(start.body.statusQueryGetUri).toBe(`${host.baseUrl}/api/scoring-runs/${id}`);

    await host.engine.idle();
    const running = await api(`/api/scoring-runs/${id}`);
    expect(running.status).toBe(202);
    expect(running.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(running.body.status).toBe("Running");
    expect(running.body.job.name).toMatch(/^batchjob-/);
    expect(running.body.progress).toMatchObject({ phase: "Monitoring", polls: 0 });

    const startedAt = host.clock.now();
    await host.engine.advanceTo(startedAt + 60_000);
    const afterOne = await api(`/api/scoring-runs/${id}`);
    expect(afterOne.body.progress.polls).toBe(1);

    await host.engine.runUntil(() => host.engine.get(id)?.runtimeStatus === "Completed");
    const done = await api(`/api/scoring-runs/${id}`);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ id, status: "Succeeded", error: null, output: { uri: (body.output as { uri: string }).uri } });
    expect(done.body.job.status).toBe("Completed");
    expect(done.body.progress.polls).toBe(4);
    expect(done.body.detection).toEqual({ by: "poll", at: expect.any(String), delaySeconds: null, maxDelaySeconds: 60 });

    expect(emulator.requestsFor("invoke")).toHaveLength(1);
    const gets = emulator.requestsFor("getJob").map((r) => r.at);
    expect(gets).toHaveLength(4);
    for (let i = 1; i < gets.length; i++) expect(gets[i] - gets[i - 1]).toBe(60_000);
  });
});
