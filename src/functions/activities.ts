import * as df from "durable-functions";
import type { InvocationContext } from "@azure/functions";
import { createBatchActivities } from "../activities/batchActivities";
import { createDataActivities } from "../activities/dataActivities";
import type { ActivityLogFields, EnsureJobRequest, JobLocator } from "../batch/types";
import { runLogPrefix } from "../observability/runLog";
import { names } from "../runs/names";
import type { DescribeOutputRequest, PreflightRequest } from "../preflight/types";
import { sharedBatchClient, sharedPreflightDeps } from "./sharedClients";

const activities = createBatchActivities(sharedBatchClient);
const dataActivities = createDataActivities(sharedPreflightDeps);

/** Log lines of an activity name its run, job and correlation id (through the host's logging, so Application Insights gets them). */
const logFor = (context: InvocationContext, fields: ActivityLogFields | undefined) => (message: string) =>
  context.log(fields ? `${runLogPrefix(fields)} ${message}` : message);

df.app.activity(names.activities.invoke, {
  handler: (request: EnsureJobRequest, context) => activities.invokeBatchEndpoint(request, logFor(context, request.log)),
});
df.app.activity(names.activities.findJob, {
  handler: (request: EnsureJobRequest, context) => activities.findInvokedJob(request, logFor(context, request.log)),
});
df.app.activity(names.activities.getStatus, {
  handler: async (locator: JobLocator, context) => {
    const result = await activities.getBatchJobStatus(locator);
    logFor(context, locator.log)(result.ok ? `job status ${result.value.status}` : `status read failed: ${result.error.code} ${result.error.message}`);
    return result;
  },
});
df.app.activity(names.activities.cancel, {
  handler: async (locator: JobLocator, context) => {
    const result = await activities.cancelBatchJob(locator);
    logFor(context, locator.log)(result.ok ? "cancel sent" : `cancel failed: ${result.error.code} ${result.error.message}`);
    return result;
  },
});
df.app.activity(names.activities.preflight, {
  handler: async (request: PreflightRequest, context) => {
    const report = await dataActivities.preflightScoringRun(request);
    for (const c of report.checks) logFor(context, request.log)(`pre-flight ${c.target}: ${c.result}${c.code ? ` ${c.code}` : ""}`);
    return report;
  },
});
df.app.activity(names.activities.describeOutput, {
  handler: async (request: DescribeOutputRequest, context) => {
    const result = await dataActivities.describeRunOutput(request);
    logFor(context, request.log)(result.warning ? `output: ${result.warning.code}` : `output ${result.output?.blobUrl ?? "none"}`);
    return result;
  },
});
