/**
 * Who hears of a run's end and what they hear: pure, so the orchestrator only calls the notice
 * activity once per notice. A notice that could not be delivered becomes a warning; the run's
 * outcome never changes because of one.
 */
import type { ActivityLogFields, BatchErrorInfo } from "../batch/types";
import type { NoticeChannel, RunEndNotice, RunEndSummary } from "../runs/runEndNotice";
import type { RunState } from "../runs/runInput";
import { canceledErrorCodes } from "../runs/runtimeStatus";
import type { RunOutput, RunWarning } from "../runs/preflightReport";
import type { RunError, ScoringRunRequest } from "../runs/types";

/** The run's end as its notices carry it: from the carried state at the moment the outcome was decided. */
export function runEndSummary(runId: string, state: RunState, end: { at: Date; error: RunError | null; output?: RunOutput | null }): RunEndSummary {
  const status = end.error === null ? "Succeeded" : canceledErrorCodes.includes(end.error.code) ? "Canceled" : "Failed";
  return {
    id: runId,
    status,
    endedAt: end.at.toISOString(),
    job: state.job ? { name: state.job.name, status: state.job.status, studioUrl: state.job.studioUrl } : null,
    output: end.output?.uri ? { uri: end.output.uri } : null,
    error: end.error,
    warnings: state.warnings.map((w) => w.code),
  };
}

/** One notice per place the request named, in a fixed order (Data Factory's callback first: a pipeline waits on it). */
export function runEndNotices(request: ScoringRunRequest, summary: RunEndSummary, log: ActivityLogFields): RunEndNotice[] {
  const notify = request.notify;
  if (!notify) return [];
  return [
    ...(notify.callBackUri ? [{ channel: "callback" as const, url: notify.callBackUri, summary, log }] : []),
    ...(notify.webhook ? [{ channel: "webhook" as const, url: notify.webhook.url, secretSetting: notify.webhook.secretSetting, summary, log }] : []),
    ...(notify.eventGridTopic ? [{ channel: "eventGrid" as const, topic: notify.eventGridTopic, summary, log }] : []),
  ];
}

const channelNames: Record<NoticeChannel, string> = {
  callback: "The Data Factory callback (callBackUri)",
  webhook: "The notify webhook",
  eventGrid: "The Event Grid event (notify.eventGridTopic)",
};

/** A notice that was not delivered: a warning on the run, which keeps its outcome. */
export function noticeFailedWarning(channel: NoticeChannel, error: BatchErrorInfo): RunWarning {
  const status = error.httpStatus !== null ? ` (HTTP ${error.httpStatus})` : "";
  return {
    code: "CallbackFailed",
    message: `${channelNames[channel]} could not be delivered${status}: ${error.message} The run's outcome is unchanged; read it with GET /api/scoring-runs/{id}.`,
  };
}
