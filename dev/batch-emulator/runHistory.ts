/**
 * The workspace's side of a batch job's logs (docs/azure-behaviour.md#batch-job-logs): ARM
 * Workspaces Get (`properties.discoveryUrl`), the public discovery document (`api`: the
 * workspace's regional API), and Run History's `runs/<runId>/children`, where a batch job's one
 * step, `batchscoring`, is found. Shapes from Learn's REST how-to ("Create, run, and delete Azure
 * Machine Learning resources using REST") and the Run History spec (`PaginatedRunList`, `Run`).
 * The loopback base URL stands for both `management.azure.com` and `<region>.api.azureml.ms`.
 */
import { createHash } from "node:crypto";
import { sameName } from "./armNames";
import { PROVIDER, workspaceId, type Scope } from "./fixtures";
import type { EmulatorJob, JobStatus } from "./types";

/** `…/history/v1.0/subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<ws>/runs/<runId>/children` */
export interface RunChildrenPath {
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
  runId: string;
}

/** `arm/subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<ws>` */
export interface WorkspacePath {
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
}

const eq = (a: string | undefined, b: string): boolean => a !== undefined && a.toLowerCase() === b.toLowerCase();

function workspacePrefix(segments: string[]): WorkspacePath | null {
  const [sub, s, rgs, rg, prov, ns, wss, ws] = segments;
  if (!eq(sub, "subscriptions") || !eq(rgs, "resourceGroups") || !eq(prov, "providers") || !eq(ns, PROVIDER) || !eq(wss, "workspaces")) return null;
  if (s === undefined || rg === undefined || ws === undefined) return null;
  return { subscriptionId: s, resourceGroup: rg, workspace: ws };
}

/** The workspace resource itself (the segments after `arm`). */
export function parseWorkspacePath(segments: string[]): WorkspacePath | null {
  return segments.length === 8 ? workspacePrefix(segments) : null;
}

/** Run History's children of a run (the segments of the whole path). */
export function parseRunChildrenPath(segments: string[]): RunChildrenPath | null {
  const [history, version, ...rest] = segments;
  if (history !== "history" || version !== "v1.0" || rest.length !== 11) return null;
  const ws = workspacePrefix(rest);
  const [runs, runId, children] = rest.slice(8);
  if (!ws || runs !== "runs" || runId === undefined || children !== "children") return null;
  return { ...ws, runId };
}

/** The `batchscoring` step's run id: a GUID derived from the job's name, so it needs no state. */
export function stepRunIdOf(jobName: string): string {
  const h = createHash("sha256").update(`batchscoring:${jobName}`).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** ARM Workspaces Get (the fields Learn's REST how-to shows): `discoveryUrl` points at this emulator. */
export function armWorkspaceResource(s: Scope, baseUrl: string): unknown {
  return {
    id: workspaceId(s),
    name: s.workspace,
    type: `${PROVIDER}/workspaces`,
    location: "eastus",
    tags: {},
    properties: {
      friendlyName: s.workspace,
      description: "",
      hbiWorkspace: false,
      workspaceId: stepRunIdOf(`workspace:${s.workspace}`),
      discoveryUrl: `${baseUrl}/discovery`,
      mlFlowTrackingUri: `azureml://eastus.api.azureml.ms/mlflow/v1.0${workspaceId(s)}`,
    },
    sku: { name: "Basic", tier: "Basic" },
  };
}

/**
 * The discovery document: `api` is the regional API server. Learn's example has `history` on
 * another host than `api`; here it leads nowhere, so a client must use `api`, as azure-ai-ml does.
 */
export function discoveryDocument(baseUrl: string): unknown {
  return {
    api: baseUrl,
    catalog: `${baseUrl}/catalog`,
    experimentation: `${baseUrl}/experimentation`,
    history: `${baseUrl}/experimentation`,
    modelmanagement: `${baseUrl}/modelmanagement`,
    pipelines: `${baseUrl}/pipelines`,
  };
}

/** The step exists once the job has started scoring (Running onwards, or ended). */
const STEP_STATUSES: ReadonlySet<JobStatus> = new Set<JobStatus>(["Running", "Finalizing", "CancelRequested", "Completed", "Failed", "Canceled"]);

export function hasScoringStep(job: EmulatorJob): boolean {
  return STEP_STATUSES.has(job.status);
}

/**
 * `PaginatedRunList` of the job's children: its one `batchscoring` step, named only by
 * `displayName` (the studio's step name; no source says which field carries it), with a run
 * `token` as Run History's `Run` has one, which a client must never keep or show.
 */
export function childRunsBody(job: EmulatorJob): unknown {
  const value = hasScoringStep(job)
    ? [
        {
          runId: job.stepRunId,
          parentRunId: job.name,
          rootRunId: job.name,
          experimentId: stepRunIdOf(`experiment:${job.deployment}`),
          createdUtc: new Date(job.createdAt).toISOString(),
          status: job.status === "CancelRequested" ? "CancelRequested" : job.status,
          displayName: "batchscoring",
          runType: "azureml.StepRun",
          token: "emulated-run-token-never-shown",
          properties: { "azureml.runsource": "azureml.StepRun" },
          tags: {},
        },
      ]
    : [];
  return { value, continuationToken: null, nextLink: null };
}

/** Whether a Run History path names this emulator's workspace. */
export function sameWorkspace(s: Scope, at: WorkspacePath): boolean {
  return sameName(at.subscriptionId, s.subscriptionId) && sameName(at.resourceGroup, s.resourceGroup) && sameName(at.workspace, s.workspace);
}
