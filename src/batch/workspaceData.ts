/**
 * ARM reads of a workspace's data definitions, for pre-flight: Datastores Get (where a
 * `azureml://datastores/<name>/…` path really lives) and Data Containers / Data Versions Get
 * (what a data asset points at), api-version 2023-10-01 (docs/azure-behaviour.md#datastores,
 * #data-assets). Never asks for or returns datastore secrets (no listSecrets call).
 */
import { armEndpointOf, sendArm } from "./armRequest";
import { BatchEndpointError, parseErrorResponse } from "./errors";
import { asObject, getPath, getString, parseJson } from "../json";
import { requireWorkspaceId, workspaceIdOf } from "./resourceIds";
import type { BatchClientContext } from "./send";
import type { DataVersionInfo, DatastoreInfo } from "./types";

export const WORKSPACE_DATA_API_VERSION = "2023-10-01";
/** Datastore and data asset names: what Azure ML allows, and nothing that could change the path. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;

/**
 * The most recently created version ("latest" as the Azure ML SDK defines it), for a container that
 * does not say: Data Versions List ordered by creation time, one item.
 */
async function newestVersion(ctx: BatchClientContext, workspace: string, name: string): Promise<string> {
  const list = asObject(
    await getWorkspaceResource(ctx, workspace, `data/${name}/versions`, `versions of data asset ${name}`, "&$orderBy=createdtime%20desc&$top=1"),
  );
  const first = asObject(Array.isArray(list?.value) ? list.value[0] : undefined);
  const version = getString(first, "name");
  if (!version) throw new BatchEndpointError("UnexpectedResponse", `Data asset ${name} has no version.`, { retryable: false });
  return version;
}

async function getWorkspaceResource(ctx: BatchClientContext, workspace: string, tail: string, what: string, query = ""): Promise<unknown> {
  const arm = armEndpointOf(ctx);
  const ws = requireWorkspaceId(workspace);
  const url = `${arm.base}${workspaceIdOf(ws)}/${tail}?api-version=${WORKSPACE_DATA_API_VERSION}${query}`;
  const context = `Get ${what} (workspace ${ws.workspace})`;
  const response = await sendArm(ctx, arm, "GET", url, context);
  if (response.status !== 200) throw parseErrorResponse(response.status, response.headers, response.bodyAsText, { context });
  const body = parseJson(response.bodyAsText);
  if (!asObject(body))
    throw new BatchEndpointError("UnexpectedResponse", `${context}: HTTP 200 but the body is not JSON.`, { httpStatus: 200, retryable: true });
  return body;
}

function checkName(name: string, what: string): void {
  if (!NAME.test(name)) throw new BatchEndpointError("InvalidRequest", `"${name.slice(0, 100)}" is not a valid ${what} name.`);
}

export async function getDatastore(ctx: BatchClientContext, workspace: string, name: string): Promise<DatastoreInfo> {
  checkName(name, "datastore");
  const body = asObject(await getWorkspaceResource(ctx, workspace, `datastores/${name}`, `datastore ${name}`));
  const p = asObject(getPath(body, "properties"));
  return {
    name,
    datastoreType: getString(p, "datastoreType") ?? "Unknown",
    accountName: getString(p, "accountName") ?? null,
    // Blob datastores name a container, ADLS Gen2 a filesystem, Files a share.
    container: getString(p, "containerName") ?? getString(p, "filesystem") ?? getString(p, "fileShareName") ?? null,
    endpoint: getString(p, "endpoint") ?? "core.windows.net",
    protocol: getString(p, "protocol") ?? "https",
  };
}

/** A data asset version; `version` null means the container's `latestVersion`. */
export async function getDataVersion(ctx: BatchClientContext, workspace: string, name: string, version: string | null): Promise<DataVersionInfo> {
  checkName(name, "data asset");
  let resolved = version;
  if (resolved === null) {
    const container = asObject(await getWorkspaceResource(ctx, workspace, `data/${name}`, `data asset ${name}`));
    resolved = getString(asObject(getPath(container, "properties")), "latestVersion") ?? (await newestVersion(ctx, workspace, name));
  }
  checkName(resolved, "data asset version");
  const body = asObject(await getWorkspaceResource(ctx, workspace, `data/${name}/versions/${resolved}`, `data asset ${name}:${resolved}`));
  const p = asObject(getPath(body, "properties"));
  const dataUri = getString(p, "dataUri");
  if (!dataUri) throw new BatchEndpointError("UnexpectedResponse", `Data asset ${name}:${resolved} has no dataUri.`, { retryable: false });
  return { name, version: resolved, dataType: getString(p, "dataType") ?? null, dataUri };
}
