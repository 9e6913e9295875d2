/**
 * What is sent when a run ends (docs/api.md#completion-callbacks): a small summary of the run,
 * and one notice per place that asked to hear of it. Built by the orchestrator (pure), sent by
 * the notice activity, one activity call per notice. Plain JSON.
 */
import type { ActivityLogFields } from "../batch/types";
import type { RunError } from "./types";

/** The run's end, small enough for a callback body and an event's data (no request, no timeline). */
export interface RunEndSummary {
  id: string;
  status: "Succeeded" | "Failed" | "Canceled";
  /** When the orchestration decided the outcome (replayed time: the same on every send). */
  endedAt: string;
  job: { name: string; status: string; studioUrl: string | null } | null;
  /** The predictions file of a Succeeded run, when there is one. */
  output: { uri: string } | null;
  error: RunError | null;
  /** The codes of the run's warnings; the run view has their messages. */
  warnings: string[];
}

export type NoticeChannel = "callback" | "webhook" | "eventGrid";

export type RunEndNotice = { summary: RunEndSummary; log?: ActivityLogFields } & (
  { channel: "callback"; url: string } | { channel: "webhook"; url: string; secretSetting: string } | { channel: "eventGrid"; topic: string }
);

/** A notice was delivered: the receiver's HTTP status. */
export interface NoticeDelivered {
  status: number;
}
