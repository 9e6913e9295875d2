/** Sending one request through a pipeline, and what a failure to get a response means. */

import type { HttpClient, Pipeline, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import type { BatchClientSettings } from "./types";
import { toBatchEndpointError } from "./errors";
import { RetryAfterTooLongError } from "./pipelines";

/** What the operations share: settings, transport and the two pipelines. */
export interface BatchClientContext {
  config: BatchClientSettings;
  httpClient: HttpClient;
  invokePipeline: Pipeline;
  armPipeline: Pipeline;
  invokeTimeoutMs: number;
  armTimeoutMs: number;
}

/**
 * Sends `request`; returns the response whatever its status (a Retry-After we would not wait for
 * comes back as its response too). Throws BatchEndpointError when there is no response.
 */
export async function send(
  pipeline: Pipeline,
  httpClient: HttpClient,
  request: PipelineRequest,
  context: string,
  mayHaveBeenSent: boolean,
): Promise<PipelineResponse> {
  try {
    return await pipeline.sendRequest(httpClient, request);
  } catch (err) {
    if (err instanceof RetryAfterTooLongError) return err.response;
    throw toBatchEndpointError(err, { context, mayHaveBeenSent });
  }
}
