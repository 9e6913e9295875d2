/**
 * The run's custom status, kept small whatever the request. Durable caps custom status at 16 KB
 * of UTF-16 JSON and fails the whole episode past it, which would leave a job running with no run
 * watching it. So the status carries the phase, the job, the counters, the next poll and a short
 * error, plus a bounded summary of the pre-flight checks, the warnings and the latest timeline
 * entries; the full record goes in the run's output when it ends. Pure.
 */
import type { RunState } from "../runs/runInput";
import type { RunDiagnostics } from "../runs/diagnostics";
import type { PollPacing, RunDetection, RunError, RunProgress, SlotWait } from "../runs/types";
import type { TimelineEntry } from "../observability/timeline";
import type { CheckResult, PreflightCheck, PreflightReport, RunWarning } from "../runs/preflightReport";

/** Half of Durable's limit: room for the extension's own serializer to differ from JSON.stringify. */
export const customStatusBudgetBytes = 8 * 1024;

const limits = {
  errorMessage: 500,
  checks: 4,
  checkText: 160,
  warnings: 3,
  warningText: 160,
  timeline: 6,
  timelineDetail: 120,
  errorLines: 2,
  errorLineText: 160,
} as const;

/** UTF-16 bytes of a value's JSON text, as Durable measures custom status. */
export function utf16Bytes(value: unknown): number {
  return (JSON.stringify(value) ?? "").length * 2;
}

const cut = (text: string, max: number): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

const severity: Record<CheckResult, number> = { failed: 0, warning: 1, skipped: 2, passed: 3 };

/** The checks that matter most (failed, then warned, then skipped), shortened, with the counts of all. */
export function preflightSummary(report: PreflightReport, maxChecks: number = limits.checks): PreflightReport {
  const counts: Partial<Record<CheckResult, number>> = {};
  for (const c of report.checks) counts[c.result] = (counts[c.result] ?? 0) + 1;
  const checks = [...report.checks]
    .sort((a, b) => severity[a.result] - severity[b.result])
    .slice(0, maxChecks)
    .map((c): PreflightCheck => ({
      ...c,
      target: cut(c.target, 64),
      uri: cut(c.uri, limits.checkText),
      blobUrl: c.blobUrl === null ? null : cut(c.blobUrl, limits.checkText),
      message: cut(c.message, limits.checkText),
    }));
  return { mode: report.mode, checks, counts };
}

/** The first warnings, shortened; one last entry says how many more the result will list. */
export function warningsSummary(warnings: readonly RunWarning[], max: number = limits.warnings): RunWarning[] {
  const shown = warnings.slice(0, max).map((w) => ({ code: w.code, message: cut(w.message, limits.warningText) }));
  const more = warnings.length - shown.length;
  return more > 0 ? [...shown, { code: "MoreWarnings", message: `${more} more warning(s): the run's result lists them all when it ends.` }] : shown;
}

/** The first entry (how it began) and the latest ones. */
export function timelineSummary(timeline: readonly TimelineEntry[], max: number = limits.timeline): TimelineEntry[] {
  const shorten = (e: TimelineEntry): TimelineEntry => ({ ...e, detail: e.detail === null ? null : cut(e.detail, limits.timelineDetail) });
  if (timeline.length <= max) return timeline.map(shorten);
  const first = timeline[0] as TimelineEntry;
  const latest = timeline.slice(timeline.length - (max - 2));
  const omitted = timeline.length - latest.length - 1;
  return [
    shorten(first),
    { at: latest[0]!.at, event: "omitted", detail: `${omitted} entr${omitted === 1 ? "y" : "ies"} omitted here; the result lists them` },
    ...latest.map(shorten),
  ];
}

/** Diagnostics with their first error lines only, shortened: the result has them all. */
export function diagnosticsSummary(diagnostics: RunDiagnostics): RunDiagnostics {
  return { ...diagnostics, errorLines: diagnostics.errorLines.slice(0, limits.errorLines).map((l) => cut(l, limits.errorLineText)) };
}

function shortError(error: RunError, max: number): RunError {
  return { ...error, message: cut(error.message, max) };
}

/**
 * The custom status for `progress`: summarized, then, if still over the budget, shed in order of
 * least use (older timeline entries, warnings, checks, the error's text, the job's long ids)
 * until it fits.
 */
export function boundedProgress(progress: RunProgress, budgetBytes: number = customStatusBudgetBytes): RunProgress {
  const bounded: RunProgress = {
    ...progress,
    ...(progress.error ? { error: shortError(progress.error, limits.errorMessage) } : {}),
    ...(progress.preflight ? { preflight: preflightSummary(progress.preflight) } : {}),
    ...(progress.warnings ? { warnings: warningsSummary(progress.warnings) } : {}),
    ...(progress.timeline ? { timeline: timelineSummary(progress.timeline) } : {}),
    ...(progress.diagnostics ? { diagnostics: diagnosticsSummary(progress.diagnostics) } : {}),
  };
  const fits = () => utf16Bytes(bounded) <= budgetBytes;
  // The usual case, measured once: every replayed poll sets the status again, and each measure is a JSON text.
  if (fits()) return bounded;
  // The poll marks only draw ticks on the console's timeline: the first thing to go.
  if (!fits()) delete bounded.pollMarks;
  if (!fits() && bounded.diagnostics) bounded.diagnostics = { ...bounded.diagnostics, errorLines: [] };
  while (!fits() && bounded.timeline && bounded.timeline.length > 0) bounded.timeline = bounded.timeline.slice(1);
  while (!fits() && bounded.warnings && bounded.warnings.length > 0) bounded.warnings = bounded.warnings.slice(0, -1);
  while (!fits() && bounded.preflight && bounded.preflight.checks.length > 0)
    bounded.preflight = { ...bounded.preflight, checks: bounded.preflight.checks.slice(0, -1) };
  if (!fits() && bounded.error) bounded.error = shortError(bounded.error, 120);
  if (!fits() && bounded.job) bounded.job = { ...bounded.job, id: cut(bounded.job.id, 200), studioUrl: null };
  if (fits()) return bounded;
  // Nothing else can be this large; keep what a caller needs most.
  return {
    phase: progress.phase,
    job: progress.job ? { name: cut(progress.job.name, 100), id: "", status: cut(progress.job.status, 40), studioUrl: null } : null,
    polls: progress.polls,
    lastPolledAt: progress.lastPolledAt,
    nextPollAt: progress.nextPollAt,
    ...(progress.error ? { error: { code: cut(progress.error.code, 64), message: "See the run's result." } } : {}),
  };
}

export type Phase = "Preflight" | "WaitingForSlot" | "Invoking" | "Monitoring" | "Canceling" | "Succeeded" | "Failed" | "Canceled";

/** What the run shows of itself at a step: its state, the phase, the next poll, how its job's end was seen, its error. */
export function progressOf(
  state: RunState,
  phase: Phase,
  extras: {
    nextPoll?: Date | null;
    detection?: RunDetection | null;
    error?: RunError | null;
    diagnostics?: RunDiagnostics | null;
    slot?: SlotWait | null;
    pacing?: PollPacing | null;
  } = {},
): RunProgress {
  return {
    phase,
    job: state.job ? { name: state.job.name, id: state.job.id, status: state.job.status, studioUrl: state.job.studioUrl } : null,
    polls: state.polls,
    lastPolledAt: state.lastPolledAt,
    nextPollAt: extras.nextPoll ? extras.nextPoll.toISOString() : null,
    error: extras.error ?? null,
    ...(extras.detection ? { detection: extras.detection } : {}),
    ...(extras.diagnostics ? { diagnostics: extras.diagnostics } : {}),
    ...(extras.slot ? { slot: extras.slot } : {}),
    ...(extras.pacing ? { pacing: extras.pacing } : {}),
    ...(state.preflight ? { preflight: state.preflight } : {}),
    ...(state.warnings.length > 0 ? { warnings: state.warnings } : {}),
    timeline: state.timeline,
    ...(state.pollMarks ? { pollMarks: state.pollMarks } : {}),
  };
}
