/** How times, ages and durations read in the console. Pure: tests run it in Node. */
import type { RunView } from "./types";

/** "42 s", "3 min 4 s", "2 h 5 min", "3 d 4 h": the two largest units. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "–";
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m} min` : `${m} min ${s % 60} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d} d` : `${d} d ${h % 24} h`;
}

/** "5 min ago"; "just now" under a second. */
export function formatAge(iso: string, nowMs: number): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "–";
  const ms = nowMs - at;
  return ms < 1000 ? "just now" : `${formatDuration(ms)} ago`;
}

/** "2026-12-02 11:19:52 UTC": one zone for everyone reading the same run. */
export function formatTime(iso: string | null): string {
  if (!iso) return "–";
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : `${at.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

export const isEnded = (status: RunView["status"]): boolean => status === "Succeeded" || status === "Failed" || status === "Canceled";

/** From the run's creation to its end, or to now while it goes on. */
export function runDurationMs(view: Pick<RunView, "status" | "createdAt" | "lastUpdatedAt">, nowMs: number): number {
  const end = isEnded(view.status) ? Date.parse(view.lastUpdatedAt) : nowMs;
  return end - Date.parse(view.createdAt);
}

/**
 * The batch endpoint a scoring URI names: the first label of an Azure host
 * (`https://<endpoint>.<region>.inference.ml.azure.com/jobs`), or on loopback the path segment
 * before `/jobs`. The URI itself when it names none.
 */
export function endpointName(scoringUri: string | null | undefined): string {
  if (!scoringUri) return "–";
  let url: URL;
  try {
    url = new URL(scoringUri);
  } catch {
    return scoringUri;
  }
  const loopback = url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
  const name = loopback
    ? url.pathname
        .split("/")
        .filter((s) => s !== "")
        .at(-2)
    : url.hostname.split(".")[0];
  return name || scoringUri;
}

/** The batch a child run belongs to (`batch-<hex>-0007` → `batch-<hex>`), or null. */
export function batchOfRun(runId: string): string | null {
  return /^(batch-[A-Za-z0-9]+)-\d{4,}$/.exec(runId)?.[1] ?? null;
}

/** A byte count for people: "130 B", "4.2 KB", "1.5 MB". */
export function formatBytes(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return "–";
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
