/**
 * What a Durable runtime status means for a run. The extension reports Pending, Running,
 * Completed, Failed, Terminated, Suspended, and ContinuedAsNew between two executions; `Canceled`
 * is in the enum but no storage provider sets it, and is read as ended wherever it shows.
 */
import type { RunError, RunStatus } from "./types";

export const endedRuntimeStatuses = ["Completed", "Failed", "Terminated", "Canceled"] as const;

/** The run has ended: nothing will change it any more. */
export function hasEnded(runtimeStatus: string): boolean {
  return (endedRuntimeStatuses as readonly string[]).includes(runtimeStatus);
}

/** The run is under way and takes events (Suspended ones queue them). */
export function isLive(runtimeStatus: string): boolean {
  return ["Pending", "Running", "ContinuedAsNew", "Suspended"].includes(runtimeStatus);
}

/** Error codes a run ends with when it was canceled (on request, or elsewhere in Azure ML). */
export const canceledErrorCodes: readonly string[] = ["RunCanceled", "JobCanceled"];

/** A run's public status from its runtime status and, for a failed orchestration, its error. */
export function runStatusOf(runtimeStatus: string, error: RunError | null): RunStatus {
  switch (runtimeStatus) {
    case "Pending":
      return "Pending";
    case "Completed":
      return "Succeeded";
    case "Failed":
      return error && canceledErrorCodes.includes(error.code) ? "Canceled" : "Failed";
    case "Terminated":
    case "Canceled":
      return "Canceled";
    default:
      // Running, ContinuedAsNew, Suspended, and anything unknown: not over yet.
      return "Running";
  }
}

/** The runtime statuses that can hold a run of each public status (Failed and Canceled are told apart by the error). */
export const runtimeStatusesFor: Record<RunStatus, string[]> = {
  Pending: ["Pending"],
  Running: ["Running", "ContinuedAsNew", "Suspended"],
  Succeeded: ["Completed"],
  Failed: ["Failed"],
  Canceled: ["Failed", "Terminated", "Canceled"],
};
