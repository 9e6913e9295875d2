/**
 * A data drop as Event Grid delivers it to a webhook: `Microsoft.Storage.BlobCreated` events in
 * the Event Grid schema, shaped as Azure Storage publishes them, one per blob version (some blobs
 * are written twice: same URL, new eTag, a new version), plus redeliveries (the same event, same
 * id: delivery is at least once), shuffled (order is not guaranteed) and cut into batches as a
 * subscription with output batching cuts them: at most `maxEventsPerBatch` events and
 * `maxBatchBytes` of JSON each (docs/azure-behaviour.md#event-grid-batches). Seeded: the same
 * options give the same burst.
 */
import { seededRandom, shuffle } from "./seededRandom";

export interface BurstOptions {
  /** Events delivered in all, redeliveries included. */
  deliveries: number;
  /** Share of the deliveries that are redeliveries of another delivery's event. */
  duplicateShare: number;
  /** Share of the blob versions that overwrite a blob written earlier in the drop. */
  overwriteShare: number;
  maxEventsPerBatch: number;
  maxBatchBytes: number;
  /** The drop's writes are spread over this long, from `startTime` (the events' eventTime). */
  spanMs: number;
  startTime: number;
  account: string;
  container: string;
  /** Blob paths start with this (inside the container). */
  prefix: string;
  seed: number;
}

export interface BlobCreatedDelivery {
  id: string;
  topic: string;
  subject: string;
  eventType: "Microsoft.Storage.BlobCreated";
  eventTime: string;
  dataVersion: string;
  metadataVersion: string;
  data: {
    api: string;
    clientRequestId: string;
    requestId: string;
    eTag: string;
    contentType: string;
    contentLength: number;
    blobType: string;
    url: string;
    sequencer: string;
    storageDiagnostics: { batchId: string };
  };
}

export interface BlobEventBurst {
  batches: BlobCreatedDelivery[][];
  /** Every blob version the drop wrote, once each: what should start one run each. */
  versions: Array<{ url: string; eTag: string }>;
  /** Deliveries that repeat an event delivered elsewhere in the burst. */
  duplicates: number;
  /** Versions that overwrote a blob written earlier in the drop. */
  overwrites: number;
}

export function blobEventBurst(options: BurstOptions): BlobEventBurst {
  const rnd = seededRandom(options.seed);
  const hex = (digits: number) => Array.from({ length: digits }, () => Math.floor(rnd() * 16).toString(16)).join("");
  const guid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const duplicates = Math.round(options.deliveries * options.duplicateShare);
  const versionCount = options.deliveries - duplicates;
  const topic = `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-landing/providers/Microsoft.Storage/storageAccounts/${options.account}`;

  const blobs: string[] = [];
  let overwrites = 0;
  const events: BlobCreatedDelivery[] = [];
  for (let i = 0; i < versionCount; i++) {
    const overwrite = blobs.length > 0 && rnd() < options.overwriteShare;
    const path = overwrite ? blobs[Math.floor(rnd() * blobs.length)]! : `${options.prefix}part-${String(blobs.length).padStart(5, "0")}.csv`;
    if (overwrite) overwrites++;
    else blobs.push(path);
    const length = 20_000 + Math.floor(rnd() * 4_000_000);
    events.push({
      id: guid(),
      topic,
      subject: `/blobServices/default/containers/${options.container}/blobs/${path}`,
      eventType: "Microsoft.Storage.BlobCreated",
      eventTime: new Date(options.startTime + Math.floor((options.spanMs * i) / versionCount)).toISOString(),
      dataVersion: "",
      metadataVersion: "1",
      data: {
        // Large uploads commit with Put Block List, small ones with Put Blob: both complete a write.
        api: length > 2_000_000 ? "PutBlockList" : "PutBlob",
        clientRequestId: guid(),
        requestId: `${guid().slice(0, 24)}000000`,
        // Storage eTags grow with the write time, so each version has its own.
        eTag: `0x${(0x8dd12ab30000000n + BigInt(i) * 4099n).toString(16).toUpperCase()}`,
        contentType: "text/csv",
        contentLength: length,
        blobType: "BlockBlob",
        url: `https://${options.account}.blob.core.windows.net/${options.container}/${path}`,
        sequencer: (0x15508000000000n + BigInt(i)).toString(16).padStart(48, "0"),
        storageDiagnostics: { batchId: guid() },
      },
    });
  }
  const versions = events.map((e) => ({ url: e.data.url, eTag: e.data.eTag }));
  // A redelivery is the very same event (same id and data), as Event Grid sends it again.
  const deliveries = [...events, ...Array.from({ length: duplicates }, () => events[Math.floor(rnd() * events.length)]!)];
  shuffle(deliveries, rnd);
  return { batches: toBatches(deliveries, options.maxEventsPerBatch, options.maxBatchBytes), versions, duplicates, overwrites };
}

/** Consecutive events, as many as fit: at most `maxEvents`, and at most `maxBytes` of JSON array. */
function toBatches(events: BlobCreatedDelivery[], maxEvents: number, maxBytes: number): BlobCreatedDelivery[][] {
  const batches: BlobCreatedDelivery[][] = [];
  let batch: BlobCreatedDelivery[] = [];
  let bytes = 2;
  for (const event of events) {
    const size = Buffer.byteLength(JSON.stringify(event)) + 1;
    if (batch.length > 0 && (batch.length >= maxEvents || bytes + size > maxBytes)) {
      batches.push(batch);
      batch = [];
      bytes = 2;
    }
    batch.push(event);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
