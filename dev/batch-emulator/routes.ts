/**
 * Classifies a request by method and path shape. Scope (subscription, group, workspace, endpoint)
 * is checked later, so a fault aimed at "getJob" also hits a GET on a wrong workspace path.
 */
import { parseRunChildrenPath, parseWorkspacePath, type RunChildrenPath, type WorkspacePath } from "./runHistory";

export interface ArmJobsPath {
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
  /** Absent for the Jobs List collection. */
  jobName?: string;
  cancel: boolean;
}

/** `…/workspaces/<ws>/datastores/<name>`, `…/data/<name>` or `…/data/<name>/versions/<version>`. */
export interface ArmWorkspaceDataPath {
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
  kind: "datastore" | "dataContainer" | "dataVersion";
  name: string;
  version?: string;
}

/** `…/batchEndpoints/<ep>`, `…/batchEndpoints/<ep>/deployments/<dep>` or `…/components/<name>/versions/<version>`. */
export interface ArmEndpointPath {
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
  /** The endpoint's or the component's name. */
  name: string;
  /** The deployment's name, or the component's version. */
  child?: string;
}

export type ClassifiedRequest =
  | { route: "invoke"; endpointName: string }
  | { route: "getJob" | "cancelJob" | "listJobs"; arm: ArmJobsPath }
  | { route: "getDatastore" | "getData"; data: ArmWorkspaceDataPath }
  | { route: "getBatchEndpoint" | "getBatchDeployment" | "getComponentVersion"; endpoint: ArmEndpointPath }
  | { route: "getWorkspace"; workspace: WorkspacePath }
  | { route: "discovery" }
  | { route: "runChildren"; run: RunChildrenPath }
  | { route: "other"; underArm: boolean };

const eq = (a: string | undefined, b: string): boolean => a !== undefined && a.toLowerCase() === b.toLowerCase();

function decode(seg: string): string | null {
  try {
    return decodeURIComponent(seg);
  } catch {
    return null;
  }
}

/** Parses `/subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<ws>/jobs[/<name>[/cancel]]`. */
function parseArm(segments: string[]): ArmJobsPath | null {
  const [sub, s, rgs, rg, prov, ns, wss, ws, jobs, name, action, ...rest] = segments;
  if (!eq(sub, "subscriptions") || !eq(rgs, "resourceGroups") || !eq(prov, "providers")) return null;
  if (!eq(ns, "Microsoft.MachineLearningServices") || !eq(wss, "workspaces") || !eq(jobs, "jobs")) return null;
  if (s === undefined || rg === undefined || ws === undefined || rest.length > 0) return null;
  if (action !== undefined && !eq(action, "cancel")) return null;
  return {
    subscriptionId: s,
    resourceGroup: rg,
    workspace: ws,
    ...(name !== undefined ? { jobName: name } : {}),
    cancel: action !== undefined,
  };
}

/** Parses the workspace's datastore and data asset paths (GET only). */
function parseWorkspaceData(segments: string[]): ArmWorkspaceDataPath | null {
  const [sub, s, rgs, rg, prov, ns, wss, ws, collection, name, versions, version, ...rest] = segments;
  if (!eq(sub, "subscriptions") || !eq(rgs, "resourceGroups") || !eq(prov, "providers")) return null;
  if (!eq(ns, "Microsoft.MachineLearningServices") || !eq(wss, "workspaces")) return null;
  if (s === undefined || rg === undefined || ws === undefined || name === undefined || rest.length > 0) return null;
  const at = { subscriptionId: s, resourceGroup: rg, workspace: ws, name };
  if (eq(collection, "datastores") && versions === undefined) return { ...at, kind: "datastore" };
  if (!eq(collection, "data")) return null;
  if (versions === undefined) return { ...at, kind: "dataContainer" };
  return eq(versions, "versions") && version !== undefined ? { ...at, kind: "dataVersion", version } : null;
}

/** Parses the batch endpoint, deployment and component version paths (GET only). */
function parseEndpointRead(segments: string[]): (ArmEndpointPath & { route: "getBatchEndpoint" | "getBatchDeployment" | "getComponentVersion" }) | null {
  const [sub, s, rgs, rg, prov, ns, wss, ws, collection, name, childs, child, ...rest] = segments;
  if (!eq(sub, "subscriptions") || !eq(rgs, "resourceGroups") || !eq(prov, "providers")) return null;
  if (!eq(ns, "Microsoft.MachineLearningServices") || !eq(wss, "workspaces")) return null;
  if (s === undefined || rg === undefined || ws === undefined || name === undefined || rest.length > 0) return null;
  const at = { subscriptionId: s, resourceGroup: rg, workspace: ws, name };
  if (eq(collection, "batchEndpoints") && childs === undefined) return { ...at, route: "getBatchEndpoint" };
  if (eq(collection, "batchEndpoints") && eq(childs, "deployments") && child !== undefined) return { ...at, child, route: "getBatchDeployment" };
  if (eq(collection, "components") && eq(childs, "versions") && child !== undefined) return { ...at, child, route: "getComponentVersion" };
  return null;
}

export function classify(method: string, pathname: string): ClassifiedRequest {
  const raw = pathname.split("/").filter((p) => p !== "");
  const decoded = raw.map(decode);
  if (decoded.some((d) => d === null)) return { route: "other", underArm: raw[0] === "arm" };
  const segments = decoded as string[];

  if (segments[0] === "arm") {
    const arm = parseArm(segments.slice(1));
    if (arm === null) {
      const data = method === "GET" ? parseWorkspaceData(segments.slice(1)) : null;
      if (data) return { route: data.kind === "datastore" ? "getDatastore" : "getData", data };
      const workspace = method === "GET" ? parseWorkspacePath(segments.slice(1)) : null;
      if (workspace) return { route: "getWorkspace", workspace };
      const read = method === "GET" ? parseEndpointRead(segments.slice(1)) : null;
      if (read) {
        const { route, ...endpoint } = read;
        return { route, endpoint };
      }
      return { route: "other", underArm: true };
    }
    if (arm.jobName === undefined && method === "GET") return { route: "listJobs", arm };
    if (arm.jobName !== undefined && !arm.cancel && method === "GET") return { route: "getJob", arm };
    if (arm.jobName !== undefined && arm.cancel && method === "POST") return { route: "cancelJob", arm };
    return { route: "other", underArm: true };
  }

  if (method === "POST" && segments.length === 3 && segments[0] === "endpoints" && segments[2] === "jobs") {
    return { route: "invoke", endpointName: segments[1]! };
  }
  // The workspace's regional API (docs/azure-behaviour.md#batch-job-logs): its discovery document and Run History.
  if (method === "GET" && segments.length === 1 && segments[0] === "discovery") return { route: "discovery" };
  const run = method === "GET" ? parseRunChildrenPath(segments) : null;
  if (run) return { route: "runChildren", run };
  return { route: "other", underArm: false };
}
