/**
 * ARM reads of a batch endpoint and what it would run, for pre-flight: BatchEndpoints Get (scoring
 * URI, default deployment), BatchDeployments Get (model or pipeline-component deployment, its
 * settings) and ComponentVersions Get (a pipeline component's declared inputs and outputs), all at
 * api-version 2024-04-01, the first stable version with `deploymentConfiguration`
 * (docs/azure-behaviour.md#batch-endpoint-and-deployment-reads). Never asks for keys (no listKeys).
 */
import { armEndpointOf, sendArm } from "./armRequest";
import { BatchEndpointError, parseErrorResponse } from "./errors";
import { asObject, getField, getPath, getString, isPlainObject, type JsonObject, parseJson } from "../json";
import { parseComponentVersionId, requireWorkspaceId, workspaceIdOf } from "./resourceIds";
import { ARM_NAME } from "./endpointNames";
import type { BatchClientContext } from "./send";
import type { BatchDeploymentInfo, BatchDeploymentSettings, BatchEndpointInfo, ComponentPort, ComponentVersionInfo } from "./types";

export const ENDPOINT_READS_API_VERSION = "2024-04-01";
function checkName(name: string, what: string): void {
  if (!ARM_NAME.test(name)) throw new BatchEndpointError("InvalidRequest", `"${name.slice(0, 100)}" is not a valid ${what} name.`);
}

async function getResource(ctx: BatchClientContext, path: string, context: string): Promise<Record<string, unknown>> {
  const arm = armEndpointOf(ctx);
  const url = `${arm.base}${path}?api-version=${ENDPOINT_READS_API_VERSION}`;
  const response = await sendArm(ctx, arm, "GET", url, context);
  if (response.status !== 200) throw parseErrorResponse(response.status, response.headers, response.bodyAsText, { context });
  const body = asObject(parseJson(response.bodyAsText));
  if (!body)
    throw new BatchEndpointError("UnexpectedResponse", `${context}: HTTP 200 but the body is not a JSON object.`, { httpStatus: 200, retryable: true });
  return body;
}

/** The value at a dotted path (`retrySettings.timeout`), keys matched as getField does. */
const at = (o: JsonObject | undefined, path: string): unknown => getPath(o, ...path.split("."));
const numberAt = (o: JsonObject | undefined, path: string): number | null => {
  const v = at(o, path);
  return typeof v === "number" && Number.isFinite(v) ? v : null;
};
const stringAt = (o: JsonObject | undefined, path: string): string | null => {
  const v = at(o, path);
  return typeof v === "string" && v.trim() !== "" ? v.trim() : null;
};

export async function getBatchEndpoint(ctx: BatchClientContext, workspace: string, endpoint: string): Promise<BatchEndpointInfo> {
  checkName(endpoint, "batch endpoint");
  const ws = requireWorkspaceId(workspace);
  const body = await getResource(ctx, `${workspaceIdOf(ws)}/batchEndpoints/${endpoint}`, `Get batch endpoint ${endpoint} (workspace ${ws.workspace})`);
  const p = asObject(getField(body, "properties"));
  return { name: getString(body, "name") ?? endpoint, scoringUri: stringAt(p, "scoringUri"), defaultDeployment: stringAt(p, "defaults.deploymentName") };
}

function settingsOf(p: JsonObject | undefined): BatchDeploymentSettings {
  return {
    compute: stringAt(p, "compute"),
    instanceCount: numberAt(p, "resources.instanceCount"),
    miniBatchSize: numberAt(p, "miniBatchSize"),
    maxConcurrencyPerInstance: numberAt(p, "maxConcurrencyPerInstance"),
    errorThreshold: numberAt(p, "errorThreshold"),
    loggingLevel: stringAt(p, "loggingLevel"),
    outputAction: stringAt(p, "outputAction"),
    outputFileName: stringAt(p, "outputFileName"),
    maxRetries: numberAt(p, "retrySettings.maxRetries"),
    retryTimeout: stringAt(p, "retrySettings.timeout"),
  };
}

export async function getBatchDeployment(ctx: BatchClientContext, workspace: string, endpoint: string, deployment: string): Promise<BatchDeploymentInfo> {
  checkName(endpoint, "batch endpoint");
  checkName(deployment, "deployment");
  const ws = requireWorkspaceId(workspace);
  const body = await getResource(
    ctx,
    `${workspaceIdOf(ws)}/batchEndpoints/${endpoint}/deployments/${deployment}`,
    `Get deployment ${deployment} of batch endpoint ${endpoint} (workspace ${ws.workspace})`,
  );
  const p = asObject(getField(body, "properties"));
  const config = asObject(getField(p, "deploymentConfiguration"));
  const type = stringAt(config, "deploymentConfigurationType")?.toLowerCase() ?? null;
  // No "Model" subtype is published; a model deployment may send no deploymentConfiguration at all.
  const kind =
    type === "pipelinecomponent" ? "pipelineComponent" : type === "model" || (type === null && isPlainObject(getField(p, "model"))) ? "model" : "unknown";
  const settings = asObject(getField(config, "settings"));
  return {
    name: getString(body, "name") ?? deployment,
    kind,
    componentId: kind === "pipelineComponent" ? stringAt(config, "componentId.assetId") : null,
    settings: settingsOf(p),
    pipelineSettings: Object.fromEntries(Object.entries(settings ?? {}).filter((e): e is [string, string] => typeof e[1] === "string")),
  };
}

/** `componentSpec.inputs` / `.outputs`: an object keyed by port name (the component YAML's layout; an inference). */
function portsOf(spec: JsonObject | undefined, key: "inputs" | "outputs"): Record<string, ComponentPort> | null {
  const ports = asObject(getField(spec, key));
  if (!ports) return null;
  return Object.fromEntries(
    Object.entries(ports).map(([name, raw]) => {
      const port = asObject(raw);
      const optional = getField(port, "optional");
      const fallback = getField(port, "default");
      return [
        name,
        {
          type: stringAt(port, "type")?.toLowerCase() ?? null,
          optional: optional === true || optional === "true",
          hasDefault: fallback !== undefined && fallback !== null,
        },
      ];
    }),
  );
}

export async function getComponentVersion(ctx: BatchClientContext, componentId: string): Promise<ComponentVersionInfo> {
  const id = parseComponentVersionId(componentId);
  if (!id) throw new BatchEndpointError("InvalidRequest", `"${componentId.slice(0, 300)}" is not the ARM id of a workspace component version.`);
  checkName(id.name, "component");
  checkName(id.version, "component version");
  const body = await getResource(
    ctx,
    `${workspaceIdOf(id)}/components/${id.name}/versions/${id.version}`,
    `Get component ${id.name}:${id.version} (workspace ${id.workspace})`,
  );
  const spec = asObject(at(body, "properties.componentSpec"));
  return { name: id.name, version: id.version, inputs: portsOf(spec, "inputs"), outputs: portsOf(spec, "outputs") };
}
