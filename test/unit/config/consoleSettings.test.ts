import { describe, expect, it } from "vitest";
import { consoleSettings } from "../../../src/config";

describe("SCORING_CONSOLE_READ_ONLY", () => {
  it.each([
    [undefined, false],
    ["", false],
    ["false", false],
    [" FALSE ", false],
    ["true", true],
    ["True", true],
  ])("%j reads as read-only %s", (value, readOnly) => {
    expect(consoleSettings({ SCORING_CONSOLE_READ_ONLY: value })).toEqual({ readOnly, problem: null });
  });

  it.each(["yes", "1", "on"])("%j fails closed: read-only, and the console says which setting is wrong", (value) => {
    const settings = consoleSettings({ SCORING_CONSOLE_READ_ONLY: value });
    expect(settings.readOnly).toBe(true);
    expect(settings.problem).toContain("SCORING_CONSOLE_READ_ONLY must be true or false");
  });
});
