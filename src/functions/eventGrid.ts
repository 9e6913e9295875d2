import { app } from "@azure/functions";
import * as df from "durable-functions";
import { getConfig } from "../config";
import { startRunsForBlobEvents } from "../events/startRunsForBlobEvents";
import { runsClient } from "../http/runsClient";
import { names } from "../orchestration/names";
import { durableClientInput } from "./httpAdapter";

// New data starts a run: subscribe this function to the storage account's BlobCreated events.
app.eventGrid(names.eventGrid.blobCreated, {
  extraInputs: [durableClientInput],
  handler: async (event, context) => {
    // A thrown error (the task hub unreachable) fails the invocation, so Event Grid redelivers.
    await startRunsForBlobEvents([event], runsClient(df.getClient(context)), getConfig(), (message) => context.log(message));
  },
});
