import { describe, expect, it } from "vitest";
import { correlationOf } from "../../../src/observability/correlation";
import { runLogPrefix } from "../../../src/observability/runLog";
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

describe("correlationOf", () => {
  const headers = (h: Record<string, string>) => (name: string) => h[name] ?? null;
  it("x-correlation-id wins and is kept as sent", () => {
    expect(correlationOf(headers({ "x-correlation-id": "adf-run:9f1c", traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" })))
      .toEqual({ ok: true, correlationId: "adf-run:9f1c" });
  });
  it("a malformed x-correlation-id names the header", () => {
    expect(correlationOf(headers({ "x-correlation-id": "has space" }))).toMatchObject({ ok: false, field: "x-correlation-id" });
    expect(correlationOf(headers({ "x-correlation-id": "x".repeat(129) }))).toMatchObject({ ok: false });
  });
  it("a W3C traceparent gives its trace id; an invalid one is ignored", () => {
    expect(correlationOf(headers({ traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" }))).toEqual({ ok: true, correlationId: "4bf92f3577b34da6a3ce929d0e0e4736" });
    expect(correlationOf(headers({ traceparent: "00-00000000000000000000000000000000-00f067aa0ba902b7-01" }))).toEqual({ ok: true, correlationId: null });
    expect(correlationOf(headers({ traceparent: "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" }))).toEqual({ ok: true, correlationId: null });
    expect(correlationOf(headers({ traceparent: "garbage" }))).toEqual({ ok: true, correlationId: null });
    expect(correlationOf(headers({}))).toEqual({ ok: true, correlationId: null });
  });
});

describe("runLogPrefix", () => {
  it("names the run, then the job and correlation id once known", () => {
    expect(runLogPrefix({ runId: "r1" })).toBe("[run=r1]");
    expect(runLogPrefix({ runId: "r1", jobName: "batchjob-1", correlationId: "c-9" })).toBe("[run=r1 job=batchjob-1 correlationId=c-9]");
  });
});
