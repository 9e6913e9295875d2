import { describe, expect, it } from "vitest";
import { carriedState, restoredState } from "../../../src/runs/carriedState";
import { initialRunState, jobPolled, jobInvoked, noted } from "../../../src/orchestration/runState";
import { scoringRequest } from "../../fixtures/scoringRequest";
import { at, t0 } from "../orchestration/fixtures";

const request = scoringRequest();

const ws = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws";
const ensured = {
  name: "batchjob-1",
  id: `${ws}/batchEndpoints/ep/deployments/blue/jobs/batchjob-1`,
  jobPath: `${ws}/jobs/batchjob-1`,
  status: "Queued",
  studioUrl: "https://ml.azure.com/runs/batchjob-1",
};

describe("the state continueAsNew carries", () => {
  const running = jobPolled(
    jobInvoked(initialRunState(request, t0, "invoke-1"), request, ensured, at(1)),
    { ...ensured, errorMessage: null, status: "Running" },
    at(60),
    false,
  );

  it("leaves out what is at its starting value and the path the job's id gives again", () => {
    const carried = carriedState(running);
    expect(carried.job).toEqual({ name: "batchjob-1", id: ensured.id, status: "Running", studioUrl: ensured.studioUrl });
    for (const field of ["lastPollError", "cancel", "cancelSentAt", "lastCancelError", "consecutivePollErrors", "invokeAttempts", "preflight", "warnings"])
      expect(carried, field).not.toHaveProperty(field);
    expect(carried.polls).toBe(1);
    expect(JSON.stringify(carried).length).toBeLessThan(JSON.stringify(running).length);
  });

  it("gives back the very state, through JSON as Durable carries it", () => {
    expect(restoredState(JSON.parse(JSON.stringify(carriedState(running))))).toEqual(running);
    const fresh = initialRunState(request, t0, "invoke-2");
    expect(restoredState(JSON.parse(JSON.stringify(carriedState(fresh))))).toEqual(fresh);
  });

  it("keeps a path its id does not give, and fields it does not know", () => {
    const odd = { ...running, job: { ...running.job!, jobPath: `${ws}/jobs/other` }, pollMarks: { from: t0.toISOString(), seconds: [0] } };
    const carried = carriedState(odd);
    expect(carried.job?.jobPath).toBe(`${ws}/jobs/other`);
    expect(restoredState(carried)).toEqual(odd);
  });

  it("reads a whole state, as inputs written before carried it", () => {
    const whole = noted({ ...running, cancel: { requestedAt: at(90).toISOString(), reason: "" } }, at(90), "cancelRequested");
    expect(restoredState(JSON.parse(JSON.stringify(whole)))).toEqual(whole);
  });
});
