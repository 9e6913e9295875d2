/**
 * ARM reads of the emulated endpoint and what it runs: BatchEndpoints Get, BatchDeployments Get
 * and ComponentVersions Get, shaped as the specs' 2024-04-01 examples
 * (docs/azure-behaviour.md#batch-endpoint-and-deployment-reads). Unknown names are 404
 * `ResourceNotFound`; keys are never part of an answer.
 */
import { sameName } from "./armNames";
import { armError } from "./faults";
import { PROVIDER, workspaceId, type Scope } from "./fixtures";
import type { Reply } from "./handlers";
import type { ArmEndpointPath } from "./routes";
import type { EmulatorComponent, EmulatorDeployment } from "./types";

export interface EndpointReadContext {
  scope: Scope;
  deployments: EmulatorDeployment[];
  defaultDeployment: string | null;
  baseUrl: () => string;
}

/** `deploymentConfiguration` appears in the stable specs at 2024-04-01 (docs/azure-behaviour.md#batch-endpoint-and-deployment-reads). */
const firstVersionWithDeploymentConfiguration = "2024-04-01";

const notFound = (what: string): Reply => ({ status: 404, body: armError("ResourceNotFound", `${what} was not found.`) });

const systemData = { createdAt: "2026-01-01T00:00:00.000Z", createdBy: "batch-emulator", createdByType: "Application" };

const endpointId = (s: Scope): string => `${workspaceId(s)}/batchEndpoints/${s.endpointName}`;

/** The component a pipeline-component deployment runs; one that declares nothing when none was given. */
export function componentOf(deployment: EmulatorDeployment): EmulatorComponent {
  return deployment.component ?? { name: `${deployment.name}-component`, version: "1" };
}

const componentId = (s: Scope, c: EmulatorComponent): string => `${workspaceId(s)}/components/${c.name}/versions/${c.version}`;

function checkEndpoint(ctx: EndpointReadContext, at: ArmEndpointPath): Reply | null {
  return sameName(at.name, ctx.scope.endpointName) ? null : notFound(`Batch endpoint '${at.name}'`);
}

/** BatchEndpoints Get: the scoring URI the emulator serves and the default deployment (null when none). */
export function getBatchEndpoint(ctx: EndpointReadContext, at: ArmEndpointPath): Reply {
  const refusal = checkEndpoint(ctx, at);
  if (refusal) return refusal;
  const { scope } = ctx;
  return {
    status: 200,
    body: {
      id: endpointId(scope),
      name: scope.endpointName,
      type: `${PROVIDER}/workspaces/batchEndpoints`,
      location: "westeurope",
      tags: {},
      identity: { type: "SystemAssigned", principalId: "00000000-0000-0000-0000-000000000000", tenantId: "00000000-0000-0000-0000-000000000000" },
      properties: {
        description: null,
        properties: {},
        scoringUri: `${ctx.baseUrl()}/endpoints/${scope.endpointName}/jobs`,
        swaggerUri: null,
        authMode: "AADToken",
        defaults: { deploymentName: ctx.defaultDeployment },
        provisioningState: "Succeeded",
      },
      systemData,
    },
  };
}

/**
 * BatchDeployments Get: a model deployment carries `model` (no `deploymentConfiguration`: the
 * specs publish no Model subtype); a pipeline-component deployment carries
 * `deploymentConfiguration` with `componentId.assetId`, from api-version 2024-04-01 on.
 */
export function getBatchDeployment(ctx: EndpointReadContext, at: ArmEndpointPath, apiVersion: string): Reply {
  const refusal = checkEndpoint(ctx, at);
  if (refusal) return refusal;
  const deployment = ctx.deployments.find((d) => sameName(d.name, at.child!));
  if (!deployment) return notFound(`Deployment '${at.child}' of batch endpoint '${ctx.scope.endpointName}'`);
  const ws = workspaceId(ctx.scope);
  const common = { description: null, properties: {}, provisioningState: "Succeeded" };
  const properties =
    deployment.type === "model"
      ? {
          ...common,
          compute: `${ws}/computes/batch-cluster`,
          model: { referenceType: "Id", assetId: `${ws}/models/${deployment.name}-model/versions/1` },
          codeConfiguration: { codeId: `${ws}/codes/${deployment.name}-code/versions/1`, scoringScript: "score.py" },
          environmentVariables: {},
          errorThreshold: -1,
          loggingLevel: "Info",
          maxConcurrencyPerInstance: 1,
          miniBatchSize: 10,
          outputAction: "AppendRow",
          outputFileName: "predictions.csv",
          resources: { instanceCount: 1, instanceType: null, properties: {} },
          retrySettings: { maxRetries: 3, timeout: "PT30S" },
        }
      : apiVersion.slice(0, 10) >= firstVersionWithDeploymentConfiguration
        ? {
            ...common,
            deploymentConfiguration: {
              deploymentConfigurationType: "PipelineComponent",
              componentId: { referenceType: "Id", assetId: componentId(ctx.scope, componentOf(deployment)) },
              settings: { default_compute: "batch-cluster", continue_on_step_failure: "False" },
              tags: {},
              description: null,
            },
          }
        : common;
  return {
    status: 200,
    body: {
      id: `${endpointId(ctx.scope)}/deployments/${deployment.name}`,
      name: deployment.name,
      type: `${PROVIDER}/workspaces/batchEndpoints/deployments`,
      location: "westeurope",
      tags: {},
      properties,
      systemData,
    },
  };
}

/**
 * ComponentVersions Get: `componentSpec` is the component's YAML as an object (the specs type it
 * only as "object"), so declared inputs and outputs are keyed by name under `inputs` / `outputs`.
 */
export function getComponentVersion(ctx: EndpointReadContext, at: ArmEndpointPath): Reply {
  const component = ctx.deployments
    .filter((d) => d.type === "pipelineComponent")
    .map(componentOf)
    .find((c) => sameName(c.name, at.name) && c.version === at.child);
  if (!component) return notFound(`Component '${at.name}' version '${at.child}'`);
  return {
    status: 200,
    body: {
      id: componentId(ctx.scope, component),
      name: component.version,
      type: `${PROVIDER}/workspaces/components/versions`,
      properties: {
        description: null,
        tags: {},
        properties: {},
        isArchived: false,
        isAnonymous: false,
        provisioningState: "Succeeded",
        componentSpec: {
          $schema: "https://azuremlschemas.azureedge.net/latest/pipelineComponent.schema.json",
          name: component.name,
          version: component.version,
          display_name: component.name,
          type: "pipeline",
          ...(component.inputs ? { inputs: component.inputs } : {}),
          ...(component.outputs ? { outputs: component.outputs } : {}),
        },
      },
      systemData,
    },
  };
}
