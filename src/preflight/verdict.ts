/** What a pre-flight report means for the run, and what stands in for one that could not be made. Pure. */
import type { JobOutput } from "../batch/types";
import type { RunError } from "../runs/types";
import type { DescribeOutputResult } from "./types";
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

/** Checks that could not run never block the job: one skipped check says why. */
export function checksNotRun(mode: PreflightReport["mode"], reason: string): PreflightReport {
  return {
    mode,
    checks: [{ target: "*", uri: "", blobUrl: null, result: "skipped", code: null, message: `Not checked: pre-flight failed (${reason.slice(0, 300)}).` }],
  };
}

/** The outputs could not be looked at: each as the request named it, and a warning. */
export function outputNotDescribed(outputs: readonly JobOutput[], reason: string): DescribeOutputResult {
  const file = outputs.length === 1 && outputs[0]?.type === "uri_file" ? outputs[0] : undefined;
  return {
    output: file ? { uri: file.uri, blobUrl: null, sizeBytes: null, lastModified: null, contentType: null } : null,
    outputs: outputs.map((o) => ({ name: o.name, type: o.type, uri: o.uri, blobUrl: null, fileCount: null, totalBytes: null, files: [], truncated: false })),
    warnings: [{ code: "OutputNotChecked", message: `The outputs were not looked at: ${reason.slice(0, 300)}.` }],
  };
}
