/**
 * The pre-flight checks, one per input, one per output and one for the deployment
 * (checkDeployment.ts), each recorded with its result.
 * A place the app cannot read (no workspace, no permission, no container) is `skipped` with the
 * reason: a missing permission never blocks a job the endpoint itself could run.
 *
 * Azure calls: Datastores Get / Data Versions Get (ARM, resolveLocation), then Get Blob
 * Properties (a file), List Blobs with delimiter `/` (a folder's top level, at most
 * `maxListedEntries`), List Blobs flat with one result (is this path a folder?).
 */
import type { EndpointReadClient, JobInput, JobOutput } from "../batch/types";
import { blobUrlOf, type BlobLocation } from "../storage/blobLocation";
import { type BlobInspector, BlobReadError } from "../storage/blobInspector";
import { resolveLocation, type ResolveDeps } from "./resolveLocation";
import type { PreflightCheck, PreflightReport } from "../runs/preflightReport";
import type { EndpointTarget, PreflightRequest } from "./types";
import { checkDeployment, type DeploymentCheckRequest, deploymentTarget } from "./checkDeployment";
import { judgedOnFreshReads } from "./freshRefusal";

/** How many entries a folder check lists before it stops (and says so). */
export const maxListedEntries = 5000;

export interface PreflightDeps extends ResolveDeps {
  blobs: BlobInspector;
  /** Endpoint and deployment reads for the deployment check; absent: that check is not made. */
  endpoints?: EndpointReadClient;
}

const skipped = (target: string, uri: string, blobUrl: string | null, reason: string): PreflightCheck => ({
  target,
  uri,
  blobUrl,
  result: "skipped",
  code: null,
  message: `Not checked: ${reason}.`,
});

/** A read that failed: `skipped`, with the reason (permissions and missing containers included). */
function unreadable(target: string, uri: string, location: BlobLocation, err: unknown): PreflightCheck {
  const reason = err instanceof BlobReadError ? err.message : `reading failed: ${String(err instanceof Error ? err.message : err).slice(0, 300)}`;
  return skipped(target, uri, blobUrlOf(location), reason);
}

/** The check's name for an output: `output` when the request names one, `outputs.<name>` among several. */
export function outputTarget(output: JobOutput, all: readonly JobOutput[]): string {
  return all.length > 1 ? `outputs.${output.name}` : "output";
}

/** The output must be a free file name, or an empty (or new) folder, on an Azure Blob datastore. */
export async function checkOutput(output: JobOutput, workspace: string | null, deps: PreflightDeps, target = "output"): Promise<PreflightCheck> {
  const resolved = await resolveLocation(output.uri, workspace, deps);
  if (resolved.kind === "unresolved") return skipped(target, output.uri, null, resolved.reason);
  if (resolved.kind === "datastore") {
    return {
      target,
      uri: output.uri,
      blobUrl: resolved.location ? blobUrlOf(resolved.location) : null,
      result: "failed",
      code: "OutputDatastoreNotSupported",
      message: `Datastore ${resolved.datastore} is ${resolved.datastoreType}; batch jobs write outputs only to Azure Blob datastores. Use a Blob datastore for the output.`,
    };
  }
  const { location } = resolved;
  const blobUrl = blobUrlOf(location);
  if (output.type === "uri_folder") return checkOutputFolder(target, output, location, deps);
  try {
    const existing = await deps.blobs.properties(location);
    if (existing) {
      return {
        target,
        uri: output.uri,
        blobUrl,
        result: "failed",
        code: "OutputAlreadyExists",
        message:
          `The output file ${blobUrl} already exists (${existing.sizeBytes ?? "?"} bytes, last modified ${existing.lastModified ?? "?"}); ` +
          "Azure ML would fail the job after queueing. Choose a new output path or delete the file.",
      };
    }
    if (await deps.blobs.isFolder(location)) {
      return {
        target,
        uri: output.uri,
        blobUrl,
        result: "failed",
        code: "OutputIsFolder",
        message: `The output ${blobUrl} is a folder (blobs exist under it); the output must name a file, e.g. ${output.uri}/predictions.csv.`,
      };
    }
  } catch (err) {
    return unreadable(target, output.uri, location, err);
  }
  return { target, uri: output.uri, blobUrl, result: "passed", code: null, message: "The output file does not exist yet." };
}

/**
 * A folder output must be empty or new: a job expects an empty folder for its predictions file
 * (docs/azure-behaviour.md#existing-outputs), so files already there are reported as an
 * existing output file is.
 */
async function checkOutputFolder(target: string, output: JobOutput, location: BlobLocation, deps: PreflightDeps): Promise<PreflightCheck> {
  const folder = { ...location, path: location.path.replace(/\/+$/, "") };
  const blobUrl = blobUrlOf(location);
  try {
    if (folder.path !== "" && (await deps.blobs.properties(folder))) {
      return {
        target,
        uri: output.uri,
        blobUrl,
        result: "failed",
        code: "OutputIsFile",
        message: `The output folder ${blobUrl} is an existing file; name a folder that holds no files.`,
      };
    }
    const listing = await deps.blobs.listFiles(location, 10);
    if (listing.fileCount > 0) {
      const shown = listing.files
        .map((f) => f.name)
        .slice(0, 3)
        .join(", ");
      return {
        target,
        uri: output.uri,
        blobUrl,
        result: "failed",
        code: "OutputFolderNotEmpty",
        message:
          `The output folder ${blobUrl} already holds ${listing.fileCount}${listing.truncated ? "+" : ""} file(s) (${shown}); ` +
          "Azure ML expects an empty folder and would not replace an existing predictions file. Choose a new folder or empty this one.",
      };
    }
  } catch (err) {
    return unreadable(target, output.uri, location, err);
  }
  return { target, uri: output.uri, blobUrl, result: "passed", code: null, message: "The output folder holds no files yet." };
}

/** A folder must hold files at its top level; a file must exist. */
export async function checkInput(name: string, input: JobInput, workspace: string | null, deps: PreflightDeps): Promise<PreflightCheck | null> {
  if (input.type === "literal") return null;
  const target = `inputs.${name}`;
  const resolved = await resolveLocation(input.uri, workspace, deps);
  if (resolved.kind === "unresolved") return skipped(target, input.uri, null, resolved.reason);
  if (resolved.kind === "datastore" && !resolved.location) return skipped(target, input.uri, null, resolved.reason);
  const location = resolved.location as BlobLocation;
  const blobUrl = blobUrlOf(location);
  if (resolved.kind === "blob" && resolved.dataType === "mltable") return skipped(target, input.uri, blobUrl, "an MLTable data asset is read by its own spec");
  try {
    if (input.type === "uri_file") {
      if (await deps.blobs.properties(location)) return { target, uri: input.uri, blobUrl, result: "passed", code: null, message: "The input file exists." };
      const folder = await deps.blobs.isFolder(location);
      return {
        target,
        uri: input.uri,
        blobUrl,
        result: "failed",
        code: "InputNotFound",
        message: folder ? `The input ${blobUrl} is a folder, not a file; declare the input as UriFolder.` : `The input file ${blobUrl} does not exist.`,
      };
    }
    const listing = await deps.blobs.listFolder(location, maxListedEntries);
    const counted = { listed: listing.listed, truncated: listing.truncated };
    const bound = listing.truncated ? ` (listing stopped after ${listing.listed} entries)` : "";
    if (listing.fileCount === 0) {
      return {
        target,
        uri: input.uri,
        blobUrl,
        result: "failed",
        code: "InputEmpty",
        ...counted,
        message:
          listing.folderCount > 0
            ? `The input folder ${blobUrl} holds only nested folders (${listing.folderCount}${bound}); batch jobs read the files directly in the folder, not nested folders.`
            : `The input folder ${blobUrl} holds no files.`,
      };
    }
    if (listing.folderCount > 0) {
      return {
        target,
        uri: input.uri,
        blobUrl,
        result: "warning",
        code: "NestedFoldersIgnored",
        ...counted,
        message: `The input folder ${blobUrl} has ${listing.folderCount} nested folder(s)${bound}; batch jobs read only the ${listing.fileCount} file(s) directly in it.`,
      };
    }
    return { target, uri: input.uri, blobUrl, result: "passed", code: null, ...counted, message: `${listing.fileCount} file(s) to score${bound}.` };
  } catch (err) {
    return unreadable(target, input.uri, location, err);
  }
}

export async function runPreflight(request: PreflightRequest, deps: PreflightDeps): Promise<PreflightReport> {
  if (request.mode === "off") return { mode: "off", checks: [] };
  const failed = (report: PreflightReport) => report.checks.some((c) => c.result === "failed");
  return judgedOnFreshReads(() => runChecks(request, deps), failed, deps.client);
}

async function runChecks(request: PreflightRequest, deps: PreflightDeps): Promise<PreflightReport> {
  // One check that throws is that check's `skipped`, never the loss of the others.
  const guarded = (target: string, uri: string, work: () => Promise<PreflightCheck | null>) =>
    work().catch((err: unknown) => skipped(target, uri, null, `the check failed: ${String(err instanceof Error ? err.message : err).slice(0, 300)}`));
  // The deployment check, when the request names its endpoint and the deps can read it.
  const { endpoint } = request;
  const { endpoints } = deps;
  const checks = await Promise.all([
    ...Object.entries(request.inputs).map(([name, input]) =>
      guarded(`inputs.${name}`, input.type === "literal" ? "" : input.uri, () => checkInput(name, input, request.workspace, deps)),
    ),
    ...request.outputs.map((output) => {
      const target = outputTarget(output, request.outputs);
      return guarded(target, output.uri, () => checkOutput(output, request.workspace, deps, target));
    }),
    ...(endpoint && endpoints
      ? [guarded(deploymentTarget, endpoint.uri, () => checkDeployment(deploymentRequest(request, endpoint), { endpoints, client: deps.client }))]
      : []),
  ]);
  return { mode: request.mode, checks: checks.filter((c): c is PreflightCheck => c !== null) };
}

/** What the deployment check compares, from the pre-flight request. */
function deploymentRequest(request: PreflightRequest, endpoint: EndpointTarget): DeploymentCheckRequest {
  return {
    endpointUri: endpoint.uri,
    deployment: endpoint.deployment,
    experimentName: endpoint.experimentName,
    displayName: endpoint.displayName,
    inputs: request.inputs,
    outputs: request.outputs,
    workspace: request.workspace,
  };
}
