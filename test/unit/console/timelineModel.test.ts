import { describe, expect, it } from "vitest";
import { timelineModel } from "../../../console/src/timelineModel";
import type { RunView } from "../../../src/runs/types";

const t0 = Date.parse("2026-12-02T10:00:00.000Z");
const at = (s: number) => new Date(t0 + s * 1000).toISOString();
type Entry = RunView["timeline"][number];
const entry = (s: number, event: Entry["event"], detail: string | null = null): Entry => ({ at: at(s), event, detail });

function view(over: Partial<RunView> & { timeline: Entry[] }): Parameters<typeof timelineModel>[0] {
  return {
    status: "Succeeded",
    createdAt: at(0),
    lastUpdatedAt: at(100),
    request: null,
    progress: { phase: "Succeeded", polls: 0, lastPolledAt: null, nextPollAt: null, recentPolls: [] },
    ...over,
  };
}

const bars = (model: ReturnType<typeof timelineModel>) => model.bars.map((b) => [b.phase, (b.from - t0) / 1000, (b.to - t0) / 1000, b.open]);

describe("a run's timeline as bars, ticks and marks", () => {
  it("a run that succeeded: pre-flight, queued, running, finalizing, each to the next status change", () => {
    const model = timelineModel(
      view({
        timeline: [
          entry(0, "started"),
          entry(2, "preflight", "strict: 2 passed"),
          entry(3, "invoked", "job batchjob-1 (Preparing)"),
          entry(10, "status", "Preparing → Queued"),
          entry(20, "status", "Queued → Running"),
          entry(80, "status", "Running → Finalizing"),
          entry(95, "status", "Finalizing → Completed"),
          entry(96, "succeeded", "predictions …"),
        ],
      }),
      t0 + 500_000,
    );
    expect(bars(model)).toEqual([
      ["preflight", 0, 2, false],
      ["queued", 3, 20, false],
      ["running", 20, 80, false],
      ["finalizing", 80, 95, false],
    ]);
    expect(model.start).toBe(t0);
    expect(model.end).toBe(t0 + 100_000);
    expect(model.marks.map((m) => m.event)).toEqual(["started", "preflight", "invoked", "status", "status", "status", "status", "succeeded"]);
  });

  it("a run still going: its current phase is open to now, and its polls are ticks", () => {
    const model = timelineModel(
      view({
        status: "Running",
        lastUpdatedAt: at(30),
        progress: { phase: "Monitoring", polls: 7, lastPolledAt: at(40), nextPollAt: at(50), recentPolls: [at(10), at(25), at(40)] },
        timeline: [entry(0, "started"), entry(1, "preflight"), entry(2, "invoked", "job j (Queued)"), entry(25, "status", "Queued → Running (event)")],
      }),
      t0 + 45_000,
    );
    expect(bars(model)).toEqual([
      ["preflight", 0, 1, false],
      ["queued", 2, 25, false],
      ["running", 25, 45, true],
    ]);
    expect(model.end).toBe(t0 + 45_000);
    expect(model.polls.map((p) => (p - t0) / 1000)).toEqual([10, 25, 40]);
    expect(model.earlierPolls).toBe(4);
    expect(model.marks.find((m) => m.event === "status")?.byEvent).toBe(true);
  });

  it("a run in pre-flight shows an open pre-flight bar", () => {
    const model = timelineModel(
      view({
        status: "Running",
        progress: { phase: "Preflight", polls: 0, lastPolledAt: null, nextPollAt: null, recentPolls: [] },
        timeline: [entry(0, "started")],
      }),
      t0 + 3_000,
    );
    expect(bars(model)).toEqual([["preflight", 0, 3, true]]);
  });

  it("a failed job ends its phase at the failure; callbacks run from the outcome to the run's end when notices were asked for", () => {
    const request = { notify: { callBackUri: "https://adf.example/cb?…", webhook: null, eventGridTopic: null } } as unknown as RunView["request"];
    const model = timelineModel(
      view({
        status: "Failed",
        lastUpdatedAt: at(70),
        request,
        timeline: [
          entry(0, "started"),
          entry(1, "preflight"),
          entry(2, "invoked", "job j (Running)"),
          entry(60, "status", "Running → Failed"),
          entry(61, "failed", "JobFailed: boom"),
        ],
      }),
      t0 + 1e9,
    );
    expect(bars(model)).toEqual([
      ["preflight", 0, 1, false],
      ["running", 2, 60, false],
      ["callbacks", 61, 70, false],
    ]);
    expect(model.marks.at(-1)).toMatchObject({ event: "failed", detail: "JobFailed: boom" });
  });

  it("without notices there is no callbacks bar", () => {
    const model = timelineModel(view({ timeline: [entry(0, "started"), entry(5, "succeeded")] }), t0);
    expect(model.bars.map((b) => b.phase)).not.toContain("callbacks");
  });

  it("a phase whose start was in the timeline's dropped middle starts at the gap", () => {
    const model = timelineModel(
      view({
        timeline: [
          entry(0, "started"),
          entry(1, "preflight"),
          entry(500, "omitted", "40 entries omitted"),
          entry(900, "status", "Running → Completed"),
          entry(901, "succeeded"),
        ],
        lastUpdatedAt: at(902),
      }),
      t0,
    );
    expect(bars(model)).toEqual([
      ["preflight", 0, 1, false],
      ["running", 500, 900, false],
    ]);
    expect(model.omitted).toBe(true);
    expect(model.marks.map((m) => m.event)).not.toContain("omitted");
  });

  it("a cancel: CancelRequested stays in the running phase", () => {
    const model = timelineModel(
      view({
        status: "Canceled",
        timeline: [
          entry(0, "started"),
          entry(1, "preflight"),
          entry(2, "invoked", "job j (Running)"),
          entry(30, "cancelRequested", "why"),
          entry(31, "cancelSent"),
          entry(32, "status", "Running → CancelRequested"),
          entry(40, "status", "CancelRequested → Canceled"),
          entry(41, "canceled", "RunCanceled: …"),
        ],
      }),
      t0,
    );
    expect(bars(model)).toEqual([
      ["preflight", 0, 1, false],
      ["running", 2, 40, false],
    ]);
  });
});
