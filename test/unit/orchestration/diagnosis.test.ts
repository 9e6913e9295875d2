import { describe, expect, it } from "vitest";
import { completedWithFailures, diagnosticsWarnings, runDiagnostics, withFirstErrorLine } from "../../../src/orchestration/diagnosis";
import { boundedProgress, customStatusBudgetBytes, progressOf, utf16Bytes } from "../../../src/orchestration/customStatus";
import type { JobDiagnostics, RunDiagnostics } from "../../../src/runs/diagnostics";
import type { RunError } from "../../../src/runs/types";
import { at, request, runningState, t0 } from "./fixtures";

const found: JobDiagnostics = {
  miniBatches: { total: 12, processed: 10, failed: 2 },
  errorLines: ["ValueError: income must be a number", "KeyError: 'age'"],
  logs: { studioUrl: "https://ml.azure.com/runs/batchjob-1", step: "batchscoring", files: ["logs/job_progress_overview.txt"], folder: null },
  source: "logs",
  warnings: [],
};

const diagnostics = (overrides: Partial<RunDiagnostics> = {}): RunDiagnostics => ({
  queuedSeconds: 60,
  runningSeconds: 300,
  miniBatches: null,
  errorLines: [],
  logs: { studioUrl: null, step: "batchscoring", files: [], folder: null },
  source: "none",
  ...overrides,
});

describe("runDiagnostics", () => {
  it("queued from the invoke to the first read past the queue, running from there to the end", () => {
    const state = runningState(request(), { invokedAt: t0.toISOString(), runningAt: at(90).toISOString() });
    expect(runDiagnostics(state, found, at(450))).toEqual({ ...found, warnings: undefined, queuedSeconds: 90, runningSeconds: 360 });
  });

  it("a job never seen past the queue: all its time queued, running unknown", () => {
    const state = runningState(request(), { runningAt: null });
    expect(runDiagnostics(state, found, at(200))).toMatchObject({ queuedSeconds: 200, runningSeconds: null });
  });

  it("logs not read: the job's Studio link and the files to open, nothing else", () => {
    const state = runningState(request(), { job: { ...runningState(request()).job!, studioUrl: "https://ml.azure.com/runs/batchjob-1" } });
    const d = runDiagnostics(state, { notRead: "the worker failed" }, at(10));
    expect(d).toMatchObject({
      miniBatches: null,
      errorLines: [],
      source: "none",
      logs: { studioUrl: "https://ml.azure.com/runs/batchjob-1", step: "batchscoring" },
    });
    expect(d.logs.files).toEqual(["logs/job_progress_overview.txt", "logs/user/error.txt"]);
    expect(diagnosticsWarnings({ notRead: "the worker failed" })).toEqual([
      expect.objectContaining({ code: "DiagnosticsUnavailable", message: expect.stringContaining("the worker failed") }),
    ]);
    expect(diagnosticsWarnings(found)).toEqual([]);
  });
});

describe("withFirstErrorLine", () => {
  const error: RunError = { code: "JobFailed", message: "User program failed with Exception: Run failed.", jobStatus: "Failed" };

  it("adds the logs' first line after Azure ML's message", () => {
    expect(withFirstErrorLine(error, diagnostics({ errorLines: ["ValueError: bad", "more"] })).message).toBe(
      "User program failed with Exception: Run failed. First error in the job's logs: ValueError: bad",
    );
  });

  it("leaves the error alone when there is no line, or the message already says it", () => {
    expect(withFirstErrorLine(error, diagnostics())).toBe(error);
    expect(withFirstErrorLine(error, diagnostics({ errorLines: ["Run failed."] }))).toBe(error);
    const long = { ...error, message: `Mini batch failed: ${"e".repeat(1981)}` };
    expect(withFirstErrorLine(long, diagnostics({ errorLines: [`Mini batch failed: ${"e".repeat(280)}…`] }))).toBe(long);
  });

  it("a long message is shortened so the line still fits in the 2,000 characters a view shows", () => {
    const long = { ...error, message: "x".repeat(1990) };
    const message = withFirstErrorLine(long, diagnostics({ errorLines: ["ValueError: bad"] })).message;
    expect(message.length).toBeLessThanOrEqual(2000);
    expect(message.endsWith("First error in the job's logs: ValueError: bad")).toBe(true);
  });
});

describe("completedWithFailures", () => {
  it("warns with the counts and the first error when mini-batches failed", () => {
    const warning = completedWithFailures(diagnostics({ miniBatches: { total: 12, processed: 10, failed: 2 }, errorLines: ["ValueError: bad"] }));
    expect(warning?.code).toBe("MiniBatchesFailed");
    expect(warning?.message).toContain("2 of 12 mini-batch(es) failed");
    expect(warning?.message).toContain("First error: ValueError: bad");
  });

  it("nothing when none failed or the counts are unknown", () => {
    expect(completedWithFailures(diagnostics({ miniBatches: { total: 12, processed: 12, failed: 0 } }))).toBeNull();
    expect(completedWithFailures(diagnostics({ miniBatches: { total: null, processed: 3, failed: null } }))).toBeNull();
    expect(completedWithFailures(diagnostics())).toBeNull();
  });
});

describe("diagnostics in the custom status", () => {
  it("at most two error lines, shortened; all of them in the result", () => {
    const lines = Array.from({ length: 10 }, (_, i) => `${i}: ${"E".repeat(299)}`);
    const progress = progressOf(runningState(request()), "Failed", { diagnostics: diagnostics({ errorLines: lines }) });
    const bounded = boundedProgress(progress);
    expect(bounded.diagnostics?.errorLines).toHaveLength(2);
    expect(bounded.diagnostics?.errorLines.every((l) => l.length <= 160)).toBe(true);
    expect(progress.diagnostics?.errorLines).toHaveLength(10);
    expect(utf16Bytes(bounded)).toBeLessThanOrEqual(customStatusBudgetBytes);
  });
});
