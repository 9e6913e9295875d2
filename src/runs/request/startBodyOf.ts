/**
 * A normalised request back in the start body's camelCase form: what a caller would send to
 * start the same run. Validating it gives the same request again (a test holds this), so a
 * request built from another (a rerun) goes through the one validation every start does. Pure.
 */
import type { ScoringRunRequest } from "../types";

export function startBodyOf(request: ScoringRunRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    endpointUri: request.endpointUri,
    apiVersion: request.apiVersion,
    pollIntervalSeconds: request.pollIntervalSeconds,
    inputs: request.inputs,
    settings: request.settings,
    timeoutSeconds: request.timeoutSeconds,
    tags: request.tags,
    preflight: request.preflight,
  };
  if (Object.keys(request.outputs).length > 0) body.outputs = request.outputs;
  // Absent and null read the same to validation; absent keeps the body as a caller writes it.
  const optional = {
    deployment: request.deployment,
    displayName: request.displayName,
    description: request.description,
    experimentName: request.experimentName,
    queueTimeoutSeconds: request.queueTimeoutSeconds,
    workspace: request.workspace,
  };
  for (const [field, value] of Object.entries(optional)) if (value !== null && value !== undefined) body[field] = value;
  const notify = request.notify;
  if (notify?.callBackUri) body.callBackUri = notify.callBackUri;
  if (notify?.webhook || notify?.eventGridTopic) {
    body.notify = { ...(notify.webhook ? { webhook: notify.webhook } : {}), ...(notify.eventGridTopic ? { eventGridTopic: notify.eventGridTopic } : {}) };
  }
  return body;
}
