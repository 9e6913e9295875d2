import { describe, expect, it } from "vitest";
import { adfCallbackBody, MAX_CALLBACK_MESSAGE_LENGTH } from "../../../src/notify/callbackBody";
import type { RunEndSummary } from "../../../src/runs/runEndNotice";

const base: RunEndSummary = { id: "r", status: "Succeeded", endedAt: "2026-01-01T00:00:00.000Z", job: null, output: null, error: null, warnings: [] };

// learn.microsoft.com/azure/data-factory/control-flow-webhook-activity#additional-notes:
// { Output, Error: { ErrorCode, Message } (to fail), StatusCode: "403" } — >= 400 fails the activity.
describe("adfCallbackBody", () => {
  it('Succeeded: Output and StatusCode "200", no Error', () => {
    expect(adfCallbackBody(base)).toEqual({ Output: base, StatusCode: "200" });
  });

  it('Failed and Canceled: StatusCode "500" (a string, >= 400) and the run\'s error', () => {
    const failed = { ...base, status: "Failed" as const, error: { code: "JobFailed", message: "boom" } };
    expect(adfCallbackBody(failed)).toEqual({ Output: failed, Error: { ErrorCode: "JobFailed", Message: "boom" }, StatusCode: "500" });
    const canceled = { ...base, status: "Canceled" as const, error: { code: "RunCanceled", message: "asked" } };
    expect(adfCallbackBody(canceled)).toMatchObject({ Error: { ErrorCode: "RunCanceled" }, StatusCode: "500" });
    expect(Number(adfCallbackBody(canceled).StatusCode)).toBeGreaterThanOrEqual(400);
  });

  it("a long message is bounded; a missing error still fails the activity", () => {
    const long = adfCallbackBody({ ...base, status: "Failed", error: { code: "X", message: "m".repeat(10_000) } });
    expect(long.Error!.Message).toHaveLength(MAX_CALLBACK_MESSAGE_LENGTH);
    expect(adfCallbackBody({ ...base, status: "Failed" })).toMatchObject({ Error: { ErrorCode: "RunFailed" }, StatusCode: "500" });
  });
});
