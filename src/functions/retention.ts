import { app } from "@azure/functions";
import * as df from "durable-functions";
import { occurrenceTime, runRetention } from "../retention/purgeFinishedRuns";
import { retentionSettingsGiven } from "../config";
import { parseRetention, retentionTimerSchedule } from "../retention/retentionSettings";
import { runsClient } from "../runs/durableRuns";
import { names } from "../runs/names";
import { durableClientInput } from "./httpAdapter";

// Purges the durable history of ended runs past SCORING_RETENTION_DAYS, a batch per invocation.
// Only the retention settings are read at registration: another bad setting must not keep the app from loading.
app.timer(names.timers.purgeOldRuns, {
  schedule: retentionTimerSchedule(retentionSettingsGiven()),
  extraInputs: [durableClientInput],
  handler: (timer, context) =>
    runRetention(
      parseRetention(retentionSettingsGiven()),
      () => runsClient(df.getClient(context)),
      occurrenceTime(timer, new Date()),
      (m) => context.log(m),
    ),
});
