/**
 * The activities that look at a run's data: pre-flight before the invoke, the predictions file
 * after completion. They never throw for an unreadable place: that is a recorded `skipped`.
 */
import type { PreflightDeps } from "../preflight/checks";
import { runPreflight } from "../preflight/checks";
import { describeOutput } from "../preflight/describeOutput";
import type { DescribeOutputRequest, DescribeOutputResult, PreflightRequest } from "../preflight/types";
import type { PreflightReport } from "../runs/preflightReport";

export function createDataActivities(deps: () => PreflightDeps) {
  return {
    preflightScoringRun: (request: PreflightRequest): Promise<PreflightReport> => runPreflight(request, deps()),
    describeRunOutput: (request: DescribeOutputRequest): Promise<DescribeOutputResult> => describeOutput(request, deps()),
  };
}
