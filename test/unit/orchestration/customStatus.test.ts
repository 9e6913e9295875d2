import { describe, expect, it } from "vitest";
import type { RunProgress } from "../../../src/runs/types";
import {
  boundedProgress,
  customStatusBudgetBytes,
  preflightSummary,
  timelineSummary,
  utf16Bytes,
  warningsSummary,
} from "../../../src/orchestration/customStatus";
import type { PreflightCheck } from "../../../src/runs/preflightReport";

const check = (i: number, result: PreflightCheck["result"]): PreflightCheck => ({
  target: `inputs.in_${i}`,
  uri: `azureml://datastores/ds/paths/${"p".repeat(300)}/${i}`,
  blobUrl: null,
  result,
  code: result === "passed" ? null : "InputNotFound",
  message: "m".repeat(400),
});
const entry = (i: number) => ({ at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(), event: "status" as const, detail: `d${i} ${"x".repeat(300)}` });

function progress(overrides: Partial<RunProgress> = {}): RunProgress {
  return {
    phase: "Monitoring",
    job: { name: "batchjob-1", id: `/subscriptions/s/${"i".repeat(300)}`, status: "Running", studioUrl: "https://ml.azure.com/runs/batchjob-1" },
    polls: 3,
    lastPolledAt: null,
    nextPollAt: null,
    ...overrides,
  };
}

describe("custom status summary", () => {
  it("keeps the checks that matter most, shortened, and counts them all", () => {
    const summary = preflightSummary({
      mode: "warn",
      checks: [check(1, "passed"), check(2, "warning"), check(3, "skipped"), check(4, "failed"), check(5, "passed"), check(6, "warning")],
    });
    expect(summary.checks.map((c) => c.result)).toEqual(["failed", "warning", "warning", "skipped"]);
    expect(summary.counts).toEqual({ passed: 2, warning: 2, skipped: 1, failed: 1 });
    expect(summary.checks.every((c) => c.message.length <= 160 && c.uri.length <= 160)).toBe(true);
  });

  it("lists the first warnings and says how many more there are", () => {
    const warnings = Array.from({ length: 10 }, (_, i) => ({ code: `W${i}`, message: "w".repeat(500) }));
    const summary = warningsSummary(warnings);
    expect(summary.map((w) => w.code)).toEqual(["W0", "W1", "W2", "MoreWarnings"]);
    expect(summary[3]!.message).toMatch(/^7 more warning/);
  });

  it("keeps the timeline's first entry and the latest ones, with what was omitted", () => {
    const summary = timelineSummary(Array.from({ length: 20 }, (_, i) => entry(i)));
    expect(summary).toHaveLength(6);
    expect(summary[0]!.detail).toMatch(/^d0 /);
    expect(summary[1]).toMatchObject({ event: "omitted", detail: expect.stringMatching(/^15 entries omitted/) });
    expect(summary.at(-1)!.detail).toMatch(/^d19 /);
    expect(summary.every((e) => (e.detail ?? "").length <= 120)).toBe(true);
  });
});

describe("boundedProgress", () => {
  it("a large report fits the budget", () => {
    const big = progress({
      error: { code: "JobFailed", message: "e".repeat(2000), jobStatus: "Failed" },
      preflight: { mode: "warn", checks: Array.from({ length: 300 }, (_, i) => check(i, "warning")) },
      warnings: Array.from({ length: 300 }, (_, i) => ({ code: "InputNotFound", message: "w".repeat(400) + i })),
      timeline: Array.from({ length: 30 }, (_, i) => entry(i)),
    });
    expect(utf16Bytes(big)).toBeGreaterThan(100_000);
    const bounded = boundedProgress(big);
    expect(utf16Bytes(bounded)).toBeLessThanOrEqual(customStatusBudgetBytes);
    expect(bounded).toMatchObject({ phase: "Monitoring", polls: 3, error: { code: "JobFailed", jobStatus: "Failed" } });
    expect(bounded.preflight!.counts).toEqual({ warning: 300 });
  });

  it("sheds the oldest timeline entries first, then warnings, then checks, until it fits a smaller budget", () => {
    const p = progress({
      preflight: { mode: "warn", checks: [check(1, "failed")] },
      warnings: [{ code: "W", message: "w".repeat(150) }],
      timeline: Array.from({ length: 6 }, (_, i) => entry(i)),
    });
    const full = boundedProgress(p);
    const tight = boundedProgress(p, utf16Bytes(full) - 400);
    expect(tight.timeline!.length).toBeLessThan(full.timeline!.length);
    expect(tight.timeline!.at(-1)).toEqual(full.timeline!.at(-1));
    expect(tight.warnings).toEqual(full.warnings);
  });

  it("whatever comes, the essentials fit", () => {
    const absurd = progress({ job: { name: "n".repeat(10_000), id: "i".repeat(10_000), status: "Running", studioUrl: "https://x/" + "u".repeat(10_000) } });
    const bounded = boundedProgress(absurd);
    expect(utf16Bytes(bounded)).toBeLessThanOrEqual(customStatusBudgetBytes);
    expect(bounded).toMatchObject({ phase: "Monitoring", polls: 3 });
  });
});
