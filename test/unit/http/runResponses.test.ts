import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { acceptedResponse, runLinks, runLocation, runResponse, waitForRun } from "../../../src/http/runResponses";
import { toRunView } from "../../../src/runs/runView";
import type { RunView } from "../../../src/runs/types";
import { scoringRequest } from "../../fixtures/scoringRequest";
import { durableStatus, fakeRuns } from "../../fixtures/runsClient";
import { ORIGIN, apiRequest } from "./apiRequest";

const now = new Date("2026-03-01T10:00:00.000Z");
const view = (over: Partial<RunView> = {}): RunView => ({ ...toRunView(durableStatus({ instanceId: "run-1" })), ...over });
const progress = (nextPollAt: string | null) => ({ phase: "Polling", polls: 1, lastPolledAt: null, nextPollAt, recentPolls: [] });

describe("runLocation", () => {
  it("is the app's own status route for the run, on the request's origin, with failOnError=true", () => {
    const req = apiRequest({ method: "POST", url: "/api/scoring-runs?wait=5&failOnError=false" });
    expect(runLocation(req, "run-1")).toBe(`${ORIGIN}/api/scoring-runs/run-1?failOnError=true`);
  });

  it("carries the function key back when the caller sent it as ?code=", () => {
    const req = apiRequest({ method: "POST", url: "/api/scoring-runs?code=k3y%2Fwith%3Dchars" });
    const location = new URL(runLocation(req, "run-1"));
    expect(location.pathname).toBe("/api/scoring-runs/run-1");
    expect(location.searchParams.get("failOnError")).toBe("true");
    expect(location.searchParams.get("code")).toBe("k3y/with=chars");
  });

  it("never copies a key sent as the x-functions-key header into the URL", () => {
    const req = apiRequest({ method: "POST", headers: { "x-functions-key": "header-key" } });
    expect(runLocation(req, "run-1")).not.toContain("header-key");
    expect(runLocation(req, "run-1")).not.toContain("code=");
  });

  it("encodes the run id into its path segment", () => {
    expect(runLocation(apiRequest(), "a b")).toBe(`${ORIGIN}/api/scoring-runs/a%20b?failOnError=true`);
  });
});

describe("runLinks", () => {
  it("names the status and cancel routes and carries no key, even when the caller sent ?code=", () => {
    const links = runLinks(apiRequest({ method: "POST", url: "/api/scoring-runs?code=secret-key" }), "run-1");
    expect(links).toEqual({
      id: "run-1",
      statusQueryGetUri: `${ORIGIN}/api/scoring-runs/run-1`,
      cancelPostUri: `${ORIGIN}/api/scoring-runs/run-1/cancel`,
    });
    expect(JSON.stringify(links)).not.toContain("secret-key");
  });
});

describe("acceptedResponse and runResponse", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(now);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("202 with Location and Retry-After until the next poll (whole seconds, rounded up)", () => {
    const response = acceptedResponse(apiRequest(), view({ progress: progress("2026-03-01T10:00:42.300Z") }));
    expect(response).toMatchObject({
      status: 202,
      headers: { "Content-Type": "application/json", Location: `${ORIGIN}/api/scoring-runs/run-1?failOnError=true`, "Retry-After": "43" },
    });
  });

  it("Retry-After stays from 1 to 300 s: a poll already due gives 1, one far off 300", () => {
    expect(acceptedResponse(apiRequest(), view({ progress: progress("2026-03-01T09:00:00.000Z") })).headers!["Retry-After"]).toBe("1");
    expect(acceptedResponse(apiRequest(), view({ progress: progress("2026-03-02T10:00:00.000Z") })).headers!["Retry-After"]).toBe("300");
  });

  it("without a next poll, Retry-After is the request's poll interval, else 10 s", () => {
    expect(
      acceptedResponse(apiRequest(), view({ progress: progress(null), request: scoringRequest({ pollIntervalSeconds: 45 }) })).headers!["Retry-After"],
    ).toBe("45");
    expect(acceptedResponse(apiRequest(), view({ progress: progress(null), request: null })).headers!["Retry-After"]).toBe("10");
  });

  it("a run that ended, answered as accepted, still carries a Retry-After", () => {
    expect(acceptedResponse(apiRequest(), view({ status: "Succeeded" })).headers!["Retry-After"]).toBe("10");
  });

  it("runResponse: 202 while running, 200 when succeeded, 500 for a failure only with failOnError", () => {
    expect(runResponse(apiRequest(), view({ status: "Pending" }), false).status).toBe(202);
    expect(runResponse(apiRequest(), view({ status: "Running" }), true).status).toBe(202);
    const ok = runResponse(apiRequest(), view({ status: "Succeeded" }), true);
    expect(ok).toEqual({ status: 200, headers: { "Content-Type": "application/json" }, body: view({ status: "Succeeded" }) });
    for (const status of ["Failed", "Canceled"] as const) {
      expect(runResponse(apiRequest(), view({ status }), false).status).toBe(200);
      expect(runResponse(apiRequest(), view({ status }), true).status).toBe(500);
    }
  });
});

describe("waitForRun", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reads the run until it ends, backing off from 100 ms", async () => {
    vi.useFakeTimers();
    const ended = durableStatus({ runtimeStatus: "Completed" });
    const runs = fakeRuns([], { onGet: (_id, call) => (call >= 3 ? ended : durableStatus()) });
    const waiting = waitForRun(runs, "run-1", 10_000);
    await vi.advanceTimersByTimeAsync(99);
    expect(runs.calls.gets).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs.calls.gets).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(200);
    expect(await waiting).toBe(ended);
    expect(runs.calls.gets).toHaveLength(3);
  });

  it("answers with the run as it is when the time is up", async () => {
    vi.useFakeTimers();
    const runs = fakeRuns([durableStatus({ runtimeStatus: "Running" })]);
    const waiting = waitForRun(runs, "run-1", 2_500);
    await vi.advanceTimersByTimeAsync(2_500);
    expect(await waiting).toMatchObject({ runtimeStatus: "Running" });
    // 100 + 200 + 400 + 800 + 1000 ms would pass the deadline: the last wait is cut to it.
    expect(runs.calls.gets).toHaveLength(6);
  });

  it("an unknown run answers undefined at once", async () => {
    const runs = fakeRuns();
    expect(await waitForRun(runs, "nope", 10_000)).toBeUndefined();
    expect(runs.calls.gets).toEqual(["nope"]);
  });
});
