import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { pipelineDeployment } from "../../dev/stack";
import { useCliStack } from "./cliStack";
import { runCli } from "./runCli";

const INPUT = "azureml://datastores/workspaceblobstore/paths/scoring/input/";
const OUT = "azureml://datastores/workspaceblobstore/paths/scoring/output";

describe("scoring-run start: job settings, folder and several outputs (child process against the dev host + emulator + Azurite)", () => {
  const ctx = useCliStack({ azurite: true });
  const start = (...extra: string[]) => ["start", "--endpoint", ctx.stack.emulator.scoringUri, "--input", INPUT, ...extra];

  it("settings, input mode, display name and description reach the invoke; the warning is printed; the folder output's files are listed", async () => {
    const folder = `${OUT}/${randomUUID()}/`;
    const r = await runCli(
      start(
        "--input-mode",
        "Download",
        "--output",
        folder,
        "--output-file-name",
        "scores.csv",
        "--instance-count",
        "2",
        "--mini-batch-size",
        "10",
        "--max-concurrency-per-instance",
        "3",
        "--error-threshold",
        "-1",
        "--logging-level",
        "debug",
        "--max-retries",
        "4",
        "--retry-timeout",
        "300",
        "--display-name",
        "nightly scoring",
        "--description",
        "risk model",
        "--poll-interval",
        "1",
        "--wait",
      ),
      { env: ctx.env },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(
      /^warning: OverrideNotDocumented: settings\.maxConcurrencyPerInstance, settings\.loggingLevel, description, inputs\.input_data\.mode/m,
    );
    const sent = (ctx.stack.emulator.requestsFor("invoke").at(-1)!.body as { properties: Record<string, unknown> }).properties;
    expect(sent).toMatchObject({
      InputData: { input_data: { Mode: "Download" } },
      OutputData: { score: { JobOutputType: "UriFolder", Uri: folder } },
      compute: { instanceCount: 2 },
      miniBatchSize: 10,
      maxConcurrencyPerInstance: 3,
      outputFileName: "scores.csv",
      errorThreshold: -1,
      loggingLevel: "Debug",
      retrySettings: { maxRetries: 4, timeout: "PT5M" },
      description: "risk model",
      tags: { displayName: "nightly scoring" },
    });
    expect(r.stdout).toMatch(/^name:\s+nightly scoring$/m);
    expect(r.stdout).toMatch(
      /^settings:\s+instanceCount=2, miniBatchSize=10, maxConcurrencyPerInstance=3, outputFileName=scores\.csv, errorThreshold=-1, loggingLevel=Debug/m,
    );
    expect(r.stdout).toMatch(new RegExp(`^output:\\s+${folder}scores\\.csv \\(\\d+ bytes\\)$`, "m"));
    expect(r.stdout).toMatch(new RegExp(`^outputs:\\s+score uri_folder ${folder}: 1 file, \\d+ bytes \\(scores\\.csv\\)$`, "m"));
    expect(r.stdout).toMatch(/^warning:\s+OverrideNotDocumented: /m);
  });

  it("several named outputs on a pipeline-component deployment: each listed with its files; the body has outputs, not output", async () => {
    const root = `${OUT}/${randomUUID()}`;
    const r = await runCli(
      start(
        "--deployment",
        pipelineDeployment.name,
        "--output",
        `scores=${root}/scores/`,
        "--output",
        `summary=uri_file:${root}/summary.csv`,
        "--experiment-name",
        "nightly-scoring",
        "--poll-interval",
        "1",
        "--wait",
      ),
      { env: ctx.env },
    );
    expect(r.code, r.stderr).toBe(0);
    const id = /^run:\s+(\S+)$/m.exec(r.stdout)![1]!;
    const view = (await ctx.stack.api(`/api/scoring-runs/${id}`)).body;
    expect(view.request).toMatchObject({
      deployment: pipelineDeployment.name,
      experimentName: "nightly-scoring",
      outputs: { scores: { type: "uri_folder", uri: `${root}/scores/` }, summary: { type: "uri_file", uri: `${root}/summary.csv` } },
    });
    expect(r.stdout).toMatch(new RegExp(`^outputs:\\s+scores uri_folder ${root}/scores/: 1 file, \\d+ bytes \\(\\S+\\)$`, "m"));
    expect(r.stdout).toMatch(new RegExp(`^\\s{12}summary uri_file ${root}/summary\\.csv: 1 file, \\d+ bytes$`, "m"));
    expect(r.stdout).not.toMatch(/^output:/m);
  });

  it("a folder output that already holds files: exit 1 with OutputFolderNotEmpty, nothing started", async () => {
    const folder = `${OUT}/${randomUUID()}/`;
    const first = await runCli(start("--output", folder, "--poll-interval", "1", "--wait"), { env: ctx.env });
    expect(first.code, first.stderr).toBe(0);
    const jobs = ctx.stack.emulator.createdJobCount;
    const again = await runCli(start("--output", folder, "--display-name", "another request"), { env: ctx.env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: OutputFolderNotEmpty: 1 problem:$/m);
    expect(again.stderr).toMatch(/^ {2}output\.uri: The output folder .* already holds 1 file\(s\)/m);
    expect(ctx.stack.emulator.createdJobCount).toBe(jobs);
  });

  it("values the API refuses: exit 64 naming each field; command-line mistakes: exit 64 before anything is sent", async () => {
    const before = ctx.stack.host.engine.all().length;
    const bad = await runCli(start("--output", `${OUT}/${randomUUID()}.csv`, "--instance-count", "0", "--logging-level", "Verbose", "--input-mode", "Mount"), {
      env: ctx.env,
    });
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/^ {2}settings\.instanceCount: must be a whole number from 1/m);
    expect(bad.stderr).toMatch(/^ {2}settings\.loggingLevel: must be one of Info, Warning, Debug/m);
    expect(bad.stderr).toMatch(/^ {2}inputs\.input_data\.mode: must be one of ReadOnlyMount, Download, Direct/m);
    const syntax = await runCli(start("--mini-batch-size", "ten"), { env: ctx.env });
    expect(syntax.code).toBe(64);
    expect(syntax.stderr).toContain("--mini-batch-size must be a whole number");
    const both = await runCli(start("--output", `${OUT}/a.csv`, "--output", `b=${OUT}/b.csv`), { env: ctx.env });
    expect(both.code).toBe(64);
    expect(both.stderr).toContain("not both");
    expect(ctx.stack.host.engine.all().length).toBe(before);
    expect(ctx.stack.emulator.requestsFor("invoke")).toHaveLength(0);
  });
});
