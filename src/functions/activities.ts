import * as df from "durable-functions";
import { createBatchActivities } from "../activities/batchActivities";
import { createBatchEndpointClient } from "../batch/client";
import type { BatchEndpointClient, EnsureJobRequest } from "../batch/types";
import { getConfig } from "../config";
import { names } from "../orchestration/names";

// One client per configuration (settings change only in tests and the dev host).
let cached: { config: ReturnType<typeof getConfig>; client: BatchEndpointClient } | undefined;
function client(): BatchEndpointClient {
  const config = getConfig();
  if (cached?.config !== config) cached = { config, client: createBatchEndpointClient({ config }) };
  return cached.client;
}

const activities = createBatchActivities(client);

df.app.activity(names.activities.invoke, { handler: (request: EnsureJobRequest, context) => activities.invokeBatchEndpoint(request, (message) => context.log(message)) });
df.app.activity(names.activities.getStatus, { handler: activities.getBatchJobStatus });
df.app.activity(names.activities.cancel, { handler: activities.cancelBatchJob });
