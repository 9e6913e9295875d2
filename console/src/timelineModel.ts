/**
 * A run's timeline as bars, ticks and marks, from its view alone: the phases (pre-flight, queued,
 * running, finalizing, callbacks) from the timeline's entries, each status poll from
 * `progress.recentPolls`, each entry as a mark. The view's timeline keeps its first and latest
 * entries (an `omitted` entry stands for the middle), so a phase whose start was dropped begins at
 * the gap. Pure: tests run it in Node.
 */
import { isEnded } from "./format";
import type { RunView } from "./types";

export type PhaseName = "preflight" | "queued" | "running" | "finalizing" | "callbacks";
export const phaseNames: readonly PhaseName[] = ["preflight", "queued", "running", "finalizing", "callbacks"];
export const phaseLabels: Record<PhaseName, string> = {
  preflight: "Pre-flight",
  queued: "Queued",
  running: "Running",
  finalizing: "Finalizing",
  callbacks: "Callbacks",
};

export interface TimelineBar {
  phase: PhaseName;
  from: number;
  to: number;
  /** Still going: the bar ends at "now". */
  open: boolean;
}

export interface TimelineMark {
  at: number;
  event: string;
  detail: string | null;
  /** A status change an Azure ML event reported (not a poll). */
  byEvent: boolean;
}

export interface TimelineModel {
  start: number;
  end: number;
  bars: TimelineBar[];
  /** The latest status polls (ms). */
  polls: number[];
  /** Polls made before the ones in `polls`. */
  earlierPolls: number;
  marks: TimelineMark[];
  /** The view's timeline dropped entries from its middle. */
  omitted: boolean;
}

const queuedStatuses = new Set(["NotStarted", "Starting", "Provisioning", "Preparing", "Queued"]);
const jobEndStatuses = new Set(["Completed", "Failed", "Canceled"]);
const outcomeEvents = new Set(["succeeded", "failed", "canceled"]);

type JobPhase = "queued" | "running" | "finalizing" | "ended";

function jobPhaseOf(status: string): JobPhase {
  if (queuedStatuses.has(status)) return "queued";
  if (status === "Finalizing") return "finalizing";
  if (jobEndStatuses.has(status)) return "ended";
  return "running";
}

type ViewForTimeline = Pick<RunView, "status" | "createdAt" | "lastUpdatedAt" | "timeline" | "progress" | "request">;

export function timelineModel(view: ViewForTimeline, nowMs: number): TimelineModel {
  const entries = view.timeline.map((e) => ({ ...e, ms: Date.parse(e.at) })).filter((e) => !Number.isNaN(e.ms));
  const ended = isEnded(view.status);
  const created = Date.parse(view.createdAt);
  const start = Math.min(...[created, ...entries.map((e) => e.ms)].filter((ms) => !Number.isNaN(ms)));
  const lastEntry = entries.at(-1)?.ms ?? start;
  const end = Math.max(lastEntry, ended ? Date.parse(view.lastUpdatedAt) || lastEntry : nowMs);

  const bars: TimelineBar[] = [];
  const add = (phase: PhaseName, from: number, to: number, open = false) => {
    const last = bars.at(-1);
    if (last && last.phase === phase && last.to >= from) last.to = Math.max(last.to, to);
    else bars.push({ phase, from, to: Math.max(from, to), open });
  };

  // Pre-flight: from the start to its report; still open while the run is in it.
  const preflight = entries.find((e) => e.event === "preflight");
  if (preflight) add("preflight", entries.find((e) => e.event === "started")?.ms ?? start, preflight.ms);
  else if (!ended && view.progress.phase === "Preflight") add("preflight", start, end, true);

  // The job: each status change closes one phase and opens the next.
  let current: { phase: Exclude<JobPhase, "ended">; from: number } | null = null;
  let gapAt: number | null = null;
  let outcomeAt: number | null = null;
  const moveTo = (status: string, at: number) => {
    const next = jobPhaseOf(status);
    if (current && current.phase === next) return;
    if (current) add(current.phase, current.from, at);
    current = next === "ended" ? null : { phase: next, from: at };
  };
  for (const e of entries) {
    if (e.event === "omitted") gapAt = e.ms;
    else if (e.event === "invoked") moveTo(/\(([A-Za-z]+)\)/.exec(e.detail ?? "")?.[1] ?? "Queued", e.ms);
    else if (e.event === "status") {
      const change = /^([A-Za-z]+) → ([A-Za-z]+)/.exec(e.detail ?? "");
      if (!change) continue;
      // The phase's start was in the dropped middle: draw it from the gap.
      if (!current && gapAt !== null && jobPhaseOf(change[1]!) !== "ended")
        current = { phase: jobPhaseOf(change[1]!) as Exclude<JobPhase, "ended">, from: gapAt };
      moveTo(change[2]!, e.ms);
    } else if (outcomeEvents.has(e.event)) {
      outcomeAt = e.ms;
      if (current) add(current.phase, current.from, e.ms);
      current = null;
    }
  }
  const stillOpen = current as { phase: Exclude<JobPhase, "ended">; from: number } | null;
  if (stillOpen) add(stillOpen.phase, stillOpen.from, end, !ended);

  // Callbacks: the notices go out after the outcome is decided, before the run's status turns final.
  const notify = view.request?.notify;
  const asked = Boolean(notify && (notify.callBackUri || notify.webhook || notify.eventGridTopic));
  if (asked && ended && outcomeAt !== null) add("callbacks", outcomeAt, Math.max(outcomeAt, Date.parse(view.lastUpdatedAt) || outcomeAt));

  const polls = view.progress.recentPolls.map((p) => Date.parse(p)).filter((ms) => !Number.isNaN(ms));
  return {
    start,
    end,
    bars,
    polls,
    earlierPolls: Math.max(0, view.progress.polls - polls.length),
    marks: entries
      .filter((e) => e.event !== "omitted")
      .map((e) => ({ at: e.ms, event: e.event, detail: e.detail, byEvent: e.event === "status" && /\(event\)/.test(e.detail ?? "") })),
    omitted: entries.some((e) => e.event === "omitted"),
  };
}
