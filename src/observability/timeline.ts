/**
 * A run's story, bounded: what happened and when (started, pre-flight, invoked, status changes,
 * cancel requests, outcome), so the status endpoint tells it without opening Azure. Pure.
 */
export type TimelineEvent =
  | "started"
  | "preflight"
  | "invoked"
  | "invokeRetry"
  | "status"
  | "statusReadFailed"
  | "cancelRequested"
  | "cancelSent"
  | "cancelFailed"
  | "output"
  | "succeeded"
  | "failed"
  | "canceled"
  | "omitted";

export interface TimelineEntry {
  at: string;
  event: TimelineEvent;
  detail: string | null;
}

/** Entries kept: the first few (how it began) and the latest (how it is going). */
export const maxTimelineEntries = 30;
const keptFromStart = 8;
const maxDetail = 200;

/**
 * Appends an entry; past the bound, the middle is dropped and one `omitted` entry counts what
 * went (so a week of status reads cannot grow the custom status past its size limit).
 */
export function appendTimeline(timeline: readonly TimelineEntry[], entry: TimelineEntry, max = maxTimelineEntries): TimelineEntry[] {
  const detail = entry.detail === null ? null : entry.detail.length > maxDetail ? `${entry.detail.slice(0, maxDetail - 1)}…` : entry.detail;
  const next = [...timeline, { ...entry, detail }];
  if (next.length <= max) return next;
  const head = next.slice(0, keptFromStart);
  const marker = next[keptFromStart]?.event === "omitted" ? next[keptFromStart] : undefined;
  const tail = next.slice(marker ? keptFromStart + 1 : keptFromStart);
  let count = marker ? Number(/^\d+/.exec(marker.detail ?? "")?.[0] ?? 0) : 0;
  const firstDropped = tail[0] as TimelineEntry;
  while (head.length + 1 + tail.length > max) {
    tail.shift();
    count++;
  }
  return [...head, { at: marker?.at ?? firstDropped.at, event: "omitted", detail: `${count} entr${count === 1 ? "y" : "ies"} omitted` }, ...tail];
}
