/** Invoke: `POST {scoringUri}` starts a batch job. Never blindly repeated (see pipelines.ts). */

import http from "node:http";
import https from "node:https";
import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { checkEndpointUri } from "./endpointHosts";
import { BatchEndpointError, parseErrorResponse, requestIdFrom } from "./errors";
import { parseJson } from "../json";
import { readJobResource } from "./jobResource";
import { workspaceJobPath } from "./resourceIds";
import { displayUrl } from "./sanitize";
import { send, type BatchClientContext } from "./send";
import type { InvokeJobRequest, JobInput, JobOutput, JobRef, JobSettings } from "./types";

const SUCCESS = new Set([200, 201, 202]);
/**
 * Fresh connections for invokes: a reused keep-alive socket that the server already closed turns
 * into an ECONNRESET whose outcome we could not tell. (`disableKeepAlive` alone is not enough:
 * Node's global agents keep connections alive since Node 19.)
 */
const NO_KEEP_ALIVE = { "http:": new http.Agent({ keepAlive: false }), "https:": new https.Agent({ keepAlive: false }) };
/** Header-safe ids: visible ASCII, no spaces. */
const HEADER_TOKEN = /^[\x21-\x7e]{1,256}$/;

function inputBody(input: JobInput): Record<string, string> {
  switch (input.type) {
    case "uri_folder":
      return { JobInputType: "UriFolder", Uri: input.uri, ...(input.mode ? { Mode: input.mode } : {}) };
    case "uri_file":
      return { JobInputType: "UriFile", Uri: input.uri, ...(input.mode ? { Mode: input.mode } : {}) };
    case "literal":
      return { JobInputType: "Literal", Value: input.value };
    default:
      throw new BatchEndpointError("InvalidRequest", `Unknown job input type "${String((input as { type?: unknown }).type)}".`);
  }
}

function outputBody(output: JobOutput): Record<string, string> {
  return { JobOutputType: output.type === "uri_folder" ? "UriFolder" : "UriFile", Uri: output.uri };
}

/** Seconds as an ISO 8601 duration (`PT1H2M3S`), the form the batch job model's retry timeout takes. */
export function isoDuration(totalSeconds: number): string {
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  const parts = `${hours ? `${hours}H` : ""}${minutes ? `${minutes}M` : ""}${seconds || (!hours && !minutes) ? `${seconds}S` : ""}`;
  return `PT${parts}`;
}

/**
 * The per-job settings in the keys of the data-plane BatchJob model, as Azure ML's CLI and SDK
 * send them (docs/azure-behaviour.md#per-job-settings). Only the settings given are sent.
 */
export function settingsBody(settings: JobSettings): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (settings.instanceCount !== undefined) body.compute = { instanceCount: settings.instanceCount };
  if (settings.miniBatchSize !== undefined) body.miniBatchSize = settings.miniBatchSize;
  if (settings.maxConcurrencyPerInstance !== undefined) body.maxConcurrencyPerInstance = settings.maxConcurrencyPerInstance;
  if (settings.outputFileName !== undefined) body.outputFileName = settings.outputFileName;
  if (settings.errorThreshold !== undefined) body.errorThreshold = settings.errorThreshold;
  if (settings.loggingLevel !== undefined) body.loggingLevel = settings.loggingLevel;
  if (settings.maxRetries !== undefined || settings.retryTimeoutSeconds !== undefined) {
    body.retrySettings = {
      ...(settings.maxRetries !== undefined ? { maxRetries: settings.maxRetries } : {}),
      ...(settings.retryTimeoutSeconds !== undefined ? { timeout: isoDuration(settings.retryTimeoutSeconds) } : {}),
    };
  }
  return body;
}

/**
 * The documented PascalCase body (docs/azure-behaviour.md#batch-invoke), the per-job settings,
 * and the invoke id as tag and property. The display name is a tag: the data-plane batch job has
 * no field for it; the experiment name is the property `experimentName`, as the CLI sends it.
 */
export function buildInvokeBody(request: InvokeJobRequest): { properties: Record<string, unknown> } {
  const inputData: Record<string, Record<string, string>> = {};
  for (const [name, input] of Object.entries(request.inputs)) inputData[name] = inputBody(input);
  const properties: Record<string, unknown> = { InputData: inputData };
  if (request.outputs.length > 0) properties.OutputData = Object.fromEntries(request.outputs.map((o) => [o.name, outputBody(o)]));
  Object.assign(properties, settingsBody(request.settings ?? {}));
  if (request.description) properties.description = request.description;
  const markers: Record<string, string> = { clientInvokeId: request.invokeId, ...(request.runId ? { scoringRunId: request.runId } : {}) };
  properties.tags = { ...(request.tags ?? {}), ...(request.displayName ? { displayName: request.displayName } : {}), ...markers };
  properties.properties = { ...(request.experimentName ? { experimentName: request.experimentName } : {}), ...markers };
  return { properties };
}

/** 408/429/5xx, redirects and unexpected 2xx: the job may exist. Other 4xx: it was refused. */
function outcomeUnknownForStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500 || (status >= 200 && status < 400);
}

function parseInvokeResponse(response: PipelineResponse, context: string): JobRef {
  const fields = readJobResource(parseJson(response.bodyAsText));
  const unexpected = (what: string): BatchEndpointError =>
    new BatchEndpointError("UnexpectedResponse", `${context}: HTTP ${response.status} but ${what}; a job may have been created.`, {
      httpStatus: response.status,
      requestId: requestIdFrom(response.headers),
      outcomeUnknown: true,
    });
  if (!fields) throw unexpected("the body is not a JSON object");
  if (!fields.id || !fields.name) throw unexpected(`the job ${fields.id ? "name" : "id"} is missing`);
  let jobPath: string;
  try {
    jobPath = workspaceJobPath(fields.id, fields.name);
  } catch (err) {
    throw unexpected(`the job id cannot be read (${err instanceof Error ? err.message : String(err)}; job name ${fields.name})`);
  }
  return { name: fields.name, id: fields.id, jobPath, status: fields.status ?? "Unknown", studioUrl: fields.studioUrl };
}

export async function invokeJob(ctx: BatchClientContext, request: InvokeJobRequest): Promise<JobRef> {
  const check = checkEndpointUri(request.endpointUri, ctx.config);
  if (!check.ok) throw new BatchEndpointError("EndpointNotAllowed", check.reason);
  if (typeof request.invokeId !== "string" || !HEADER_TOKEN.test(request.invokeId)) {
    throw new BatchEndpointError("InvalidRequest", "invokeId must be 1-256 visible ASCII characters without spaces.");
  }
  if (request.deployment && !HEADER_TOKEN.test(request.deployment)) {
    throw new BatchEndpointError("InvalidRequest", "deployment must be 1-256 visible ASCII characters without spaces.");
  }
  const context = `Invoke of batch endpoint ${displayUrl(check.url)}${request.deployment ? ` (deployment ${request.deployment})` : ""}`;
  const headers = createHttpHeaders({
    "Content-Type": "application/json",
    Accept: "application/json",
    "repeatability_request-id": request.invokeId,
    "Repeatability-Request-ID": request.invokeId,
  });
  if (request.deployment) headers.set("azureml-model-deployment", request.deployment);
  const pipelineRequest = createPipelineRequest({
    url: check.url.toString(),
    method: "POST",
    headers,
    body: JSON.stringify(buildInvokeBody(request)),
    timeout: ctx.invokeTimeoutMs,
    allowInsecureConnection: check.loopback,
    disableKeepAlive: true,
  });
  // Set after creation: createPipelineRequest (core-rest-pipeline 1.25) drops an `agent` option.
  pipelineRequest.agent = check.url.protocol === "http:" ? NO_KEEP_ALIVE["http:"] : NO_KEEP_ALIVE["https:"];
  const response = await send(ctx.invokePipeline, ctx.httpClient, pipelineRequest, context, true);
  if (!SUCCESS.has(response.status)) {
    throw parseErrorResponse(response.status, response.headers, response.bodyAsText, {
      context,
      outcomeUnknown: outcomeUnknownForStatus(response.status),
    });
  }
  return parseInvokeResponse(response, context);
}
