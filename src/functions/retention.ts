import { app } from "@azure/functions";
import * as df from "durable-functions";
import { getConfig } from "../config";
import { occurrenceTime, runRetention } from "../retention/purgeFinishedRuns";
import { parseRetention, retentionTimerSchedule } from "../retention/retentionSettings";
import { runsClient } from "../runs/durableRuns";
import { names } from "../runs/names";
import { durableClientInput } from "./httpAdapter";

// Purges the durable history of ended runs past SCORING_RETENTION_DAYS, a batch per invocation.
app.timer(names.timers.purgeOldRuns, {
  schedule: retentionTimerSchedule(getConfig().retention),
  extraInputs: [durableClientInput],
  handler: (timer, context) =>
    runRetention(
      parseRetention(getConfig().retention),
      () => runsClient(df.getClient(context)),
      occurrenceTime(timer, new Date()),
      (m) => context.log(m),
    ),
});
