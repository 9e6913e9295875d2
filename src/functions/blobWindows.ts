/** Batched blob events (docs/api.md#batched-events): the per-folder window entity, its closer, the activity that starts a window's run, and the watch list and its sweep. */
import { app } from "@azure/functions";
import * as df from "durable-functions";
import { getConfig } from "../config";
import { startWindowRun } from "../events/blobWindowEvents";
import { sweepBlobWindows } from "../events/sweepBlobWindows";
import { blobWindowCloser } from "../orchestration/blobWindowCloser";
import { addFile, type BlobWindowState, closeIfDue, emptyBlobWindowState } from "../orchestration/blobWindowState";
import { blobWindowClient, WATCH_KEY } from "../runs/blobWindowClient";
import type { BlobWindowAdd, BlobWindowForgetRequest, BlobWindowWatchRequest, ClosedBlobWindow, CloseIfDueRequest } from "../runs/blobWindows";
import { type BlobWindowWatchState, emptyBlobWindowWatch, forgetFolder, watchFolder } from "../runs/blobWindowWatch";
import { runsClient } from "../runs/durableRuns";
import { names } from "../runs/names";
import { durableClientInput } from "./httpAdapter";

df.app.entity<BlobWindowState>(names.blobWindows.entity, (context) => {
  const key = context.df.entityKey;
  const state = context.df.getState(() => emptyBlobWindowState(key)) ?? emptyBlobWindowState(key);
  switch (context.df.operationName) {
    case "add": {
      const { state: next, outcome, windowId, closerMayBeGone } = addFile(state, context.df.getInput<BlobWindowAdd>() as BlobWindowAdd);
      context.df.setState(next);
      if (closerMayBeGone) {
        const watch: BlobWindowWatchRequest = { folderKey: key };
        context.df.signalEntity(new df.EntityId(names.blobWindows.watch, WATCH_KEY), "watch", watch);
      }
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

df.app.entity<BlobWindowWatchState>(names.blobWindows.watch, (context) => {
  const state = context.df.getState(emptyBlobWindowWatch) ?? emptyBlobWindowWatch();
  switch (context.df.operationName) {
    case "watch":
      context.df.setState(watchFolder(state, context.df.getInput<BlobWindowWatchRequest>() as BlobWindowWatchRequest));
      break;
    case "forget":
      context.df.setState(forgetFolder(state, context.df.getInput<BlobWindowForgetRequest>() as BlobWindowForgetRequest));
      break;
  }
  context.df.return(null);
});

// Every 2 minutes: a folder whose file came just as its closer ended waits at most that long for its closer.
app.timer(names.timers.sweepBlobWindows, {
  schedule: "0 */2 * * * *",
  extraInputs: [durableClientInput],
  handler: async (_timer, context) => {
    await sweepBlobWindows(blobWindowClient(df.getClient(context)), getConfig(), (m) => context.log(m));
  },
});
