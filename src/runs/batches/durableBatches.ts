/** The durable client narrowed to what a scoring batch is (as durableRuns.ts does for runs). */
import type { DurableClient } from "durable-functions";
import { isRunId } from "../runIds";
import { toStatusLike } from "../durableRuns";
import type { DurableStatusLike } from "../runView";
import { names } from "../names";
import { BATCH_INSTANCE_PREFIX } from "./childRuns";
import type { ScoringBatchInput } from "./types";

export interface BatchesClient {
  get(batchId: string): Promise<DurableStatusLike | undefined>;
  start(batchId: string, input: ScoringBatchInput): Promise<void>;
  raiseCancel(batchId: string, reason: string): Promise<void>;
}

export const isBatchId = (id: string): boolean => isRunId(id) && id.startsWith(BATCH_INSTANCE_PREFIX) && id.length <= 80;

export function batchesClient(client: DurableClient): BatchesClient {
  return {
    async get(batchId) {
      if (!isBatchId(batchId)) return undefined;
      try {
        const s = await client.getStatus(batchId, { showInput: true });
        return s && s.name === names.batches.orchestrator ? toStatusLike(s) : undefined;
      } catch (err) {
        if (err instanceof Error && /HTTP 404/.test(err.message)) return undefined;
        throw err;
      }
    },
    async start(batchId, input) {
      if (!isBatchId(batchId)) throw new Error("not a batch id");
      await client.startNew(names.batches.orchestrator, { instanceId: batchId, input });
    },
    async raiseCancel(batchId, reason) {
      if (!isBatchId(batchId)) throw new Error("not a batch id");
      await client.raiseEvent(batchId, names.events.cancel, { reason });
    },
  };
}
