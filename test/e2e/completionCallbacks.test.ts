/**
 * Completion callbacks (docs/api.md#completion-callbacks): a run's end is posted once to Data
 * Factory's callBackUri in the shape the WebHook activity reads with reportStatusOnCallBack, to
 * a signed webhook and to an Event Grid topic; never to a host the settings refuse, never with a
 * key or token, and a callback that cannot be delivered is a warning, not a different outcome.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { type CallbackListener, startCallbackListener } from "../../dev/notices/callbackListener";
import { type EventGridTopicStandIn, startEventGridTopic } from "../../dev/notices/eventGridTopic";
import { LOOPBACK_EVENT_GRID_KEY } from "../../src/notify/eventGridNotice";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifyWebhookSignature } from "../../src/notify/webhookSignature";
import { runToEnd, useStack } from "./stack";

const WEBHOOK_KEY = "whsec-test-key-0123456789";
/** ADF puts a capability in the callBackUri's query: it must reach the listener and nowhere else. */
const CALLBACK_QUERY = "callbackUrl=AAEAAAD-capability-token&shouldReportToMonitoring=true&activityType=WebHook";
/** Headers that would carry a credential of the app (or anything like one). */
const CREDENTIAL_HEADERS = [
  "authorization",
  "x-functions-key",
  "x-ms-authorization-auxiliary",
  "aeg-sas-key",
  "aeg-sas-token",
  "cookie",
  "proxy-authorization",
];

describe("completion callbacks", () => {
  const ctx = useStack({ env: { SCORING_WEBHOOK_SECRET_TEST: WEBHOOK_KEY } });
  let listener: CallbackListener;
  let topic: EventGridTopicStandIn;

  beforeAll(async () => {
    listener = await startCallbackListener();
    topic = await startEventGridTopic({ key: LOOPBACK_EVENT_GRID_KEY });
  });
  afterAll(async () => {
    await listener?.close();
    await topic?.close();
  });
  beforeEach(() => {
    listener.reset();
    topic.events.length = 0;
    topic.requests.length = 0;
  });

  const callBackUri = (tag: string) => `${listener.baseUrl}/workflow/callback/${tag}?${CALLBACK_QUERY}`;
  const codes = (view: { warnings: Array<{ code: string }> }) => view.warnings.map((w) => w.code);
  const deliveriesTo = (tag: string) => listener.received.filter((r) => r.path.startsWith(`/workflow/callback/${tag}?`));

  it('Succeeded: one POST in the WebHook activity\'s shape, StatusCode "200", no Error, no credential header', async () => {
    const { stack } = ctx;
    stack.emulator.enqueueLifecycle(lifecycles.completesAfter(2));
    const view = await runToEnd(stack, stack.startBody({ callBackUri: callBackUri("ok") }));
    expect(view.status).toBe("Succeeded");
    const [delivery, ...more] = deliveriesTo("ok");
    expect(more).toEqual([]);
    expect(delivery!.method).toBe("POST");
    expect(delivery!.path).toBe(`/workflow/callback/ok?${CALLBACK_QUERY}`);
    expect(delivery!.headers["content-type"]).toBe("application/json");
    for (const name of CREDENTIAL_HEADERS) expect(delivery!.headers, name).not.toHaveProperty(name);
    expect(delivery!.rawBody).not.toMatch(/code=|sig=|Bearer/);
    expect(delivery!.body).toEqual({
      Output: {
        id: view.id,
        status: "Succeeded",
        endedAt: expect.any(String),
        job: { name: view.job.name, status: "Completed", studioUrl: view.job.studioUrl },
        output: { uri: view.output.uri },
        error: null,
        // Without Azurite the predictions file cannot be looked at: OutputNotChecked.
        warnings: view.warnings.map((w: { code: string }) => w.code),
      },
      StatusCode: "200",
    });
    // The view shows where the callback went, never its capability.
    expect(view.request.notify.callBackUri).toBe(`${listener.baseUrl}/workflow/callback/ok?…`);
    expect(JSON.stringify(view)).not.toContain("capability-token");
    expect(codes(view)).not.toContain("CallbackFailed");
  });

  it('Failed: StatusCode "500" with the run\'s error as Error', async () => {
    const { stack } = ctx;
    stack.emulator.enqueueLifecycle(lifecycles.failsWith("out of memory", 1));
    const view = await runToEnd(stack, stack.startBody({ callBackUri: callBackUri("failed") }));
    expect(view.status).toBe("Failed");
    const deliveries = deliveriesTo("failed");
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.body).toMatchObject({
      Output: { id: view.id, status: "Failed", error: { code: "JobFailed" } },
      Error: { ErrorCode: "JobFailed", Message: view.error.message },
      StatusCode: "500",
    });
  });

  it('Canceled (in Azure ML, and by the caller before any job): StatusCode "500", Output.status Canceled', async () => {
    const { stack } = ctx;
    stack.emulator.enqueueLifecycle(lifecycles.canceledByService(1));
    const view = await runToEnd(stack, stack.startBody({ callBackUri: callBackUri("canceled") }));
    expect(view.status).toBe("Canceled");
    expect(deliveriesTo("canceled").map((d) => d.body)).toEqual([
      expect.objectContaining({
        Output: expect.objectContaining({ status: "Canceled" }),
        Error: { ErrorCode: "JobCanceled", Message: expect.any(String) },
        StatusCode: "500",
      }),
    ]);

    // Canceled by the caller (cancel asked while pre-flight runs): still one callback.
    stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Running"));
    stack.host.engine.interceptor = {
      before(name, input) {
        const runId = (input as { log?: { runId?: string } }).log?.runId;
        if (name === "preflightScoringRun" && runId) stack.host.engine.raiseEvent(runId, "CancelRequested", { reason: "not needed" });
      },
    };
    const start = await stack.api("/api/scoring-runs", { json: stack.startBody({ callBackUri: callBackUri("early") }) });
    expect(start.status).toBe(202);
    const id = start.body.id as string;
    try {
      await stack.host.engine.runUntil(() => ["Completed", "Failed"].includes(stack.host.engine.get(id)?.runtimeStatus ?? ""), 24 * 3600_000);
    } finally {
      stack.host.engine.interceptor = undefined;
    }
    const early = deliveriesTo("early");
    expect(early).toHaveLength(1);
    expect(early[0]!.body).toMatchObject({ Output: { id, status: "Canceled" }, Error: { ErrorCode: "RunCanceled" }, StatusCode: "500" });
  });

  it("an invoke that fails for good: the callback still goes, with the invoke's error", async () => {
    const { stack } = ctx;
    stack.emulator.injectFault({ match: { route: "invoke" }, times: 1, kind: { status: 400 } });
    const view = await runToEnd(stack, stack.startBody({ callBackUri: callBackUri("invoke") }));
    expect(view.status).toBe("Failed");
    const [delivery] = deliveriesTo("invoke");
    expect(delivery!.body).toMatchObject({ Output: { status: "Failed", job: null }, Error: { ErrorCode: view.error.code }, StatusCode: "500" });
    expect(deliveriesTo("invoke")).toHaveLength(1);
  });

  it("a listener answering 503 twice, then 200, gets exactly one successful delivery; no warning", async () => {
    const { stack } = ctx;
    listener.answerNext(503, 503);
    const view = await runToEnd(stack, stack.startBody({ callBackUri: callBackUri("flaky") }));
    expect(view.status).toBe("Succeeded");
    expect(deliveriesTo("flaky").map((d) => d.status)).toEqual([503, 503, 200]);
    expect(deliveriesTo("flaky").filter((d) => d.status === 200)).toHaveLength(1);
    expect(codes(view)).not.toContain("CallbackFailed");
  });

  it("a callback that cannot be delivered is a CallbackFailed warning; the run keeps its outcome", async () => {
    const { stack } = ctx;
    listener.answerNext(500, 500, 500, 500, 500, 500);
    const view = await runToEnd(stack, stack.startBody({ callBackUri: callBackUri("down") }));
    expect(view.status).toBe("Succeeded");
    expect(deliveriesTo("down").length).toBeGreaterThan(1);
    expect(deliveriesTo("down").length).toBeLessThanOrEqual(6);
    const warning = view.warnings.filter((w: { code: string }) => w.code === "CallbackFailed");
    expect(warning).toEqual([{ code: "CallbackFailed", message: expect.stringContaining("HTTP 500") }]);
    expect(warning[0].message).not.toContain("capability-token");
  });

  it("a notify webhook is signed: HMAC-SHA256 over the timestamp and the raw body verifies with the key", async () => {
    const { stack } = ctx;
    const view = await runToEnd(
      stack,
      stack.startBody({ notify: { webhook: { url: `${listener.baseUrl}/hooks/scoring`, secretSetting: "SCORING_WEBHOOK_SECRET_TEST" } } }),
    );
    expect(view.status).toBe("Succeeded");
    const [delivery, ...more] = listener.received.filter((r) => r.path === "/hooks/scoring");
    expect(more).toEqual([]);
    const timestamp = delivery!.headers[TIMESTAMP_HEADER]!;
    const signature = delivery!.headers[SIGNATURE_HEADER]!;
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifyWebhookSignature(WEBHOOK_KEY, timestamp, delivery!.rawBody, signature)).toBe(true);
    // Another key, another body or another timestamp does not verify.
    expect(verifyWebhookSignature("another-key", timestamp, delivery!.rawBody, signature)).toBe(false);
    expect(verifyWebhookSignature(WEBHOOK_KEY, timestamp, delivery!.rawBody.replace("Succeeded", "Failed"), signature)).toBe(false);
    expect(verifyWebhookSignature(WEBHOOK_KEY, String(Number(timestamp) + 1), delivery!.rawBody, signature)).toBe(false);
    expect(delivery!.body).toMatchObject({ id: view.id, status: "Succeeded" });
    expect(delivery!.rawBody).not.toContain(WEBHOOK_KEY);
    for (const name of CREDENTIAL_HEADERS) expect(delivery!.headers, name).not.toHaveProperty(name);
    expect(view.request.notify.webhook).toEqual({ url: `${listener.baseUrl}/hooks/scoring`, secretSetting: "SCORING_WEBHOOK_SECRET_TEST" });
  });

  it("an Event Grid topic receives one ScoringRun.<status> event (Event Grid schema)", async () => {
    const { stack } = ctx;
    const ok = await runToEnd(stack, stack.startBody({ notify: { eventGridTopic: topic.endpoint } }));
    stack.emulator.enqueueLifecycle(lifecycles.failsWith("boom", 1));
    const failed = await runToEnd(stack, stack.startBody({ notify: { eventGridTopic: topic.endpoint } }));
    expect([ok.status, failed.status]).toEqual(["Succeeded", "Failed"]);
    expect(topic.requests.map((r) => r.status)).toEqual([200, 200]);
    expect(topic.events).toEqual([
      expect.objectContaining({
        id: `scoring-run-end-${ok.id}`,
        eventType: "ScoringRun.Succeeded",
        subject: `scoringRuns/${ok.id}`,
        dataVersion: "1.0",
        data: expect.objectContaining({ id: ok.id, status: "Succeeded" }),
      }),
      expect.objectContaining({
        eventType: "ScoringRun.Failed",
        data: expect.objectContaining({ id: failed.id, error: expect.objectContaining({ code: "JobFailed" }) }),
      }),
    ]);
    // Loopback: the stand-in's dev key, never a bearer token over http.
    for (const r of topic.requests) expect(r.headers).not.toHaveProperty("authorization");
  });

  it("all three at once: each gets exactly one notice", async () => {
    const { stack } = ctx;
    await runToEnd(
      stack,
      stack.startBody({
        callBackUri: callBackUri("all"),
        notify: { webhook: { url: `${listener.baseUrl}/hooks/all`, secretSetting: "SCORING_WEBHOOK_SECRET_TEST" }, eventGridTopic: topic.endpoint },
      }),
    );
    expect(deliveriesTo("all")).toHaveLength(1);
    expect(listener.received.filter((r) => r.path === "/hooks/all")).toHaveLength(1);
    expect(topic.events).toHaveLength(1);
  });
});
