/**
 * No run state in process memory: one scoring run carried by two dev-host OS
 * processes, one after the other, that share nothing but the state directory. Process A (npm run
 * dev's entry) starts the run and polls its job at least twice, then is stopped gracefully
 * (SIGTERM: a clean shutdown, as a scale-in or a deployment swap does; the kill -9 case is
 * restartSurvival.test.ts). Process B is a new process on other ports (host, batch emulator,
 * Azurite) and resumes the run from the directory alone: the run view through B shows A's job and
 * A's polls, B's polls carry on from there (across continueAsNew: 2 polls an execution), the run
 * completes, Azure ML (the emulator, whose state is in the same directory) saw exactly one job, and
 * the history B wrote replays. The dev host has no route for verifyReplay, so the replay is checked
 * on the persisted state files, by a host in this process loading them after B has exited.
 *
 * The dev host's state store is made for one live writer, so the processes never overlap, as two
 * Functions instances never both own one orchestration's work item at the same time.
 */
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DevHost } from "../../dev/host/devHost";
import { EventType, type HistoryEvent } from "../../dev/host/history";
import type { InstanceRecord } from "../../dev/host/instanceStore";
import { type DevProcess, launchDevProcess } from "./devProcess";
import { appEntry } from "./stack";

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
});

async function launch(stateDir: string): Promise<DevProcess> {
  const launched = await launchDevProcess(stateDir, {
    SCORING_POLL_MODE: "fixed",
    SCORING_JOB_EVENTS: "false",
    // continueAsNew every 2 polls: the run's history spans executions written by both processes.
    SCORING_MAX_POLLS_PER_EXECUTION: "2",
  });
  children.push(launched.child);
  return launched;
}

async function stopGracefully(p: DevProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => p.child.once("exit", (code, signal) => r({ code, signal })));
  p.child.kill("SIGTERM");
  return exited;
}

async function view(base: string, id: string): Promise<any> {
  const res = await fetch(`${base}/api/scoring-runs/${id}`);
  expect(res.status).toBeLessThan(300);
  return res.json();
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > end) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const scheduled = (record: InstanceRecord, name: string): HistoryEvent[] =>
  [...record.pastExecutions.flatMap((e) => e.history), ...record.history].filter((e) => e.EventType === EventType.TaskScheduled && e.Name === name);

describe("no run state in process memory", () => {
  it("one run across two dev-host processes sharing only the state directory: A starts and polls, stops (SIGTERM); B, on other ports, finishes it", async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "two-processes-"));
    const started = Date.now();
    try {
      // ---- process A ----
      const a = await launch(stateDir);
      const start = await fetch(`${a.base}/api/scoring-runs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          endpointUri: a.scoringUri,
          // The sample input npm run dev puts in place; npm run dev's emulator completes a job on its 5th status read.
          inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/scoring/input/" } },
          output: { uri: "azureml://datastores/workspaceblobstore/paths/out/two-processes.csv" },
          pollIntervalSeconds: 2,
        }),
      });
      expect(start.status).toBe(202);
      const id = ((await start.json()) as { id: string }).id;
      const inA = await until(
        () => view(a.base, id),
        (v) => v.progress?.polls >= 2,
        30_000,
      );
      expect(inA).toMatchObject({ status: "Running", progress: { polls: expect.any(Number) } });
      expect(inA.progress.polls).toBeGreaterThanOrEqual(2);
      const jobName = inA.job.name as string;
      expect(jobName).toMatch(/\S/);

      expect(await stopGracefully(a)).toEqual({ code: 0, signal: null });
      expect(a.output()).toContain("Stopping…");
      await expect(fetch(`${a.base}/api/scoring-runs/${id}`)).rejects.toThrow(); // nothing listens there any more
      const atStop = JSON.parse(fs.readFileSync(path.join(stateDir, "instances", `${id}.json`), "utf8")) as InstanceRecord;
      expect(atStop.runtimeStatus).toBe("Running");

      // ---- process B: a new process, other ports, the same directory ----
      const b = await launch(stateDir);
      expect(b.child.pid).not.toBe(a.child.pid);
      expect(b.port).not.toBe(a.port);
      expect(new URL(b.scoringUri).port).not.toBe(new URL(a.scoringUri).port);
      const firstInB = await view(b.base, id);
      expect(firstInB).toMatchObject({ id, job: { name: jobName } });
      // Polls keep counting: everything A recorded is there (a read cut off by the stop is made again by B).
      expect(firstInB.progress.polls).toBeGreaterThanOrEqual(inA.progress.polls);

      const done = await until(
        () => view(b.base, id),
        (v) => v.status !== "Running" && v.status !== "Pending",
        30_000,
      );
      expect(done).toMatchObject({ id, status: "Succeeded", job: { name: jobName, status: "Completed" }, error: null });
      expect(done.progress.polls).toBeGreaterThan(inA.progress.polls);
      // The run is listed through B as well.
      const listed = (await (await fetch(`${b.base}/api/scoring-runs`)).json()) as { value: Array<{ id: string; status: string }> };
      expect(listed.value).toContainEqual(expect.objectContaining({ id, status: "Succeeded" }));

      expect(await stopGracefully(b)).toEqual({ code: 0, signal: null });

      // ---- what the directory says ----
      const jobs = JSON.parse(fs.readFileSync(path.join(stateDir, "batch-emulator.json"), "utf8")).jobs as Array<{ name?: string; job?: { name: string } }>;
      expect(jobs).toHaveLength(1);
      expect(JSON.stringify(jobs[0])).toContain(jobName);
      const record = JSON.parse(fs.readFileSync(path.join(stateDir, "instances", `${id}.json`), "utf8")) as InstanceRecord;
      expect(record.runtimeStatus).toBe("Completed");
      expect(scheduled(record, "invokeBatchEndpoint")).toHaveLength(1);
      // B's episodes came after A's: the history grew past what A left.
      expect(record.episodes).toBeGreaterThan(atStop.episodes);
      expect(record.pastExecutions.length).toBeGreaterThan(atStop.pastExecutions.length);

      // ---- B's history replays: every execution, through the orchestrator, with identical actions ----
      const replayer = new DevHost({ appEntry, stateDir, clock: "virtual", log: () => undefined });
      await replayer.start();
      try {
        const results = await replayer.engine.verifyReplay(id);
        expect(results.length).toBeGreaterThanOrEqual(1);
        for (const r of results) expect(r.identical, r.detail).toBe(true);
      } finally {
        await replayer.stop();
      }
      console.log(
        `twoProcesses: ${((Date.now() - started) / 1000).toFixed(1)} s, ${done.progress.polls} polls (${inA.progress.polls} in A), ${record.pastExecutions.length + 1} execution(s)`,
      );
    } finally {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  }, 120_000);
});
