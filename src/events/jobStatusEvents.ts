/**
 * Azure ML job events (`RunStatusChanged`, `RunCompleted`) wake the scoring run waiting on that
 * job, so completion is noticed in seconds instead of at the next poll. A signal only wakes the
 * run: the run reads the job's status before acting, because events can be late, repeated, out
 * of order or forged. The run is found without any stored mapping: the invoke tags the job with
 * `scoringRunId`, and the job name must match the job the run is waiting on.
 */
import { asObject } from "../json";
import type { RunsClient } from "../runs/durableRuns";
import { isLive } from "../runs/runtimeStatus";
import type { EventOutcome } from "./startRunsForBlobEvents";
import { type IncomingEvent, toIncomingEvent } from "./toIncomingEvent";

export const jobEventTypes = new Set(["Microsoft.MachineLearningServices.RunStatusChanged", "Microsoft.MachineLearningServices.RunCompleted"]);

export const isJobEvent = (raw: unknown): boolean => {
  const e = raw as { eventType?: unknown; type?: unknown } | null;
  return jobEventTypes.has(String(e?.eventType ?? e?.type ?? ""));
};

export type JobEventDecision = { kind: "signal"; jobName: string; status: string | null; runId: string | null } | { kind: "ignore"; reason: string };

const asRecord = (v: unknown): Record<string, unknown> => asObject(v) ?? {};

export function decideJobEvent(event: IncomingEvent): JobEventDecision {
  if (!jobEventTypes.has(event.eventType)) return { kind: "ignore", reason: `event type ${event.eventType} is not a job status event` };
  const jobName = event.data.runId;
  if (typeof jobName !== "string" || jobName === "") return { kind: "ignore", reason: "data.runId is missing" };
  const marker = asRecord(event.data.runTags).scoringRunId ?? asRecord(event.data.runProperties).scoringRunId;
  const status = event.eventType.endsWith("RunCompleted") ? "Completed" : typeof event.data.runStatus === "string" ? event.data.runStatus : null;
  return { kind: "signal", jobName, status, runId: typeof marker === "string" ? marker : null };
}

/** The job a run is waiting on, from its custom status (set by the orchestrator each step). */
const jobOf = (customStatus: unknown): string | undefined => asRecord(asRecord(customStatus).job).name as string | undefined;

export async function signalRunsForJobEvents(rawEvents: unknown[], runs: RunsClient, log: (message: string) => void): Promise<EventOutcome[]> {
  const outcomes: EventOutcome[] = [];
  for (const raw of rawEvents) {
    const outcome = await signalOne(raw, runs);
    log(
      `job event ${outcome.eventId ?? "(no id)"}: ${outcome.outcome}${outcome.runId ? ` run ${outcome.runId}` : ""}${outcome.reason ? `: ${outcome.reason}` : ""}`,
    );
    outcomes.push(outcome);
  }
  return outcomes;
}

async function signalOne(raw: unknown, runs: RunsClient): Promise<EventOutcome> {
  const event = toIncomingEvent(raw);
  if ("malformed" in event) return { eventId: null, outcome: "malformed", reason: event.malformed };
  const decision = decideJobEvent(event);
  if (decision.kind === "ignore") return { eventId: event.id, outcome: "ignored", reason: decision.reason };
  const running = (s: { runtimeStatus: string } | undefined) => s !== undefined && isLive(s.runtimeStatus);
  let target: string | undefined;
  if (decision.runId) {
    const run = await runs.get(decision.runId);
    if (running(run) && jobOf(run!.customStatus) === decision.jobName) target = decision.runId;
  } else {
    // A service that dropped the job's tags: look for the running run waiting on this job.
    target = (await runs.list(["Running"])).find((r) => jobOf(r.customStatus) === decision.jobName)?.instanceId;
  }
  if (!target) return { eventId: event.id, outcome: "ignored", reason: `no running scoring run is waiting on job ${decision.jobName}` };
  await runs.raiseJobStatusChanged(target, { jobName: decision.jobName, ...(decision.status ? { status: decision.status } : {}), eventTime: event.eventTime });
  return { eventId: event.id, outcome: "signaled", runId: target };
}
