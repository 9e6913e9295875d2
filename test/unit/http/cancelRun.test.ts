import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cancelScoringRun } from "../../../src/http/cancelRun";
import type { DurableStatusLike } from "../../../src/runs/runView";
import { durableStatus, fakeRuns } from "../../fixtures/runsClient";
import { ORIGIN, apiRequest, detailFields } from "./apiRequest";

const running = durableStatus({ instanceId: "run-1", runtimeStatus: "Running", customStatus: { phase: "Polling", nextPollAt: "2026-03-01T10:01:00.000Z" } });
const cancel = (body?: unknown, id = "run-1") => apiRequest({ method: "POST", url: `/api/scoring-runs/${id}/cancel`, params: { id }, body });

describe("cancelScoringRun", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-03-01T10:00:00.000Z"));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("without a body: asks the run to cancel (no reason) and answers 202 with its status URL and Retry-After", async () => {
    const runs = fakeRuns([running]);
    const response = await cancelScoringRun(cancel(), runs);
    expect(runs.calls.cancels).toEqual([{ instanceId: "run-1", reason: "" }]);
    expect(response).toMatchObject({
      status: 202,
      headers: { Location: `${ORIGIN}/api/scoring-runs/run-1?failOnError=true`, "Retry-After": "60" },
      body: { id: "run-1", status: "Running" },
    });
  });

  it("a blank body is no body", async () => {
    const runs = fakeRuns([running]);
    expect((await cancelScoringRun(cancel(" \n "), runs)).status).toBe(202);
    expect(runs.calls.cancels).toEqual([{ instanceId: "run-1", reason: "" }]);
  });

  it("{reason} passes the reason to the run; a null reason is none", async () => {
    const runs = fakeRuns([running]);
    await cancelScoringRun(cancel({ reason: "wrong input file" }), runs);
    await cancelScoringRun(cancel({ reason: null }), runs);
    await cancelScoringRun(cancel({}), runs);
    expect(runs.calls.cancels.map((c) => c.reason)).toEqual(["wrong input file", "", ""]);
  });

  it("a reason of 200 characters is taken; 201, or one that is not a string, is a 400 naming reason", async () => {
    const runs = fakeRuns([running]);
    expect((await cancelScoringRun(cancel({ reason: "r".repeat(200) }), runs)).status).toBe(202);
    for (const reason of ["r".repeat(201), 5, ["x"], { text: "x" }, true]) {
      const response = await cancelScoringRun(cancel({ reason }), runs);
      expect(response.status, JSON.stringify(reason)).toBe(400);
      expect(detailFields(response.body)).toEqual(["reason"]);
    }
    expect(runs.calls.cancels).toHaveLength(1);
  });

  it("an unknown field is a 400 naming that field, and nothing is canceled", async () => {
    const runs = fakeRuns([running]);
    const response = await cancelScoringRun(cancel({ reason: "x", force: true }), runs);
    expect(response).toMatchObject({ status: 400, body: { error: { code: "InvalidRequest" } } });
    expect(detailFields(response.body)).toEqual(["force"]);
    expect(JSON.stringify(response.body)).toContain("the only one is 'reason'");
    expect(runs.calls.cancels).toEqual([]);
  });

  it("a body that is not JSON, or JSON that is not an object, is a 400 naming body", async () => {
    const runs = fakeRuns([running]);
    for (const body of ["{reason:", "not json", "[]", '"stop"', "null", "42"]) {
      const response = await cancelScoringRun(cancel(body), runs);
      expect(response.status, body).toBe(400);
      expect(detailFields(response.body), body).toEqual(["body"]);
    }
    expect(runs.calls.cancels).toEqual([]);
  });

  it("a bad body is a 400 before the run is looked up", async () => {
    const runs = fakeRuns([]);
    expect((await cancelScoringRun(cancel("nope", "unknown"), runs)).status).toBe(400);
    expect(runs.calls.gets).toEqual([]);
  });

  it("an unknown run is a 404 RunNotFound", async () => {
    const runs = fakeRuns([running]);
    expect(await cancelScoringRun(cancel(undefined, "other"), runs)).toMatchObject({ status: 404, body: { error: { code: "RunNotFound" } } });
    expect(runs.calls.cancels).toEqual([]);
  });

  it.each<[string, Partial<DurableStatusLike>, string]>([
    ["succeeded", { runtimeStatus: "Completed", output: {} }, "Succeeded"],
    ["failed", { runtimeStatus: "Failed", output: "Orchestrator function 'x' failed: JobFailed: boom" }, "Failed"],
    ["canceled on request", { runtimeStatus: "Failed", output: "Orchestrator function 'x' failed: RunCanceled: Canceled on request." }, "Canceled"],
    ["terminated", { runtimeStatus: "Terminated", output: "admin" }, "Canceled"],
  ])("a run that already ended (%s) is a 409 RunAlreadyEnded with its status, and no event is raised", async (_what, over, status) => {
    const runs = fakeRuns([durableStatus({ instanceId: "run-1", ...over })]);
    const response = await cancelScoringRun(cancel({ reason: "late" }), runs);
    expect(response).toEqual({
      status: 409,
      body: { error: { code: "RunAlreadyEnded", message: `Scoring run 'run-1' already ended with status ${status}.` } },
    });
    expect(runs.calls.cancels).toEqual([]);
  });

  it("a pending run can be canceled", async () => {
    const runs = fakeRuns([durableStatus({ instanceId: "run-1", runtimeStatus: "Pending" })]);
    expect((await cancelScoringRun(cancel(), runs)).status).toBe(202);
    expect(runs.calls.cancels).toHaveLength(1);
  });
});
