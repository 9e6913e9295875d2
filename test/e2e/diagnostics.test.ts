/**
 * Failure diagnostics end to end through the dev host, the emulator and Azurite: the emulator
 * cuts the input's files into mini-batches of the job's size, fails the items its lifecycle
 * scripts, ends the job by its error threshold and leaves its logs in the artifact store; the
 * run reads them through Run History and shows counts, first error lines and times.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { runToEnd, type Stack, startStack } from "./stack";

const INPUT = "scoring/diagnostics-input/";

describe("failure diagnostics", () => {
  let stack: Stack;
  let run = 0;
  /** 23 input files: mini-batches of 5 make 5 of them, the last holding 3 items. */
  const body = (settings: Record<string, unknown>) =>
    stack.startBody({
      inputs: { input_data: { type: "uri_folder", uri: `azureml://datastores/workspaceblobstore/paths/${INPUT}` } },
      output: { uri: `azureml://datastores/workspaceblobstore/paths/scoring/diagnostics-output/run-${++run}.csv` },
      settings,
    });

  beforeAll(async () => {
    stack = await startStack({ azurite: true });
    for (let i = 1; i <= 23; i++) {
      const text = `age,income\n${i},${i * 1000}\n`;
      await stack.datastore!.getBlockBlobClient(`${INPUT}part-${String(i).padStart(2, "0")}.csv`).upload(text, text.length);
    }
  });
  afterAll(async () => stack?.stop());

  it("a job with failed items under errorThreshold completes, with the counts in diagnostics and a warning", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.withFailedItems(3, { itemError: "KeyError: 'tenure_months'" }));
    const view = await runToEnd(stack, body({ miniBatchSize: 5, errorThreshold: 10 }));
    expect(view.status).toBe("Succeeded");
    expect(view.diagnostics).toMatchObject({ miniBatches: { total: 5, processed: 4, failed: 1 }, source: "logs" });
    expect(view.diagnostics.errorLines[0]).toBe("Error processing input file part-21.csv: KeyError: 'tenure_months'");
    expect(view.diagnostics.errorLines).toHaveLength(3);
    expect(view.diagnostics.logs).toMatchObject({
      step: "batchscoring",
      studioUrl: view.job.studioUrl,
      folder: expect.stringMatching(/^azureml:\/\/datastores\/workspaceartifactstore\/paths\/ExperimentRun\/dcid\./),
    });
    expect(view.diagnostics.queuedSeconds).toBeGreaterThanOrEqual(0);
    expect(view.diagnostics.runningSeconds).toBeGreaterThan(0);
    expect(view.warnings.map((w: { code: string }) => w.code)).toEqual(["MiniBatchesFailed"]);
    expect(view.warnings[0].message).toContain("1 of 5 mini-batch(es) failed");
  });

  it("a job whose items all scored: no diagnostics, no warning", async () => {
    const view = await runToEnd(stack, body({ miniBatchSize: 5 }));
    expect(view.status).toBe("Succeeded");
    expect(view.diagnostics).toBeNull();
    expect(view.warnings).toEqual([]);
  });

  it("a failed job's first error line appears in the run's error, and its counts in diagnostics", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.withFailedItems(4, { itemError: "ValueError: income must be a number" }));
    const view = await runToEnd(stack, body({ miniBatchSize: 5, errorThreshold: 2 }));
    expect(view.status).toBe("Failed");
    expect(view.error.code).toBe("JobFailed");
    // By default the emulator's job resource carries no error message (docs/azure-behaviour.md#job-resource-and-failure-text): the logs give the reason.
    expect(view.error.message).toMatch(
      /^The Azure ML job \S+ failed; Azure ML returned no error message with its status\. .*studio: https:\/\/ml\.azure\.com\/runs\//,
    );
    expect(view.error.message).toMatch(/ First error in the job's logs: Error processing input file part-20\.csv: ValueError: income must be a number$/);
    // Items 20-23 fail: the 4th mini-batch (16-20) and the 5th (21-23).
    expect(view.diagnostics).toMatchObject({ miniBatches: { total: 5, processed: 3, failed: 2 }, source: "logs" });
    expect(view.diagnostics.errorLines).toHaveLength(4);
    expect(view.diagnostics.runningSeconds).toBeGreaterThan(0);
    expect(view.warnings).toEqual([]);
  });

  it("logs the app may not read: the run still fails with what Azure ML said, a DiagnosticsUnavailable warning and the Studio pointer", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.failsWith("Scoring script raised an exception.", 2));
    stack.emulator.injectFault({ match: { route: "runChildren" }, times: 5, kind: { status: 403 } });
    const view = await runToEnd(stack, body({}));
    expect(view.status).toBe("Failed");
    expect(view.error.message).toMatch(/^The Azure ML job \S+ failed; Azure ML returned no error message/);
    expect(view.error.message).not.toContain("First error");
    expect(view.diagnostics).toMatchObject({
      miniBatches: null,
      errorLines: [],
      source: "none",
      logs: { studioUrl: view.job.studioUrl, step: "batchscoring" },
    });
    expect(view.warnings.map((w: { code: string }) => w.code)).toEqual(["DiagnosticsUnavailable"]);
    expect(view.warnings[0].message).toMatch(/may not read .*HTTP 403/);
  });

  it("a Completed job whose logs cannot be read is a good run: no diagnostics, no warning", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.withFailedItems(2));
    stack.emulator.injectFault({ match: { route: "runChildren" }, times: 5, kind: { status: 403 } });
    const view = await runToEnd(stack, body({}));
    expect(view.status).toBe("Succeeded");
    expect(view.diagnostics).toBeNull();
    expect(view.warnings).toEqual([]);
  });
});
