import { describe, expect, it } from "vitest";
import { markPoll, maxPollMarks, pollTimes } from "../../../src/observability/pollMarks";

const from = "2026-01-01T00:00:00.000Z";
const at = (seconds: number) => new Date(Date.parse(from) + seconds * 1000);

describe("poll marks", () => {
  it("keep each poll as whole seconds after the run's start, and read back as times", () => {
    let marks = markPoll(undefined, from, at(4.4));
    marks = markPoll(marks, from, at(9.6));
    expect(marks).toEqual({ from, seconds: [4, 10] });
    expect(pollTimes(marks)).toEqual(["2026-01-01T00:00:04.000Z", "2026-01-01T00:00:10.000Z"]);
  });

  it("keep only the latest polls, so a week of them stays small", () => {
    let marks = markPoll(undefined, from, at(0));
    for (let i = 1; i < maxPollMarks + 25; i++) marks = markPoll(marks, from, at(i * 120));
    expect(marks.seconds).toHaveLength(maxPollMarks);
    expect(marks.seconds.at(-1)).toBe((maxPollMarks + 24) * 120);
    expect(marks.seconds[0]).toBe(25 * 120);
    expect(JSON.stringify(marks).length).toBeLessThan(600);
  });

  it("keep counting from the first start across continueAsNew (the marks carry their own start)", () => {
    const marks = markPoll({ from, seconds: [5] }, "2026-01-02T00:00:00.000Z", at(60));
    expect(marks).toEqual({ from, seconds: [5, 60] });
  });

  it.each([undefined, null, "x", { from: "not a date", seconds: [1] }, { from, seconds: "1,2" }])(
    "read nothing from a stored value that is not marks (%j)",
    (value) => {
      expect(pollTimes(value)).toEqual([]);
    },
  );

  it("drop stored entries that are not seconds", () => {
    expect(pollTimes({ from, seconds: [1, -1, "2", Number.NaN, 3] })).toEqual(["2026-01-01T00:00:01.000Z", "2026-01-01T00:00:03.000Z"]);
  });
});
