/**
 * Resource ids and JSON shapes the emulator answers with, modelled on what the real service sends
 * (see /work/shared/notes/azure-ml-invoke.md and the azure-rest-api-specs Jobs examples).
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
 * Properties the service itself puts on batch jobs (the note lists these markers; whether the real
 * service files them as tags or properties is not verified: we file them as properties, so a Jobs
 * List `properties=azureml.deploymentname=<dep>` filter finds an endpoint's jobs).
 */
export function serviceProperties(job: EmulatorJob): Record<string, string> {
  return { "azureml.batchrun": "true", "azureml.deploymentname": job.deployment, "azureml.jobtype": "azureml.batchjob" };
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

/** The invoke's 201 body: data-plane BatchJob shape, camelCase, nested id. */
export function invokeResponse(s: Scope, job: EmulatorJob): unknown {
  return {
    id: job.id,
    name: job.name,
    type: `${PROVIDER}/workspaces/batchEndpoints/deployments/jobs`,
    properties: {
      status: job.status,
      experimentName: s.endpointName,
      inputData: mapValues(job.inputs, dataPlaneInput),
      outputData: mapValues(job.outputs, dataPlaneOutput),
      tags: { ...job.tags },
      properties: { ...job.properties },
      creationContext: { createdAt: iso(job.createdAt), createdBy: "batch-emulator", createdByType: "Application" },
    },
  };
}

/**
 * ARM Jobs Get body (JobBase resource, api-version 2022-10-01 shape).
 *
 * Where a Failed job's error sits: the published JobBaseProperties schema (azure-rest-api-specs,
 * stable/2022-10-01 examples/Job/PipelineJob/get.json; JobBaseProperties in the SDKs) has no job-level
 * error field, only `services.<name>.errorMessage` per job endpoint. Run History carries run errors as
 * an ErrorResponse `{"error":{"code","message"}}`. Lacking a documented ARM field, the emulator puts
 * that ErrorResponse at `properties.error` (so the message is at `properties.error.error.message`);
 * clients must treat it as optional, since the real service may not send it.
 */
export function armJobResource(s: Scope, job: EmulatorJob): unknown {
  const properties: Record<string, unknown> = {
    description: null,
    displayName: job.name,
    experimentName: s.endpointName,
    jobType: "Pipeline",
    status: job.status,
    isArchived: false,
    computeId: null,
    services: { Studio: { jobServiceType: "Studio", endpoint: studioUrl(s, job.name) } },
    tags: { ...job.tags },
    properties: { ...job.properties, ...serviceProperties(job) },
    inputs: mapValues(job.inputs, (i) =>
      i.type === "literal" ? { jobInputType: "literal", value: i.value } : { jobInputType: i.type, uri: i.uri },
    ),
    outputs: mapValues(job.outputs, (o) => ({ jobOutputType: o.type, uri: o.uri })),
    settings: {},
  };
  if (job.status === "Failed") {
    properties.error = { error: { code: job.errorCode ?? "UserError", message: job.errorMessage ?? "" } };
  }
  return {
    id: workspaceJobPath(s, job.name),
    name: job.name,
    type: `${PROVIDER}/workspaces/jobs`,
    properties,
    systemData: { createdAt: iso(job.createdAt), createdBy: "batch-emulator", createdByType: "Application" },
  };
}
