import { describe, expect, it } from "vitest";
import { noticeFailedWarning, runEndNotices, runEndSummary } from "../../../src/orchestration/runEndNotices";
import { at, batchError, request as scoringRequest, runningState } from "./fixtures";

const request = scoringRequest();

const log = { runId: "run-1" };
const output = { uri: "azureml://datastores/ws/paths/out.csv", blobUrl: null, sizeBytes: null, lastModified: null, contentType: null };

describe("runEndSummary", () => {
  it("a succeeded run: its job, its output, no error, its warnings' codes", () => {
    const state = { ...runningState(request), warnings: [{ code: "OutputNotChecked", message: "…" }] };
    expect(runEndSummary("run-1", state, { at: at(60), error: null, output })).toEqual({
      id: "run-1",
      status: "Succeeded",
      endedAt: at(60).toISOString(),
      job: { name: "batchjob-1", status: "Running", studioUrl: null },
      output: { uri: output.uri },
      error: null,
      warnings: ["OutputNotChecked"],
    });
  });

  it("failed and canceled runs: the error decides the status; no job before the invoke", () => {
    expect(runEndSummary("r", runningState(request), { at: at(1), error: { code: "JobFailed", message: "boom" } })).toMatchObject({
      status: "Failed",
      output: null,
    });
    expect(runEndSummary("r", runningState(request), { at: at(1), error: { code: "JobCanceled", message: "x" } }).status).toBe("Canceled");
    expect(runEndSummary("r", runningState(request, { job: null }), { at: at(1), error: { code: "RunCanceled", message: "x" } })).toMatchObject({
      status: "Canceled",
      job: null,
    });
  });
});

describe("runEndNotices", () => {
  const summary = runEndSummary("run-1", runningState(request), { at: at(1), error: null });

  it("none when the request named nobody (a request from before callbacks, too)", () => {
    expect(runEndNotices(request, summary, log)).toEqual([]);
    expect(runEndNotices({ ...request, notify: { callBackUri: null, webhook: null, eventGridTopic: null } }, summary, log)).toEqual([]);
  });

  it("one per place, Data Factory's callback first", () => {
    const notify = {
      callBackUri: "https://a.datafactory.azure.com/cb?x=1",
      webhook: { url: "https://h/x", secretSetting: "SCORING_WEBHOOK_SECRET_A" },
      eventGridTopic: "https://t.eventgrid.azure.net/api/events",
    };
    expect(runEndNotices({ ...request, notify }, summary, log)).toEqual([
      { channel: "callback", url: notify.callBackUri, summary, log },
      { channel: "webhook", url: "https://h/x", secretSetting: "SCORING_WEBHOOK_SECRET_A", summary, log },
      { channel: "eventGrid", topic: notify.eventGridTopic, summary, log },
    ]);
  });
});

describe("noticeFailedWarning", () => {
  it("a CallbackFailed warning naming the channel and the status, saying the outcome stays", () => {
    const w = noticeFailedWarning("callback", batchError({ message: "host answered 500 after retries.", httpStatus: 500 }));
    expect(w.code).toBe("CallbackFailed");
    expect(w.message).toMatch(/^The Data Factory callback \(callBackUri\) could not be delivered \(HTTP 500\): host answered 500/);
    expect(w.message).toContain("outcome is unchanged");
    expect(noticeFailedWarning("eventGrid", batchError({ httpStatus: null })).message).toMatch(/^The Event Grid event .* delivered: /);
  });
});
