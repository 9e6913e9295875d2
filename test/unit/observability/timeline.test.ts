import { describe, expect, it } from "vitest";
import { appendTimeline, maxTimelineEntries, type TimelineEntry } from "../../../src/observability/timeline";

const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
const entry = (i: number): TimelineEntry => ({ at: at(i), event: "status", detail: `read ${i}` });

describe("appendTimeline", () => {
  it("keeps every entry up to the bound", () => {
    let t: TimelineEntry[] = [];
    for (let i = 0; i < maxTimelineEntries; i++) t = appendTimeline(t, entry(i));
    expect(t).toHaveLength(maxTimelineEntries);
    expect(t.map((e) => e.detail)).toEqual(Array.from({ length: maxTimelineEntries }, (_, i) => `read ${i}`));
  });

  it("past the bound keeps the first 8 and the latest, with one marker counting what went", () => {
    let t: TimelineEntry[] = [];
    const n = 1000;
    for (let i = 0; i < n; i++) t = appendTimeline(t, entry(i));
    expect(t).toHaveLength(maxTimelineEntries);
    expect(t.slice(0, 8).map((e) => e.detail)).toEqual(Array.from({ length: 8 }, (_, i) => `read ${i}`));
    expect(t[8]).toEqual({ at: at(8), event: "omitted", detail: `${n - maxTimelineEntries + 1} entries omitted` });
    expect(t.at(-1)!.detail).toBe(`read ${n - 1}`);
    expect(t.slice(9).map((e) => e.detail)).toEqual(Array.from({ length: maxTimelineEntries - 9 }, (_, i) => `read ${n - (maxTimelineEntries - 9) + i}`));
    expect(t.filter((e) => e.event === "omitted")).toHaveLength(1);
  });

  it("the first overflow drops two entries for the marker's place: '2 entries omitted'", () => {
    let t: TimelineEntry[] = [];
    for (let i = 0; i <= maxTimelineEntries; i++) t = appendTimeline(t, entry(i));
    expect(t).toHaveLength(maxTimelineEntries);
    expect(t[8]!.detail).toBe("2 entries omitted");
  });

  it("long details are cut to 200 characters", () => {
    const t = appendTimeline([], { at: at(0), event: "failed", detail: "x".repeat(1000) });
    expect(t[0]!.detail).toHaveLength(200);
  });
});
