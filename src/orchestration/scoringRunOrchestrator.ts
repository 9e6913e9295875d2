/**
 * One scoring run: invoke the batch endpoint once, then wait on durable timers (raced against
 * cancel and job-status events) and read the job's status until it ends or a deadline passes.
 * Deterministic: time comes from currentUtcDateTime, ids from newGuid, all I/O from activities,
 * and every decision from the pure functions beside this file.
 */
import type { OrchestrationContext, Task, TimerTask } from "durable-functions";
import type { RunDetection, RunProgress, ScoringRunResult } from "../runs/types";
import { type RunRecord, runRecord } from "../runs/runRecord";
import type { RunError } from "../runs/types";
import type { ActivityResult, BatchErrorInfo, EnsuredJob, EnsureJobRequest, JobLocator, JobRef, JobSearch, JobSnapshot } from "../batch/types";
import { cancelRetryAt, decideAfterInvokeFailure, decideAfterLostAnswer, decideAfterPoll, decideAfterPollError, deadlineDecision, maxCancelAttempts } from "./decisions";
import { isTerminalJobStatus } from "./jobStatus";
import { names } from "../runs/names";
import { nextPollAt } from "./pollSchedule";
import { initialRunState } from "./runState";
import type { RunState, ScoringRunInput } from "../runs/runInput";
import type { DescribeOutputRequest, DescribeOutputResult, PreflightRequest } from "../preflight/types";
import type { PreflightReport, RunOutput } from "../runs/preflightReport";
import { preflightVerdict } from "../preflight/verdict";
import { appendTimeline, type TimelineEvent } from "../observability/timeline";
import { boundedProgress } from "./customStatus";
import { runLogPrefix } from "../observability/runLog";

export interface CancelRequest {
  reason?: string;
}

/** The payload of a JobStatusChanged event: which job an Azure ML event spoke of, and what it said. */
export interface JobStatusSignal {
  jobName: string;
  status?: string;
  eventTime?: string;
}

/** How the read that saw the job end came about, and how late it can be. Pure. */
export function detectionOf(signal: JobStatusSignal | undefined, now: Date, previousLook: string): RunDetection {
  const eventTime = signal?.eventTime ? Date.parse(signal.eventTime) : Number.NaN;
  return {
    by: signal ? "event" : "poll",
    at: now.toISOString(),
    delaySeconds: Number.isNaN(eventTime) ? null : Math.max(0, (now.getTime() - eventTime) / 1000),
    maxDelaySeconds: Math.max(0, (now.getTime() - Date.parse(previousLook)) / 1000),
  };
}

/**
 * Thrown to fail the orchestration. Durable stores its message as the output
 * (`Orchestrator function '<name>' failed: <message>`): the first line is `<code>: <message>`,
 * the second the run's full record as JSON (the custom status holds only a summary).
 */
export class ScoringRunError extends Error {
  constructor(readonly error: RunError, record: RunRecord) {
    super(`${error.code}: ${error.message.replace(/\s+/g, " ")}\n${JSON.stringify(record)}`);
    this.name = "ScoringRunError";
  }
}

type Phase = "Preflight" | "Invoking" | "Monitoring" | "Canceling" | "Succeeded" | "Failed" | "Canceled";

/** An activity that threw (not an expected failure, which comes back as a value) is an unknown outcome. */
function thrownActivityError(err: unknown): BatchErrorInfo {
  const message = err instanceof Error ? err.message.split("\n")[0] : String(err);
  return { code: "ActivityFailed", message, httpStatus: null, retryable: true, retryAfterSeconds: null, outcomeUnknown: true };
}

export function* scoringRunOrchestrator(context: OrchestrationContext): Generator<Task, ScoringRunResult | undefined, any> {
  const df = context.df;
  const input = df.getInput<ScoringRunInput>();
  const { request } = input;
  const state: RunState = input.state ?? initialRunState(request, df.currentUtcDateTime, df.newGuid(df.instanceId));
  const correlationId = input.correlationId ?? null;
  const logFields = () => ({ runId: df.instanceId, jobName: state.job?.name ?? null, correlationId });
  /** One step of the run's story: kept in the bounded timeline, and logged once (not on replay). */
  const note = (event: TimelineEvent, detail: string | null = null) => {
    state.timeline = appendTimeline(state.timeline ?? [], { at: df.currentUtcDateTime.toISOString(), event, detail });
    if (!df.isReplaying) context.log(`${runLogPrefix(logFields())} ${event}${detail ? `: ${detail}` : ""}`);
  };
  if (!input.state) note("started", `endpoint ${request.endpointUri}${request.deployment ? `, deployment ${request.deployment}` : ""}`);
  let pollsThisExecution = 0;
  let nextPoll: Date | null = null;

  let detection: RunDetection | null = null;
  const progress = (phase: Phase, error: RunError | null = null): RunProgress => ({
    phase,
    job: state.job ? { name: state.job.name, id: state.job.id, status: state.job.status, studioUrl: state.job.studioUrl } : null,
    polls: state.polls,
    lastPolledAt: state.lastPolledAt,
    nextPollAt: nextPoll ? nextPoll.toISOString() : null,
    error,
    ...(detection ? { detection } : {}),
    ...(state.preflight ? { preflight: state.preflight } : {}),
    ...(state.warnings?.length ? { warnings: state.warnings } : {}),
    timeline: state.timeline ?? [],
  });
  const fail = (error: RunError): never => {
    const canceled = error.code === "RunCanceled" || error.code === "JobCanceled";
    note(canceled ? "canceled" : "failed", `${error.code}: ${error.message}`);
    nextPoll = null;
    const ended = progress(canceled ? "Canceled" : "Failed", error);
    df.setCustomStatus(boundedProgress(ended));
    throw new ScoringRunError(error, runRecord(ended));
  };
  const locator = (): JobLocator => ({ jobPath: (state.job as JobRef).jobPath, apiVersion: request.apiVersion, log: logFields() });
  // One waiter per event name for the whole execution. The SDK hands an event to the newest open
  // waiter of its name, so a fresh waiter per loop would leave the ones that lost their race
  // open, and an event arriving while nobody waits (during an activity) would go to a stale one
  // and be lost. A waiter that already fired is seen through isCompleted.
  const cancelEvent = df.waitForExternalEvent(names.events.cancel);
  let statusEvent = df.waitForExternalEvent(names.events.jobStatusChanged);
  const noteCancel = () => {
    if (state.cancel || !cancelEvent.isCompleted) return;
    const reason = ((cancelEvent.result as CancelRequest | undefined)?.reason ?? "").slice(0, 200);
    state.cancel = { requestedAt: df.currentUtcDateTime.toISOString(), reason };
    note("cancelRequested", reason || null);
  };
  /** Races a timer against the events still pending; returns what ended the wait. */
  function* wait(until: Date, withStatusEvent: boolean): Generator<Task, "timer" | "cancel" | "status", any> {
    if (cancelEvent.isCompleted && !state.cancel) return "cancel";
    if (withStatusEvent && statusEvent.isCompleted) return "status";
    const timer: TimerTask = df.createTimer(until);
    const racers: Task[] = [timer];
    if (!cancelEvent.isCompleted) racers.push(cancelEvent);
    if (withStatusEvent) racers.push(statusEvent);
    const winner: Task = yield df.Task.any(racers);
    if (winner === timer) return "timer";
    timer.cancel();
    return winner === cancelEvent ? "cancel" : "status";
  }

  // 0. Pre-flight: fail before a job exists when the output is taken or the input is empty.
  // Runs started by older versions carry no mode and skip it, so their replay is unchanged.
  if (!state.job && !state.preflight && request.preflight !== undefined) {
    df.setCustomStatus(boundedProgress(progress("Preflight")));
    const preflightRequest: PreflightRequest = { inputs: request.inputs, output: request.output, workspace: request.workspace ?? null, mode: request.preflight, log: logFields() };
    try {
      state.preflight = yield df.callActivity(names.activities.preflight, preflightRequest);
    } catch (err) {
      // Checks that could not run never block the job.
      const reason = err instanceof Error ? err.message.split("\n")[0]!.slice(0, 300) : String(err);
      state.preflight = { mode: request.preflight, checks: [{ target: "*", uri: "", blobUrl: null, result: "skipped", code: null, message: `Not checked: pre-flight failed (${reason}).` }] };
    }
    const verdict = preflightVerdict(state.preflight as PreflightReport);
    state.warnings = [...(state.warnings ?? []), ...verdict.warnings];
    note("preflight", preflightSummary(state.preflight as PreflightReport));
    if (verdict.error) return fail(verdict.error);
    if (cancelEvent.isCompleted) {
      noteCancel();
      return fail({ code: "RunCanceled", message: "The run was canceled on request before a job was created." });
    }
  }

  // 1. Invoke: once, unless the failure proves the request never reached the service.
  while (!state.job) {
    df.setCustomStatus(boundedProgress(progress("Invoking")));
    const invoke: EnsureJobRequest = {
      endpointUri: request.endpointUri,
      ...(request.deployment ? { deployment: request.deployment } : {}),
      inputs: request.inputs,
      output: request.output,
      invokeId: state.invokeId,
      runId: df.instanceId,
      tags: request.tags,
      workspace: request.workspace ?? null,
      apiVersion: request.apiVersion,
      notBefore: state.startedAt,
      log: logFields(),
    };
    let result: ActivityResult<EnsuredJob>;
    try {
      result = yield df.callActivity(names.activities.invoke, invoke);
    } catch (err) {
      result = { ok: false, error: thrownActivityError(err) };
    }
    if (!result.ok && result.error.outcomeUnknown && invoke.workspace) {
      // The answer was lost: look for the job on durable timers, then resend or give up.
      const found = yield* findLostJob(invoke, result.error);
      if (found === "resend") {
        state.invokeAttempts++;
        note("invokeRetry", `${result.error.code}; no job found and this workspace keeps invoke markers: not accepted, sending again`);
        continue;
      }
      result = found;
    }
    const now = df.currentUtcDateTime;
    if (result.ok) {
      const { warning, reconciled, ...job } = result.value;
      state.job = job;
      if (warning) state.warnings = [...(state.warnings ?? []), warning];
      state.invokedAt = now.toISOString();
      if (request.queueTimeoutSeconds) state.queueDeadlineAt = new Date(now.getTime() + request.queueTimeoutSeconds * 1000).toISOString();
      note("invoked", `job ${job.name} (${job.status})${reconciled ? `, ${reconciled}` : ""}`);
      break;
    }
    state.invokeAttempts++;
    const decision = decideAfterInvokeFailure(state, request, result.error, now);
    if (decision.kind === "fail") return fail(decision.error);
    note("invokeRetry", `${result.error.code}; attempt ${state.invokeAttempts + 1} at ${decision.at.toISOString()}`);
    if ((yield* wait(decision.at, false)) === "cancel") {
      noteCancel();
      return fail({ code: "RunCanceled", message: "The run was canceled on request before a job was created." });
    }
  }

  // 2. Monitor until the job ends. The next poll's time is kept until that poll happens, so
  // signals that lead to no poll (about another job) cannot push it back.
  let scheduledPoll: Date | null = null;
  for (;;) {
    noteCancel();
    if (state.cancel && !state.cancelSentAt && state.cancelAttempts < maxCancelAttempts) {
      yield* sendCancel();
      scheduledPoll = null;
    }
    nextPoll = scheduledPoll ??= nextPollAt(state, request, df.currentUtcDateTime, input.pollPolicy);
    df.setCustomStatus(boundedProgress(progress(state.cancel ? "Canceling" : "Monitoring")));
    const woken = yield* wait(nextPoll, true);
    if (woken === "cancel") {
      scheduledPoll = null;
      continue;
    }
    let signal: JobStatusSignal | undefined;
    if (woken === "status") {
      signal = statusEvent.result as JobStatusSignal | undefined;
      statusEvent = df.waitForExternalEvent(names.events.jobStatusChanged);
      if (signal?.jobName !== (state.job as JobRef).name) continue;
    }
    scheduledPoll = null;
    const previousLook = state.lastPolledAt ?? state.invokedAt ?? state.startedAt;
    // A timer or a status signal: either way the GET is the source of truth (signals can be late, repeated or forged).
    let result: ActivityResult<JobSnapshot>;
    try {
      result = yield df.callActivity(names.activities.getStatus, locator());
    } catch (err) {
      result = { ok: false, error: { ...thrownActivityError(err), outcomeUnknown: false } };
    }
    const now = df.currentUtcDateTime;
    state.polls++;
    pollsThisExecution++;
    state.lastPolledAt = now.toISOString();
    const job = state.job as JobRef;
    if (result.ok) {
      state.consecutivePollErrors = 0;
      state.hardPollErrors = 0;
      state.lastPollError = null;
      if (result.value.status !== job.status) note("status", `${job.status} → ${result.value.status}${signal ? " (event)" : ""}`);
      job.status = result.value.status;
      job.studioUrl = result.value.studioUrl ?? job.studioUrl;
      const decision = decideAfterPoll(state, request, result.value, now);
      if (isTerminalJobStatus(result.value.status)) detection = detectionOf(signal, now, previousLook);
      if (decision.kind === "succeed") {
        nextPoll = null;
        const output = yield* describeOutput(result.value);
        note("succeeded", output && "blobUrl" in output && output.blobUrl ? `predictions ${output.blobUrl}${output.sizeBytes !== null ? ` (${output.sizeBytes} bytes)` : ""}` : null);
        df.setCustomStatus(boundedProgress(progress("Succeeded")));
        return {
          job: { name: job.name, id: job.id, status: job.status, studioUrl: job.studioUrl }, output,
          polls: state.polls, completedAt: now.toISOString(), ...(detection ? { detection } : {}),
          ...(state.preflight ? { preflight: state.preflight } : {}),
          ...(state.warnings?.length ? { warnings: state.warnings } : {}),
          timeline: state.timeline ?? [],
        };
      }
      if (decision.kind === "fail") return fail(decision.error);
      if (decision.kind === "deadline") return fail(yield* cancelAtDeadline(decision.error));
    } else {
      state.consecutivePollErrors++;
      // Only non-retryable failures in a row count toward giving up; a throttle in between resets them.
      state.hardPollErrors = result.error.retryable ? 0 : (state.hardPollErrors ?? 0) + 1;
      state.lastPollError = result.error;
      if (state.consecutivePollErrors === 1) note("statusReadFailed", `${result.error.code}${result.error.httpStatus ? ` (HTTP ${result.error.httpStatus})` : ""}`);
      const decision = decideAfterPollError(state, result.error);
      if (decision.kind === "fail") return fail(decision.error);
      const deadline = deadlineDecision(state, request, job.status, now);
      if (deadline?.kind === "deadline") return fail(yield* cancelAtDeadline(deadline.error));
    }
    if (pollsThisExecution >= input.maxPollsPerExecution) {
      // A cancel delivered in the same batch as the last poll's result, but after it, is only
      // read once the orchestrator waits again; one zero-length wait lets it land in this
      // execution instead of being dropped with it.
      if ((yield* wait(df.currentUtcDateTime, false)) === "cancel") continue;
      // Keep each execution's history short; everything the run needs travels in `state`.
      df.continueAsNew({ ...input, state } satisfies ScoringRunInput);
      return undefined;
    }
  }

  /**
   * After a lost invoke answer: look for the job a few times on durable timers. Found → the
   * job; not accepted → "resend"; otherwise a failure carrying the decision's error.
   */
  function* findLostJob(invoke: EnsureJobRequest, error: BatchErrorInfo): Generator<Task, ActivityResult<EnsuredJob> | "resend", any> {
    let last: Omit<JobSearch, "job"> | null = null;
    for (let searches = 0; ; searches++) {
      const decision = decideAfterLostAnswer(state, request, error, searches, last, df.currentUtcDateTime);
      if (decision.kind === "resend") return "resend";
      if (decision.kind === "fail") return fail(decision.error);
      yield df.createTimer(decision.at);
      let search: ActivityResult<JobSearch>;
      try {
        search = yield df.callActivity(names.activities.findJob, invoke);
      } catch (err) {
        search = { ok: false, error: { ...thrownActivityError(err), outcomeUnknown: false } };
      }
      if (search.ok && search.value.job) return { ok: true, value: search.value.job };
      last = search.ok ? { keepsMarkers: search.value.keepsMarkers, complete: search.value.complete } : null;
    }
  }

  /** The predictions file the completed job wrote; a missing or unreadable one is a warning. */
  function* describeOutput(snapshot: JobSnapshot): Generator<Task, RunOutput | null, any> {
    const describeRequest: DescribeOutputRequest = { output: request.output, jobOutputs: snapshot.outputs ?? null, workspace: request.workspace ?? null, log: logFields() };
    let described: DescribeOutputResult;
    try {
      described = yield df.callActivity(names.activities.describeOutput, describeRequest);
    } catch (err) {
      const reason = err instanceof Error ? err.message.split("\n")[0]!.slice(0, 300) : String(err);
      described = { output: request.output ? { uri: request.output.uri, blobUrl: null, sizeBytes: null, lastModified: null, contentType: null } : null, warning: { code: "OutputNotChecked", message: `The predictions file was not looked at: ${reason}.` } };
    }
    if (described.warning) state.warnings = [...(state.warnings ?? []), described.warning];
    return described.output;
  }

  /** One cancel POST. A failure is kept so the next attempt waits at least its Retry-After. */
  function* sendCancel(): Generator<Task, BatchErrorInfo | null, any> {
    df.setCustomStatus(boundedProgress(progress("Canceling")));
    state.cancelAttempts++;
    let result: ActivityResult<null>;
    try {
      result = yield df.callActivity(names.activities.cancel, locator());
    } catch (err) {
      result = { ok: false, error: { ...thrownActivityError(err), outcomeUnknown: false } };
    }
    if (result.ok) {
      state.cancelSentAt = df.currentUtcDateTime.toISOString();
      state.lastCancelError = null;
      note("cancelSent", `job ${(state.job as JobRef).name}`);
      return null;
    }
    state.lastCancelError = result.error;
    note("cancelFailed", `${result.error.code}: ${result.error.message}`);
    return result.error;
  }

  /**
   * A deadline passed: the job must not go on burning compute. Try the cancel a bounded number
   * of times (waiting out Retry-After), and say plainly if it could not be delivered.
   */
  function* cancelAtDeadline(error: RunError): Generator<Task, RunError, any> {
    let lastError: BatchErrorInfo | null = null;
    const passedAt = df.currentUtcDateTime;
    for (let attempt = 1; !state.cancelSentAt && attempt <= maxCancelAttempts; attempt++) {
      lastError = yield* sendCancel();
      const retryAt = lastError ? cancelRetryAt(attempt, lastError, df.currentUtcDateTime, passedAt) : null;
      if (!retryAt) break;
      nextPoll = retryAt;
      yield df.createTimer(retryAt);
    }
    const job = state.job as JobRef;
    return state.cancelSentAt
      ? { ...error, message: `${error.message} The job was canceled.` }
      : { ...error, message: `${error.message} Canceling job ${job.name} failed (${lastError?.message ?? "no answer"}): it may still be running; cancel it in Azure ML studio.` };
  }
}

/** "strict: 2 passed, 1 warning, 1 skipped" — the pre-flight report in one line. */
function preflightSummary(report: PreflightReport): string {
  if (report.mode === "off") return "off";
  const counts = new Map<string, number>();
  for (const c of report.checks) counts.set(c.result, (counts.get(c.result) ?? 0) + 1);
  const parts = ["passed", "warning", "failed", "skipped"].filter((r) => counts.has(r)).map((r) => `${counts.get(r)} ${r}`);
  return `${report.mode}: ${parts.length > 0 ? parts.join(", ") : "nothing to check"}`;
}
