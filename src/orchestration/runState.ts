/** The run's carried state: how it begins. Pure. */
import type { RunState } from "../runs/runInput";
import type { ScoringRunRequest } from "../runs/types";

export function initialRunState(request: ScoringRunRequest, now: Date, invokeId: string): RunState {
  return {
    startedAt: now.toISOString(),
    deadlineAt: new Date(now.getTime() + request.timeoutSeconds * 1000).toISOString(),
    invokeId,
    invokeAttempts: 0,
    job: null,
    invokedAt: null,
    queueDeadlineAt: null,
    polls: 0,
    lastPolledAt: null,
    consecutivePollErrors: 0,
    hardPollErrors: 0,
    lastPollError: null,
    cancel: null,
    cancelSentAt: null,
    cancelAttempts: 0,
    lastCancelError: null,
    preflight: null,
    warnings: [],
    timeline: [],
  };
}

