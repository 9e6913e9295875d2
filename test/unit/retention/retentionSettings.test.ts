import { describe, expect, it } from "vitest";
import { parseConfig, retentionSettingsGiven } from "../../../src/config";
import { parseRetention, retentionTimerSchedule as scheduleOf } from "../../../src/retention/retentionSettings";

const retention = (env: Record<string, string>) => parseRetention(retentionSettingsGiven(env));
const retentionTimerSchedule = (env: Record<string, string>) => scheduleOf(retentionSettingsGiven(env));

describe("retention settings", () => {
  it("defaults: 30 days, batches of 500, daily at 03:17", () => {
    expect(retention({})).toEqual({ settings: { days: 30, batchSize: 500 } });
    expect(retentionTimerSchedule({})).toBe("0 17 3 * * *");
  });

  it("SCORING_RETENTION_DAYS: a whole number 1–3650; 0 or off turns retention off", () => {
    expect(retention({ SCORING_RETENTION_DAYS: "1", SCORING_RETENTION_BATCH: "2" })).toEqual({ settings: { days: 1, batchSize: 2 } });
    expect(retention({ SCORING_RETENTION_DAYS: " 3650 " })).toEqual({ settings: { days: 3650, batchSize: 500 } });
    for (const off of ["0", "off", "OFF", " Off "]) expect(retention({ SCORING_RETENTION_DAYS: off }), off).toHaveProperty("off");
    for (const bad of ["3651", "-1", "1.5", "30d", "thirty", "0x10", "1e2"]) {
      const r = retention({ SCORING_RETENTION_DAYS: bad });
      expect(r, bad).toHaveProperty("problem");
      expect((r as { problem: string }).problem).toBe(
        `Setting SCORING_RETENTION_DAYS must be a whole number from 1 to 3650, got "${bad}" (0 or off: keep every run). Nothing was purged.`,
      );
    }
  });

  it("SCORING_RETENTION_BATCH: a whole number 1–5000", () => {
    expect(retention({ SCORING_RETENTION_BATCH: "5000" })).toEqual({ settings: { days: 30, batchSize: 5000 } });
    for (const bad of ["0", "5001", "ten", "2.5"])
      expect((retention({ SCORING_RETENTION_BATCH: bad }) as { problem?: string }).problem, bad).toMatch(
        /^Setting SCORING_RETENTION_BATCH must be a whole number from 1 to 5000/,
      );
  });

  it("a bad retention setting never breaks the rest of the configuration (the scoring API keeps working)", () => {
    const config = parseConfig({ SCORING_RETENTION_DAYS: "forever", SCORING_RETENTION_SCHEDULE: "daily" });
    expect(config.defaultPollSeconds).toBe(120);
    expect(retention({ SCORING_RETENTION_DAYS: "forever", SCORING_RETENTION_SCHEDULE: "daily" })).toHaveProperty("problem");
  });

  it("SCORING_RETENTION_SCHEDULE: a 6-field NCRONTAB expression; an invalid one is a problem and the timer keeps the default", () => {
    expect(retention({ SCORING_RETENTION_SCHEDULE: "0 */30 * * * Mon-Fri" })).toHaveProperty("settings");
    expect(retentionTimerSchedule({ SCORING_RETENTION_SCHEDULE: " 0 0 2 * * Sun " })).toBe("0 0 2 * * Sun");
    const bad = retention({ SCORING_RETENTION_SCHEDULE: "17 3 * * *" }) as { problem: string };
    expect(bad.problem).toBe(
      'Setting SCORING_RETENTION_SCHEDULE must be a 6-field NCRONTAB expression such as "0 17 3 * * *": needs 6 fields ({second} {minute} {hour} {day} {month} {day-of-week}), got 5, got "17 3 * * *". Nothing was purged.',
    );
    expect(retentionTimerSchedule({ SCORING_RETENTION_SCHEDULE: "17 3 * * *" })).toBe("0 17 3 * * *");
  });
});
