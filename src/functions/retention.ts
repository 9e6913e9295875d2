import { app } from "@azure/functions";
import * as df from "durable-functions";
import { getConfig, retentionTimerSchedule } from "../config";
import { names } from "../orchestration/names";
import { retentionClient } from "../retention/durableRetentionClient";
import { occurrenceTime, runRetention } from "../retention/purgeFinishedRuns";
import { durableClientInput } from "./httpAdapter";

// Purges the durable history of finished runs past SCORING_RETENTION_DAYS, a batch per invocation.
app.timer(names.timers.purgeOldRuns, {
  schedule: retentionTimerSchedule(),
  extraInputs: [durableClientInput],
  handler: (timer, context) =>
    runRetention(getConfig().retention, () => retentionClient(df.getClient(context)), occurrenceTime(timer, new Date()), (m) => context.log(m)),
});
