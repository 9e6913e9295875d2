/**
 * Batched blob events (docs/api.md#batched-events): a BlobCreated event that passes the same
 * filters as a run per blob joins its folder's window (the folder's entity dedupes the blob
 * version), and the folder's closer is started or woken; the closer later starts one run per
 * window through `startWindowRun` here, on the same start path as a run per blob.
 */
import { createHash } from "node:crypto";
import type { AppConfig, BlobTriggerSettings } from "../config";
import type { BlobWindowClient } from "../runs/blobWindowClient";
import { type ClosedBlobWindow, blobWindowRunId, runTriggerOf, type WindowRunOutcome } from "../runs/blobWindows";
import type { RunsClient } from "../runs/durableRuns";
import { type BlobCreatedEvent, blobRunBody, decideBlobCreated, folderInput, folderUrlOf } from "./blobCreated";
import { startBlobRun } from "./startBlobRun";

/** The entity key of a folder: sha256 of its canonical URL (host lower-cased, no query), 24 hex chars. */
export function blobFolderKey(folderUrl: string): string {
  const url = new URL(folderUrl);
  return createHash("sha256").update(`${url.protocol}//${url.host.toLowerCase()}${url.pathname}`, "utf8").digest("hex").slice(0, 24);
}

export async function batchBlobEvent(
  event: BlobCreatedEvent,
  settings: BlobTriggerSettings,
  windows: BlobWindowClient,
): Promise<{ outcome: "batched" | "ignored"; reason?: string }> {
  // The same filters (and the same blob-version id, as the file's key) as a run per blob.
  const decision = decideBlobCreated(event, settings);
  if (decision.kind === "ignore") return { outcome: "ignored", reason: decision.reason };
  const url = event.data.url as string;
  const path = event.subject.replace(/^\/?blobServices\/default\/containers\/[^/]+\/blobs\//, "");
  const container = settings.container;
  const folderPath = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
  const folderUrl = folderUrlOf(url);
  const folderKey = blobFolderKey(folderUrl);
  const name = path.slice(folderPath ? folderPath.length + 1 : 0);
  await windows.add(folderKey, {
    folder: { url: folderUrl, container, path: folderPath },
    file: { fileKey: decision.instanceId, name, eventTime: event.eventTime },
    maxFiles: settings.batchMaxFiles,
  });
  const closer = await windows.ensureCloser({ folderKey, windowSeconds: settings.batchWindowSeconds, maxFiles: settings.batchMaxFiles });
  return { outcome: "batched", reason: `window of folder ${container}/${folderPath} (${folderKey}); closer ${closer}` };
}

/** The activity behind the closer: one run for a closed window, under the window's own id (so a retried activity joins it). */
export async function startWindowRun(window: ClosedBlobWindow, runs: RunsClient, config: AppConfig): Promise<WindowRunOutcome> {
  const runId = blobWindowRunId(window.folderKey, window.windowId);
  if ("problem" in config.blobTrigger) return { runId, outcome: "ignored", reason: config.blobTrigger.problem };
  const settings = config.blobTrigger.settings;
  const body = blobRunBody(settings, {
    input: folderInput(settings, window.folder.path, window.folder.url),
    inputPath: window.folder.path,
    folder: true,
    instanceId: runId,
    eventTime: window.closedAt,
    tags: { trigger: "BlobCreatedWindow", folder: `${window.folder.container}/${window.folder.path}`.slice(0, 256), files: String(window.count) },
  });
  const started = await startBlobRun(runs, config, {
    instanceId: runId,
    body,
    correlationId: `blobwindow:${window.folderKey}-${window.windowId}`,
    trigger: runTriggerOf(window),
  });
  if (started.kind === "invalid") return { runId, outcome: "ignored", reason: started.reason };
  return { runId, outcome: started.kind };
}
