import { describe, expect, it } from "vitest";
import { failureMessage, failureRecord, type RunRecord, runRecord } from "../../../src/runs/runRecord";
import { errorFromFailureOutput } from "../../../src/runs/runView";
import type { RunError, RunProgress } from "../../../src/runs/types";

const error: RunError = { code: "DeadlineExceeded", message: "The run exceeded 604800 s." };
const progress: RunProgress = {
  phase: "Polling",
  job: { name: "batchjob-1", id: "/subscriptions/s/jobs/batchjob-1", status: "Running", studioUrl: null },
  polls: 12,
  lastPolledAt: "2026-03-01T10:06:00.000Z",
  nextPollAt: "2026-03-01T10:08:00.000Z",
  error,
  detection: null,
  preflight: { mode: "strict", checks: [] },
  warnings: [{ code: "NestedFoldersIgnored", message: "Nested folders are ignored." }],
  timeline: [{ at: "2026-03-01T10:00:00.000Z", event: "started", detail: null }],
};
const record: RunRecord = runRecord(progress);
/** The output Durable stores for an orchestration that threw `message`. */
const durableOutput = (message: string) => `Orchestrator function 'scoringRunOrchestrator' failed: ${message}`;

describe("runRecord", () => {
  it("keeps what a failed run's record needs, not its schedule (phase, last and next poll)", () => {
    expect(record).toEqual({
      job: progress.job,
      polls: 12,
      error,
      detection: null,
      preflight: progress.preflight,
      warnings: progress.warnings,
      timeline: progress.timeline,
    });
  });
});

describe("failureMessage", () => {
  it("first line '<code>: <message>', second the record as JSON", () => {
    const [first, second, ...rest] = failureMessage(error, record).split("\n");
    expect(first).toBe("DeadlineExceeded: The run exceeded 604800 s.");
    expect(JSON.parse(second!)).toEqual(record);
    expect(rest).toEqual([]);
  });

  it("a message spread over lines or spaces is put on one line, so the record stays the second", () => {
    const text = failureMessage({ code: "JobFailed", message: "Azure ML said:\n  out of memory\r\n\tin step 2" }, record);
    expect(text.split("\n")[0]).toBe("JobFailed: Azure ML said: out of memory in step 2");
    expect(failureRecord(text)).toEqual(record);
  });
});

describe("failureRecord", () => {
  it("reads back the record failureMessage wrote, also inside Durable's 'Orchestrator function … failed:' output", () => {
    expect(failureRecord(failureMessage(error, record))).toEqual(record);
    expect(failureRecord(durableOutput(failureMessage(error, record)))).toEqual(record);
  });

  it("the same output still gives the run's error", () => {
    expect(errorFromFailureOutput(durableOutput(failureMessage(error, record)))).toEqual(error);
  });

  it.each<[string, unknown]>([
    ["no output", undefined],
    ["null", null],
    ["an object", { job: null }],
    ["a number", 42],
    ["a message of one line (a failure the run did not raise)", durableOutput("TypeError: x is undefined")],
    ["a second line that is not JSON (a stack trace)", "Error: boom\n    at run (orchestrator.js:1:1)"],
    ["a second line that is a JSON array", "Code: m\n[1,2]"],
    ["a second line that is JSON null", "Code: m\nnull"],
    ["a second line that is a JSON string", 'Code: m\n"text"'],
    ["an empty second line", "Code: m\n"],
  ])("unreadable → null: %s", (_what, output) => {
    expect(failureRecord(output)).toBeNull();
  });
});
