/**
 * Azure ML ARM resource ids: the workspace prefix, and the workspace-level job path we GET and
 * cancel (never the nested `batchEndpoints/<ep>/deployments/<dep>/jobs/<name>` id, which ARM
 * does not serve).
 */

import { BatchEndpointError } from "./errors";

export interface WorkspaceRef {
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
}

export interface JobPathParts extends WorkspaceRef {
  jobName: string;
}

const PROVIDER = "microsoft.machinelearningservices";
/** ARM names we accept as path segments: no `/`, `?`, `#`, `%`, spaces, and never `.`/`..`. */
const SEGMENT_VALUE = /^[A-Za-z0-9_.()-]{1,260}$/;

function validValue(value: string | undefined): value is string {
  return value !== undefined && SEGMENT_VALUE.test(value) && value !== "." && value !== "..";
}

/** Splits an ARM id into segments; null if it is not `/`-rooted or has empty segments. */
function segments(id: string): string[] | null {
  const trimmed = id.trim().replace(/\/+$/, "");
  if (!trimmed.startsWith("/")) return null;
  const parts = trimmed.slice(1).split("/");
  return parts.some((p) => p === "") ? null : parts;
}

/** Parses the workspace prefix of `parts`; returns the ref and the remaining segments. */
function workspacePrefix(parts: string[]): { ref: WorkspaceRef; rest: string[] } | null {
  if (parts.length < 8) return null;
  const [subs, sub, rgs, rg, providers, provider, workspaces, ws] = parts;
  if (
    subs?.toLowerCase() !== "subscriptions" ||
    rgs?.toLowerCase() !== "resourcegroups" ||
    providers?.toLowerCase() !== "providers" ||
    provider?.toLowerCase() !== PROVIDER ||
    workspaces?.toLowerCase() !== "workspaces" ||
    !validValue(sub) ||
    !validValue(rg) ||
    !validValue(ws)
  ) {
    return null;
  }
  return { ref: { subscriptionId: sub, resourceGroup: rg, workspace: ws }, rest: parts.slice(8) };
}

/** A workspace's ARM id, in the canonical spelling. */
export function workspaceIdOf(ref: WorkspaceRef): string {
  return `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}/providers/Microsoft.MachineLearningServices/workspaces/${ref.workspace}`;
}

/** The workspace-level job path (what Jobs Get and Cancel take). */
export function buildJobPath(ref: WorkspaceRef, jobName: string): string {
  return `${workspaceIdOf(ref)}/jobs/${jobName}`;
}

/**
 * `/subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<ws>`
 * → its parts (values keep their casing); null for anything else (extra segments included).
 */
export function parseWorkspaceId(armId: string): WorkspaceRef | null {
  const parts = segments(armId);
  if (!parts) return null;
  const prefix = workspacePrefix(parts);
  return prefix && prefix.rest.length === 0 ? prefix.ref : null;
}

/** The workspace id's parts, or an InvalidRequest error naming it (before any request is sent). */
export function requireWorkspaceId(armId: string): WorkspaceRef {
  const ref = parseWorkspaceId(armId);
  if (!ref) throw new BatchEndpointError("InvalidRequest", `"${armId.slice(0, 300)}" is not an Azure ML workspace resource id.`);
  return ref;
}

/**
 * Parses a workspace-level job path (`.../workspaces/<ws>/jobs/<name>`, exactly); null otherwise.
 * Used to refuse a malformed locator before any request.
 */
export function parseJobPath(jobPath: string): JobPathParts | null {
  const parts = segments(jobPath);
  if (!parts) return null;
  const prefix = workspacePrefix(parts);
  if (!prefix || prefix.rest.length !== 2) return null;
  const [jobs, name] = prefix.rest;
  if (jobs?.toLowerCase() !== "jobs" || !validValue(name)) return null;
  return { ...prefix.ref, jobName: name };
}

/**
 * A workspace component version's ARM id
 * (`…/workspaces/<ws>/components/<name>/versions/<version>`, exactly) → its parts; null otherwise
 * (a registry component `azureml://registries/…` included).
 */
export function parseComponentVersionId(armId: string): (WorkspaceRef & { name: string; version: string }) | null {
  const parts = segments(armId);
  const prefix = parts ? workspacePrefix(parts) : null;
  if (!prefix || prefix.rest.length !== 4) return null;
  const [components, name, versions, version] = prefix.rest;
  if (components?.toLowerCase() !== "components" || versions?.toLowerCase() !== "versions" || !validValue(name) || !validValue(version)) return null;
  return { ...prefix.ref, name, version };
}

/**
 * The workspace-level job path for the job an invoke returned. `id` may be nested
 * (`.../workspaces/<ws>/batchEndpoints/<ep>/deployments/<dep>/jobs/<name>`) or already
 * workspace-level (`.../workspaces/<ws>/jobs/<name>`). The response's `name`, when given, names
 * the job (it wins over the id's last segment). Segment names match case-insensitively; values
 * keep their casing. Throws BatchEndpointError `UnexpectedResponse` when `id` is not a
 * workspace-scoped Azure ML resource id or no valid job name can be found.
 */
export function workspaceJobPath(id: string, name?: string): string {
  const parts = segments(id);
  const prefix = parts ? workspacePrefix(parts) : null;
  if (!prefix) {
    throw new BatchEndpointError("UnexpectedResponse", `The job id "${id.slice(0, 300)}" is not an Azure Machine Learning workspace resource id.`);
  }
  const { rest } = prefix;
  const idJobName = rest.length >= 2 && rest[rest.length - 2]?.toLowerCase() === "jobs" ? rest[rest.length - 1] : undefined;
  const jobName = name !== undefined && name.trim() !== "" ? name.trim() : idJobName;
  if (!validValue(jobName)) {
    throw new BatchEndpointError(
      "UnexpectedResponse",
      `Cannot derive a job name from the job id "${id.slice(0, 300)}"${name ? ` and name "${name.slice(0, 100)}"` : ""}.`,
    );
  }
  return buildJobPath(prefix.ref, jobName);
}
