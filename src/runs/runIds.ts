/**
 * Idempotent starts: the same request (same key or instanceId, same body) maps to the same run.
 * Uses node:crypto, so only the HTTP functions import this file, never the orchestrator.
 */
import { createHash } from "node:crypto";
import type { ScoringRunRequest } from "./types";

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** JSON with object keys sorted at every level (undefined members dropped, as JSON.stringify does). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined && typeof v !== "function")
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** sha256 (hex) of the normalised request's canonical JSON: equal for equal logical requests, whatever body form they came in. */
export function requestFingerprint(request: ScoringRunRequest): string {
  return sha256Hex(canonicalJson(request));
}

/** Run ids derived from an Idempotency-Key start with this; a caller's own instanceId may not. */
export const KEY_INSTANCE_PREFIX = "key-";
/** Run ids derived from the request itself (no key, an output file) start with this. */
export const REQUEST_INSTANCE_PREFIX = "req-";

/**
 * The run id of a request sent without a key but with an output file. Azure ML writes an output
 * file once (a second job for it fails), so the same request again can only mean the same run:
 * a retried or doubled submit finds it instead of starting a second job.
 */
export function instanceIdForRequest(request: ScoringRunRequest): string {
  return `${REQUEST_INSTANCE_PREFIX}${requestFingerprint(request).slice(0, 32)}`;
}

/** A valid durable instance id for an `Idempotency-Key` header value: `key-` + 32 hex chars. */
export function instanceIdForKey(key: string): string {
  return `${KEY_INSTANCE_PREFIX}${sha256Hex(key).slice(0, 32)}`;
}

/** An `Idempotency-Key` must be 1 to 255 printable ASCII characters. */
export function validateIdempotencyKey(key: string | null | undefined): { ok: true; key: string } | { ok: false; message: string } {
  if (key === null || key === undefined || key === "") {
    return { ok: false, message: "Idempotency-Key must not be empty" };
  }
  if (key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return { ok: false, message: `Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, got ${key.length}` };
  }
  if (!PRINTABLE_ASCII.test(key)) {
    return { ok: false, message: "Idempotency-Key must contain only printable ASCII characters" };
  }
  return { ok: true, key };
}

/**
 * Every run id the app issues or accepts has this form (random hex, `key-`/`req-`/`blob-` + hex,
 * or a validated instanceId). durable-functions puts ids into URLs unencoded, so anything else
 * (`/`, `..`, `?`, `#`, NUL) could address another instance: such an id names no run.
 */
const runIdForm = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
export const isRunId = (id: string): boolean => runIdForm.test(id);

export const blobRunPrefix = "blob-";

/**
 * The run id for one version of one blob: the same URL and eTag always give the same id, so
 * Event Grid's at-least-once redelivery, or the same write reported twice, names one run.
 * A new write of the blob has a new eTag and so a new run.
 */
export function blobRunId(blobUrl: string, eTag: string): string {
  const url = new URL(blobUrl);
  const canonical = `${url.protocol}//${url.host.toLowerCase()}${url.pathname}`;
  const version = eTag.trim().replace(/^(W\/)?"(.*)"$/, "$2");
  return `${blobRunPrefix}${sha256Hex(`${canonical}\n${version}`).slice(0, 32)}`;
}
