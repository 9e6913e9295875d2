/**
 * The run state as continueAsNew carries it. Each execution's input is stored twice in the task
 * hub (the last execution's ContinueAsNew event and the next one's ExecutionStarted) and once more
 * in the instances table, so what can be given again is left out: every field still at its
 * starting value, and the job's workspace-level path, which its id gives again
 * (docs/azure-behaviour.md#what-a-run-stores). Inputs written before carried the whole state;
 * `restoredState` reads both. Pure.
 */
import { workspaceJobPath } from "../batch/resourceIds";
import type { JobRef } from "../batch/types";
import type { CarriedRunState, RunState } from "./runInput";

/** A new run's values (initialRunState starts from them); carried state leaves a field out while it holds its value here. A field not listed is always carried. */
export const startingValues = {
  invokeAttempts: 0,
  job: null,
  invokedAt: null,
  runningAt: null,
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
} as const satisfies Partial<RunState>;

type Defaulted = keyof typeof startingValues;

const isStarting = (value: unknown, start: unknown): boolean =>
  value === start || (Array.isArray(value) && Array.isArray(start) && value.length === 0 && start.length === 0);

/** The job's path as its id and name give it, or null when they do not give this path. */
function pathFromId(job: Pick<JobRef, "id" | "name">): string | null {
  try {
    return workspaceJobPath(job.id, job.name);
  } catch {
    return null;
  }
}

export function carriedState(state: RunState): CarriedRunState {
  const carried: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(state)) {
    if (key in startingValues && isStarting(value, startingValues[key as Defaulted])) continue;
    carried[key] = value;
  }
  const job = state.job;
  if (job && pathFromId(job) === job.jobPath) {
    const { jobPath: _derived, ...rest } = job;
    carried.job = rest;
  }
  return carried as CarriedRunState;
}

export function restoredState(carried: CarriedRunState | RunState): RunState {
  const job = carried.job ?? null;
  return {
    ...startingValues,
    warnings: [],
    ...carried,
    job: job && { ...job, jobPath: job.jobPath ?? pathFromId(job) ?? "" },
  } as RunState;
}
