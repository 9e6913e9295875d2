import { createHttpHeaders, type HttpClient, type PipelineRequest } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { deliverNotice, type NoticeDeps } from "../../../src/notify/deliverNotice";
import { createNoticePipeline } from "../../../src/notify/noticePipeline";
import { verifyWebhookSignature } from "../../../src/notify/webhookSignature";
import type { RunEndNotice, RunEndSummary } from "../../../src/runs/runEndNotice";

const summary: RunEndSummary = { id: "r", status: "Succeeded", endedAt: "2026-01-01T00:00:00.000Z", job: null, output: null, error: null, warnings: [] };
const CALLBACK = "https://eastus.svc.datafactory.azure.com/workflow/callback/1?callbackUrl=capability";

/** A receiver answering from a script (then 200), recording what it got. */
function receiver(...answers: Array<number | { status: number; retryAfter: string }>) {
  const seen: PipelineRequest[] = [];
  const httpClient: HttpClient = {
    async sendRequest(request) {
      seen.push(request);
      const next = answers.shift() ?? 200;
      const { status, retryAfter } = typeof next === "number" ? { status: next, retryAfter: undefined } : next;
      return { request, status, headers: createHttpHeaders(retryAfter ? { "retry-after": retryAfter } : {}), bodyAsText: "" };
    },
  };
  return { seen, httpClient };
}

function deps(httpClient: HttpClient, overrides: Partial<NoticeDeps> = {}): NoticeDeps {
  return {
    pipeline: createNoticePipeline({ maxRetries: 3, retryDelayMs: 1, maxRetryDelayMs: 5, maxRetryAfterSeconds: 30, timeoutMs: 1000 }),
    httpClient,
    credential: { getToken: () => Promise.reject(new Error("no token may be asked for a callback")) },
    hostSettings: () => ({ callbackHosts: ["*.datafactory.azure.com"], allowLoopback: false }),
    webhookSecret: (name) => (name === "SCORING_WEBHOOK_SECRET_A" ? "key-a" : null),
    nowMs: () => 1_767_225_600_000,
    timeoutMs: 1000,
    ...overrides,
  };
}

const callback: RunEndNotice = { channel: "callback", url: CALLBACK, summary };

describe("deliverNotice", () => {
  it("503, 503, then 200: retried by the pipeline, delivered once", async () => {
    const r = receiver(503, 503);
    expect(await deliverNotice(callback, deps(r.httpClient))).toEqual({ ok: true, value: { status: 200 } });
    expect(r.seen).toHaveLength(3);
  });

  it("429 without Retry-After, then a 500: each retried", async () => {
    const r = receiver(429, 500);
    expect((await deliverNotice(callback, deps(r.httpClient))).ok).toBe(true);
    expect(r.seen).toHaveLength(3);
  });

  it("bounded: a receiver that keeps failing is a failure with its status, after a few tries", async () => {
    const r = receiver(...Array(50).fill(500));
    const result = await deliverNotice(callback, deps(r.httpClient));
    expect(result).toMatchObject({ ok: false, error: { code: "NoticeNotDelivered", httpStatus: 500 } });
    expect(r.seen.length).toBeGreaterThan(1);
    expect(r.seen.length).toBeLessThanOrEqual(16);
    expect(JSON.stringify(result)).not.toContain("capability");
  });

  it("a Retry-After beyond 30 s is not waited for", async () => {
    const r = receiver({ status: 429, retryAfter: "3600" });
    const result = await deliverNotice(callback, deps(r.httpClient));
    expect(result).toMatchObject({ ok: false, error: { message: expect.stringContaining("retry after 3600 s") } });
    expect(r.seen).toHaveLength(1);
  });

  it("the callback body and headers: JSON, nothing that authenticates, the URL as given (query included)", async () => {
    const r = receiver();
    await deliverNotice(callback, deps(r.httpClient));
    const sent = r.seen[0]!;
    expect(sent.url).toBe(CALLBACK);
    expect(sent.method).toBe("POST");
    expect(JSON.parse(sent.body as string)).toEqual({ Output: summary, StatusCode: "200" });
    const names = [...sent.headers].map(([n]) => n.toLowerCase());
    expect(names).toContain("content-type");
    for (const n of names) expect(n).not.toMatch(/authorization|functions-key|aeg-sas|cookie/);
  });

  it("a host the settings no longer allow is not posted to", async () => {
    const r = receiver();
    const result = await deliverNotice(callback, deps(r.httpClient, { hostSettings: () => ({ callbackHosts: ["hooks.contoso.com"], allowLoopback: false }) }));
    expect(result).toMatchObject({ ok: false, error: { message: expect.stringMatching(/not sent: .*not allowed/) } });
    expect(r.seen).toEqual([]);
  });

  it("a webhook is signed with the named setting's key; an unset setting sends nothing", async () => {
    const r = receiver();
    const webhook: RunEndNotice = {
      channel: "webhook",
      url: "https://eastus.svc.datafactory.azure.com/hook",
      secretSetting: "SCORING_WEBHOOK_SECRET_A",
      summary,
    };
    expect((await deliverNotice(webhook, deps(r.httpClient))).ok).toBe(true);
    const sent = r.seen[0]!;
    expect(sent.headers.get("x-scoring-timestamp")).toBe("1767225600");
    expect(verifyWebhookSignature("key-a", "1767225600", sent.body as string, sent.headers.get("x-scoring-signature")!)).toBe(true);

    const unset = await deliverNotice({ ...webhook, secretSetting: "SCORING_WEBHOOK_SECRET_B" }, deps(r.httpClient));
    expect(unset).toMatchObject({ ok: false, error: { message: expect.stringContaining("SCORING_WEBHOOK_SECRET_B") } });
    expect(r.seen).toHaveLength(1);
  });

  it("Event Grid: published through the publisher with the app's credential; a failure is a value", async () => {
    const calls: unknown[] = [];
    const eg: RunEndNotice = { channel: "eventGrid", topic: "https://t.westus2-1.eventgrid.azure.net/api/events", summary };
    const ok = await deliverNotice(eg, deps(receiver().httpClient, { publishEvent: async (...args) => void calls.push(args) }));
    expect(ok.ok).toBe(true);
    expect(calls).toEqual([[eg.topic, false, expect.anything(), summary]]);
    const failed = await deliverNotice(
      eg,
      deps(receiver().httpClient, { publishEvent: () => Promise.reject(Object.assign(new Error("Forbidden"), { statusCode: 403 })) }),
    );
    expect(failed).toMatchObject({ ok: false, error: { httpStatus: 403 } });
  });
});
