/** The run keeps its poll marks in its state and shows them in its custom status, dropping them first when space is short. */
import { describe, expect, it } from "vitest";
import { boundedProgress, progressOf, utf16Bytes } from "../../../src/orchestration/customStatus";
import { jobPolled, pollFailed } from "../../../src/orchestration/runState";
import { toRunView } from "../../../src/runs/runView";
import { durableStatus } from "../../fixtures/runsClient";
import { at, batchError, request, runningState, t0 } from "./fixtures";

const snapshot = { name: "batchjob-1", status: "Running", studioUrl: null, errorMessage: null };

describe("a run's poll marks", () => {
  it("every status read, answered or failed, is marked", () => {
    let state = runningState(request());
    state = jobPolled(state, snapshot, at(30), false);
    state = pollFailed(state, batchError(), at(90));
    state = jobPolled(state, { ...snapshot, status: "Completed" }, at(150), true);
    expect(state.polls).toBe(3);
    expect(state.pollMarks).toEqual({ from: t0.toISOString(), seconds: [30, 90, 150] });
  });

  it("reach the run view through the custom status, as times", () => {
    const state = jobPolled(jobPolled(runningState(request()), snapshot, at(30), false), snapshot, at(60), false);
    const view = toRunView(durableStatus({ customStatus: boundedProgress(progressOf(state, "Monitoring")) }));
    expect(view.progress.recentPolls).toEqual([at(30).toISOString(), at(60).toISOString()]);
    expect(view.progress.polls).toBe(2);
  });

  it("are the first thing a custom status over its budget drops", () => {
    const state = jobPolled(runningState(request()), snapshot, at(30), false);
    const full = progressOf(state, "Monitoring");
    const budget = utf16Bytes(full) - 2;
    const bounded = boundedProgress(full, budget);
    expect(bounded.pollMarks).toBeUndefined();
    expect(bounded.timeline).toEqual(full.timeline);
    expect(utf16Bytes(bounded)).toBeLessThanOrEqual(budget);
  });

  it("a run started before marks were kept shows none", () => {
    const { pollMarks: _none, ...old } = jobPolled(runningState(request()), snapshot, at(30), false);
    expect(toRunView(durableStatus({ customStatus: progressOf(old, "Monitoring") })).progress.recentPolls).toEqual([]);
  });
});
