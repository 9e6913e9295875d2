import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config";

describe("whole-number settings", () => {
  it("are read from digits only: 1e2, 0x10, 12.0 and signs are refused, not read as numbers", () => {
    expect(parseConfig({ SCORING_DEFAULT_POLL_SECONDS: " 60 " }).defaultPollSeconds).toBe(60);
    for (const bad of ["1e2", "0x10", "12.0", "+60", "-1", "60s"]) {
      expect(() => parseConfig({ SCORING_DEFAULT_POLL_SECONDS: bad }), bad).toThrow(`Setting SCORING_DEFAULT_POLL_SECONDS must be a whole number from 1 to 86400, got "${bad}".`);
      expect(() => parseConfig({ SCORING_MAX_POLLS_PER_EXECUTION: bad }), bad).toThrow(/SCORING_MAX_POLLS_PER_EXECUTION must be a whole number/);
    }
  });
});
