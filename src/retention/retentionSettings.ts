/**
 * The retention timer's settings (SCORING_RETENTION_DAYS, SCORING_RETENTION_BATCH,
 * SCORING_RETENTION_SCHEDULE), read and checked by the timer itself, apart from the app's other
 * settings: a bad one fails only the timer (visible in the host's logs), and a bad other setting
 * never keeps the timer from registering. Pure.
 */
import { intSetting, type RetentionSettingsGiven } from "../config";
import { ncrontabProblem } from "./ncrontab";

export const retentionDefaults = { days: 30, batchSize: 500, schedule: "0 17 3 * * *" } as const;
export const retentionLimits = { minDays: 1, maxDays: 3650, minBatch: 1, maxBatch: 5000 } as const;

export interface RetentionSettings {
  /** Finished runs whose last update is more than this many days old are purged. */
  days: number;
  /** At most this many runs are purged per invocation; a backlog is worked off over several days. */
  batchSize: number;
}

/** What the timer purges; `off` says it was turned off, `problem` which setting is wrong. */
export type Retention = { settings: RetentionSettings } | { off: string } | { problem: string };

export function parseRetention(given: RetentionSettingsGiven): Retention {
  const env = { SCORING_RETENTION_DAYS: given.days, SCORING_RETENTION_BATCH: given.batch };
  const rawDays = given.days?.trim() ?? "";
  if (rawDays === "0" || rawDays.toLowerCase() === "off") return { off: `SCORING_RETENTION_DAYS is "${rawDays}": finished runs are kept forever.` };
  let days: number;
  let batchSize: number;
  try {
    days = intSetting(env, "SCORING_RETENTION_DAYS", retentionDefaults.days, retentionLimits.minDays, retentionLimits.maxDays);
  } catch (err) {
    return { problem: `${(err as Error).message.replace(/\.$/, "")} (0 or off: keep every run). Nothing was purged.` };
  }
  try {
    batchSize = intSetting(env, "SCORING_RETENTION_BATCH", retentionDefaults.batchSize, retentionLimits.minBatch, retentionLimits.maxBatch);
  } catch (err) {
    return { problem: `${(err as Error).message} Nothing was purged.` };
  }
  const schedule = given.schedule?.trim();
  const scheduleProblem = schedule ? ncrontabProblem(schedule) : null;
  if (scheduleProblem)
    return {
      problem: `Setting SCORING_RETENTION_SCHEDULE must be a 6-field NCRONTAB expression such as "${retentionDefaults.schedule}": ${scheduleProblem}, got "${schedule}". Nothing was purged.`,
    };
  return { settings: { days, batchSize } };
}

/**
 * The retention timer's schedule, read once when the app loads (the host reads a function's
 * schedule at indexing; changing an app setting restarts the app): SCORING_RETENTION_SCHEDULE
 * when it is valid, else the default (an invalid one makes every invocation fail, see
 * `retention.problem`, so it is noticed without stopping the app from loading).
 */
export function retentionTimerSchedule(given: RetentionSettingsGiven): string {
  const schedule = given.schedule?.trim();
  return schedule && ncrontabProblem(schedule) === null ? schedule : retentionDefaults.schedule;
}
