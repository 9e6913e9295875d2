/** Human-readable text for run views, run lists, progress and errors. Pure: no I/O. */
import type { JobSettings } from "../src/batch/types";
import type { OutputManifest, RunWarning } from "../src/runs/preflightReport";
import type { RunDiagnostics } from "../src/runs/diagnostics";
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

/** 130 bytes, 2.1 KB, 3.4 MB, 1.2 GB (1024-based). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** One output's manifest: type, URI, how many files and bytes, the first file names. */
export function formatManifest(o: OutputManifest): string {
  const count = o.fileCount === null ? "not readable" : `${o.fileCount}${o.truncated ? "+" : ""} file${o.fileCount === 1 ? "" : "s"}`;
  const size = o.totalBytes === null ? "" : `, ${formatBytes(o.totalBytes)}`;
  const shown =
    o.type === "uri_folder" && o.files.length > 0
      ? ` (${o.files
          .slice(0, 3)
          .map((f) => f.name)
          .join(", ")}${o.files.length > 3 || o.truncated ? ", …" : ""})`
      : "";
  return `${o.name} ${o.type} ${o.uri}: ${count}${size}${shown}`;
}

/** The settings a request gave, as key=value (empty when the deployment's own apply). */
export function formatSettings(settings: JobSettings | undefined): string | null {
  const entries = Object.entries(settings ?? {});
  return entries.length === 0 ? null : entries.map(([k, v]) => `${k}=${String(v)}`).join(", ");
}

export function formatWarning(w: RunWarning): string {
  return `${w.code}: ${w.message}`;
}

type Row = [string, string | null];

/** "mini-batches 3 of 5 processed, 2 failed; queued 120 s; running 240 s": the diagnostics' figures on one line. */
export function formatDiagnostics(d: RunDiagnostics): string {
  const n = (v: number | null) => (v === null ? "?" : String(v));
  const parts = [
    d.miniBatches ? `mini-batches ${n(d.miniBatches.processed)} of ${n(d.miniBatches.total)} processed, ${n(d.miniBatches.failed)} failed` : "logs not read",
    d.queuedSeconds !== null ? `queued ${d.queuedSeconds} s` : null,
    d.runningSeconds !== null ? `running ${d.runningSeconds} s` : null,
  ];
  return parts.filter((p) => p !== null).join("; ");
}

/** Several rows under one label: the label on the first, blank on the rest. */
const under = (label: string, values: string[]): Row[] => values.map((v, i): Row => [i === 0 ? label : "", v]);

export function formatView(view: RunView): string[] {
  const request = view.request;
  const requested = request ? Object.entries(request.outputs) : [];
  const fileOutput = view.output ? `${view.output.uri}${view.output.sizeBytes !== null ? ` (${formatBytes(view.output.sizeBytes)})` : ""}` : null;
  // The manifests say more than the predictions file when there is a folder or several outputs.
  const manifests = view.outputs.length > 1 || view.outputs.some((o) => o.type === "uri_folder") ? view.outputs.map(formatManifest) : [];
  const rows: Row[] = [
    ["run", view.id],
    ["status", view.status],
    ["phase", view.progress.phase],
    ["job", view.job ? `${view.job.name} (${view.job.status})` : null],
    ["studio", view.job?.studioUrl ?? null],
    [
      "polls",
      `${view.progress.polls}${view.progress.lastPolledAt ? `, last ${view.progress.lastPolledAt}` : ""}${view.progress.nextPollAt ? `, next ${view.progress.nextPollAt}` : ""}`,
    ],
    ["endpoint", request?.endpointUri ?? null],
    ["deployment", request?.deployment ?? null],
    ["name", request?.displayName ?? null],
    ["experiment", request?.experimentName ?? null],
    ["settings", formatSettings(request?.settings)],
    ["output", fileOutput ?? (requested.length === 1 ? requested[0]![1].uri : null)],
    ...(manifests.length > 0
      ? under("outputs", manifests)
      : under("outputs", requested.length > 1 ? requested.map(([name, o]) => `${name} ${o.type} ${o.uri}`) : [])),
    ["created", view.createdAt],
    ["updated", view.lastUpdatedAt],
    ["error", view.error ? formatError(view.error) : null],
    ...view.warnings.map((w): Row => ["warning", formatWarning(w)]),
    ["diagnosis", view.diagnostics ? formatDiagnostics(view.diagnostics) : null],
    ...under("log error", view.diagnostics?.errorLines ?? []),
    ["logs", view.diagnostics?.logs.folder ?? null],
  ];
  return rows.filter((r): r is [string, string] => r[1] !== null && r[1] !== "").map(([k, v]) => `${(k === "" ? "" : `${k}:`).padEnd(12)}${v}`);
}

export function formatList(views: RunView[]): string[] {
  if (views.length === 0) return ["no runs"];
  const header = ["ID", "STATUS", "PHASE", "JOB", "CREATED"];
  const rows = views.map((v) => [v.id, v.status, v.progress.phase, v.job ? `${v.job.name} ${v.job.status}` : "-", v.createdAt]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ");
  return [line(header), ...rows.map(line)];
}
