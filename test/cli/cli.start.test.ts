import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { runViewKeys } from "../../src/runs/runView";
import { useCliStack } from "./cliStack";
import { runCli, startedId } from "./runCli";

const INPUT = "azureml://datastores/workspaceblobstore/paths/scoring/input/";
/** A new output file per start, as each real run needs (the same request again is the same run). */
const output = () => `azureml://datastores/workspaceblobstore/paths/scoring/output/predictions-${randomUUID()}.csv`;

describe("scoring-run start (child process against the dev host + emulator)", () => {
  const ctx = useCliStack();
  let OUTPUT = output();
  const startArgs = (...extra: string[]) => ["start", "--endpoint", ctx.stack.emulator.scoringUri, "--input", INPUT, "--output", (OUTPUT = output()), ...extra];
  /** A 1 s poll interval makes the API's Retry-After 1 s, so waits end quickly on the wall clock. */
  const quick = (...extra: string[]) => startArgs("--poll-interval", "1", ...extra);

  it("without --wait: exit 0, prints the run id and status URL, and the run exists with the flags' body", async () => {
    const r = await runCli(startArgs("--tag", "team=ml", "--deployment", "blue"), { env: ctx.env });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const id = startedId(r.stdout);
    expect(r.stdout).toContain(`/api/scoring-runs/${id}`);
    expect(r.stdout).toContain(`scoring-run cancel ${id}`);
    const view = await ctx.stack.api(`/api/scoring-runs/${id}`);
    expect([200, 202]).toContain(view.status);
    expect(view.body.request).toMatchObject({
      endpointUri: ctx.stack.emulator.scoringUri,
      deployment: "blue",
      inputs: { input_data: { type: "uri_folder", uri: INPUT } },
      outputs: { score: { type: "uri_file", uri: OUTPUT } },
      tags: { team: "ml" },
    });
  });

  it("--json prints the run view only (no durable management URLs)", async () => {
    const r = await runCli(["--json", ...startArgs()], { env: ctx.env });
    expect(r.code).toBe(0);
    const view = JSON.parse(r.stdout);
    expect(view).toMatchObject({ id: expect.any(String), status: expect.stringMatching(/Pending|Running/) });
    expect(Object.keys(view).sort()).toEqual([...runViewKeys].sort());
    expect(JSON.stringify(view)).not.toMatch(/statusQueryGetUri|cancelPostUri|code=/);
  });

  it("--wait on a run that completes: progress lines on stderr, the final view, exit 0; looks at most 10 s apart", async () => {
    const t0 = Date.now();
    const r = await runCli(startArgs("--poll-interval", "120", "--wait"), { env: ctx.env }); // Retry-After 120 → capped
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(r.code, r.stderr).toBe(0);
    const progress = r.stderr.trim().split("\n");
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress[0]).toMatch(/(Pending|Running)\s+phase \S+\s+job \S+\s+\d+s elapsed\s+\d+ polls?/);
    expect(progress[progress.length - 1]).toMatch(/Succeeded\s+phase Succeeded\s+job Completed/);
    expect(r.stdout).toMatch(/^status:\s+Succeeded$/m);
    expect(r.stdout).toMatch(/^output:\s+azureml:\/\//m);
  });

  it("--wait on a job that fails: exit 1 with JobFailed and the service's message", async () => {
    ctx.stack.emulator.configure({ failureText: "services" });
    ctx.stack.emulator.enqueueLifecycle(lifecycles.failsWith("boom", 1));
    const r = await runCli(quick("--wait"), { env: ctx.env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/failed: JobFailed: boom/);
    expect(r.stdout).toMatch(/^status:\s+Failed$/m);
  });

  it("--wait on a job Azure ML canceled: exit 2", async () => {
    ctx.stack.emulator.enqueueLifecycle(lifecycles.canceledByService(1));
    const r = await runCli(quick("--wait"), { env: ctx.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("was canceled: JobCanceled");
  });

  it("--wait --json prints only the final view on stdout", async () => {
    const r = await runCli(["--json", ...quick("--wait")], { env: ctx.env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: "Succeeded", job: { status: "Completed" } });
  });

  it("--max-wait passing before the run ends: exit 3, the run goes on, and the hint says how to cancel", async () => {
    ctx.stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Queued"));
    ctx.stack.host.engine.autoAdvance = false; // hold virtual time: the job stays queued
    const r = await runCli(startArgs("--timeout", "600", "--max-wait", "2"), { env: ctx.env });
    expect(r.code).toBe(3);
    const id = /status (\S+) --wait/.exec(r.stderr)?.[1];
    expect(id).toBeDefined();
    expect(r.stderr).toContain(`scoring-run cancel ${id}`);
    expect(r.stderr).toContain("NOT canceled");
    expect((await ctx.stack.api(`/api/scoring-runs/${id}`)).body.status).toBe("Running");
    expect((await runCli(["cancel", id!], { env: ctx.env })).code).toBe(0);
  });

  it("a 400 from the API: exit 64, each field named, nothing started", async () => {
    const before = ctx.stack.host.engine.all().length;
    const r = await runCli(["start", "--endpoint", "https://scoring.example.com/jobs", "--input", "s3://bucket/data", "--poll-interval", "0"], {
      env: ctx.env,
    });
    expect(r.code).toBe(64);
    expect(r.stderr).toContain("error: InvalidRequest:");
    expect(r.stderr).toMatch(/^ {2}endpointUri: /m);
    expect(r.stderr).toMatch(/^ {2}inputs\.input_data\.uri: /m);
    expect(r.stderr).toMatch(/^ {2}pollIntervalSeconds: /m);
    expect(ctx.stack.host.engine.all().length).toBe(before);
    expect(ctx.stack.emulator.requestsFor("invoke")).toHaveLength(0);
  });

  it("command-line mistakes: exit 64 before anything is sent", async () => {
    const before = ctx.stack.host.engine.all().length;
    const missing = await runCli(["start", "--input", INPUT], { env: ctx.env });
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain("--endpoint");
    const badType = await runCli(["start", "--endpoint", ctx.stack.emulator.scoringUri, "--input", "data=uri_blob:https://x/y"], { env: ctx.env });
    expect(badType.code).toBe(64);
    expect(badType.stderr).toContain("unknown input type 'uri_blob'");
    const badSeconds = await runCli(startArgs("--timeout", "1h"), { env: ctx.env });
    expect(badSeconds.code).toBe(64);
    expect(badSeconds.stderr).toContain("--timeout must be a whole number of seconds");
    expect((await runCli([], { env: ctx.env })).code).toBe(64);
    expect(ctx.stack.host.engine.all().length).toBe(before);
  });

  it("--idempotency-key: the same flags give the same run; other flags with that key exit 1 (IdempotencyConflict)", async () => {
    const a = await runCli(["--json", ...startArgs("--idempotency-key", "cli-key-1")], { env: ctx.env });
    const sameFlags = ["start", "--endpoint", ctx.stack.emulator.scoringUri, "--input", INPUT, "--output", OUTPUT, "--idempotency-key", "cli-key-1"];
    const b = await runCli(["--json", ...sameFlags], { env: ctx.env });
    expect(a.code).toBe(0);
    expect(b.code).toBe(0); // 202 while it runs, or 200 with the run that already Succeeded
    expect(JSON.parse(b.stdout).id).toBe(JSON.parse(a.stdout).id);
    const c = await runCli(
      ["start", "--endpoint", ctx.stack.emulator.scoringUri, "--input", INPUT, "--poll-interval", "30", "--idempotency-key", "cli-key-1"],
      { env: ctx.env },
    );
    expect(c.code).toBe(1);
    expect(c.stderr).toContain("IdempotencyConflict");
    await ctx.stack.host.engine.idle();
    expect(ctx.stack.emulator.createdJobCount).toBe(1);
  });
});
