/**
 * What each route answers, as plain values (status, headers, body): the server decides about
 * sockets and faults, these functions only about the emulated service's behaviour.
 */
import { findByName, sameName } from "./armNames";
import { armError } from "./faults";
import { armJobResource, deploymentId, invokeResponse, PROVIDER, serviceProperties, workspaceId, type Scope } from "./fixtures";
import { type ParsedInvoke, parseInvokeBody } from "./invokeBody";
import { getBatchDeployment, getBatchEndpoint, getComponentVersion } from "./endpointResources";
import type { JobState, JobStore } from "./jobStore";
import { armWorkspaceResource, childRunsBody, discoveryDocument, type RunChildrenPath, sameWorkspace } from "./runHistory";
import type { ArmJobsPath, ArmWorkspaceDataPath, ClassifiedRequest } from "./routes";
import type { EmulatorBehavior, EmulatorDatastore, EmulatorDataVersion, EmulatorDeployment, EmulatorJobOutput } from "./types";

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** undefined = empty body. */
  body?: unknown;
}

export interface HandlerContext {
  scope: Scope;
  store: JobStore;
  behavior: EmulatorBehavior;
  /** The endpoint's deployments; the default one included. */
  deployments: EmulatorDeployment[];
  /** null: the endpoint has no default deployment. */
  defaultDeployment: string | null;
  outputExists?: (uri: string, type: EmulatorJobOutput["type"]) => Promise<boolean>;
  /** `http://host:port`, known once listening. */
  baseUrl: () => string;
  /** The workspace's datastores and data assets (changed by tests between cases). */
  datastores: Map<string, EmulatorDatastore>;
  dataAssets: Map<string, Map<string, EmulatorDataVersion>>;
}

export interface IncomingCall {
  method: string;
  path: string;
  classified: ClassifiedRequest;
  query: Record<string, string>;
  headers: Record<string, string>;
  bodyText: string;
  hasAuthorization: boolean;
}

const errorReply = (status: number, code: string, message: string): Reply => ({ status, body: armError(code, message) });

/** Answers that show a job's end wait for its hooks (the predictions file, the logs are written first). */
async function completionSettled(state: JobState): Promise<void> {
  if ((state.job.status === "Completed" || state.job.status === "Failed") && state.completion !== null) await state.completion;
}

export async function handle(ctx: HandlerContext, call: IncomingCall): Promise<Reply> {
  const c = call.classified;
  switch (c.route) {
    case "invoke":
      return invoke(ctx, call, c.endpointName);
    case "getJob":
    case "cancelJob":
    case "listJobs": {
      const refusal = checkArm(ctx, call, c.arm);
      if (refusal !== null) return refusal;
      if (c.route === "listJobs") return listJobs(ctx, call);
      return c.route === "getJob" ? getJob(ctx, c.arm.jobName!) : cancelJob(ctx, c.arm.jobName!);
    }
    case "getDatastore":
    case "getData": {
      const refusal = checkArm(ctx, call, c.data);
      if (refusal !== null) return refusal;
      return c.route === "getDatastore" ? getDatastore(ctx, c.data) : getData(ctx, c.data);
    }
    case "getBatchEndpoint":
    case "getBatchDeployment":
    case "getComponentVersion": {
      const refusal = checkArm(ctx, call, c.endpoint);
      if (refusal !== null) return refusal;
      if (c.route === "getBatchEndpoint") return getBatchEndpoint(ctx, c.endpoint);
      return c.route === "getBatchDeployment" ? getBatchDeployment(ctx, c.endpoint, call.query["api-version"]!) : getComponentVersion(ctx, c.endpoint);
    }
    case "getWorkspace": {
      const refusal = checkArm(ctx, call, c.workspace);
      return refusal ?? { status: 200, body: armWorkspaceResource(ctx.scope, ctx.baseUrl()) };
    }
    case "discovery":
      return { status: 200, body: discoveryDocument(ctx.baseUrl()) };
    case "runChildren":
      return runChildren(ctx, call, c.run);
    case "other":
      return errorReply(404, "NotFound", `No route for ${call.method} ${call.path}.`);
  }
}

/**
 * Run History `runs/<runId>/children`: api-version is required, as the Run History spec declares
 * it; the job's one step once it has started scoring (docs/azure-behaviour.md#batch-job-logs).
 */
async function runChildren(ctx: HandlerContext, call: IncomingCall, at: RunChildrenPath): Promise<Reply> {
  if (!call.query["api-version"]) return errorReply(400, "BadRequest", "The api-version query parameter is required.");
  if (!sameWorkspace(ctx.scope, at)) return errorReply(404, "UserError", `Workspace '${at.workspace}' was not found.`);
  const state = ctx.store.get(at.runId);
  if (state === undefined) return errorReply(404, "UserError", `Run ${at.runId} was not found.`);
  await completionSettled(state);
  return { status: 200, body: childRunsBody(state.job) };
}

async function invoke(ctx: HandlerContext, call: IncomingCall, endpointName: string): Promise<Reply> {
  if (!sameName(endpointName, ctx.scope.endpointName)) {
    return errorReply(404, "EndpointNotFound", `Batch endpoint '${endpointName}' was not found.`);
  }
  const wanted = call.headers["azureml-model-deployment"] ?? ctx.defaultDeployment;
  if (wanted === null) {
    // The service's message; its status is undocumented, so 404, as the Azure CLI handles it
    // (docs/azure-behaviour.md#default-deployment).
    return errorReply(
      404,
      "UserError",
      "No valid deployments to route to. Please check that the endpoint has at least one deployment with positive weight values or use a deployment specific header to route.",
    );
  }
  const deployment = ctx.deployments.find((d) => sameName(d.name, wanted));
  if (deployment === undefined) {
    return errorReply(404, "DeploymentNotFound", `Deployment '${wanted}' was not found on endpoint '${endpointName}'.`);
  }
  const parsed = parseInvokeBody(call.bodyText);
  if (!parsed.ok) return errorReply(400, "UserError", parsed.message);
  const refusal = deploymentRefusal(deployment, parsed.value) ?? dataAssetRefusal(ctx, parsed.value);
  if (refusal) return errorReply(400, "UserError", refusal);
  // Not verified against the service: the fail-safe answer to a quota (docs/azure-behaviour.md#endpoint-quota).
  const quota = ctx.behavior.maxLiveJobsPerEndpoint;
  if (quota > 0 && ctx.store.liveCount() >= quota) {
    return {
      status: 429,
      headers: { "retry-after": "60" },
      body: armError("TooManyRequests", `Endpoint quota reached: the endpoint '${endpointName}' has ${quota} live jobs; retry after a job ends.`),
    };
  }
  const outputTaken = await takenOutput(ctx, parsed.value);

  // The SDK sends the underscore form; the app also sends the standard one (docs/azure-behaviour.md#batch-invoke).
  const repeatabilityId = call.headers["repeatability_request-id"] ?? call.headers["repeatability-request-id"] ?? null;
  const existing = ctx.behavior.dedupeRepeatability && repeatabilityId !== null ? ctx.store.findByRepeatabilityId(repeatabilityId) : undefined;
  const state = existing ?? ctx.store.create({ deployment, parsed: parsed.value, repeatabilityId, hadAuthorization: call.hasAuthorization, outputTaken });
  await completionSettled(state);
  return {
    status: 201,
    // Like the real service: Location names the deployment, not the job (docs/azure-behaviour.md#batch-invoke).
    headers: { location: `${ctx.baseUrl()}/arm${deploymentId(ctx.scope, deployment.name)}` },
    body: invokeResponse(ctx.scope, state.job, parsed.value.outputs),
  };
}

/**
 * What a model deployment refuses: exactly one data input and at most one output, no literals.
 * The literal message is the service's; the others are ours, as no text is published
 * (docs/azure-behaviour.md#model-and-pipeline-component-deployments).
 */
function deploymentRefusal(deployment: EmulatorDeployment, invoke: ParsedInvoke): string | null {
  if (deployment.type !== "model") return null;
  const inputs = Object.values(invoke.inputs);
  if (inputs.some((i) => i.type === "literal")) {
    return "The specified job input type 'LiteralJobInput' is not supported. The supported types are: UriFileJobInput, UriFolderJobInput.";
  }
  if (inputs.length !== 1) return `Model deployment '${deployment.name}' takes exactly one data input; the request has ${inputs.length}.`;
  const outputs = Object.keys(invoke.outputs).length;
  if (outputs > 1) return `Model deployment '${deployment.name}' produces exactly one output; the request names ${outputs}.`;
  return null;
}

/**
 * Data assets reach the service as ARM ids (`/subscriptions/…/workspaces/<ws>/data/<name>/versions/<v>`);
 * the SDK resolves the `azureml:<name>:<version>` short form on the client, so the service does
 * not take it (docs/azure-behaviour.md#data-assets).
 */
function dataAssetRefusal(ctx: HandlerContext, invoke: ParsedInvoke): string | null {
  for (const [name, input] of Object.entries(invoke.inputs)) {
    if (input.type === "literal") continue;
    if (/^azureml:(?!\/\/)/i.test(input.uri)) {
      return `Input '${name}': '${input.uri}' is not a valid data input URI; pass a data asset by its ARM id (/subscriptions/…/data/<name>/versions/<version>).`;
    }
    const asset = parseDataAssetId(input.uri);
    if (asset && !(sameName(asset.workspace, ctx.scope.workspace) && findDataVersion(ctx, asset.name, asset.version))) {
      return `Input '${name}': data asset ${asset.name}:${asset.version} was not found in workspace ${asset.workspace}.`;
    }
  }
  return null;
}

/** `/subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<ws>/data/<name>/versions/<v>` → its parts. */
function parseDataAssetId(uri: string): { workspace: string; name: string; version: string } | null {
  const m =
    /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.MachineLearningServices\/workspaces\/([^/]+)\/data\/([^/]+)\/versions\/([^/]+)$/i.exec(
      uri,
    );
  return m ? { workspace: m[1]!, name: m[2]!, version: m[3]! } : null;
}

function findDataVersion(ctx: HandlerContext, name: string, version: string): EmulatorDataVersion | undefined {
  return findByName(ctx.dataAssets, name)?.[1].get(version);
}

/** The first output whose path already holds data: the job will fail on it, as Azure ML's do. */
async function takenOutput(ctx: HandlerContext, invoke: ParsedInvoke): Promise<string | null> {
  if (!ctx.outputExists) return null;
  for (const output of Object.values(invoke.outputs)) {
    if (output.uri && (await ctx.outputExists(output.uri, output.type))) return output.uri;
  }
  return null;
}

/** api-version first (as ARM does), then the subscription / group / workspace in the path. */
function checkArm(ctx: HandlerContext, call: IncomingCall, arm: Pick<ArmJobsPath, "subscriptionId" | "resourceGroup" | "workspace">): Reply | null {
  if (!call.query["api-version"]) {
    return errorReply(400, "MissingApiVersionParameter", "The api-version query parameter (?api-version=) is required for all requests.");
  }
  if (!sameName(arm.subscriptionId, ctx.scope.subscriptionId)) {
    return errorReply(404, "SubscriptionNotFound", `The subscription '${arm.subscriptionId}' could not be found.`);
  }
  if (!sameName(arm.resourceGroup, ctx.scope.resourceGroup)) {
    return errorReply(404, "ResourceGroupNotFound", `Resource group '${arm.resourceGroup}' could not be found.`);
  }
  if (!sameName(arm.workspace, ctx.scope.workspace)) {
    return errorReply(404, "ResourceNotFound", `Workspace '${arm.workspace}' was not found.`);
  }
  return null;
}

async function getJob(ctx: HandlerContext, name: string): Promise<Reply> {
  const state = ctx.store.poll(name);
  if (state === undefined) return errorReply(404, "UserError", `Job ${name} not found.`);
  await completionSettled(state);
  return { status: 200, body: armJobResource(ctx.scope, state.job, ctx.behavior.failureText) };
}

function cancelJob(ctx: HandlerContext, name: string): Reply {
  const outcome = ctx.store.cancel(name);
  if (outcome === undefined) return errorReply(404, "UserError", `Job ${name} not found.`);
  // ARM's Jobs Cancel answers 202 while cancellation runs, 200 when there is nothing left to do.
  return { status: outcome === "accepted" ? 202 : 200 };
}

/** `k` (present) or `k=v` (equal), for each comma-separated term. */
function matchesTerms(map: Record<string, string>, filter: string | undefined): boolean {
  if (filter === undefined || filter === "") return true;
  return filter.split(",").every((term) => {
    const eqAt = term.indexOf("=");
    if (eqAt < 0) return Object.hasOwn(map, term.trim());
    const key = term.slice(0, eqAt).trim();
    return Object.hasOwn(map, key) && map[key] === term.slice(eqAt + 1);
  });
}

/** The first Jobs List api-version with a `properties` filter (docs/azure-behaviour.md#jobs-list). */
const firstVersionWithPropertiesFilter = "2024-04-01";

/**
 * Jobs List, following the api-version asked for: `jobType`, `tag` (jobs that have this tag key)
 * and `$skip` at every version; `properties` only from 2024-04-01 (earlier versions do not have
 * it, so it is ignored, not applied). Pages by `nextLink` (docs/azure-behaviour.md#jobs-list).
 */
async function listJobs(ctx: HandlerContext, call: IncomingCall): Promise<Reply> {
  const q = call.query;
  const apiVersion = q["api-version"] ?? "";
  const propertiesFilter = apiVersion.slice(0, 10) >= firstVersionWithPropertiesFilter ? q.properties : undefined;
  const ordered = ctx.behavior.listOrder === "newestFirst" ? ctx.store.list() : ctx.store.list().reverse();
  const matching = ordered.filter((s) => {
    if (q.jobType !== undefined && q.jobType.toLowerCase() !== "pipeline") return false;
    if (q.tag !== undefined && !Object.hasOwn(s.job.tags, q.tag)) return false;
    return matchesTerms({ ...s.job.properties, ...serviceProperties(s.job) }, propertiesFilter);
  });
  const skip = Math.max(0, Number.parseInt(q.$skip ?? "0", 10) || 0);
  const size = ctx.behavior.listPageSize;
  const page = matching.slice(skip, skip + size);
  await Promise.all(page.map(completionSettled));

  const body: Record<string, unknown> = { value: page.map((s) => armJobResource(ctx.scope, s.job, ctx.behavior.failureText)) };
  if (skip + size < matching.length) {
    const next = new URL(call.path, ctx.baseUrl());
    for (const [k, v] of Object.entries(q)) next.searchParams.set(k, v);
    next.searchParams.set("$skip", String(skip + size));
    body.nextLink = next.toString();
  }
  return { status: 200, body };
}

const workspaceResource = (ctx: HandlerContext, tail: string): string => `${workspaceId(ctx.scope)}/${tail}`;

/** Datastores Get (api-version 2023-10-01 shape); credentials are never part of the answer (docs/azure-behaviour.md#datastores). */
function getDatastore(ctx: HandlerContext, at: ArmWorkspaceDataPath): Reply {
  const found = findByName(ctx.datastores, at.name);
  if (!found) return errorReply(404, "UserError", `DatastoreNotFound: ${at.name} does not exist in workspace ${ctx.scope.workspace}.`);
  const [name, properties] = found;
  return {
    status: 200,
    body: {
      id: workspaceResource(ctx, `datastores/${name}`),
      name,
      type: `${PROVIDER}/workspaces/datastores`,
      properties: { ...properties, credentials: { credentialsType: "None" }, isDefault: name === "workspaceblobstore", tags: {}, description: null },
    },
  };
}

/** Data Containers Get (`latestVersion`) and Data Versions Get (`dataType`, `dataUri`) (docs/azure-behaviour.md#data-assets). */
function getData(ctx: HandlerContext, at: ArmWorkspaceDataPath): Reply {
  const versions = findByName(ctx.dataAssets, at.name)?.[1];
  if (!versions) return errorReply(404, "UserError", `Data asset ${at.name} was not found.`);
  if (at.kind === "dataContainer") {
    const latestVersion = [...versions.keys()].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })).at(-1) ?? null;
    return {
      status: 200,
      body: { id: workspaceResource(ctx, `data/${at.name}`), name: at.name, properties: { dataType: [...versions.values()][0]?.dataType, latestVersion } },
    };
  }
  const version = versions.get(at.version!);
  if (!version) return errorReply(404, "UserError", `Version ${at.version} of data asset ${at.name} was not found.`);
  return {
    status: 200,
    body: { id: workspaceResource(ctx, `data/${at.name}/versions/${at.version}`), name: at.version, properties: { ...version, isAnonymous: false } },
  };
}
