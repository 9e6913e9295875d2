/**
 * One scoring run, told as a story: check the data, invoke the batch endpoint once, then wait on
 * durable timers (raced against cancel and job-status events) and read the job's status until it
 * ends or a deadline passes. Deterministic: time comes from currentUtcDateTime, ids from newGuid,
 * all I/O from activities; every decision and state change is a pure function beside this file.
 */
import type { OrchestrationContext, Task } from "durable-functions";
import {
  type EnsuredJob,
  type EnsureJobRequest,
  type JobLocator,
  type JobRef,
  type JobSearch,
  type JobSnapshot,
  type ActivityResult,
  type BatchErrorInfo,
} from "../batch/types";
import { runLogPrefix } from "../observability/runLog";
import type { DescribeOutputRequest, DescribeOutputResult, PreflightRequest } from "../preflight/types";
import { checksNotRun, outputNotDescribed } from "../preflight/verdict";
import { names } from "../runs/names";
import { outputList } from "../runs/outputs";
import type { DiagnoseJobRequest, JobDiagnostics, RunDiagnostics } from "../runs/diagnostics";
import type { PreflightReport, RunOutput, RunWarning } from "../runs/preflightReport";
import { failureMessage, type RunRecord, runRecord } from "../runs/runRecord";
import type { NoticeDelivered, RunEndSummary } from "../runs/runEndNotice";
import type { RunState, ScoringRunInput } from "../runs/runInput";
import { carriedState, restoredState } from "../runs/carriedState";
import { canceledErrorCodes } from "../runs/runtimeStatus";
import type { PollPacing, RunDetection, RunError, ScoringRunResult } from "../runs/types";
import { callActivity } from "./activityCall";
import { entityRef } from "./entityRef";
import { completedWithFailures, diagnosticsWarnings, runDiagnostics, withFirstErrorLine } from "./diagnosis";
import { boundedProgress, type Phase, progressOf } from "./customStatus";
import {
  cancelRetryAt,
  canceledBeforeJob,
  decideAfterInvokeFailure,
  decideAfterLostAnswer,
  decideAfterPoll,
  decideAfterPollError,
  deadlineDecision,
  detectionOf,
  folderHoldsOtherFiles,
  maxCancelAttempts,
  noSlotBeforeDeadline,
  queuedTooLong,
  undeliveredCancel,
} from "./decisions";
import { isTerminalJobStatus } from "./jobStatus";
import { nextPoll as scheduleNextPoll } from "./pollSchedule";
import { type AdmitAnswer, type AdmitRequest, FLEET_KEY, type PacedRead } from "../runs/fleet";
import { type JobStatusRead, statusRequest, withKnownJob } from "../runs/statusRead";
import type { ExpectedDuration } from "../runs/jobDurations";
import { endpointKey } from "./endpointSlots";
import { noticeFailedWarning, runEndNotices, runEndSummary } from "./runEndNotices";
import { RunEvents } from "./runEvents";
import { takeSlot } from "./slotWait";
import {
  cancelFailed,
  cancelRequested,
  cancelSent,
  initialRunState,
  invokeFailed,
  invokeResent,
  invokeRetryAt,
  jobInvoked,
  jobPolled,
  pollFailed,
  preflightDone,
  runFailed,
  runSucceeded,
  withWarning,
} from "./runState";

/**
 * Thrown to fail the orchestration. Durable stores its message as the output
 * (`Orchestrator function '<name>' failed: <message>`): the first line is `<code>: <message>`,
 * the second the run's full record as JSON (the custom status holds only a summary).
 */
export class ScoringRunError extends Error {
  constructor(
    readonly error: RunError,
    record: RunRecord,
  ) {
    super(failureMessage(error, record));
    this.name = "ScoringRunError";
  }
}

export function* scoringRunOrchestrator(context: OrchestrationContext): Generator<Task, ScoringRunResult | undefined, any> {
  const df = context.df;
  const input = df.getInput<ScoringRunInput>();
  const { request } = input;
  const now = () => df.currentUtcDateTime;
  const events = new RunEvents(df);
  let state: RunState = input.state ? restoredState(input.state) : initialRunState(request, now(), df.newGuid(df.instanceId), input.startWarnings);
  let nextPoll: Date | null = null;
  let detection: RunDetection | null = null;
  let diagnostics: RunDiagnostics | null = null;

  const logFields = () => ({ runId: df.instanceId, jobName: state.job?.name ?? null, correlationId: input.correlationId });
  const log = (entry = state.timeline.at(-1)) => {
    if (entry && !df.isReplaying) context.log(`${runLogPrefix(logFields())} ${entry.event}${entry.detail ? `: ${entry.detail}` : ""}`);
  };
  /** Moves the run to its next state; the step it added to the timeline is logged once (not on replay). */
  const advance = (next: RunState) => {
    const added = next.timeline.at(-1);
    const changed = added !== state.timeline.at(-1);
    state = next;
    if (changed) log(added);
  };
  /** Set while the fleet's read budget, not the poll policy, sets the wait. */
  let pacing: PollPacing | null = null;
  const show = (phase: Phase) => df.setCustomStatus(boundedProgress(progressOf(state, phase, { nextPoll, detection, pacing })));
  /** The fleet's count of live runs (docs/operations.md#fleet-read-budget): a signal at the start and one at the end, never one per poll. */
  const countInFleet = (operation: "started" | "ended") => df.signalEntity(entityRef(names.fleet, FLEET_KEY), operation);
  /** Ends the run failed (or canceled): its notices go out first, then the orchestration fails. */
  function* fail(error: RunError): Generator<Task, never, any> {
    nextPoll = null;
    advance(runFailed(state, error, now()));
    yield* announceEnd(runEndSummary(df.instanceId, state, { at: now(), error }));
    const ended = progressOf(state, canceledErrorCodes.includes(error.code) ? "Canceled" : "Failed", { detection, error, diagnostics });
    df.setCustomStatus(boundedProgress(ended));
    throw new ScoringRunError(error, runRecord(ended));
  }
  const noteCancel = () => {
    const asked = events.cancelRequest;
    if (asked && !state.cancel) advance(cancelRequested(state, asked.reason, now()));
  };
  /** The job, once invoked (the monitoring steps run only then). */
  const job = () => state.job as JobRef;
  const locator = (): JobLocator => ({ jobPath: job().jobPath, apiVersion: request.apiVersion, log: logFields() });
  /** No job of this run can be older than its turn to start: the search for a lost one starts there, not at a long wait's start. */
  let searchJobsFrom = state.startedAt;
  // 0. Admission: the run counts as live, and its start reads (pre-flight's, the search before its invoke) take their
  // turn within a share of the fleet's read budget (docs/operations.md#fleet-read-budget).
  if (!input.state) {
    log();
    if (input.armReadsPerSecond) {
      const ask: AdmitRequest = { at: now().toISOString(), readsPerSecond: input.armReadsPerSecond };
      const admitted = (yield df.callEntity(entityRef(names.fleet, FLEET_KEY), "admit", ask)) as AdmitAnswer;
      const startAt = new Date(admitted.startAt);
      if (startAt > now()) {
        pacing = { slowedByReadBudget: true, liveRuns: admitted.live, readsPerSecond: admitted.readsPerSecond, lowered: admitted.lowered };
        show("Preflight");
        if ((yield* events.wait(startAt, { withStatus: false, cancelSeen: false })) === "cancel") {
          noteCancel();
          return yield* fail(canceledBeforeJob);
        }
        pacing = null;
      }
      searchJobsFrom = now().toISOString();
    } else countInFleet("started");
  }

  // 1. Pre-flight: fail before a job exists when the output is taken or the input is empty.
  if (!state.job && !state.preflight) {
    show("Preflight");
    // With pre-flight off there is nothing to look at: no activity, only the report saying so.
    const report: PreflightReport = request.preflight === "off" ? { mode: "off", checks: [] } : yield* checkData();
    const { state: next, error } = preflightDone(state, report, now());
    advance(withWarning(next, folderHoldsOtherFiles(input.trigger, report)));
    if (error) return yield* fail(error);
    noteCancel();
    if (state.cancel) return yield* fail(canceledBeforeJob);
  }

  // 2. A slot on the endpoint, when SCORING_MAX_JOBS_PER_ENDPOINT limits its live jobs (scoringRunWithSlot gives it back at the end).
  if (!state.job && (input.maxJobsPerEndpoint ?? 0) > 0) {
    const ask = { request, runId: df.instanceId, limit: input.maxJobsPerEndpoint ?? 0, deadlineAt: state.deadlineAt, cancelSeen: state.cancel !== null };
    const slot = yield* takeSlot(df, events, ask, (wait) => df.setCustomStatus(boundedProgress(progressOf(state, "WaitingForSlot", { slot: wait }))));
    if (slot === "cancel") noteCancel();
    if (slot === "cancel") return yield* fail(canceledBeforeJob);
    if (slot === "deadline") return yield* fail(noSlotBeforeDeadline(request));
  }

  // 3. Invoke: once, unless the failure proves the request never reached the service.
  while (!state.job) {
    show("Invoking");
    const invoke = invokeRequest();
    let result: PacedRead<EnsuredJob> & { expected?: ExpectedDuration } = yield* callActivity<EnsuredJob>(df, names.activities.invoke, invoke, {
      outcomeUnknown: true,
    });
    if (result.pace) state = { ...state, pace: result.pace };
    if (result.expected) state = { ...state, expected: result.expected };
    if (!result.ok && result.error.outcomeUnknown && invoke.workspace) {
      const found = yield* findLostJob(invoke, result.error);
      if (found === "resend") {
        advance(invokeResent(state, result.error, now()));
        continue;
      }
      result = found;
    }
    if (result.ok) {
      advance(jobInvoked(state, request, result.value, now()));
      break;
    }
    const failed = invokeFailed(state);
    const decision = decideAfterInvokeFailure(failed, request, result.error, now());
    advance(decision.kind === "retry" ? invokeRetryAt(failed, result.error, now(), decision.at) : failed);
    if (decision.kind === "fail") return yield* fail(decision.error);
    if ((yield* events.wait(decision.at, { withStatus: false, cancelSeen: state.cancel !== null })) === "cancel") {
      noteCancel();
      return yield* fail(canceledBeforeJob);
    }
  }

  // 4. Monitor until the job ends. The next poll's time is kept until that poll happens, so
  // signals that lead to no poll (about another job) cannot push it back.
  let scheduledPoll: Date | null = null;
  let pollsThisExecution = 0;
  for (;;) {
    noteCancel();
    if (state.cancel && !state.cancelSentAt && state.cancelAttempts < maxCancelAttempts) {
      yield* sendCancel();
      scheduledPoll = null;
    }
    if (!scheduledPoll) {
      const next = scheduleNextPoll(state, request, now(), input.pollPolicy, { pace: state.pace, runId: df.instanceId });
      scheduledPoll = next.at;
      pacing =
        next.slowed && state.pace
          ? { slowedByReadBudget: true, liveRuns: state.pace.live, readsPerSecond: state.pace.readsPerSecond, lowered: state.pace.lowered }
          : null;
    }
    nextPoll = scheduledPoll;
    show(state.cancel ? "Canceling" : "Monitoring");
    const woken = yield* events.wait(nextPoll, { withStatus: true, cancelSeen: state.cancel !== null });
    if (woken === "cancel") {
      scheduledPoll = null;
      continue;
    }
    const signal = woken === "status" ? events.takeStatusSignal() : undefined;
    if (woken === "status" && signal?.jobName !== job().name) continue;
    scheduledPoll = null;
    const previousLook = state.lastPolledAt ?? state.invokedAt ?? state.startedAt;
    // A timer or a status signal: either way the GET is the source of truth (signals can be late, repeated or forged).
    // Lean on purpose: input and result go into the history at every poll (runs/statusRead).
    const ask = statusRequest(job(), request.apiVersion, logFields(), pacing ? now() : undefined);
    const read: PacedRead<JobStatusRead> = yield* callActivity<JobStatusRead>(df, names.activities.getStatus, ask, { outcomeUnknown: false });
    pollsThisExecution++;
    if (read.pace) state = { ...state, pace: read.pace };
    if (read.ok) {
      const snapshot = withKnownJob(read.value, job());
      advance(jobPolled(state, snapshot, now(), signal !== undefined));
      advance(withWarning(state, queuedTooLong(state, now(), input.queuedWarningSeconds)));
      if (isTerminalJobStatus(snapshot.status)) detection = detectionOf(signal, now(), previousLook);
      const decision = decideAfterPoll(state, request, snapshot, now());
      if (decision.kind === "succeed") return yield* succeed(snapshot);
      if (decision.kind === "fail" && snapshot.status === "Failed") return yield* fail(yield* diagnoseFailure(snapshot, decision.error));
      if (decision.kind === "fail") return yield* fail(decision.error);
      if (decision.kind === "deadline") return yield* fail(yield* cancelAtDeadline(decision.error));
    } else {
      advance(pollFailed(state, read.error, now()));
      const decision = decideAfterPollError(state, read.error);
      if (decision.kind === "fail") return yield* fail(decision.error);
      const deadline = deadlineDecision(state, request, job().status, now());
      if (deadline?.kind === "deadline") return yield* fail(yield* cancelAtDeadline(deadline.error));
    }
    if (pollsThisExecution >= input.maxPollsPerExecution) {
      // A cancel delivered in the same batch as the last poll's result, but after it, is only
      // read once the orchestrator waits again; one zero-length wait lets it land in this
      // execution instead of being dropped with it.
      if ((yield* events.wait(now(), { withStatus: false, cancelSeen: state.cancel !== null })) === "cancel") continue;
      // Keep each execution's history short; everything the run needs travels in `state`.
      df.continueAsNew({ ...input, state: carriedState(state) } satisfies ScoringRunInput);
      return undefined;
    }
  }

  /** The pre-flight checks; checks that could not run never block the job. */
  function* checkData(): Generator<Task, PreflightReport, any> {
    const checks: PreflightRequest = {
      inputs: request.inputs,
      outputs: outputList(request),
      workspace: request.workspace,
      mode: request.preflight,
      log: logFields(),
      // `?? null`: a run started by an older version may lack these fields.
      endpoint: {
        uri: request.endpointUri,
        deployment: request.deployment ?? null,
        experimentName: request.experimentName ?? null,
        displayName: request.displayName ?? null,
      },
    };
    const checked = yield* callActivity<PreflightReport>(df, names.activities.preflight, checks, { outcomeUnknown: false });
    return checked.ok ? checked.value : checksNotRun(request.preflight, checked.error.message);
  }

  function invokeRequest(): EnsureJobRequest {
    return {
      endpointUri: request.endpointUri,
      ...(request.deployment ? { deployment: request.deployment } : {}),
      inputs: request.inputs,
      outputs: outputList(request),
      settings: request.settings,
      displayName: request.displayName,
      description: request.description,
      experimentName: request.experimentName,
      invokeId: state.invokeId,
      runId: df.instanceId,
      tags: request.tags,
      workspace: request.workspace,
      apiVersion: request.apiVersion,
      notBefore: searchJobsFrom,
      log: logFields(),
      ...(input.armReadsPerSecond ? { pacedAt: now().toISOString() } : {}),
    };
  }

  /**
   * After a lost invoke answer: look for the job a few times on durable timers. Found → the
   * job; not accepted → "resend"; otherwise a failure carrying the decision's error.
   */
  function* findLostJob(invoke: EnsureJobRequest, error: BatchErrorInfo): Generator<Task, ActivityResult<EnsuredJob> | "resend", any> {
    let last: Omit<JobSearch, "job"> | null = null;
    for (let searches = 0; ; searches++) {
      const decision = decideAfterLostAnswer(state, request, error, searches, last, now());
      if (decision.kind === "resend") return "resend";
      if (decision.kind === "fail") return yield* fail(decision.error);
      yield df.createTimer(decision.at);
      const search = yield* callActivity<JobSearch>(df, names.activities.findJob, invoke, { outcomeUnknown: false });
      if (search.ok && search.value.job) return { ok: true, value: search.value.job };
      last = search.ok ? { keepsMarkers: search.value.keepsMarkers, complete: search.value.complete } : null;
    }
  }

  /** The job completed: describe what it wrote (a missing or unreadable output is a warning) and end. */
  function* succeed(snapshot: JobSnapshot): Generator<Task, ScoringRunResult, any> {
    nextPoll = null;
    const describeRequest: DescribeOutputRequest = {
      outputs: outputList(request),
      outputFileName: request.settings.outputFileName ?? null,
      jobOutputs: snapshot.outputs ?? null,
      workspace: request.workspace,
      log: logFields(),
    };
    const described = yield* callActivity<DescribeOutputResult>(df, names.activities.describeOutput, describeRequest, { outcomeUnknown: false });
    const { output, outputs, warnings } = described.ok ? described.value : outputNotDescribed(outputList(request), described.error.message);
    // Failed items within the error threshold leave a Completed job: only its logs say so.
    // Logs that could not be read say nothing about failed items: not a warning of a good run.
    const { read } = yield* readLogs(snapshot);
    const failures = completedWithFailures(read);
    diagnostics = failures ? read : null;
    advance(runSucceeded([...warnings, failures].reduce(withWarning, state), now(), outputDetail(output)));
    // Learned polling's history: how long this endpoint's job took, from the invoke to the end the run saw.
    if (state.invokedAt)
      df.signalEntity(
        entityRef(names.jobDurations, endpointKey(request.endpointUri, request.deployment ?? null)),
        "record",
        (now().getTime() - Date.parse(state.invokedAt)) / 1000,
      );
    yield* announceEnd(runEndSummary(df.instanceId, state, { at: now(), error: null, output }));
    show("Succeeded");
    const { name, id, status, studioUrl } = job();
    return {
      job: { name, id, status, studioUrl },
      output,
      outputs,
      polls: state.polls,
      completedAt: now().toISOString(),
      ...(detection ? { detection } : {}),
      ...(state.preflight ? { preflight: state.preflight } : {}),
      ...(state.warnings.length > 0 ? { warnings: state.warnings } : {}),
      timeline: state.timeline,
      ...(diagnostics ? { diagnostics } : {}),
    };
  }

  /** The job's logs, read once it ended; a read that could not happen leaves only the pointer. */
  function* readLogs(snapshot: JobSnapshot): Generator<Task, { read: RunDiagnostics; warnings: RunWarning[] }, any> {
    const ask: DiagnoseJobRequest = { jobPath: job().jobPath, jobStatus: snapshot.status, studioUrl: snapshot.studioUrl ?? job().studioUrl, log: logFields() };
    const read = yield* callActivity<JobDiagnostics>(df, names.activities.diagnose, ask, { outcomeUnknown: false });
    const found = read.ok ? read.value : { notRead: read.error.message };
    return { read: runDiagnostics(state, found, now()), warnings: diagnosticsWarnings(found) };
  }

  /** The job failed: its logs' counts and first error lines in the run's diagnostics, the first line in its error. */
  function* diagnoseFailure(snapshot: JobSnapshot, error: RunError): Generator<Task, RunError, any> {
    nextPoll = null;
    const { read, warnings } = yield* readLogs(snapshot);
    diagnostics = read;
    advance(warnings.reduce(withWarning, state));
    return withFirstErrorLine(error, read);
  }

  /**
   * The run's end, to each place that asked: one activity call per notice, so a replay never
   * sends again once a call's completion is in the history, and a crash mid-send repeats only
   * that notice. One not delivered is a warning; the outcome stays.
   */
  function* announceEnd(summary: RunEndSummary): Generator<Task, void, any> {
    countInFleet("ended");
    for (const notice of runEndNotices(request, summary, logFields())) {
      const sent = yield* callActivity<NoticeDelivered>(df, names.activities.notify, notice, { outcomeUnknown: false });
      if (!sent.ok) advance(withWarning(state, noticeFailedWarning(notice.channel, sent.error)));
    }
  }

  /** One cancel POST. A failure is kept so the next attempt waits at least its Retry-After. */
  function* sendCancel(): Generator<Task, BatchErrorInfo | null, any> {
    show("Canceling");
    const result = yield* callActivity<null>(df, names.activities.cancel, locator(), { outcomeUnknown: false });
    advance(result.ok ? cancelSent(state, now()) : cancelFailed(state, result.error, now()));
    return result.ok ? null : result.error;
  }

  /**
   * A deadline passed: the job must not go on burning compute. Try the cancel a bounded number
   * of times (waiting out Retry-After), and say plainly if it could not be delivered.
   */
  function* cancelAtDeadline(error: RunError): Generator<Task, RunError, any> {
    let lastError: BatchErrorInfo | null = null;
    const passedAt = now();
    for (let attempt = 1; !state.cancelSentAt && attempt <= maxCancelAttempts; attempt++) {
      lastError = yield* sendCancel();
      const retryAt = lastError ? cancelRetryAt(attempt, lastError, now(), passedAt) : null;
      if (!retryAt) break;
      nextPoll = retryAt;
      yield df.createTimer(retryAt);
    }
    return state.cancelSentAt ? { ...error, message: `${error.message} The job was canceled.` } : undeliveredCancel(error, job().name, lastError);
  }
}

/** "predictions <url> (<n> bytes)": the succeeded step's detail. */
function outputDetail(output: RunOutput | null): string | null {
  if (!output?.blobUrl) return null;
  return `predictions ${output.blobUrl}${output.sizeBytes !== null ? ` (${output.sizeBytes} bytes)` : ""}`;
}
