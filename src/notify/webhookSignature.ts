/**
 * How a notify webhook is signed, so its receiver can tell it came from this app and is fresh:
 * `x-scoring-signature: sha256=<hex HMAC-SHA256(key, "<timestamp>.<raw body>")>` with
 * `x-scoring-timestamp: <unix seconds>`. The timestamp is inside the signed text, so a captured
 * delivery cannot be replayed later under a new timestamp; receivers refuse old ones.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-scoring-signature";
export const TIMESTAMP_HEADER = "x-scoring-timestamp";

export function webhookSignature(key: string, timestamp: number, rawBody: string): string {
  return `sha256=${createHmac("sha256", key).update(`${timestamp}.${rawBody}`, "utf8").digest("hex")}`;
}

/** What a receiver does (and what the tests check): same text, same key → same signature, compared in constant time. */
export function verifyWebhookSignature(key: string, timestamp: string, rawBody: string, signature: string): boolean {
  if (!/^\d{1,12}$/.test(timestamp)) return false;
  const expected = Buffer.from(webhookSignature(key, Number(timestamp), rawBody));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
