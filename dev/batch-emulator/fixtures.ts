/**
 * Resource ids and JSON shapes the emulator answers with, modelled on what the real service sends
 * (docs/azure-behaviour.md#batch-invoke, docs/azure-behaviour.md#job-resource-and-failure-text).
 */
import type { EmulatorJob, EmulatorJobInput, EmulatorJobOutput } from "./types";

export interface Scope {
  subscriptionId: string;
  resourceGroup: string;
  workspace: string;
  endpointName: string;
}

export const PROVIDER = "Microsoft.MachineLearningServices";

export function workspaceId(s: Scope): string {
  return `/subscriptions/${s.subscriptionId}/resourceGroups/${s.resourceGroup}/providers/${PROVIDER}/workspaces/${s.workspace}`;
}

/** The workspace-level job path: the only one ARM serves for Jobs Get and cancel. */
export function workspaceJobPath(s: Scope, name: string): string {
  return `${workspaceId(s)}/jobs/${name}`;
}

export function deploymentId(s: Scope, deployment: string): string {
  return `${workspaceId(s)}/batchEndpoints/${s.endpointName}/deployments/${deployment}`;
}

/** The nested id the invoke answers with; ARM has no route for it (clients must not GET it). */
export function nestedJobId(s: Scope, deployment: string, name: string): string {
  return `${deploymentId(s, deployment)}/jobs/${name}`;
}

export function studioUrl(s: Scope, name: string): string {
  const wsid = `/subscriptions/${s.subscriptionId}/resourcegroups/${s.resourceGroup}/workspaces/${s.workspace}`;
  return `https://ml.azure.com/runs/${encodeURIComponent(name)}?wsid=${encodeURIComponent(wsid)}`;
}

/**
 * Tags the service itself puts on batch jobs, as the recorded invoke answer shows them
 * (test/fixtures/azure/batch-invoke-response.json).
 */
export function serviceTags(deployment: string): Record<string, string> {
  return { "azureml.batchrun": "true", "azureml.deploymentname": deployment, "azureml.jobtype": "azureml.batchjob" };
}

/** Properties the service itself puts on batch jobs (the same recording; settings in `azureml.parameters`). */
export function serviceProperties(_job: EmulatorJob): Record<string, string> {
  return {
    "azureml.runsource": "azureml.PipelineRun",
    runType: "HTTP",
    "azureml.parameters": JSON.stringify({
      run_max_try: "3",
      run_invocation_timeout: "30",
      mini_batch_size: "10",
      error_threshold: "-1",
      logging_level: "INFO",
      NodeCount: "1",
      append_row_file_name: "predictions.csv",
    }),
  };
}

const iso = (ms: number): string => new Date(ms).toISOString();

function dataPlaneInput(i: EmulatorJobInput): Record<string, string> {
  if (i.type === "literal") return { jobInputType: "Literal", value: i.value };
  return { jobInputType: i.type === "uri_folder" ? "UriFolder" : "UriFile", uri: i.uri };
}

function dataPlaneOutput(o: EmulatorJobOutput): Record<string, string | null> {
  return { jobOutputType: o.type === "uri_file" ? "UriFile" : "UriFolder", uri: o.uri };
}

function mapValues<T, U>(r: Record<string, T>, f: (v: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, f(v)]));
}

/** The invoke's 201 body: data-plane BatchJob shape, camelCase, nested id (as test/fixtures/azure/batch-invoke-response.json). */
export function invokeResponse(s: Scope, job: EmulatorJob, named: Record<string, EmulatorJobOutput>): unknown {
  return {
    id: job.id,
    name: job.name,
    type: `${PROVIDER}/workspaces/batchEndpoints/deployments/jobs`,
    properties: {
      provisioningState: "Succeeded",
      inputData: mapValues(job.inputs, dataPlaneInput),
      // The recorded answer to an invoke that named no output has no outputData.
      ...(Object.keys(named).length > 0 ? { outputData: mapValues(named, dataPlaneOutput) } : {}),
      output: { datastoreId: null, path: null },
      retrySettings: { maxRetries: 3, timeout: "PT30S" },
      status: job.status,
      interactionEndpoints: { Studio: { jobEndpointType: "Studio", port: null, endpoint: studioUrl(s, job.name), properties: null } },
      tags: { ...job.tags },
      properties: { ...job.properties, ...serviceProperties(job) },
    },
    systemData: { createdAt: iso(job.createdAt), createdBy: "batch-emulator", lastModifiedAt: iso(job.createdAt), lastModifiedBy: "batch-emulator" },
  };
}

/**
 * ARM Jobs Get body (JobBase resource, api-version 2022-10-01 shape, as
 * test/fixtures/azure/jobs-get.json). The published JobBaseProperties have no job-level error
 * field: a Failed job's reason appears, if at all, as `services.<name>.errorMessage`, the only
 * documented text field (behaviour `failureText`; docs/azure-behaviour.md#job-resource-and-failure-text).
 */
export function armJobResource(s: Scope, job: EmulatorJob, failureText: "none" | "services"): unknown {
  const studio: Record<string, unknown> = { jobServiceType: "Studio", endpoint: studioUrl(s, job.name) };
  if (job.status === "Failed" && failureText === "services" && job.errorMessage) studio.errorMessage = job.errorMessage;
  const properties: Record<string, unknown> = {
    description: null,
    displayName: job.name,
    experimentName: s.endpointName,
    jobType: "Pipeline",
    status: job.status,
    isArchived: false,
    computeId: null,
    services: { Studio: studio },
    tags: { ...job.tags },
    properties: { ...job.properties, ...serviceProperties(job) },
    inputs: mapValues(job.inputs, (i) => (i.type === "literal" ? { jobInputType: "literal", value: i.value } : { jobInputType: i.type, uri: i.uri })),
    outputs: mapValues(job.outputs, (o) => ({ jobOutputType: o.type, uri: o.uri })),
    settings: {},
  };
  return {
    id: workspaceJobPath(s, job.name),
    name: job.name,
    type: `${PROVIDER}/workspaces/jobs`,
    properties,
    systemData: { createdAt: iso(job.createdAt), createdBy: "batch-emulator", createdByType: "Application" },
  };
}
