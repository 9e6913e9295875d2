/** Human-readable text for run views, run lists, progress and errors. Pure: no I/O. */
import type { RunView } from "../src/runs/types";

/** 4s, 1m05s, 2h03m. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** The live line while waiting: run status, phase, job status, elapsed, polls. */
export function progressText(view: RunView, elapsedMs: number): string {
  const job = view.job ? view.job.status : "-";
  const polls = view.progress.polls;
  return `${view.id}  ${view.status}  phase ${view.progress.phase}  job ${job}  ${formatDuration(elapsedMs)} elapsed  ${polls} poll${polls === 1 ? "" : "s"}`;
}

/** What makes a new progress line worth printing when the output is not a terminal. */
export function progressKey(view: RunView): string {
  return [view.status, view.progress.phase, view.job?.status ?? "", view.progress.polls].join("|");
}

export function formatError(error: { code: string; message: string; jobStatus?: string }): string {
  return `${error.code}: ${error.message}${error.jobStatus ? ` (job status ${error.jobStatus})` : ""}`;
}

export function formatView(view: RunView): string[] {
  const rows: Array<[string, string | null]> = [
    ["run", view.id],
    ["status", view.status],
    ["phase", view.progress.phase],
    ["job", view.job ? `${view.job.name} (${view.job.status})` : null],
    ["studio", view.job?.studioUrl ?? null],
    [
      "polls",
      `${view.progress.polls}${view.progress.lastPolledAt ? `, last ${view.progress.lastPolledAt}` : ""}${view.progress.nextPollAt ? `, next ${view.progress.nextPollAt}` : ""}`,
    ],
    ["endpoint", view.request?.endpointUri ?? null],
    ["deployment", view.request?.deployment ?? null],
    ["output", view.output?.uri ?? (view.request && Object.keys(view.request.outputs).length === 1 ? Object.values(view.request.outputs)[0]!.uri : null)],
    ...view.outputs
      .filter(() => view.outputs.length > 1 || view.outputs[0]?.type === "uri_folder")
      .map((o): [string, string] => [
        `  ${o.name}`,
        `${o.blobUrl ?? o.uri}: ${o.fileCount ?? "?"}${o.truncated ? "+" : ""} file(s), ${o.totalBytes ?? "?"} bytes`,
      ]),
    ["created", view.createdAt],
    ["updated", view.lastUpdatedAt],
    ["error", view.error ? formatError(view.error) : null],
  ];
  return rows.filter((r): r is [string, string] => r[1] !== null && r[1] !== "").map(([k, v]) => `${`${k}:`.padEnd(12)}${v}`);
}

export function formatList(views: RunView[]): string[] {
  if (views.length === 0) return ["no runs"];
  const header = ["ID", "STATUS", "PHASE", "JOB", "CREATED"];
  const rows = views.map((v) => [v.id, v.status, v.progress.phase, v.job ? `${v.job.name} ${v.job.status}` : "-", v.createdAt]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)];
}
