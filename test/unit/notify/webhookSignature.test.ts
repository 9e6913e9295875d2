import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyWebhookSignature, webhookSignature } from "../../../src/notify/webhookSignature";

describe("webhook signature", () => {
  const body = '{"id":"r","status":"Succeeded"}';

  it("is sha256=<hex HMAC-SHA256(key, '<timestamp>.<raw body>')>, as a receiver computes it with any HMAC library", () => {
    const expected = createHmac("sha256", "key").update(`1767225600.${body}`).digest("hex");
    expect(webhookSignature("key", 1767225600, body)).toBe(`sha256=${expected}`);
  });

  it("verifies only with the same key, timestamp and body", () => {
    const sig = webhookSignature("key", 100, body);
    expect(verifyWebhookSignature("key", "100", body, sig)).toBe(true);
    expect(verifyWebhookSignature("other", "100", body, sig)).toBe(false);
    expect(verifyWebhookSignature("key", "101", body, sig)).toBe(false);
    expect(verifyWebhookSignature("key", "100", `${body} `, sig)).toBe(false);
    expect(verifyWebhookSignature("key", "1e2", body, sig)).toBe(false);
    expect(verifyWebhookSignature("key", "100", body, "sha256=00")).toBe(false);
  });
});
