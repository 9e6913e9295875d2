import { describe, expect, it } from "vitest";
import { lifecycles, type EmulatorJob } from "../../../dev/batch-emulator";
import { normalizeLifecycle, statusAt, timedEnd } from "../../../dev/batch-emulator/lifecycle";
import { cancelJob, createJob, getJob, invoke, pollStatuses, useEmulator } from "./helpers";

describe("lifecycle arithmetic", () => {
  it("shows each step for its polls, then holds the last step", () => {
    const lc = normalizeLifecycle([{ status: "NotStarted" }, { status: "Queued", polls: 2 }, { status: "Completed" }]);
    expect([0, 1, 2, 3, 4, 5, 99].map((k) => statusAt(lc, k))).toEqual(["NotStarted", "NotStarted", "Queued", "Queued", "Completed", "Completed", "Completed"]);
  });

  it("rejects empty scripts and bad poll counts", () => {
    expect(() => normalizeLifecycle([])).toThrow(/at least one step/);
    expect(() => normalizeLifecycle([{ status: "Queued", polls: -1 }])).toThrow(/polls/);
    expect(() => lifecycles.completesAfter(1.5)).toThrow(/polls/);
  });
});

describe("batch emulator: scripted lifecycles over HTTP", () => {
  const ctx = useEmulator();

  it("follows the default lifecycle: Preparing → Queued → Running(2) → Completed", async () => {
    const name = await createJob(ctx.emu);
    expect(await pollStatuses(ctx.emu, name, 6)).toEqual(["Preparing", "Queued", "Running", "Running", "Completed", "Completed"]);
    expect(ctx.emu.job(name)!.statusGets).toBe(6);
  });

  it("answers the ARM job resource at the workspace-level path", async () => {
    const name = await createJob(ctx.emu);
    const res = await getJob(ctx.emu, name);
    expect(res.status).toBe(200);
    expect(res.json.id).toBe(
      `/subscriptions/sub-0000/resourceGroups/rg-scoring/providers/Microsoft.MachineLearningServices/workspaces/ws-scoring/jobs/${name}`,
    );
    expect(res.json.name).toBe(name);
    expect(res.json.type).toBe("Microsoft.MachineLearningServices/workspaces/jobs");
    expect(res.json.properties.jobType).toBe("Pipeline");
    expect(res.json.properties.services.Studio.endpoint).toBe(
      `https://ml.azure.com/runs/${name}?wsid=${encodeURIComponent("/subscriptions/sub-0000/resourcegroups/rg-scoring/workspaces/ws-scoring")}`,
    );
    expect(res.json.properties.inputs.input_data).toEqual({
      jobInputType: "uri_folder",
      uri: "azureml://datastores/workspaceblobstore/paths/in/2024-01-01/",
    });
    expect(res.json.properties.outputs.score.jobOutputType).toBe("uri_file");
    expect(res.json.properties.error).toBeUndefined();
  });

  it("uses enqueued lifecycles FIFO, then the default", async () => {
    ctx.emu.enqueueLifecycle(lifecycles.completesAfter(2));
    ctx.emu.enqueueLifecycle([{ status: "NotStarted" }, { status: "Completed" }]);
    const a = await createJob(ctx.emu);
    const b = await createJob(ctx.emu);
    const c = await createJob(ctx.emu);
    expect(await pollStatuses(ctx.emu, a, 3)).toEqual(["Preparing", "Running", "Completed"]);
    expect(await pollStatuses(ctx.emu, b, 2)).toEqual(["NotStarted", "Completed"]);
    expect(await pollStatuses(ctx.emu, c, 1)).toEqual(["Preparing"]);
  });

  it("setDefaultLifecycle changes later jobs; the invoke shows the first status", async () => {
    ctx.emu.setDefaultLifecycle([{ status: "NotStarted", polls: 0 }, { status: "Queued" }, { status: "Running" }]);
    const res = await invoke(ctx.emu);
    expect(res.json.properties.status).toBe("NotStarted");
    expect(await pollStatuses(ctx.emu, res.json.name, 3)).toEqual(["Queued", "Running", "Running"]);
  });

  it("a failed job's reason is on the ARM resource only as services.<name>.errorMessage, and only when configured so", async () => {
    ctx.emu.enqueueLifecycle(lifecycles.failsWith("Out of memory on mini-batch 3", 1));
    const name = await createJob(ctx.emu);
    expect((await getJob(ctx.emu, name)).json.properties.status).toBe("Preparing");
    const failed = await getJob(ctx.emu, name);
    expect(failed.json.properties.status).toBe("Failed");
    // The JobBase schema has no error field: by default nothing says why.
    expect(failed.json.properties.error).toBeUndefined();
    expect(JSON.stringify(failed.json)).not.toContain("Out of memory");
    ctx.emu.configure({ failureText: "services" });
    const described = await getJob(ctx.emu, name);
    expect(described.json.properties.services.Studio.errorMessage).toBe("Out of memory on mini-batch 3");
    expect(described.json.properties.error).toBeUndefined();
    expect(ctx.emu.job(name)!.errorMessage).toBe("Out of memory on mini-batch 3");
  });

  it("stays stuck in a non-terminal status forever", async () => {
    ctx.emu.enqueueLifecycle(lifecycles.stuckIn("Queued"));
    const name = await createJob(ctx.emu);
    expect(await pollStatuses(ctx.emu, name, 10)).toEqual(Array(10).fill("Queued"));
  });

  it("ends Canceled when the service cancels on its own", async () => {
    ctx.emu.enqueueLifecycle(lifecycles.canceledByService(1));
    const name = await createJob(ctx.emu);
    expect(await pollStatuses(ctx.emu, name, 2)).toEqual(["Preparing", "Canceled"]);
  });

  it("cancel: 202 → CancelRequested for cancelPolls GETs → Canceled; idempotent", async () => {
    ctx.emu.enqueueLifecycle(lifecycles.stuckIn("Running"));
    const name = await createJob(ctx.emu);
    expect(await pollStatuses(ctx.emu, name, 1)).toEqual(["Running"]);
    expect(await cancelJob(ctx.emu, name)).toBe(202);
    expect(await cancelJob(ctx.emu, name)).toBe(202); // repeated while CancelRequested: no restart
    expect(await pollStatuses(ctx.emu, name, 1)).toEqual(["CancelRequested"]);
    expect(await cancelJob(ctx.emu, name)).toBe(202);
    expect(await pollStatuses(ctx.emu, name, 2)).toEqual(["Canceled", "Canceled"]);
    expect(await cancelJob(ctx.emu, name)).toBe(200); // terminal: nothing to do
    expect(await pollStatuses(ctx.emu, name, 1)).toEqual(["Canceled"]);
    expect(ctx.emu.job(name)!.cancelRequests).toBe(4);
  });

  it("cancel on a completed job answers 200 and changes nothing", async () => {
    ctx.emu.enqueueLifecycle(lifecycles.completesAfter(0));
    const name = await createJob(ctx.emu);
    expect(await cancelJob(ctx.emu, name)).toBe(200);
    expect(await pollStatuses(ctx.emu, name, 1)).toEqual(["Completed"]);
  });

  it("cancel and get of an unknown job answer 404 UserError", async () => {
    const res = await getJob(ctx.emu, "batchjob-missing");
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe("UserError");
    expect(res.json.error.message).toMatch(/not found/);
    expect(await cancelJob(ctx.emu, "batchjob-missing")).toBe(404);
  });

  it("setJobStatus forces a status that then holds", async () => {
    const name = await createJob(ctx.emu);
    ctx.emu.setJobStatus(name, "Failed", { errorMessage: "forced" });
    const res = await getJob(ctx.emu, name);
    expect(res.json.properties.status).toBe("Failed");
    expect(ctx.emu.job(name)!.errorMessage).toBe("forced");
    expect(() => ctx.emu.setJobStatus("nope", "Running")).toThrow(/no emulated job/);
  });
});

describe("batch emulator: cancelPolls option", () => {
  const ctx = useEmulator({ cancelPolls: 3 });

  it("stays CancelRequested for cancelPolls GETs", async () => {
    const name = await createJob(ctx.emu);
    expect(await cancelJob(ctx.emu, name)).toBe(202);
    expect(await pollStatuses(ctx.emu, name, 4)).toEqual(["CancelRequested", "CancelRequested", "CancelRequested", "Canceled"]);
  });
});

describe("batch emulator: onJobCompleted hook", () => {
  const seen: string[] = [];
  let fail = false;
  const ctx = useEmulator({
    onJobCompleted: async (job: EmulatorJob) => {
      await new Promise((r) => setTimeout(r, 20));
      if (fail) throw new Error("azurite down");
      seen.push(`${job.name}:${job.status}`);
    },
  });

  it("runs once when the job reaches Completed, before the Completed answer", async () => {
    seen.length = 0;
    fail = false;
    ctx.emu.enqueueLifecycle(lifecycles.completesAfter(1));
    const name = await createJob(ctx.emu);
    await pollStatuses(ctx.emu, name, 1);
    expect(seen).toEqual([]);
    expect(await pollStatuses(ctx.emu, name, 2)).toEqual(["Completed", "Completed"]);
    expect(seen).toEqual([`${name}:Completed`]);
    expect(ctx.emu.hookErrors).toEqual([]);
  });

  it("records hook errors; the job still reports Completed", async () => {
    fail = true;
    ctx.emu.enqueueLifecycle(lifecycles.completesAfter(0));
    const name = await createJob(ctx.emu);
    await ctx.emu.whenHooksSettled();
    expect(ctx.emu.hookErrors).toEqual([{ job: name, message: "azurite down" }]);
    expect(await pollStatuses(ctx.emu, name, 1)).toEqual(["Completed"]);
  });
});

describe("timed lifecycles (jobs that take clock time)", () => {
  it("show each phase for its duration, then hold the end status, whatever the number of GETs", () => {
    const l = lifecycles;
    const at = statusAt;
    const life = l.timed([
      ["Queued", 60_000],
      ["Running", 600_000],
      ["Finalizing", 30_000],
    ]);
    expect(at(life, 0, 0)).toBe("Queued");
    expect(at(life, 50, 59_999)).toBe("Queued");
    expect(at(life, 1, 60_000)).toBe("Running");
    expect(at(life, 1, 660_000)).toBe("Finalizing");
    expect(at(life, 0, 690_000)).toBe("Completed");
    expect(timedEnd(life, 1000)).toBe(691_000);
    expect(at(l.timed([["Running", 10]], "Failed", "boom"), 0, 10)).toBe("Failed");
  });
});
