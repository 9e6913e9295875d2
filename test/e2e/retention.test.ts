/**
 * Retention through the dev host on a virtual clock: the timer function
 * `purgeOldRuns` purges the durable history of runs that ended more than SCORING_RETENTION_DAYS
 * ago, a bounded batch per invocation, and never touches a run that is still going or ended
 * recently. Runs are started and read through the HTTP API; the timer is invoked as the host
 * would when its schedule comes due (at the virtual clock's time).
 */
import { afterEach, describe, expect, it } from "vitest";
import { type Lifecycle, lifecycles } from "../../dev/batch-emulator";
import type { VirtualClock } from "../../dev/host/clock";
import { type Stack, startStack } from "./stack";

const hour = 3600_000;
const day = 24 * hour;
const retentionSettings = ["SCORING_RETENTION_DAYS", "SCORING_RETENTION_BATCH", "SCORING_RETENTION_SCHEDULE"];

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
  for (const name of retentionSettings) delete process.env[name];
});

async function freshStack(env: Record<string, string> = {}): Promise<Stack> {
  for (const name of retentionSettings) delete process.env[name];
  Object.assign(process.env, env);
  stack = await startStack({ clock: "virtual" });
  return stack;
}

/** Starts a run on `lifecycle` and waits until its job exists (so queued lifecycles go to the right job). */
async function startRun(s: Stack, lifecycle: Lifecycle, overrides: Record<string, unknown> = {}): Promise<{ id: string; body: any }> {
  s.emulator.enqueueLifecycle(lifecycle);
  const res = await s.api("/api/scoring-runs", { json: s.startBody(overrides) });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await s.host.engine.idle();
  expect(s.host.engine.get(res.body.id)?.runtimeStatus).toBe("Running");
  return { id: res.body.id as string, body: res.body };
}

const runtimeStatus = (s: Stack, id: string) => s.host.engine.get(id)?.runtimeStatus;
const listedIds = async (s: Stack) => {
  const res = await s.api("/api/scoring-runs?top=100");
  expect(res.status).toBe(200);
  return (res.body.value as Array<{ id: string }>).map((v) => v.id);
};
const purgeLines = (s: Stack) => s.logs.filter((l) => /purged \d+ finished run/.test(l));

describe("retention: purgeOldRuns", () => {
  it("31 days on: the runs that ended before the cutoff are gone; a run still going and a run that ended recently stay", async () => {
    const s = await freshStack();
    const engine = s.host.engine;
    const t0 = s.clock.now();

    // Day 0: five runs that end within the hour, one of each way a run ends.
    const completed = [await startRun(s, lifecycles.completesAfter(1)), await startRun(s, lifecycles.completesAfter(1))];
    const failed = await startRun(s, lifecycles.failsWith("x", 1));
    const canceled = await startRun(s, lifecycles.stuckIn("Running"));
    const terminated = await startRun(s, lifecycles.stuckIn("Running"));
    expect((await s.api(`/api/scoring-runs/${canceled.id}/cancel`, { json: { reason: "not needed" } })).status).toBe(202);
    // An operator terminating the orchestration with the task hub's own API (the app hands out no such URL).
    const terminate = await fetch(`${s.host.baseUrl}/runtime/webhooks/durabletask/instances/${terminated.id}/terminate?reason=operator`, { method: "POST" });
    expect(terminate.status).toBe(202);
    await engine.advanceTo(t0 + hour);
    const old = [...completed, failed, canceled, terminated].map((r) => r.id);
    expect(old.map((id) => runtimeStatus(s, id))).toEqual(["Completed", "Completed", "Failed", "Failed", "Terminated"]);
    expect((await s.api(`/api/scoring-runs/${canceled.id}`)).body.status).toBe("Canceled");

    // Day 30: a long run starts (polled hourly, 41 polls); at day 30.5 a short one starts and ends.
    await engine.advanceTo(t0 + 30 * day);
    const running = await startRun(s, lifecycles.completesAfter(40), { pollIntervalSeconds: 3600, timeoutSeconds: 2592000 });
    await engine.advanceTo(t0 + 30.5 * day);
    const recent = await startRun(s, lifecycles.completesAfter(1));
    await engine.advanceTo(t0 + 31 * day);
    expect(runtimeStatus(s, running.id)).toBe("Running");
    expect(runtimeStatus(s, recent.id)).toBe("Completed");
    expect((await listedIds(s)).sort()).toEqual([...old, running.id, recent.id].sort());

    // Day 31, 00:00: the timer comes due.
    const result = await s.host.invokeTimer("purgeOldRuns");
    expect(result).toMatchObject({ status: "Succeeded" });
    expect(purgeLines(s)).toEqual([`info: purged 5 finished run(s) last updated before ${new Date(t0 + day).toISOString()} (batch of at most 500); none left`]);
    for (const id of old) {
      expect((await s.api(`/api/scoring-runs/${id}`)).status, id).toBe(404);
      expect(engine.get(id), id).toBeUndefined();
    }
    expect((await listedIds(s)).sort()).toEqual([running.id, recent.id].sort());
    expect((await s.api(`/api/scoring-runs/${recent.id}`)).body).toMatchObject({ status: "Succeeded" });
    expect(await s.api(`/api/scoring-runs/${running.id}`)).toMatchObject({ status: 202, body: { status: "Running" } });

    // The run still going goes on to complete.
    expect(await engine.runUntil(() => runtimeStatus(s, running.id) === "Completed", 3 * day)).toBe(true);
    expect(await s.api(`/api/scoring-runs/${running.id}`)).toMatchObject({ status: 200, body: { status: "Succeeded", progress: { polls: 41 } } });
    expect(s.emulator.createdJobCount).toBe(7);
  });

  it("a run that is still Running is kept even when its last update is older than the cutoff (a host that was down), and completes afterwards", async () => {
    // One day of retention, so the run can sit idle past the cutoff and still be inside its own deadline.
    const s = await freshStack({ SCORING_RETENTION_DAYS: "1" });
    const engine = s.host.engine;
    const t0 = s.clock.now();
    const ended = await startRun(s, lifecycles.completesAfter(1));
    const longRun = await startRun(s, lifecycles.completesAfter(3), { pollIntervalSeconds: 3600, timeoutSeconds: 2592000 });
    await engine.advanceTo(t0 + 2 * hour);
    expect(runtimeStatus(s, ended.id)).toBe("Completed");
    expect(engine.get(longRun.id)).toMatchObject({ runtimeStatus: "Running", createdTime: t0 });
    // Three days pass with no timer firing (the app was stopped): the run's last update is older than the cutoff.
    (s.clock as VirtualClock).set(t0 + 3 * day);
    expect(engine.get(longRun.id)!.lastUpdatedTime).toBeLessThan(t0 + 2 * day);

    expect(await s.host.invokeTimer("purgeOldRuns")).toMatchObject({ status: "Succeeded" });
    expect(purgeLines(s)).toEqual([expect.stringMatching(/purged 1 finished run\(s\) .*; none left$/)]);
    expect((await s.api(`/api/scoring-runs/${ended.id}`)).status).toBe(404);
    expect((await s.api(`/api/scoring-runs/${longRun.id}`)).body).toMatchObject({ status: "Running", progress: { polls: 2 } });

    // The overdue poll fires, and the run goes on to complete.
    expect(await engine.runUntil(() => runtimeStatus(s, longRun.id) === "Completed", day)).toBe(true);
    expect((await s.api(`/api/scoring-runs/${longRun.id}`)).body).toMatchObject({ status: "Succeeded", progress: { polls: 4 } });
    // A timer the same day keeps it: it ended less than a day ago.
    expect(await s.host.invokeTimer("purgeOldRuns")).toMatchObject({ status: "Succeeded" });
    expect(purgeLines(s)[1]).toMatch(/purged 0 finished run\(s\) .*; none left$/);
    expect(await listedIds(s)).toEqual([longRun.id]);
  });

  it("bounded batches: with SCORING_RETENTION_BATCH=2, five old runs take three invocations", async () => {
    const s = await freshStack({ SCORING_RETENTION_BATCH: "2" });
    const engine = s.host.engine;
    const t0 = s.clock.now();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await startRun(s, lifecycles.completesAfter(1))).id);
      // Each ends at its own time, so "oldest first" is observable.
      await engine.advanceTo(t0 + (i + 1) * hour);
    }
    expect(ids.map((id) => runtimeStatus(s, id))).toEqual(Array(5).fill("Completed"));
    await engine.advanceTo(t0 + 31 * day);

    const left: string[][] = [];
    for (let invocation = 1; invocation <= 3; invocation++) {
      expect(await s.host.invokeTimer("purgeOldRuns")).toMatchObject({ status: "Succeeded" });
      left.push((await listedIds(s)).sort());
    }
    expect(left).toEqual([ids.slice(2).sort(), ids.slice(4).sort(), []]);
    expect(purgeLines(s).map((l) => l.replace(/ last updated before \S+/, ""))).toEqual([
      "info: purged 2 finished run(s) (batch of at most 2); 3 more left for the next invocation(s)",
      "info: purged 2 finished run(s) (batch of at most 2); 1 more left for the next invocation(s)",
      "info: purged 1 finished run(s) (batch of at most 2); none left",
    ]);
    expect(await s.host.invokeTimer("purgeOldRuns")).toMatchObject({ status: "Succeeded" });
    expect(purgeLines(s)[3]).toMatch(/purged 0 finished run\(s\)/);
  });

  it("lists through every page of the durable client's query (250 ended instances, 100 a page) and purges them all in one batch of 500", async () => {
    const s = await freshStack();
    const engine = s.host.engine;
    const t0 = s.clock.now();
    // Instances of the orchestrator with no input fail at once: 250 ended runs, cheaply.
    for (let i = 0; i < 250; i++) engine.start("scoringRunOrchestrator", `bulk${String(i).padStart(3, "0")}`, null);
    await engine.idle();
    expect(engine.all().filter((r) => r.runtimeStatus === "Failed")).toHaveLength(250);
    await engine.advanceTo(t0 + 31 * day);
    // The query getStatusBy sends answers 100 at a time with a continuation token (the SDK follows it).
    const page = await fetch(
      `${s.host.baseUrl}/durabletask/instances/?runtimeStatus=Completed,Failed,Terminated&createdTimeTo=${new Date(t0 + day).toISOString()}`,
    );
    expect(((await page.json()) as unknown[]).length).toBe(100);
    expect(page.headers.get("x-ms-continuation-token")).toBeTruthy();

    expect(await s.host.invokeTimer("purgeOldRuns")).toMatchObject({ status: "Succeeded" });
    expect(purgeLines(s)).toEqual([expect.stringMatching(/^info: purged 250 finished run\(s\) .*; none left$/)]);
    expect(engine.all()).toEqual([]);
  });

  it("SCORING_RETENTION_DAYS 0 or off purges nothing; an invalid value fails the invocation and purges nothing", async () => {
    const s = await freshStack({ SCORING_RETENTION_DAYS: "0" });
    const engine = s.host.engine;
    const t0 = s.clock.now();
    const ids = [(await startRun(s, lifecycles.completesAfter(1))).id, (await startRun(s, lifecycles.failsWith("x", 1))).id];
    await engine.advanceTo(t0 + 400 * day);
    expect(ids.map((id) => runtimeStatus(s, id))).toEqual(["Completed", "Failed"]);

    for (const off of ["0", "off", "OFF"]) {
      process.env.SCORING_RETENTION_DAYS = off;
      expect(await s.host.invokeTimer("purgeOldRuns"), off).toMatchObject({ status: "Succeeded" });
      expect((await listedIds(s)).sort(), off).toEqual([...ids].sort());
    }
    expect(s.logs.filter((l) => l.includes("retention is off"))).toHaveLength(3);

    process.env.SCORING_RETENTION_DAYS = "thirty";
    const failed = await s.host.invokeTimer("purgeOldRuns");
    expect(failed).toEqual({
      status: "Failed",
      durationMs: expect.any(Number),
      error: 'Setting SCORING_RETENTION_DAYS must be a whole number from 1 to 3650, got "thirty" (0 or off: keep every run). Nothing was purged.',
    });
    expect((await listedIds(s)).sort()).toEqual([...ids].sort());
    expect(purgeLines(s)).toEqual([]);

    // Back to the default: both go.
    delete process.env.SCORING_RETENTION_DAYS;
    expect(await s.host.invokeTimer("purgeOldRuns")).toMatchObject({ status: "Succeeded" });
    expect(await listedIds(s)).toEqual([]);
  });

  it("is registered as a timer on the default schedule, and the dev host serves the admin API and the durable purge routes it relies on", async () => {
    const s = await freshStack();
    const fn = s.host.functions.get("purgeOldRuns");
    expect(fn?.trigger).toMatchObject({ type: "timerTrigger", schedule: "0 17 3 * * *" });
    expect(fn?.bindings.some((b) => b.direction === "in" && b.type === "durableClient")).toBe(true);

    const t0 = s.clock.now();
    const live = await startRun(s, lifecycles.stuckIn("Running"), { pollIntervalSeconds: 3600 });
    const ended = await startRun(s, lifecycles.completesAfter(1));
    await s.host.engine.advanceTo(t0 + hour);
    const rpc = `${s.host.baseUrl}/durabletask/instances/`;
    // One instance: 412 while it runs (as the extension), 200 once ended, then 404.
    expect((await fetch(`${rpc}${live.id}`, { method: "DELETE" })).status).toBe(412);
    expect(await (await fetch(`${rpc}${ended.id}`, { method: "DELETE" })).json()).toEqual({ instancesDeleted: 1 });
    expect((await fetch(`${rpc}${ended.id}`, { method: "DELETE" })).status).toBe(404);
    // By filter: createdTimeFrom required; only ended instances go.
    expect((await fetch(rpc, { method: "DELETE" })).status).toBe(400);
    expect((await fetch(`${rpc}?createdTimeFrom=${new Date(t0 - day).toISOString()}`, { method: "DELETE" })).status).toBe(404);
    expect(runtimeStatus(s, live.id)).toBe("Running");

    // POST /admin/functions/<name>: 202, and the function runs.
    expect((await fetch(`${s.host.baseUrl}/admin/functions/purgeOldRuns`, { method: "POST", body: "{}" })).status).toBe(202);
    for (let i = 0; i < 100 && purgeLines(s).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(purgeLines(s)).toHaveLength(1);
    expect((await fetch(`${s.host.baseUrl}/admin/functions/getBatchJobStatus`, { method: "POST", body: "{}" })).status).toBe(400);
    expect((await fetch(`${s.host.baseUrl}/admin/functions/nope`, { method: "POST", body: "{}" })).status).toBe(404);
    await expect(s.host.invokeTimer("getScoringRun")).rejects.toThrow(/not a timerTrigger/);
  });
});
