/**
 * The activities that look at a run's data: pre-flight before the invoke, the predictions file
 * after completion. An unreadable place is a recorded `skipped` or a warning, never a failure.
 */
import type { ActivityResult } from "../batch/types";
import { type PreflightDeps, runPreflight } from "../preflight/checks";
import { describeOutput } from "../preflight/describeOutput";
import type { DescribeOutputRequest, DescribeOutputResult, PreflightRequest } from "../preflight/types";
import type { PreflightReport } from "../runs/preflightReport";
import { asResult } from "./activityResult";
import type { ActivityLog } from "./batchActivities";

export function createDataActivities(deps: () => PreflightDeps) {
  return {
    preflightScoringRun: async (request: PreflightRequest, log: ActivityLog): Promise<ActivityResult<PreflightReport>> => {
      const result = await asResult(() => runPreflight(request, deps()));
      if (result.ok) for (const c of result.value.checks) log(`pre-flight ${c.target}: ${c.result}${c.code ? ` ${c.code}` : ""}`);
      else log(`pre-flight failed: ${result.error.code} ${result.error.message}`);
      return result;
    },
    describeRunOutput: async (request: DescribeOutputRequest, log: ActivityLog): Promise<ActivityResult<DescribeOutputResult>> => {
      const result = await asResult(() => describeOutput(request, deps()));
      if (result.ok) {
        const files = result.value.outputs.map((o) => `${o.name}: ${o.fileCount ?? "?"} file(s)`).join(", ");
        log(`outputs ${files || "none"}${result.value.warnings.length > 0 ? `; ${result.value.warnings.map((w) => w.code).join(", ")}` : ""}`);
      } else log(`output not described: ${result.error.code} ${result.error.message}`);
      return result;
    },
  };
}
