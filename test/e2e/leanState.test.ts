import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { VirtualClock } from "../../dev/host/clock";
import { EventType, type HistoryEvent } from "../../dev/host/history";
import { startDevStack } from "../../dev/stack";
import { names } from "../../src/runs/names";

/**
 * Lean durable state (docs/azure-behaviour.md#what-a-run-stores): status reads record only the
 * status while the job runs, continueAsNew carries the state without its defaults, and runs
 * already in flight on the older format finish on today's app.
 */
const fixture = path.resolve(__dirname, "../fixtures/durable/e347fca-typical-run");
const capturedRun = "req-acf9c679cf541c35d0fc6096aaf9e43b";
const env = { SCORING_POLL_MODE: "adaptive", SCORING_JOB_EVENTS: "false", SCORING_MAX_POLLS_PER_EXECUTION: "10" };

const statusResults = (history: HistoryEvent[]) => {
  const ids = new Set(history.filter((e) => e.EventType === EventType.TaskScheduled && e.Name === names.activities.getStatus).map((e) => e.EventId));
  return history.filter((e) => e.EventType === EventType.TaskCompleted && ids.has(e.TaskScheduledId as number)).map((e) => JSON.parse(e.Result as string));
};
const startedInput = (history: HistoryEvent[]) => JSON.parse(history.find((e) => e.EventType === EventType.ExecutionStarted)!.Input as string);

describe("lean durable state", () => {
  it("finishes a run that an older app left half-way (whole snapshots and whole state in its history) on the same job", async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "lean-state-"));
    fs.cpSync(fixture, stateDir, { recursive: true });
    const captured = JSON.parse(fs.readFileSync(path.join(stateDir, "instances", `${capturedRun}.json`), "utf8"));
    const oldExecution = captured.executionId as string;
    expect(startedInput(captured.history).state.job.jobPath, "the fixture holds the old format").toBeTruthy();
    expect(statusResults(captured.history)[0].value.name, "the fixture holds whole snapshots").toBeTruthy();

    const stack = await startDevStack({ clock: new VirtualClock(captured.lastUpdatedTime as number), stateDir, env, log: () => undefined });
    try {
      const { host, emulator } = stack;
      const jobName = emulator.jobs[0]!.name;
      expect(await host.engine.runUntil(() => host.engine.get(capturedRun)?.runtimeStatus === "Completed", 24 * 3600_000)).toBe(true);
      expect(emulator.createdJobCount).toBe(1);
      const record = host.engine.get(capturedRun)!;
      const output = record.output as { job: { name: string; studioUrl: string }; polls: number; timeline: Array<{ event: string }> };
      expect(output.job.name).toBe(jobName);
      expect(output.job.studioUrl).toContain(jobName);
      // Every read is counted, before and after the upgrade; the story starts where the old app began it.
      expect(output.polls).toBe(emulator.job(jobName)!.statusGets);
      expect(output.timeline.map((e) => e.event).slice(0, 3)).toEqual(["started", "preflight", "invoked"]);
      // The executions started by today's app carry the lean state and record status-only reads.
      const newer = [...record.pastExecutions.filter((e) => e.executionId !== oldExecution), { executionId: record.executionId, history: record.history }];
      expect(newer.length).toBeGreaterThan(1);
      const carried = startedInput(newer[0]!.history).state;
      expect(carried.job.jobPath).toBeUndefined();
      expect(carried.lastPollError).toBeUndefined();
      expect(statusResults(newer[0]!.history)[0].value).toEqual({ status: "Running" });
      for (const r of await host.engine.verifyReplay(capturedRun)) if (r.executionId !== oldExecution) expect(r.identical, r.detail).toBe(true);
      const view: any = await (await fetch(`${host.baseUrl}/api/scoring-runs/${capturedRun}`)).json();
      expect(view.status).toBe("Succeeded");
      expect(view.job.jobPath).toBeUndefined();
      expect(view.progress.polls).toBe(output.polls);
    } finally {
      await stack.stop();
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  }, 60_000);

  it("records whole snapshots only once the job ended, and shows the run as before", async () => {
    const stack = await startDevStack({ clock: "virtual", env, log: () => undefined });
    try {
      const { host, emulator } = stack;
      emulator.enqueueLifecycle(
        lifecycles.timed(
          [
            ["Queued", 120_000],
            ["Running", 1_800_000],
          ],
          "Completed",
        ),
      );
      const started = await fetch(`${host.baseUrl}/api/scoring-runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          endpointUri: emulator.scoringUri,
          inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/in/" } },
          output: { uri: "azureml://datastores/workspaceblobstore/paths/out/lean.csv" },
        }),
      });
      const { id } = (await started.json()) as { id: string };
      expect(await host.engine.runUntil(() => host.engine.get(id)?.runtimeStatus === "Completed")).toBe(true);
      const record = host.engine.get(id)!;
      const results = [...record.pastExecutions.map((e) => e.history), record.history].flatMap(statusResults);
      expect(results.length).toBe(emulator.requestCount("getJob"));
      expect(results.slice(0, -1).every((r) => Object.keys(r.value).join() === "status")).toBe(true);
      expect(results.at(-1).value).toMatchObject({ name: emulator.jobs[0]!.name, status: "Completed" });
      for (const r of await host.engine.verifyReplay(id)) expect(r.identical, r.detail).toBe(true);
      const view: any = await (await fetch(`${host.baseUrl}/api/scoring-runs/${id}`)).json();
      expect(view.job).toMatchObject({ name: emulator.jobs[0]!.name, status: "Completed" });
      expect(view.job.id).toContain("/jobs/");
      expect(view.progress.polls).toBe(emulator.requestCount("getJob"));
      expect(view.timeline.map((e: { detail: string | null }) => e.detail)).toContain("Queued → Running");
    } finally {
      await stack.stop();
    }
  }, 60_000);

  it("forgets an ended run's history when the host keeps no finished executions, as a worker holds none", async () => {
    const stack = await startDevStack({ clock: "virtual", env, log: () => undefined, keepPastExecutions: false });
    try {
      const { host, emulator } = stack;
      emulator.enqueueLifecycle(lifecycles.timed([["Running", 600_000]], "Completed"));
      const started = await fetch(`${host.baseUrl}/api/scoring-runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          endpointUri: emulator.scoringUri,
          inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/in/" } },
          output: { uri: "azureml://datastores/workspaceblobstore/paths/out/forgotten.csv" },
        }),
      });
      const { id } = (await started.json()) as { id: string };
      expect(await host.engine.runUntil(() => host.engine.get(id)?.runtimeStatus === "Completed")).toBe(true);
      const record = host.engine.get(id)!;
      expect(record.history).toEqual([]);
      expect(record.pastExecutions).toEqual([]);
      const view: any = await (await fetch(`${host.baseUrl}/api/scoring-runs/${id}`)).json();
      expect(view.status).toBe("Succeeded");
      expect(view.timeline.length).toBeGreaterThan(2);
    } finally {
      await stack.stop();
    }
  }, 60_000);
});
