import * as df from "durable-functions";
import { createBatchActivities } from "../activities/batchActivities";
import { sharedBatchClient } from "../batch/sharedClient";
import type { EnsureJobRequest } from "../batch/types";
import { names } from "../orchestration/names";

const activities = createBatchActivities(sharedBatchClient);

df.app.activity(names.activities.invoke, { handler: (request: EnsureJobRequest, context) => activities.invokeBatchEndpoint(request, (message) => context.log(message)) });
df.app.activity(names.activities.getStatus, { handler: activities.getBatchJobStatus });
df.app.activity(names.activities.cancel, { handler: activities.cancelBatchJob });
