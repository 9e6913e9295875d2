/**
 * A run that failed or was canceled leaves its full record in its output (its custom status is
 * a summary): Durable stores the thrown error's message as the output
 * (`Orchestrator function '<name>' failed: <message>`), whose first line is `<code>: <message>`
 * and whose second is the record as JSON. This module writes and reads that form.
 */
import { asObject, parseJson } from "../json";
import type { RunError, RunProgress } from "./types";

export type RunRecord = Pick<RunProgress, "job" | "polls" | "error" | "detection" | "preflight" | "warnings" | "timeline" | "diagnostics">;

export function runRecord(progress: RunProgress): RunRecord {
  const { job, polls, error, detection, preflight, warnings, timeline, diagnostics } = progress;
  return { job, polls, error, detection, preflight, warnings, timeline, ...(diagnostics !== undefined ? { diagnostics } : {}) };
}

/** The message a run throws to end failed: its error on one line, then its record. */
export function failureMessage(error: RunError, record: RunRecord): string {
  return `${error.code}: ${error.message.replace(/\s+/g, " ")}\n${JSON.stringify(record)}`;
}

/** The record from a failed orchestration's output; null when absent or unreadable (a failure the run did not raise itself). */
export function failureRecord(output: unknown): Record<string, unknown> | null {
  if (typeof output !== "string") return null;
  const newline = output.indexOf("\n");
  if (newline < 0) return null;
  return asObject(parseJson(output.slice(newline + 1))) ?? null;
}
