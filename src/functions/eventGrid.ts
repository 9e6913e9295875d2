import { app } from "@azure/functions";
import * as df from "durable-functions";
import { getConfig } from "../config";
import { signalRunsForJobEvents } from "../events/jobStatusEvents";
import { startRunsForBlobEvents } from "../events/startRunsForBlobEvents";
import { blobWindowClient } from "../runs/blobWindowClient";
import { runsClient } from "../runs/durableRuns";
import { names } from "../runs/names";
import { durableClientInput } from "./httpAdapter";

// New data starts a run: subscribe this function to the storage account's BlobCreated events.
app.eventGrid(names.eventGrid.blobCreated, {
  extraInputs: [durableClientInput],
  handler: async (event, context) => {
    // A thrown error (the task hub unreachable) fails the invocation, so Event Grid redelivers.
    const client = df.getClient(context);
    await startRunsForBlobEvents([event], runsClient(client), getConfig(), (message) => context.log(message), blobWindowClient(client));
  },
});

// A job's status changed: wake the run waiting on it (subscribe to the workspace's RunStatusChanged events).
app.eventGrid(names.eventGrid.jobStatusChanged, {
  extraInputs: [durableClientInput],
  handler: async (event, context) => {
    await signalRunsForJobEvents([event], runsClient(df.getClient(context)), (message) => context.log(message));
  },
});
