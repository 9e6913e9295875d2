import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BatchEmulator, lifecycles, type BatchEmulatorOptions, type EmulatorJob } from "../../../dev/batch-emulator";
import { API, cancelJob, createJob, getJob, invoke, pascalBody, pollStatuses } from "./helpers";

let dir: string;
let running: BatchEmulator[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "batch-emu-state-"));
  running = [];
});

afterEach(async () => {
  vi.restoreAllMocks();
  await Promise.all(running.map((e) => e.stop()));
  fs.rmSync(dir, { recursive: true, force: true });
});

async function startEmulator(options: BatchEmulatorOptions = {}): Promise<BatchEmulator> {
  const emu = new BatchEmulator(options);
  await emu.start();
  running.push(emu);
  return emu;
}

async function stopEmulator(emu: BatchEmulator): Promise<void> {
  await emu.stop();
  running = running.filter((e) => e !== emu);
}

const markedBody = { properties: { ...pascalBody.properties, tags: { clientInvokeId: "inv-7" }, properties: { run: "r-1" } } };

describe("batch emulator: stateFile persistence", () => {
  it("a restarted emulator continues a job's lifecycle where it was", async () => {
    const stateFile = path.join(dir, "nested", "state", "jobs.json"); // the directory is created
    const a = await startEmulator({ stateFile, clock: () => 1_700_000_000_000, keepInvokeMarkers: true });
    a.enqueueLifecycle(lifecycles.completesAfter(3));
    const invoked = await invoke(a, markedBody, { "repeatability-request-id": "rid-42" });
    expect(invoked.status).toBe(201);
    const name = invoked.json.name as string;
    expect(await pollStatuses(a, name, 2)).toEqual(["Preparing", "Running"]);
    const before = a.job(name)!;
    await stopEmulator(a);

    // Only the state file: each write went to <file>.<pid>.tmp and was renamed onto it.
    expect(fs.readdirSync(path.dirname(stateFile))).toEqual(["jobs.json"]);

    const b = await startEmulator({ stateFile });
    expect(b.job(name)).toEqual(before);
    expect(before).toMatchObject<Partial<EmulatorJob>>({
      status: "Running",
      statusGets: 2,
      repeatabilityId: "rid-42",
      createdAt: 1_700_000_000_000,
      tags: { clientInvokeId: "inv-7", "azureml.batchrun": "true" },
      properties: { run: "r-1" },
    });
    // completesAfter(3): GET 1 Preparing, GETs 2-3 Running, GET 4 Completed (and it holds).
    expect(await pollStatuses(b, name, 3)).toEqual(["Running", "Completed", "Completed"]);
    expect(b.job(name)!.statusGets).toBe(5);
    const resource = (await getJob(b, name)).json;
    expect(resource.properties.tags).toMatchObject({ clientInvokeId: "inv-7" });
    expect(resource.properties.properties).toMatchObject({ run: "r-1" });
    expect(resource.systemData.createdAt).toBe(new Date(1_700_000_000_000).toISOString());

    // New jobs on B come after the persisted one and use B's own (default) lifecycle.
    const later = await createJob(b);
    expect(b.jobs.map((j) => j.name)).toEqual([name, later]);
    expect(await pollStatuses(b, later, 1)).toEqual(["Preparing"]);
  });

  it("dedupes a repeated repeatability id against a persisted job", async () => {
    const stateFile = path.join(dir, "jobs.json");
    const a = await startEmulator({ stateFile });
    const first = await invoke(a, pascalBody, { "repeatability-request-id": "rid-1" });
    await stopEmulator(a);
    const b = await startEmulator({ stateFile, dedupeRepeatability: true });
    const again = await invoke(b, pascalBody, { "repeatability-request-id": "rid-1" });
    expect(again.json.name).toBe(first.json.name);
    expect(b.createdJobCount).toBe(1);
  });

  it("a cancel in progress persists, with the cancelPolls it was given", async () => {
    const stateFile = path.join(dir, "jobs.json");
    const a = await startEmulator({ stateFile, cancelPolls: 2 });
    a.enqueueLifecycle(lifecycles.stuckIn("Running"));
    const name = await createJob(a);
    expect(await pollStatuses(a, name, 1)).toEqual(["Running"]);
    expect(await cancelJob(a, name)).toBe(202);
    expect(await pollStatuses(a, name, 1)).toEqual(["CancelRequested"]);
    await stopEmulator(a);

    const b = await startEmulator({ stateFile }); // default cancelPolls 1: the persisted script wins
    expect(b.job(name)).toMatchObject({ status: "CancelRequested", cancelRequests: 1, statusGets: 2 });
    expect(await cancelJob(b, name)).toBe(202); // still CancelRequested: no restart of the cancel
    expect(await pollStatuses(b, name, 2)).toEqual(["CancelRequested", "Canceled"]);
    expect(await cancelJob(b, name)).toBe(200);
    await stopEmulator(b);

    const c = await startEmulator({ stateFile });
    expect(c.job(name)).toMatchObject({ status: "Canceled", cancelRequests: 3, statusGets: 4 });
    expect(await pollStatuses(c, name, 1)).toEqual(["Canceled"]);
  });

  it("a job created on A can be canceled on B, and stays canceled on C", async () => {
    const stateFile = path.join(dir, "jobs.json");
    const a = await startEmulator({ stateFile });
    const name = await createJob(a);
    await stopEmulator(a);

    const b = await startEmulator({ stateFile });
    expect(b.job(name)).toMatchObject({ status: "Preparing", statusGets: 0, cancelRequests: 0 });
    expect(await cancelJob(b, name)).toBe(202);
    expect(await pollStatuses(b, name, 2)).toEqual(["CancelRequested", "Canceled"]);
    await stopEmulator(b);

    const c = await startEmulator({ stateFile });
    expect(c.job(name)).toMatchObject({ status: "Canceled", cancelRequests: 1, statusGets: 2 });
    expect(await cancelJob(c, name)).toBe(200);
  });

  it("persists setJobStatus and a failed job's error details", async () => {
    const stateFile = path.join(dir, "jobs.json");
    const a = await startEmulator({ stateFile });
    const forced = await createJob(a);
    a.setJobStatus(forced, "Failed", { errorMessage: "forced failure", errorCode: "SystemError" });
    a.enqueueLifecycle(lifecycles.failsWith("Out of memory on mini-batch 3", 1));
    const scripted = await createJob(a);
    expect(await pollStatuses(a, scripted, 1)).toEqual(["Preparing"]);
    await stopEmulator(a);

    const b = await startEmulator({ stateFile });
    const f = await getJob(b, forced);
    expect(f.json.properties.status).toBe("Failed");
    expect(b.job(forced)).toMatchObject({ errorMessage: "forced failure", errorCode: "SystemError" });
    const s = await getJob(b, scripted);
    expect(s.json.properties.status).toBe("Failed");
    expect(b.job(scripted)).toMatchObject({ errorMessage: "Out of memory on mini-batch 3", errorCode: "UserError" });
  });

  it("does not run onJobCompleted again for a job that completed before the restart", async () => {
    const stateFile = path.join(dir, "jobs.json");
    const seen: string[] = [];
    const hook = async (job: EmulatorJob): Promise<void> => {
      seen.push(job.name);
    };
    const a = await startEmulator({ stateFile, onJobCompleted: hook });
    a.enqueueLifecycle(lifecycles.completesAfter(0));
    a.enqueueLifecycle(lifecycles.completesAfter(1));
    const done = await createJob(a);
    const pending = await createJob(a);
    await a.whenHooksSettled();
    expect(seen).toEqual([done]);
    await stopEmulator(a);

    const b = await startEmulator({ stateFile, onJobCompleted: hook });
    expect(await pollStatuses(b, done, 1)).toEqual(["Completed"]);
    expect(await pollStatuses(b, pending, 2)).toEqual(["Preparing", "Completed"]);
    expect(seen).toEqual([done, pending]);
  });

  it("reset() saves the empty job set; a reset() before start() does not erase saved jobs", async () => {
    const stateFile = path.join(dir, "jobs.json");
    const a = await startEmulator({ stateFile });
    const name = await createJob(a);
    await stopEmulator(a);

    const b = new BatchEmulator({ stateFile });
    b.reset();
    await b.start();
    running.push(b);
    expect(b.jobs.map((j) => j.name)).toEqual([name]);
    b.reset();
    await stopEmulator(b);

    const c = await startEmulator({ stateFile });
    expect(c.jobs).toEqual([]);
  });

  it("jobs survive a kill -9 of the process running the emulator", async () => {
    const stateFile = path.join(dir, "jobs.json");
    // The built emulator (test/globalSetup.ts compiles dev/ into dist/ before the tests run).
    const built = path.resolve(__dirname, "../../../dist/dev/batch-emulator/index.js");
    const script = `
      const { BatchEmulator, lifecycles } = require(${JSON.stringify(built)});
      const emu = new BatchEmulator({ stateFile: process.env.STATE_FILE });
      emu.setDefaultLifecycle(lifecycles.completesAfter(3));
      emu.start().then(() => console.log(JSON.stringify({ scoringUri: emu.scoringUri, armEndpoint: emu.armEndpoint })));
    `;
    const child = spawn(process.execPath, ["-e", script], {
      env: { ...process.env, STATE_FILE: stateFile },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_code, signal) => resolve(signal)));
    try {
      const urls = await new Promise<{ scoringUri: string; armEndpoint: string }>((resolve, reject) => {
        let out = "";
        child.stdout!.on("data", (c: Buffer) => {
          out += c.toString("utf8");
          const nl = out.indexOf("\n");
          if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)));
        });
        child.once("exit", () => reject(new Error(`emulator process exited early: ${out}`)));
      });
      const created = await fetch(urls.scoringUri, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(pascalBody),
      });
      const job = (await created.json()) as { name: string; id: string };
      const jobPath = job.id.replace(/\/batchEndpoints\/[^/]+\/deployments\/[^/]+/, "");
      const statuses: string[] = [];
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`${urls.armEndpoint}${jobPath}?api-version=${API}`);
        statuses.push(((await res.json()) as { properties: { status: string } }).properties.status);
      }
      expect(statuses).toEqual(["Preparing", "Running"]);

      child.kill("SIGKILL");
      expect(await exited).toBe("SIGKILL");

      const b = await startEmulator({ stateFile });
      expect(b.job(job.name)).toMatchObject({ status: "Running", statusGets: 2 });
      expect(await pollStatuses(b, job.name, 2)).toEqual(["Running", "Completed"]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
  });
});

describe("batch emulator: unusable state files", () => {
  const scope = { subscriptionId: "sub-0000", resourceGroup: "rg-scoring", workspace: "ws-scoring", endpointName: "ep-scoring" };
  const cases: [string, string][] = [
    ["not JSON", '{"version":1,"jobs":[{'],
    ["empty", ""],
    ["not an object", "[]"],
    ["an unknown version", JSON.stringify({ version: 99, scope, jobs: [] })],
    ["another endpoint", JSON.stringify({ version: 1, scope: { ...scope, endpointName: "ep-other" }, jobs: [] })],
    [
      "a malformed job",
      JSON.stringify({
        version: 1,
        scope,
        jobs: [{ seq: 1, scriptGets: 0, hookStarted: false, job: { name: "x" }, script: { steps: [{ status: "Bogus" }] } }],
      }),
    ],
  ];

  it.each(cases)("%s: starts with no jobs and one warning, then replaces the file", async (_label, content) => {
    const stateFile = path.join(dir, "jobs.json");
    fs.writeFileSync(stateFile, content);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const a = await startEmulator({ stateFile });
    expect(a.jobs).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/\[batch-emulator\] ignoring state file .*jobs\.json.*starting with no jobs/);
    expect((await getJob(a, "batchjob-missing")).status).toBe(404);

    const name = await createJob(a);
    await stopEmulator(a);
    const b = await startEmulator({ stateFile });
    expect(b.jobs.map((j) => j.name)).toEqual([name]);
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it("a state file that cannot be read (a directory) starts empty with one warning", async () => {
    const stateFile = path.join(dir, "jobs.json");
    fs.mkdirSync(stateFile);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    const a = await startEmulator({ stateFile });
    expect(a.jobs).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/ignoring state file/);
  });
});

describe("batch emulator: without stateFile", () => {
  it("writes nothing", async () => {
    const cwd = process.cwd();
    process.chdir(dir); // a stray relative write would land here
    try {
      const a = await startEmulator();
      const name = await createJob(a);
      await pollStatuses(a, name, 2);
      expect(await cancelJob(a, name)).toBe(202);
      a.setJobStatus(name, "Failed");
      a.reset();
      await stopEmulator(a);
    } finally {
      process.chdir(cwd);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
