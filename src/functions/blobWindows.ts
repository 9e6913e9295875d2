/** Batched blob events (docs/api.md#batched-events): the per-folder window entity, its closer and the activity that starts a window's run. */
import * as df from "durable-functions";
import { getConfig } from "../config";
import { startWindowRun } from "../events/blobWindowEvents";
import { blobWindowCloser } from "../orchestration/blobWindowCloser";
import { addFile, type BlobWindowState, closeIfDue, emptyBlobWindowState } from "../orchestration/blobWindowState";
import type { BlobWindowAdd, ClosedBlobWindow, CloseIfDueRequest } from "../runs/blobWindows";
import { runsClient } from "../runs/durableRuns";
import { names } from "../runs/names";
import { durableClientInput } from "./httpAdapter";

df.app.entity<BlobWindowState>(names.blobWindows.entity, (context) => {
  const key = context.df.entityKey;
  const state = context.df.getState(() => emptyBlobWindowState(key)) ?? emptyBlobWindowState(key);
  switch (context.df.operationName) {
    case "add": {
      const { state: next, outcome, windowId } = addFile(state, context.df.getInput<BlobWindowAdd>() as BlobWindowAdd);
      context.df.setState(next);
      context.df.return({ outcome, windowId });
      break;
    }
    case "closeIfDue": {
      const { state: next, answer } = closeIfDue(state, context.df.getInput<CloseIfDueRequest>() as CloseIfDueRequest);
      context.df.setState(next);
      context.df.return(answer);
      break;
    }
    default:
      context.df.return(null);
  }
});

df.app.orchestration(names.blobWindows.closer, blobWindowCloser);

df.app.activity(names.blobWindows.startRun, {
  extraInputs: [durableClientInput],
  handler: (window: ClosedBlobWindow, context) => startWindowRun(window, runsClient(df.getClient(context)), getConfig()),
});
