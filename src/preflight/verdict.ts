/** What a pre-flight report means for the run. Pure. */
import type { RunError } from "../runs/types";
import type { PreflightReport, RunWarning } from "../runs/preflightReport";

export interface PreflightVerdict {
  /** Set in strict mode when a check failed: the run ends before a job exists. */
  error: RunError | null;
  warnings: RunWarning[];
}

export function preflightVerdict(report: PreflightReport): PreflightVerdict {
  const failed = report.checks.filter((c) => c.result === "failed");
  const warned = report.checks.filter((c) => c.result === "warning" || (c.result === "failed" && report.mode !== "strict"));
  const first = failed[0];
  return {
    error: report.mode === "strict" && first ? { code: first.code ?? "PreflightFailed", message: `${first.target}: ${first.message}` } : null,
    warnings: warned.map((c) => ({ code: c.code ?? "PreflightWarning", message: `${c.target}: ${c.message}` })),
  };
}
