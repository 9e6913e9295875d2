/**
 * The run's result: what a completed job wrote, so the next pipeline step can use it directly.
 * Each output (the request's, else the job's own output location) gets a manifest: a file with
 * its size, or a folder's files with count and total size. The predictions file is the file
 * output, or in a folder the `outputFileName` (default `predictions.csv`), else the folder's only
 * file. Azure calls: Datastores Get, Get Blob Properties, List Blobs. An unreadable place is a
 * warning, never a failure.
 */
import type { JobOutput } from "../batch/types";
import type { OutputManifest, RunOutput, RunWarning } from "../runs/preflightReport";
import { blobUrlOf, type BlobLocation } from "../storage/blobLocation";
import { BlobReadError } from "../storage/blobInspector";
import type { PreflightDeps } from "./checks";
import { resolveLocation } from "./resolveLocation";
import type { DescribeOutputRequest, DescribeOutputResult } from "./types";

export const defaultOutputFileName = "predictions.csv";
/** Files listed per folder output: the count and size say when there were more. */
export const maxListedFiles = 5000;

/** The outputs to describe: the request's, else the one the job wrote to (`score`, else its only one). */
function outputsOf(request: DescribeOutputRequest): JobOutput[] {
  if (request.outputs.length > 0) return request.outputs;
  const outputs = request.jobOutputs ?? {};
  const name = "score" in outputs ? "score" : Object.keys(outputs).length === 1 ? Object.keys(outputs)[0] : undefined;
  const chosen = name === undefined ? undefined : outputs[name];
  if (name === undefined || !chosen) return [];
  const folder = chosen.type === "uri_folder" || chosen.uri.endsWith("/");
  return [{ name, type: folder ? "uri_folder" : "uri_file", uri: chosen.uri }];
}

const reasonOf = (err: unknown): string => (err instanceof BlobReadError ? err.message : String(err instanceof Error ? err.message : err).slice(0, 300));

const unread = (output: JobOutput, blobUrl: string | null): OutputManifest => ({
  name: output.name,
  type: output.type,
  uri: output.uri,
  blobUrl,
  fileCount: null,
  totalBytes: null,
  files: [],
  truncated: false,
});

interface Described {
  manifest: OutputManifest;
  predictions: RunOutput | null;
  warning: RunWarning | null;
}

async function describeFile(output: JobOutput, location: BlobLocation, deps: PreflightDeps): Promise<Described> {
  const blobUrl = blobUrlOf(location);
  const props = await deps.blobs.properties(location);
  if (!props) {
    return {
      manifest: { ...unread(output, blobUrl), fileCount: 0, totalBytes: 0 },
      predictions: { uri: output.uri, blobUrl, sizeBytes: null, lastModified: null, contentType: null },
      warning: { code: "PredictionsNotFound", message: `The job completed, but its predictions file ${blobUrl} does not exist.` },
    };
  }
  const name = location.path.slice(location.path.lastIndexOf("/") + 1);
  return {
    manifest: { ...unread(output, blobUrl), fileCount: 1, totalBytes: props.sizeBytes ?? 0, files: [{ name, sizeBytes: props.sizeBytes }] },
    predictions: { uri: output.uri, blobUrl, ...props },
    warning: null,
  };
}

async function describeFolder(
  output: JobOutput,
  location: BlobLocation,
  fileName: string,
  lookForPredictions: boolean,
  deps: PreflightDeps,
): Promise<Described> {
  const blobUrl = blobUrlOf(location);
  const listing = await deps.blobs.listFiles(location, maxListedFiles);
  const manifest: OutputManifest = {
    ...unread(output, blobUrl),
    fileCount: listing.fileCount,
    totalBytes: listing.totalBytes,
    files: listing.files,
    truncated: listing.truncated,
  };
  if (!lookForPredictions) return { manifest, predictions: null, warning: null };
  const prefix = location.path === "" || location.path.endsWith("/") ? location.path : `${location.path}/`;
  // A deployment with another output_file_name and none given: its only file is the predictions file.
  const named = (await deps.blobs.properties({ ...location, path: `${prefix}${fileName}` })) ? fileName : undefined;
  const file = named ?? (listing.fileCount === 1 ? listing.files[0]?.name : undefined);
  if (!file) {
    return {
      manifest,
      predictions: null,
      warning: {
        code: "PredictionsNotFound",
        message: `The job completed, but its output folder ${blobUrl} holds no ${fileName} (${listing.fileCount}${listing.truncated ? "+" : ""} file(s)).`,
      },
    };
  }
  const fileLocation = { ...location, path: `${prefix}${file}` };
  const props = await deps.blobs.properties(fileLocation);
  const uri = `${output.uri.replace(/\/?$/, "/")}${file}`;
  return { manifest, predictions: { uri, blobUrl: blobUrlOf(fileLocation), sizeBytes: null, lastModified: null, contentType: null, ...props }, warning: null };
}

export async function describeOutput(request: DescribeOutputRequest, deps: PreflightDeps): Promise<DescribeOutputResult> {
  const outputs = outputsOf(request);
  if (outputs.length === 0) {
    return {
      output: null,
      outputs: [],
      warnings: [{ code: "OutputLocationUnknown", message: "The job completed but names no output location; look for its predictions in Azure ML studio." }],
    };
  }
  // One output is a model deployment's predictions; among several, none is singled out.
  const single = outputs.length === 1;
  const described = await Promise.all(
    outputs.map(async (output): Promise<Described> => {
      const resolved = await resolveLocation(output.uri, request.workspace, deps);
      if (resolved.kind !== "blob" && !(resolved.kind === "datastore" && resolved.location)) {
        return { manifest: unread(output, null), predictions: null, warning: notLookedAt(output, single, resolved.reason) };
      }
      const location = resolved.location as BlobLocation;
      try {
        return output.type === "uri_folder"
          ? await describeFolder(output, location, request.outputFileName ?? defaultOutputFileName, single, deps)
          : await describeFile(output, location, deps);
      } catch (err) {
        return { manifest: unread(output, blobUrlOf(location)), predictions: null, warning: notLookedAt(output, single, reasonOf(err)) };
      }
    }),
  );
  const first = described[0];
  return {
    output: single && first ? (first.predictions ?? (first.manifest.type === "uri_file" ? unreadFile(first.manifest) : null)) : null,
    outputs: described.map((d) => d.manifest),
    warnings: described.flatMap((d) => (d.warning ? [d.warning] : [])),
  };
}

function notLookedAt(output: JobOutput, single: boolean, reason: string): RunWarning {
  return { code: "OutputNotChecked", message: `${single ? "The predictions" : `Output ${output.name}`} ${single ? "were" : "was"} not looked at: ${reason}.` };
}

const unreadFile = (m: OutputManifest): RunOutput => ({ uri: m.uri, blobUrl: m.blobUrl, sizeBytes: null, lastModified: null, contentType: null });
