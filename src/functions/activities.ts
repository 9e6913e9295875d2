import * as df from "durable-functions";
import { createBatchActivities } from "../activities/batchActivities";
import { createDataActivities } from "../activities/dataActivities";
import { sharedBatchClient } from "../batch/sharedClient";
import type { EnsureJobRequest } from "../batch/types";
import { names } from "../orchestration/names";
import { sharedPreflightDeps } from "../preflight/sharedDeps";

const activities = createBatchActivities(sharedBatchClient);
const dataActivities = createDataActivities(sharedPreflightDeps);

df.app.activity(names.activities.invoke, { handler: (request: EnsureJobRequest, context) => activities.invokeBatchEndpoint(request, (message) => context.log(message)) });
df.app.activity(names.activities.getStatus, { handler: activities.getBatchJobStatus });
df.app.activity(names.activities.cancel, { handler: activities.cancelBatchJob });
df.app.activity(names.activities.preflight, { handler: dataActivities.preflightScoringRun });
df.app.activity(names.activities.describeOutput, { handler: dataActivities.describeRunOutput });
