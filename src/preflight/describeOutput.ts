/**
 * The run's result: the predictions file a completed job wrote, with its size, time and type,
 * so the next pipeline step can use it directly. The file is the request's output, else the
 * job's own output location (a folder: its `predictions.csv`, the batch deployment's default
 * `output_file_name`, else its only file). Azure calls: Datastores Get, Get Blob Properties,
 * List Blobs (a folder's top level).
 */
import { blobUrlOf } from "../storage/blobLocation";
import { BlobReadError } from "../storage/blobInspector";
import type { PreflightDeps } from "./checks";
import { resolveLocation } from "./resolveLocation";
import type { DescribeOutputRequest, DescribeOutputResult } from "./types";
import type { RunOutput } from "../runs/preflightReport";

export const defaultOutputFileName = "predictions.csv";

/** The output port batch deployments write: `score` (else the only one the job names). */
function jobOutput(request: DescribeOutputRequest): { uri: string; folder: boolean } | null {
  if (request.output) return { uri: request.output.uri, folder: false };
  const outputs = request.jobOutputs ?? {};
  const chosen = outputs.score ?? (Object.keys(outputs).length === 1 ? Object.values(outputs)[0] : undefined);
  if (!chosen) return null;
  return { uri: chosen.uri, folder: chosen.type === "uri_folder" || chosen.uri.endsWith("/") };
}

const unknownOutput = (uri: string, blobUrl: string | null): RunOutput => ({ uri, blobUrl, sizeBytes: null, lastModified: null, contentType: null });

export async function describeOutput(request: DescribeOutputRequest, deps: PreflightDeps): Promise<DescribeOutputResult> {
  const where = jobOutput(request);
  if (!where) {
    return {
      output: null,
      warning: { code: "OutputLocationUnknown", message: "The job completed but names no output location; look for its predictions in Azure ML studio." },
    };
  }
  const resolved = await resolveLocation(where.uri, request.workspace, deps);
  if (resolved.kind !== "blob" && !(resolved.kind === "datastore" && resolved.location)) {
    return {
      output: unknownOutput(where.uri, null),
      warning: { code: "OutputNotChecked", message: `The predictions file was not looked at: ${resolved.reason}.` },
    };
  }
  let location = resolved.location!;
  let uri = where.uri;
  try {
    if (where.folder) {
      const prefix = location.path === "" || location.path.endsWith("/") ? location.path : `${location.path}/`;
      let file: string | undefined = `${prefix}${defaultOutputFileName}`;
      if (!(await deps.blobs.properties({ ...location, path: file }))) {
        // A deployment with another output_file_name: its only file is the predictions file.
        const listing = await deps.blobs.listFolder(location, 10);
        file = listing.fileCount === 1 ? listing.sampleFiles[0] : undefined;
        if (!file) {
          return {
            output: unknownOutput(where.uri, blobUrlOf(location)),
            warning: {
              code: "PredictionsNotFound",
              message: `The job completed, but its output folder ${blobUrlOf(location)} holds no ${defaultOutputFileName} (${listing.fileCount}${listing.truncated ? "+" : ""} file(s)).`,
            },
          };
        }
      }
      uri = `${where.uri.replace(/\/?$/, "/")}${file.slice(prefix.length)}`;
      location = { ...location, path: file };
    }
    const blobUrl = blobUrlOf(location);
    const props = await deps.blobs.properties(location);
    if (!props) {
      return {
        output: unknownOutput(uri, blobUrl),
        warning: { code: "PredictionsNotFound", message: `The job completed, but its predictions file ${blobUrl} does not exist.` },
      };
    }
    return { output: { uri, blobUrl, ...props }, warning: null };
  } catch (err) {
    const reason = err instanceof BlobReadError ? err.message : String(err instanceof Error ? err.message : err).slice(0, 300);
    return {
      output: unknownOutput(uri, blobUrlOf(location)),
      warning: { code: "OutputNotChecked", message: `The predictions file was not looked at: ${reason}.` },
    };
  }
}
