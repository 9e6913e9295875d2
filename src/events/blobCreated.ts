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
    const folderUrl = url.slice(0, url.lastIndexOf("/") + 1);
    input = {
      type: "uri_folder",
      uri: settings.datastore ? `azureml://datastores/${settings.datastore}/paths/${inputPath}${inputPath ? "/" : ""}` : folderUrl,
    };
  } else {
    inputPath = path;
    input = { type: "uri_file", uri: settings.datastore ? `azureml://datastores/${settings.datastore}/paths/${path}` : url };
  }

  const instanceId = blobRunId(url, eTag);
  const body: Record<string, unknown> = {
    endpointUri: settings.endpointUri,
    inputs: { input_data: input },
    pollIntervalSeconds: settings.pollSeconds,
    instanceId,
    tags: { trigger: "BlobCreated", blob: `${container}/${path}`.slice(0, 256), eTag: eTag.slice(0, 256) },
  };
  if (settings.deployment) body.deployment = settings.deployment;
  if (settings.outputTemplate) {
    const name = inputPath.split("/").pop() ?? "";
    const values: Record<string, string> = {
      blobName: settings.inputMode === "folder" ? name : withoutExtension(name),
      blobPath: settings.inputMode === "folder" ? inputPath : withoutExtension(inputPath),
      runId: instanceId,
      date: /^\d{4}-\d{2}-\d{2}/.test(event.eventTime) ? event.eventTime.slice(0, 10) : "undated",
    };
    body.output = { uri: settings.outputTemplate.replace(/\{(\w+)\}/g, (_, key: string) => values[key] ?? "") };
  }
  return { kind: "start", instanceId, body };
}
