/**
 * The durable client's side of batched blob events: signal a folder's window entity, and make
 * sure its closer runs (start it, or wake the one running). See docs/api.md#batched-events.
 */
import { type DurableClient, EntityId } from "durable-functions";
import { type BlobWindowAdd, type BlobWindowCloserInput, blobWindowCloserId, type BlobWindowForgetRequest, type StoredBlobWindows } from "./blobWindows";
import type { BlobWindowWatchState } from "./blobWindowWatch";
import { names } from "./names";

export interface BlobWindowClient {
  /** Queues the file on its folder's entity (deduped there). */
  add(folderKey: string, add: BlobWindowAdd): Promise<void>;
  /** Starts the folder's closer unless one runs; a running one is woken (a new window is timed from then). */
  ensureCloser(input: BlobWindowCloserInput): Promise<"started" | "running">;
  /** The folders on the watch list (docs/api.md#batched-events), empty when there is none. */
  readWatch(): Promise<BlobWindowWatchState["folders"]>;
  /** A folder's window entity's state, undefined when it does not exist. */
  readFolder(folderKey: string): Promise<StoredBlobWindows | undefined>;
  /** Drops a folder from the watch list unless it was watched again after `seq`. */
  forget(request: BlobWindowForgetRequest): Promise<void>;
}

/** The watch list is one entity. */
export const WATCH_KEY = "all";

const live = new Set(["Running", "Pending", "ContinuedAsNew", "Suspended"]);

export function blobWindowClient(client: DurableClient): BlobWindowClient {
  const status = async (id: string) => {
    try {
      return await client.getStatus(id);
    } catch (err) {
      if (err instanceof Error && /HTTP 404/.test(err.message)) return undefined;
      throw err;
    }
  };
  return {
    async add(folderKey, add) {
      await client.signalEntity(new EntityId(names.blobWindows.entity, folderKey), "add", add);
    },
    async ensureCloser(input) {
      const id = blobWindowCloserId(input.folderKey);
      const found = await status(id);
      if (found && live.has(String(found.runtimeStatus))) {
        // A closer that ends in between drops the wake; the entity then puts the folder on the watch list, and the sweep starts a closer.
        await client.raiseEvent(id, names.blobWindows.wake, null).catch(() => undefined);
        return "running";
      }
      try {
        await client.startNew(names.blobWindows.closer, { instanceId: id, input });
      } catch (err) {
        // Another delivery started it first: that closer serves this file too.
        const raced = await status(id);
        if (!raced || !live.has(String(raced.runtimeStatus))) throw err;
      }
      return "started";
    },
    async readWatch() {
      const read = await client.readEntityState<BlobWindowWatchState>(new EntityId(names.blobWindows.watch, WATCH_KEY));
      return read.entityExists ? (read.entityState?.folders ?? []) : [];
    },
    async readFolder(folderKey) {
      const read = await client.readEntityState<StoredBlobWindows>(new EntityId(names.blobWindows.entity, folderKey));
      return read.entityExists ? read.entityState : undefined;
    },
    async forget(request) {
      await client.signalEntity(new EntityId(names.blobWindows.watch, WATCH_KEY), "forget", request);
    },
  };
}
