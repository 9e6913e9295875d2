/**
 * Scripted job lifecycles: pure functions, so the poll arithmetic is testable without a server.
 * A job's status is a function of how many status GETs it has had since its script started.
 */
import type { EmulatorJobSettings, EmulatorSimulation, JobStatus, Lifecycle, LifecycleInput, LifecycleStep } from "./types";

export const TERMINAL_STATUSES: readonly JobStatus[] = ["Completed", "Failed", "Canceled"];

export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export const DEFAULT_ERROR_MESSAGE = "The batch scoring job failed (emulated).";
export const DEFAULT_ERROR_CODE = "UserError";

/** Accepts steps or a full lifecycle; rejects scripts a test could not mean (empty, negative polls). */
export function normalizeLifecycle(input: LifecycleInput): Lifecycle {
  const lifecycle: Lifecycle = Array.isArray(input) ? { steps: input } : input;
  if (lifecycle.steps.length === 0) throw new Error("a lifecycle needs at least one step");
  for (const step of lifecycle.steps) {
    const polls = step.polls ?? 1;
    if (!Number.isInteger(polls) || polls < 0) {
      throw new Error(`lifecycle step ${step.status}: polls must be an integer >= 0, got ${String(step.polls)}`);
    }
  }
  const failed = lifecycle.failedItems;
  if (failed !== undefined && (!Number.isInteger(failed) || failed < 0)) throw new Error(`failedItems must be an integer >= 0, got ${String(failed)}`);
  if (lifecycle.itemError !== undefined && typeof lifecycle.itemError !== "string") throw new Error("itemError must be a string");
  return { ...lifecycle, steps: lifecycle.steps.map((s) => ({ ...s })) };
}

/**
 * A deployment's settings when it names none: the ARM BatchDeployment defaults, `miniBatchSize`
 * 10, `errorThreshold` -1 (any number of failed items), `resources.instanceCount` 1
 * (docs/azure-behaviour.md#per-job-settings).
 */
export const DEPLOYMENT_DEFAULTS = { instanceCount: 1, miniBatchSize: 10, errorThreshold: -1 } as const;

/**
 * What Azure ML logs when a scoring script's `run()` fails the job (Learn, "Troubleshooting batch
 * endpoints", "User program fails, run fails"): the emulator's message for a job whose failed items
 * went over its error threshold (docs/azure-behaviour.md#batch-job-logs).
 */
export const USER_PROGRAM_FAILED =
  "User program failed with Exception: Run failed. Please check logs for details. You can check logs/readme.txt for the layout of logs.";

/** A failed item's line in the error summary when the lifecycle names none. */
export const DEFAULT_ITEM_ERROR = "ValueError: could not score the input file (emulated item failure)";

/** The settings a job runs with: the invoke's, else the deployment's, else the defaults; and the failed items its lifecycle scripts. */
export function simulationOf(job: EmulatorJobSettings, deployment: EmulatorJobSettings | undefined, lifecycle: Lifecycle): EmulatorSimulation {
  const pick = (key: keyof typeof DEPLOYMENT_DEFAULTS): number => job[key] ?? deployment?.[key] ?? DEPLOYMENT_DEFAULTS[key];
  return {
    instanceCount: Math.max(1, pick("instanceCount")),
    miniBatchSize: Math.max(1, pick("miniBatchSize")),
    errorThreshold: pick("errorThreshold"),
    failedItems: lifecycle.failedItems ?? 0,
    itemError: lifecycle.itemError ?? null,
  };
}

/** Whether the failed items go over the error threshold (-1: never): "the batch scoring job is terminated" (docs/azure-behaviour.md#per-job-settings). */
export function overErrorThreshold(sim: Pick<EmulatorSimulation, "failedItems" | "errorThreshold">): boolean {
  return sim.errorThreshold >= 0 && sim.failedItems > sim.errorThreshold;
}

/**
 * The lifecycle a job really runs: a scripted Completed end becomes Failed (with the service's
 * message) when its failed items go over the error threshold; and a timed lifecycle's Running
 * phases are shortened by the instance count (n instances share the mini-batches, so they run
 * about n times as fast; the emulator's choice, docs/azure-behaviour.md#batch-job-logs).
 * Poll-counted lifecycles keep their polls.
 */
export function lifecycleFor(lifecycle: Lifecycle, sim: EmulatorSimulation): Lifecycle {
  let steps = lifecycle.steps.map((s) => ({ ...s }));
  if (isTimed(lifecycle) && sim.instanceCount > 1) {
    steps = steps.map((s) => (s.status === "Running" && s.forMs !== undefined ? { ...s, forMs: Math.ceil(s.forMs / sim.instanceCount) } : s));
  }
  const last = steps[steps.length - 1]!;
  if (last.status !== "Completed" || !overErrorThreshold(sim)) return { ...lifecycle, steps };
  steps[steps.length - 1] = { ...last, status: "Failed" };
  return { ...lifecycle, steps, errorMessage: lifecycle.errorMessage ?? USER_PROGRAM_FAILED, errorCode: lifecycle.errorCode ?? DEFAULT_ERROR_CODE };
}

/**
 * Status after `gets` status GETs: before any GET (0) the first step; GET k shows the step whose
 * cumulative poll window contains k; past the end, the last step holds.
 */
export function statusAt(lifecycle: Lifecycle, gets: number, elapsedMs = 0): JobStatus {
  const steps = lifecycle.steps;
  if (isTimed(lifecycle)) {
    let until = 0;
    for (const step of steps) {
      until += step.forMs ?? 0;
      if (elapsedMs < until) return step.status;
    }
    return steps[steps.length - 1]!.status;
  }
  if (gets <= 0) return steps[0]!.status;
  let covered = 0;
  for (const step of steps) {
    covered += step.polls ?? 1;
    if (gets <= covered) return step.status;
  }
  return steps[steps.length - 1]!.status;
}

export const isTimed = (lifecycle: Lifecycle): boolean => lifecycle.steps.some((s) => s.forMs !== undefined);

/** When a timed lifecycle started at `startedAt` reaches its last (holding) status. */
export function timedEnd(lifecycle: Lifecycle, startedAt: number): number {
  return startedAt + lifecycle.steps.slice(0, -1).reduce((sum, s) => sum + (s.forMs ?? 0), 0);
}

/** Non-terminal prefix seen by the first `polls` GETs: Preparing once, then Running. */
function busyFor(polls: number): LifecycleStep[] {
  if (!Number.isInteger(polls) || polls < 0) throw new Error(`polls must be an integer >= 0, got ${polls}`);
  if (polls === 0) return [];
  if (polls === 1) return [{ status: "Preparing", polls: 1 }];
  return [
    { status: "Preparing", polls: 1 },
    { status: "Running", polls: polls - 1 },
  ];
}

/** Ready-made lifecycles: `n` is how many status GETs see the job still busy. */
export const lifecycles = {
  /**
   * A job that takes real (clock) time: `phases` in order, each [status, ms], then `end` holds.
   * E.g. timed([["Queued", 60_000], ["Running", 600_000], ["Finalizing", 30_000]], "Completed").
   */
  timed(phases: Array<[JobStatus, number]>, end: JobStatus = "Completed", errorMessage?: string): Lifecycle {
    for (const [status, ms] of phases) if (!(ms >= 0)) throw new Error(`phase ${status}: ms must be >= 0, got ${ms}`);
    return { steps: [...phases.map(([status, forMs]) => ({ status, forMs })), { status: end, forMs: 0 }], ...(errorMessage ? { errorMessage } : {}) };
  },
  /** The default: Preparing(1) → Queued(1) → Running(2) → Completed. */
  standard(): Lifecycle {
    return {
      steps: [{ status: "Preparing", polls: 1 }, { status: "Queued", polls: 1 }, { status: "Running", polls: 2 }, { status: "Completed" }],
    };
  },
  /** GETs 1..n busy, GET n+1 Completed. */
  completesAfter(n: number): Lifecycle {
    return { steps: [...busyFor(n), { status: "Completed" }] };
  },
  /** GETs 1..afterPolls busy, then Failed carrying `message`. */
  failsWith(message: string, afterPolls: number, code?: string): Lifecycle {
    return {
      steps: [...busyFor(afterPolls), { status: "Failed" }],
      errorMessage: message,
      ...(code !== undefined ? { errorCode: code } : {}),
    };
  },
  /** GETs 1..afterPolls busy, then Canceled without anyone asking (e.g. an admin canceled it). */
  canceledByService(afterPolls: number): Lifecycle {
    return { steps: [...busyFor(afterPolls), { status: "Canceled" }] };
  },
  /** Never leaves `status` (e.g. stuck in Queued for lack of compute). */
  stuckIn(status: JobStatus): Lifecycle {
    return { steps: [{ status }] };
  },
  /**
   * `base` (default: standard) with `failedItems` of the input's items failing: the job ends
   * Completed while they stay within its error threshold (-1, the default: any number), else
   * Failed; either way it leaves its logs (the counts, and `itemError` per failed item).
   */
  withFailedItems(failedItems: number, options: { base?: LifecycleInput; itemError?: string } = {}): Lifecycle {
    const base = normalizeLifecycle(options.base ?? lifecycles.standard());
    return normalizeLifecycle({ ...base, failedItems, ...(options.itemError !== undefined ? { itemError: options.itemError } : {}) });
  },
  /** What a cancel request switches a running job to. */
  cancel(cancelPolls: number): Lifecycle {
    return { steps: [{ status: "CancelRequested", polls: cancelPolls }, { status: "Canceled" }] };
  },
};
