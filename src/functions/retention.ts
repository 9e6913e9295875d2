import { app } from "@azure/functions";
import * as df from "durable-functions";
import { getConfig, retentionTimerSchedule } from "../config";
import { names } from "../orchestration/names";
import { retentionClient } from "../retention/durableRetentionClient";
import { describeOutcome, occurrenceTime, purgeFinishedRuns } from "../retention/purgeFinishedRuns";
import { durableClientInput } from "./httpAdapter";

// Purges the durable history of finished runs past SCORING_RETENTION_DAYS, a batch per invocation.
app.timer(names.timers.purgeOldRuns, {
  schedule: retentionTimerSchedule(),
  extraInputs: [durableClientInput],
  handler: async (timer, context) => {
    const { retention } = getConfig();
    // A wrong setting fails the invocation (visible in the host's logs), and purges nothing.
    if ("problem" in retention) throw new Error(retention.problem);
    if ("off" in retention) {
      context.log(`retention is off: ${retention.off}`);
      return;
    }
    const outcome = await purgeFinishedRuns(retentionClient(df.getClient(context)), { now: occurrenceTime(timer, new Date()), ...retention.settings });
    context.log(describeOutcome(outcome));
    if (outcome.failed > 0) throw new Error(`${outcome.failed} purge(s) failed, first: ${outcome.firstError}`);
  },
});
