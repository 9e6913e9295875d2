/**
 * From an Azure ML URI to a blob location, asking the workspace where needed: datastore paths
 * through Datastores Get, data assets through Data Versions Get (then their `dataUri`), `https`
 * blob URLs and `abfss` as they are. Anything that cannot be resolved says why, so the check
 * is recorded as skipped with that reason.
 */
import { parseDataAssetId, parseDataAssetReference, parseDatastoreUri } from "../batch/azuremlUris";
import { BatchEndpointError } from "../batch/errors";
import { workspaceIdOf } from "../batch/resourceIds";
import type { WorkspaceDataClient } from "../batch/types";
import { type BlobLocation, locationFromAbfss, locationFromDatastore, locationFromHttps } from "../storage/blobLocation";

export type Resolution =
  | { kind: "blob"; location: BlobLocation; datastoreType: string | null; dataType: string | null }
  /** A datastore that is not Azure Blob (ADLS Gen2 for outputs, Files, Gen1). */
  | { kind: "datastore"; location: BlobLocation | null; datastoreType: string; datastore: string; reason: string }
  | { kind: "unresolved"; reason: string };

export interface ResolveDeps {
  client: WorkspaceDataClient;
  allowLoopback: boolean;
}

/** Why a workspace read failed, for a skipped check: a permission, a missing name, or the service. */
function readFailure(err: unknown, what: string, workspace: string): string {
  const e = err instanceof BatchEndpointError ? err : null;
  const ws = workspace.split("/").pop();
  if (e?.httpStatus === 401 || e?.httpStatus === 403) {
    return `the app's identity may not read ${what} in workspace ${ws} (HTTP ${e.httpStatus}); grant it a role with Microsoft.MachineLearningServices/workspaces/datastores/read and data/read`;
  }
  if (e?.httpStatus === 404) return `${what} was not found in workspace ${ws}`;
  return `reading ${what} failed: ${(err instanceof Error ? err.message : String(err)).slice(0, 300)}`;
}

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

export async function resolveLocation(uri: string, workspace: string | null, deps: ResolveDeps, depth = 0): Promise<Resolution> {
  const lower = uri.toLowerCase();
  if (lower.startsWith("https://")) {
    const r = locationFromHttps(uri);
    return r.ok ? { kind: "blob", location: r.location, datastoreType: null, dataType: null } : { kind: "unresolved", reason: r.reason };
  }
  if (lower.startsWith("abfss://")) {
    const r = locationFromAbfss(uri);
    return r.ok ? { kind: "blob", location: r.location, datastoreType: "AzureDataLakeGen2", dataType: null } : { kind: "unresolved", reason: r.reason };
  }
  const datastoreUri = parseDatastoreUri(uri);
  if (datastoreUri) {
    const ws = datastoreUri.workspace ? workspaceIdOf(datastoreUri.workspace) : workspace;
    if (!ws) return { kind: "unresolved", reason: "no workspace is known to resolve the datastore (request field workspace or setting AML_WORKSPACE_ID)" };
    let ds;
    try {
      ds = await deps.client.getDatastore(ws, datastoreUri.datastore);
    } catch (err) {
      return { kind: "unresolved", reason: readFailure(err, `datastore ${datastoreUri.datastore}`, ws) };
    }
    const located = locationFromDatastore(ds, decodePath(datastoreUri.path), deps.allowLoopback);
    if (ds.datastoreType !== "AzureBlob") {
      return {
        kind: "datastore",
        location: located.ok ? located.location : null,
        datastoreType: ds.datastoreType,
        datastore: ds.name,
        reason: located.ok ? "" : located.reason,
      };
    }
    return located.ok
      ? { kind: "blob", location: located.location, datastoreType: ds.datastoreType, dataType: null }
      : { kind: "unresolved", reason: located.reason };
  }
  const byId = parseDataAssetId(uri);
  const reference = byId ? { name: byId.name, version: byId.version } : parseDataAssetReference(uri);
  if (reference) {
    const ws = byId ? workspaceIdOf(byId.workspace) : workspace;
    if (!ws) return { kind: "unresolved", reason: "no workspace is known to resolve the data asset (request field workspace or setting AML_WORKSPACE_ID)" };
    if (depth > 0) return { kind: "unresolved", reason: "a data asset that points at another data asset is not followed" };
    let version;
    try {
      version = await deps.client.getDataVersion(ws, reference.name, reference.version);
    } catch (err) {
      return { kind: "unresolved", reason: readFailure(err, `data asset ${reference.name}`, ws) };
    }
    const inner = await resolveLocation(version.dataUri, workspace, deps, depth + 1);
    return inner.kind === "blob" ? { ...inner, dataType: version.dataType } : inner;
  }
  return { kind: "unresolved", reason: "not a URI pre-flight can resolve" };
}
