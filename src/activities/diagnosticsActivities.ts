/**
 * The activity that reads a finished job's logs for the run's diagnostics. Built by a factory that
 * receives its clients (Run History, Datastores Get, blob reads), so tests pass fakes and the dev
 * host and production the real ones. It never fails the run: whatever cannot be read is a warning.
 */
import type { ActivityResult } from "../batch/types";
import type { DiagnoseJobRequest, JobDiagnostics } from "../runs/diagnostics";
import { asResult } from "./activityResult";
import type { ActivityLog } from "./batchActivities";
import { type DiagnoseJobDeps, diagnoseJob } from "./diagnoseJob";

/** One line of what was found: the counts, how many error lines, and why something could not be read. */
function summary(d: JobDiagnostics): string {
  const counts = d.miniBatches
    ? `mini-batches total ${d.miniBatches.total ?? "?"}, processed ${d.miniBatches.processed ?? "?"}, failed ${d.miniBatches.failed ?? "?"}; `
    : "";
  const warning = d.warnings[0] ? `; ${d.warnings[0].code}: ${d.warnings[0].message}` : "";
  return `diagnostics from ${d.source === "logs" ? "the job's logs" : "no log"}: ${counts}${d.errorLines.length} error line(s)${warning}`;
}

export function createDiagnosticsActivities(deps: () => DiagnoseJobDeps) {
  return {
    diagnoseBatchJob: async (request: DiagnoseJobRequest, log: ActivityLog): Promise<ActivityResult<JobDiagnostics>> => {
      const result = await asResult(() => diagnoseJob(request, deps()));
      log(result.ok ? summary(result.value) : `diagnostics not read: ${result.error.code} ${result.error.message}`);
      return result;
    },
  };
}
