/** Batch ids: from an Idempotency-Key (the same key names the same batch) or random. Uses node:crypto: HTTP only. */
import { createHash, randomUUID } from "node:crypto";
import { canonicalJson } from "../runIds";
import { BATCH_INSTANCE_PREFIX } from "./childRuns";
import type { ScoringBatchRequest } from "./types";

const sha256Hex = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

/** `batch-` + 32 hex characters of the key's sha256 (a different namespace from run keys: the same key may name a run and a batch). */
export function batchIdForKey(key: string): string {
  return `${BATCH_INSTANCE_PREFIX}${sha256Hex(`batch\n${key}`).slice(0, 32)}`;
}

export function newBatchId(): string {
  return `${BATCH_INSTANCE_PREFIX}${randomUUID().replace(/-/g, "")}`;
}

/** Equal for equal normalised batch requests, whatever the body's key order. */
export function batchFingerprint(request: ScoringBatchRequest): string {
  return sha256Hex(canonicalJson(request));
}
