import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { buildBatchBody, progressBar } from "../../cli/commands/batch";
import { useCliStack } from "./cliStack";
import { runCli } from "./runCli";

const INPUT = "azureml://datastores/workspaceblobstore/paths/scoring/input/";
const items = (n: number) =>
  Array.from({ length: n }, () => ({
    inputs: { input_data: { type: "uri_folder", uri: INPUT } },
    output: { uri: `azureml://datastores/workspaceblobstore/paths/scoring/output/${randomUUID()}.csv` },
  }));
const tmpJson = (value: unknown) => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "cli-batch-")), "f.json");
  fs.writeFileSync(file, JSON.stringify(value));
  return file;
};

describe("scoring-run batch", () => {
  it("builds the body from a template and items, flags over files", () => {
    const body = buildBatchBody({ endpoint: "https://ep.westeurope.inference.ml.azure.com/jobs", items: tmpJson(items(2)), maxConcurrentJobs: "3" });
    expect(body).toMatchObject({ template: { endpointUri: "https://ep.westeurope.inference.ml.azure.com/jobs" }, maxConcurrentJobs: 3 });
    expect((body.items as unknown[]).length).toBe(2);
    expect(() => buildBatchBody({ endpoint: "x" })).toThrow(/items/);
    expect(
      buildBatchBody({ endpoint: "x", itemsFrom: "azureml://datastores/d/paths/in/", itemsOutput: "azureml://datastores/d/paths/out/" }).itemsFrom,
    ).toEqual({
      prefix: "azureml://datastores/d/paths/in/",
      output: "azureml://datastores/d/paths/out/",
    });
  });

  it("draws one bar for the batch", () => {
    expect(
      progressBar(
        {
          id: "b",
          status: "Running",
          phase: "Running",
          total: 4,
          stoppedBecause: null,
          counts: { NotStarted: 1, Running: 1, Succeeded: 1, Failed: 1, Canceled: 0 },
        },
        8,
      ),
    ).toBe("[####----] 2/4 ended · 1 running · 1 failed");
  });

  describe("against the dev host", () => {
    const ctx = useCliStack();
    it("--wait follows the batch to its end: exit 0 when it succeeded, 1 when it failed", async () => {
      const template = tmpJson({ endpointUri: ctx.stack.emulator.scoringUri, pollIntervalSeconds: 1, preflight: "off" });
      const ok = await runCli(["batch", "--template", template, "--items", tmpJson(items(3)), "--max-concurrent-jobs", "2", "--wait"], { env: ctx.env });
      expect(ok.stderr).toContain("3/3 ended");
      expect(ok.stdout).toMatch(/batch batch-[0-9a-f]+ Succeeded/);
      expect(ok.code).toBe(0);
      ctx.stack.emulator.setDefaultLifecycle(lifecycles.failsWith("bad", 1));
      const failed = await runCli(["batch", "--template", template, "--items", tmpJson(items(2)), "--wait"], { env: ctx.env });
      expect(failed.stdout).toMatch(/Failed/);
      expect(failed.code).toBe(1);
      const bad = await runCli(["batch", "--template", template, "--items", tmpJson(items(1)), "--max-concurrent-jobs", "99"], { env: ctx.env });
      expect(bad.code).toBe(64);
      expect(bad.stderr).toContain("maxConcurrentJobs");
    });
  });
});
