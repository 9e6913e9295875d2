/**
 * What a `Microsoft.Storage.BlobCreated` event starts: nothing (with the reason), or one scoring
 * run whose id is derived from the blob version, so redelivered and duplicate events name the
 * same run. Pure.
 */
import type { BlobTriggerSettings } from "../config";
import { blobRunId } from "../runs/runIds";

/** The fields of a BlobCreated event we use, from either schema (Event Grid or CloudEvents). */
export interface BlobCreatedEvent {
  id: string;
  eventType: string;
  /** `/blobServices/default/containers/<container>/blobs/<path>` */
  subject: string;
  eventTime: string;
  data: Record<string, unknown>;
}

export type BlobEventDecision = { kind: "start"; instanceId: string; body: Record<string, unknown> } | { kind: "ignore"; reason: string };

/** Storage APIs that end a write: the blob is complete when their event fires (SftpCommit: an SFTP upload). */
const completingApis = new Set(["PutBlob", "PutBlockList", "CopyBlob", "FlushWithClose", "SftpCommit"]);
/** Event Grid's subject starts with `/`; some CloudEvents producers drop it. */
const subjectForm = /^\/?blobServices\/default\/containers\/([^/]+)\/blobs\/(.+)$/;

const withoutExtension = (name: string) => name.replace(/\.[^./]*$/, "");

/** The path part of the output template, as a prefix (up to its first placeholder's folder) and as a pattern. */
function outputGuard(template: string): { prefix: string; pattern: RegExp } {
  const path = template.replace(/^azureml:\/\/datastores\/[^/]+\/paths\//, "");
  const literal = path.split("{")[0] ?? "";
  const prefix = literal.slice(0, literal.lastIndexOf("/") + 1);
  const source = path
    .split(/\{\w+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".+");
  return { prefix, pattern: new RegExp(`^${source}$`) };
}

export function decideBlobCreated(event: BlobCreatedEvent, settings: BlobTriggerSettings): BlobEventDecision {
  const ignore = (reason: string): BlobEventDecision => ({ kind: "ignore", reason });
  if (event.eventType !== "Microsoft.Storage.BlobCreated") return ignore(`event type ${event.eventType} is not Microsoft.Storage.BlobCreated`);
  const subject = subjectForm.exec(event.subject);
  if (!subject) return ignore(`subject "${event.subject}" is not a blob subject (/blobServices/default/containers/<c>/blobs/<path>)`);
  const [, container, path] = subject as unknown as [string, string, string];
  const api = typeof event.data.api === "string" ? event.data.api : "";
  if (!completingApis.has(api))
    return ignore(`data.api ${api || "(missing)"} does not complete a write (PutBlob, PutBlockList, CopyBlob, FlushWithClose, SftpCommit do)`);
  if (container !== settings.container) return ignore(`container ${container} is not ${settings.container}`);
  if (!path.startsWith(settings.prefix)) return ignore(`path ${path} does not start with ${settings.prefix}`);
  if (!path.endsWith(settings.suffix)) return ignore(`path ${path} does not end with ${settings.suffix}`);
  if (settings.outputTemplate) {
    const guard = outputGuard(settings.outputTemplate);
    if ((guard.prefix !== "" && path.startsWith(guard.prefix)) || guard.pattern.test(path)) {
      return ignore(`path ${path} is where this trigger writes its outputs (${settings.outputTemplate}): no run, so no feedback loop`);
    }
  }
  const url = typeof event.data.url === "string" ? event.data.url : "";
  const eTag = typeof event.data.eTag === "string" ? event.data.eTag : "";
  if (!/^https?:\/\//.test(url)) return ignore("data.url is missing or not an http(s) URL");
  if (eTag.trim() === "") return ignore("data.eTag is missing: blob versions cannot be told apart");

  const segments = path.split("/");
  const fileName = segments[segments.length - 1] as string;
  let input: { type: "uri_file" | "uri_folder"; uri: string };
  let inputPath: string;
  if (settings.inputMode === "folder") {
    if (fileName !== settings.marker) return ignore(`folder mode: ${fileName} is not the marker ${settings.marker}`);
    inputPath = segments.slice(0, -1).join("/");
    input = folderInput(settings, inputPath, folderUrlOf(url));
  } else {
    inputPath = path;
    input = { type: "uri_file", uri: settings.datastore ? `azureml://datastores/${settings.datastore}/paths/${path}` : url };
  }

  const instanceId = blobRunId(url, eTag);
  const body = blobRunBody(settings, {
    input,
    inputPath,
    folder: settings.inputMode === "folder",
    instanceId,
    eventTime: event.eventTime,
    tags: { trigger: "BlobCreated", blob: `${container}/${path}`.slice(0, 256), eTag: eTag.slice(0, 256) },
  });
  return { kind: "start", instanceId, body };
}

/** The folder of a blob URL: `https://<account>/<container>/<path>/`. */
export const folderUrlOf = (url: string): string => url.slice(0, url.lastIndexOf("/") + 1);

/** A folder as a `uri_folder` input: on the datastore when one stands for the container, else its URL. */
export function folderInput(settings: BlobTriggerSettings, folderPath: string, folderUrl: string): { type: "uri_folder"; uri: string } {
  return {
    type: "uri_folder",
    uri: settings.datastore ? `azureml://datastores/${settings.datastore}/paths/${folderPath}${folderPath ? "/" : ""}` : folderUrl,
  };
}

/** The start body of a blob-started run (one blob, a marker's folder, or a batched window's folder). */
export function blobRunBody(
  settings: BlobTriggerSettings,
  run: {
    input: { type: "uri_file" | "uri_folder"; uri: string };
    inputPath: string;
    folder: boolean;
    instanceId: string;
    eventTime: string;
    tags: Record<string, string>;
  },
): Record<string, unknown> {
  const { instanceId, inputPath } = run;
  const body: Record<string, unknown> = {
    endpointUri: settings.endpointUri,
    inputs: { input_data: run.input },
    pollIntervalSeconds: settings.pollSeconds,
    instanceId,
    tags: run.tags,
  };
  if (settings.deployment) body.deployment = settings.deployment;
  if (settings.outputTemplate) {
    const name = inputPath.split("/").pop() ?? "";
    const values: Record<string, string> = {
      blobName: run.folder ? name : withoutExtension(name),
      blobPath: run.folder ? inputPath : withoutExtension(inputPath),
      runId: instanceId,
      date: /^\d{4}-\d{2}-\d{2}/.test(run.eventTime) ? run.eventTime.slice(0, 10) : "undated",
    };
    body.output = { uri: settings.outputTemplate.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? "") };
  }
  return body;
}
