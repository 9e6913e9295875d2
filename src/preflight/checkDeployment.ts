/**
 * The deployment check: does the deployment the run will invoke take what the request sends?
 * Reads the endpoint (BatchEndpoints Get: its scoring URI and default deployment), the deployment
 * (BatchDeployments Get: model or pipeline component) and, for a pipeline component, the
 * component's declared inputs and outputs (ComponentVersions Get)
 * (docs/azure-behaviour.md#batch-endpoint-and-deployment-reads), then applies what Azure ML
 * documents for each kind (docs/azure-behaviour.md#model-and-pipeline-component-deployments).
 * Anything it cannot read or tell is `skipped` with the reason: it never blocks a job the
 * endpoint itself could run, and it never judges the deployment of another endpoint.
 */
import { parseDataAssetId, parseDataAssetReference } from "../batch/azuremlUris";
import { BatchEndpointError } from "../batch/errors";
import { batchEndpointNameOf } from "../batch/endpointNames";
import { workspaceIdOf } from "../batch/resourceIds";
import type { BatchDeploymentInfo, ComponentPort, ComponentVersionInfo, EndpointReadClient, JobInput, JobOutput, WorkspaceDataClient } from "../batch/types";
import type { PreflightCheck } from "../runs/preflightReport";
import { outputList } from "../runs/outputs";
import { judgedOnFreshReads } from "./freshRefusal";
import type { ScoringRunRequest } from "../runs/types";

export const deploymentTarget = "deployment";

/** What the check compares: the request as the run will send it. */
export interface DeploymentCheckRequest {
  endpointUri: string;
  /** null: the endpoint's default deployment. */
  deployment: string | null;
  inputs: Record<string, JobInput>;
  outputs: JobOutput[];
  experimentName: string | null;
  displayName: string | null;
  workspace: string | null;
}

/** One thing the deployment does not take, by the request field it is about. */
export interface DeploymentProblem {
  /** `deployment`, `inputs`, `inputs.<name>`, `outputs`, `outputs.<name>`, `experimentName` or `displayName`. */
  field: string;
  message: string;
  /** A warning's code (failures are `DeploymentMismatch`). */
  code?: string;
}

export interface DeploymentVerdict {
  check: PreflightCheck;
  /** Why the check failed, field by field (empty unless it failed). */
  problems: DeploymentProblem[];
}

export interface DeploymentCheckDeps {
  endpoints: EndpointReadClient;
  /** Data asset reads (a data asset's type). */
  client: WorkspaceDataClient;
}

/** What the rules found: failures, warnings, and a reason when part of the request could not be judged. */
export interface RuleFindings {
  problems: DeploymentProblem[];
  warnings: DeploymentProblem[];
  /** Set when nothing of the request could be judged (the check is then skipped with it). */
  notJudged: string | null;
  /** What was not compared although the rest was (said in a passed check's message). */
  note?: string;
}

/** Component port types that take a literal value; the others take data (component YAML types). */
const LITERAL_TYPES = new Set(["string", "integer", "number", "boolean"]);
const DATA_TYPES = new Set(["uri_folder", "uri_file", "mltable", "custom_model", "mlflow_model", "triton_model"]);

const quoteList = (names: string[]): string => (names.length === 0 ? "none" : names.join(", "));
const dataInputs = (inputs: Record<string, JobInput>): string[] => Object.keys(inputs).filter((n) => inputs[n]!.type !== "literal");

/**
 * A model deployment takes exactly one data input, no literals, at most one output; job
 * properties (the experiment name) only reach pipeline-component deployments; invoke tags (the
 * display name) are not kept; MLTable data assets are not supported
 * (docs/azure-behaviour.md#model-and-pipeline-component-deployments, docs/azure-behaviour.md#invoke-markers).
 */
export function modelDeploymentFindings(request: DeploymentCheckRequest, deployment: string, dataTypes: Record<string, string | null>): RuleFindings {
  const problems: DeploymentProblem[] = [];
  const warnings: DeploymentProblem[] = [];
  const data = dataInputs(request.inputs);
  if (data.length !== 1) {
    problems.push({ field: "inputs", message: `a model deployment takes exactly one data input, got ${data.length} (${quoteList(data)})` });
  }
  for (const [name, input] of Object.entries(request.inputs)) {
    if (input.type === "literal") problems.push({ field: `inputs.${name}`, message: `is a literal; model deployments take no literal inputs` });
    else if (dataTypes[name] === "mltable")
      problems.push({ field: `inputs.${name}`, message: `is an MLTable data asset; model deployments do not support MLTable inputs` });
  }
  if (request.outputs.length > 1) {
    const names = request.outputs.map((o) => o.name);
    problems.push({ field: "outputs", message: `a model deployment produces one output, got ${names.length} (${quoteList(names)})` });
  }
  if (request.experimentName !== null) {
    problems.push({
      field: "experimentName",
      message: `job properties (the experiment name) can be set only on pipeline-component deployments; ${deployment} is a model deployment`,
    });
  }
  if (request.displayName !== null) {
    warnings.push({
      field: "displayName",
      code: "DisplayNameNotKept",
      message: "is sent as a job tag, and model deployments do not keep invoke tags: the job may not show it",
    });
  }
  return { problems, warnings, notJudged: null };
}

/** Whether a request input fits the kind the component declares; null when the declared type is not one we know. */
function kindFits(input: JobInput, port: ComponentPort): boolean | null {
  if (port.type === null) return null;
  if (LITERAL_TYPES.has(port.type)) return input.type === "literal";
  if (DATA_TYPES.has(port.type)) return input.type !== "literal";
  return null;
}

/**
 * A pipeline-component deployment takes the inputs and outputs its component declares: every
 * name sent must be declared, every required input (not optional, no default) given, and a
 * literal where the component declares a literal type, data where it declares data. A spec that
 * lists no inputs (or no outputs) is not judged on them: the layout read is an inference
 * (docs/azure-behaviour.md#batch-endpoint-and-deployment-reads).
 */
export function pipelineComponentFindings(request: DeploymentCheckRequest, component: ComponentVersionInfo): RuleFindings {
  const problems: DeploymentProblem[] = [];
  const label = `component ${component.name}:${component.version}`;
  const unread: string[] = [];
  if (component.inputs === null) unread.push("inputs");
  else {
    const declared = Object.keys(component.inputs);
    for (const [name, input] of Object.entries(request.inputs)) {
      const port = component.inputs[name];
      if (!port) {
        problems.push({ field: `inputs.${name}`, message: `${label} declares no input "${name}" (it declares: ${quoteList(declared)})` });
        continue;
      }
      if (kindFits(input, port) === false) {
        const given = input.type === "literal" ? "a literal" : "data";
        problems.push({ field: `inputs.${name}`, message: `${label} declares it as ${port.type}, the request gives ${given}` });
      }
    }
    for (const [name, port] of Object.entries(component.inputs)) {
      if (!port.optional && !port.hasDefault && !(name in request.inputs)) {
        problems.push({ field: `inputs.${name}`, message: `${label} requires this input (not optional, no default); the request does not give it` });
      }
    }
  }
  if (component.outputs === null) unread.push("outputs");
  else {
    const declared = Object.keys(component.outputs);
    for (const output of request.outputs) {
      if (!component.outputs[output.name]) {
        problems.push({ field: `outputs.${output.name}`, message: `${label} declares no output "${output.name}" (it declares: ${quoteList(declared)})` });
      }
    }
  }
  const notJudged = unread.length === 2 ? `${label} lists no inputs or outputs in its componentSpec, so their names were not compared` : null;
  const note = unread.length === 1 ? `its ${unread[0]} were not compared: ${label} lists none` : undefined;
  return { problems, warnings: [], notJudged, ...(note ? { note } : {}) };
}

/** Case and a trailing slash aside, the same scoring URI. */
export function sameScoringUri(a: string, b: string): boolean {
  const norm = (u: string) => u.trim().replace(/\/+$/, "").toLowerCase();
  return norm(a) === norm(b);
}

/** Why a read failed, for a skipped check: a permission, a missing name, or the service. */
function readFailure(err: unknown, what: string, workspace: string): string {
  const e = err instanceof BatchEndpointError ? err : null;
  const ws = workspace.split("/").pop();
  if (e?.httpStatus === 401 || e?.httpStatus === 403) {
    return (
      `the app's identity may not read ${what} in workspace ${ws} (HTTP ${e.httpStatus}); grant it a role with ` +
      "Microsoft.MachineLearningServices/workspaces/batchEndpoints/read, batchEndpoints/deployments/read and components/read"
    );
  }
  if (e?.httpStatus === 404) return `${what} was not found in workspace ${ws}`;
  return `reading ${what} failed: ${(err instanceof Error ? err.message : String(err)).slice(0, 300)}`;
}

/** The data asset type of each data input that names a data asset (unreadable ones are left out: not judged). */
async function dataAssetTypes(request: DeploymentCheckRequest, client: WorkspaceDataClient): Promise<Record<string, string | null>> {
  const entries = await Promise.all(
    Object.entries(request.inputs).map(async ([name, input]): Promise<[string, string | null] | null> => {
      if (input.type === "literal") return null;
      const byId = parseDataAssetId(input.uri);
      const reference = byId ? { name: byId.name, version: byId.version } : parseDataAssetReference(input.uri);
      const workspace = byId ? workspaceIdOf(byId.workspace) : request.workspace;
      if (!reference || !workspace) return null;
      try {
        return [name, (await client.getDataVersion(workspace, reference.name, reference.version)).dataType];
      } catch {
        return null; // the input's own check says why it cannot be read
      }
    }),
  );
  return Object.fromEntries(entries.filter((e): e is [string, string | null] => e !== null));
}

function verdictOf(request: DeploymentCheckRequest, described: string, findings: RuleFindings): DeploymentVerdict {
  const base = { target: deploymentTarget, uri: request.endpointUri, blobUrl: null };
  const lines = (list: DeploymentProblem[]) => list.map((p) => `${p.field}: ${p.message}`).join("; ");
  if (findings.problems.length > 0) {
    return {
      check: { ...base, result: "failed", code: "DeploymentMismatch", message: `${described} does not take this request: ${lines(findings.problems)}.` },
      problems: findings.problems,
    };
  }
  if (findings.warnings.length > 0) {
    const code = findings.warnings[0]!.code ?? "DeploymentWarning";
    return { check: { ...base, result: "warning", code, message: `${described}: ${lines(findings.warnings)}.` }, problems: [] };
  }
  if (findings.notJudged !== null) return skippedVerdict(request, findings.notJudged);
  const note = findings.note ? ` (${findings.note})` : "";
  return { check: { ...base, result: "passed", code: null, message: `${described} takes these inputs and outputs${note}.` }, problems: [] };
}

function skippedVerdict(request: DeploymentCheckRequest, reason: string): DeploymentVerdict {
  return {
    check: { target: deploymentTarget, uri: request.endpointUri, blobUrl: null, result: "skipped", code: null, message: `Not checked: ${reason}.` },
    problems: [],
  };
}

async function readDeployment(
  deps: DeploymentCheckDeps,
  workspace: string,
  endpoint: string,
  deployment: string,
): Promise<{ info: BatchDeploymentInfo } | { reason: string }> {
  try {
    return { info: await deps.endpoints.getBatchDeployment(workspace, endpoint, deployment) };
  } catch (err) {
    return { reason: readFailure(err, `deployment ${deployment} of batch endpoint ${endpoint}`, workspace) };
  }
}

/** The check, with the fields behind a failure (the start route names them in its 400); a failure is judged on fresh reads. */
export function judgeDeployment(request: DeploymentCheckRequest, deps: DeploymentCheckDeps): Promise<DeploymentVerdict> {
  return judgedOnFreshReads(
    () => judgeOnce(request, deps),
    (verdict) => verdict.check.result === "failed",
    deps.client,
  );
}

async function judgeOnce(request: DeploymentCheckRequest, deps: DeploymentCheckDeps): Promise<DeploymentVerdict> {
  const workspace = request.workspace;
  if (!workspace) return skippedVerdict(request, "no workspace is known to read the endpoint (request field workspace or setting AML_WORKSPACE_ID)");
  const endpointName = batchEndpointNameOf(request.endpointUri);
  if (!endpointName) return skippedVerdict(request, "the endpoint URI names no batch endpoint");
  let endpoint;
  try {
    endpoint = await deps.endpoints.getBatchEndpoint(workspace, endpointName);
  } catch (err) {
    return skippedVerdict(request, readFailure(err, `batch endpoint ${endpointName}`, workspace));
  }
  // Fail safe: a name guessed from the URI may be another endpoint's; judge only the one the URI calls.
  if (endpoint.scoringUri === null || !sameScoringUri(endpoint.scoringUri, request.endpointUri)) {
    return skippedVerdict(
      request,
      `batch endpoint ${endpointName} in workspace ${workspace.split("/").pop()} scores at ${endpoint.scoringUri ?? "no URI"}, not at the request's endpoint URI`,
    );
  }
  const deploymentName = request.deployment ?? endpoint.defaultDeployment;
  if (deploymentName === null) {
    const problem = {
      field: "deployment",
      message: `batch endpoint ${endpointName} has no default deployment and the request names none: Azure ML refuses such an invoke before any job. Set deployment in the request, or set a default deployment on the endpoint`,
    };
    return {
      check: {
        target: deploymentTarget,
        uri: request.endpointUri,
        blobUrl: null,
        result: "failed",
        code: "NoDefaultDeployment",
        message: `${problem.message}.`,
      },
      problems: [problem],
    };
  }
  const [read, dataTypes] = await Promise.all([readDeployment(deps, workspace, endpointName, deploymentName), dataAssetTypes(request, deps.client)]);
  if ("reason" in read) return skippedVerdict(request, read.reason);
  const { info } = read;
  if (info.kind === "model") return verdictOf(request, `Model deployment ${deploymentName}`, modelDeploymentFindings(request, deploymentName, dataTypes));
  if (info.kind === "unknown")
    return skippedVerdict(request, `deployment ${deploymentName} is neither a model nor a pipeline-component deployment as far as its resource says`);
  const described = `Pipeline-component deployment ${deploymentName}`;
  if (info.componentId === null) return skippedVerdict(request, `deployment ${deploymentName} names no component`);
  let component;
  try {
    component = await deps.endpoints.getComponentVersion(info.componentId);
  } catch (err) {
    return skippedVerdict(
      request,
      readFailure(err, `the component of deployment ${deploymentName} (${info.componentId.split("/").slice(-3).join("/")})`, workspace),
    );
  }
  return verdictOf(request, described, pipelineComponentFindings(request, component));
}

/** The check as one of pre-flight's, which judges its own failures again on fresh reads. */
export async function checkDeployment(request: DeploymentCheckRequest, deps: DeploymentCheckDeps): Promise<PreflightCheck> {
  return (await judgeOnce(request, deps)).check;
}

/** What the check compares, from a run's request (the start route checks before anything starts). */
export function deploymentCheckRequestOf(request: ScoringRunRequest): DeploymentCheckRequest {
  return {
    endpointUri: request.endpointUri,
    deployment: request.deployment,
    inputs: request.inputs,
    outputs: outputList(request),
    experimentName: request.experimentName,
    displayName: request.displayName,
    workspace: request.workspace,
  };
}
