/**
 * Data asset inputs as Azure ML's invoke takes them: ARM ids
 * (`/subscriptions/…/workspaces/<ws>/data/<name>/versions/<v>`). `azureml:<name>:<version>` and
 * `azureml:<name>@latest` are short forms the Python SDK resolves on the client, `@latest` through
 * the data container's `latestVersion`, before it posts; so does the app, once per invoke.
 */
import { dataAssetId, parseDataAssetReference } from "../batch/azuremlUris";
import { BatchEndpointError } from "../batch/errors";
import type { JobInput, WorkspaceDataClient } from "../batch/types";

export async function resolveDataAssets(
  inputs: Record<string, JobInput>,
  workspace: string | null,
  client: WorkspaceDataClient,
): Promise<Record<string, JobInput>> {
  const resolved: Record<string, JobInput> = {};
  for (const [name, input] of Object.entries(inputs)) {
    const reference = input.type === "literal" ? null : parseDataAssetReference(input.uri);
    if (!reference || input.type === "literal") {
      resolved[name] = input;
      continue;
    }
    if (!workspace) {
      throw new BatchEndpointError(
        "InvalidRequest",
        `Input ${name} is a data asset, which Azure ML takes only as an ARM id, and no workspace is known to resolve it.`,
      );
    }
    const version = reference.version ?? (await client.getDataVersion(workspace, reference.name, null)).version;
    resolved[name] = { ...input, uri: dataAssetId(workspace, reference.name, version) };
  }
  return resolved;
}
