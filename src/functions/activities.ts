import * as df from "durable-functions";
import type { InvocationContext } from "@azure/functions";
import { createBatchActivities } from "../activities/batchActivities";
import { createDataActivities } from "../activities/dataActivities";
import { createDiagnosticsActivities } from "../activities/diagnosticsActivities";
import { createNoticeActivities } from "../activities/noticeActivities";
import type { ActivityLogFields, EnsureJobRequest, JobLocator } from "../batch/types";
import { runLogPrefix } from "../observability/runLog";
import type { DescribeOutputRequest, PreflightRequest } from "../preflight/types";
import type { DiagnoseJobRequest } from "../runs/diagnostics";
import { names } from "../runs/names";
import type { RunEndNotice } from "../runs/runEndNotice";
import { jobNameOfPath, type JobStatusRequest } from "../runs/statusRead";
import { withFleetPace } from "./fleet";
import { withExpectedDuration } from "./jobDurations";
import { durableClientInput } from "./httpAdapter";
import { sharedBatchClient, sharedDiagnosticsDeps, sharedNoticeDeps, sharedPreflightDeps } from "./sharedClients";

const batch = createBatchActivities(sharedBatchClient);
const data = createDataActivities(sharedPreflightDeps);
const diagnostics = createDiagnosticsActivities(sharedDiagnosticsDeps);
const notices = createNoticeActivities(sharedNoticeDeps);

/** Log lines of an activity name its run, job and correlation id (through the host's logging, so Application Insights gets them). */
const logFor = (context: InvocationContext, fields: ActivityLogFields | undefined) => (message: string) =>
  context.log(fields ? `${runLogPrefix(fields)} ${message}` : message);

// The invoke and the status read also answer the fleet's pace (a cached entity read, docs/operations.md#fleet-read-budget), so even a run's first poll is paced.
df.app.activity(names.activities.invoke, {
  extraInputs: [durableClientInput],
  handler: (request: EnsureJobRequest, context) =>
    withExpectedDuration(withFleetPace(batch.invokeBatchEndpoint(request, logFor(context, request.log)), context, request.pacedAt), request, context),
});
df.app.activity(names.activities.findJob, { handler: (request: EnsureJobRequest, context) => batch.findInvokedJob(request, logFor(context, request.log)) });
df.app.activity(names.activities.getStatus, {
  extraInputs: [durableClientInput],
  handler: (request: JobStatusRequest, context) =>
    withFleetPace(
      batch.getBatchJobStatus(request, logFor(context, request.log && { jobName: jobNameOfPath(request.jobPath), ...request.log })),
      context,
      request.pacedAt,
    ),
});
df.app.activity(names.activities.cancel, { handler: (locator: JobLocator, context) => batch.cancelBatchJob(locator, logFor(context, locator.log)) });
df.app.activity(names.activities.preflight, {
  handler: (request: PreflightRequest, context) => data.preflightScoringRun(request, logFor(context, request.log)),
});
df.app.activity(names.activities.describeOutput, {
  handler: (request: DescribeOutputRequest, context) => data.describeRunOutput(request, logFor(context, request.log)),
});
df.app.activity(names.activities.diagnose, {
  handler: (request: DiagnoseJobRequest, context) => diagnostics.diagnoseBatchJob(request, logFor(context, request.log)),
});
df.app.activity(names.activities.notify, {
  handler: (notice: RunEndNotice, context) => notices.sendRunEndNotice(notice, logFor(context, notice.log)),
});
