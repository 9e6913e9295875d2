import type { ScoringRunRequest } from "../../../src/runs/types";
import { scoringRequest } from "../../fixtures/scoringRequest";
import type { BatchErrorInfo } from "../../../src/batch/types";
import { initialRunState } from "../../../src/orchestration/runState";
import type { RunState } from "../../../src/runs/runInput";

export const t0 = new Date("2026-01-01T00:00:00.000Z");
export const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

export const request = scoringRequest;

export function runningState(req: ScoringRunRequest, overrides: Partial<RunState> = {}): RunState {
  return {
    ...initialRunState(req, t0, "00000000-0000-0000-0000-000000000001"),
    job: {
      name: "batchjob-1",
      id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/jobs/batchjob-1",
      jobPath: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/jobs/batchjob-1",
      status: "Running",
      studioUrl: null,
    },
    invokedAt: t0.toISOString(),
    ...overrides,
  };
}

export function batchError(overrides: Partial<BatchErrorInfo> = {}): BatchErrorInfo {
  return { code: "ServiceUnavailable", message: "try later", httpStatus: 503, retryable: true, retryAfterSeconds: null, ...overrides };
}
