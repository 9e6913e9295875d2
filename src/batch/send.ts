/** Sending one request through a pipeline, and what a failure to get a response means. */

import type { HttpClient, Pipeline, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import type { BatchClientSettings } from "./types";
import { BatchEndpointError, isNeverSentErrorCode } from "./errors";
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
 * A thrown failure (no HTTP response) as a BatchEndpointError. `mayHaveBeenSent` is true for an
 * invoke: then any failure that does not prove the request never left (refused connection, DNS,
 * token acquisition, our own checks) is `outcomeUnknown`.
 */
export function transportFailure(err: unknown, context: string, mayHaveBeenSent: boolean): BatchEndpointError {
  if (err instanceof BatchEndpointError) {
    // Our own errors are raised before sending (token acquisition, checks).
    return err.with({ message: `${context} failed: ${err.message}` });
  }
  const e = err instanceof Error ? (err as Error & { code?: unknown }) : undefined;
  const detail = e ? e.message : String(err);
  if (e?.name === "AbortError") {
    return new BatchEndpointError("Timeout", `${context} failed: no response in time (${detail}).`, {
      retryable: true,
      outcomeUnknown: mayHaveBeenSent,
      cause: err,
    });
  }
  if (e?.name === "RestError") {
    const code = typeof e.code === "string" ? e.code : "REQUEST_SEND_ERROR";
    if (isNeverSentErrorCode(code)) {
      return new BatchEndpointError("EndpointUnreachable", `${context} failed: cannot connect (${code}): ${detail}`, {
        retryable: true,
        outcomeUnknown: false,
        cause: err,
      });
    }
    return new BatchEndpointError("NetworkError", `${context} failed: network error (${code}): ${detail}`, {
      retryable: true,
      outcomeUnknown: mayHaveBeenSent,
      cause: err,
    });
  }
  return new BatchEndpointError("InternalError", `${context} failed: ${detail}`, {
    retryable: true,
    outcomeUnknown: mayHaveBeenSent,
    cause: err,
  });
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
    throw transportFailure(err, context, mayHaveBeenSent);
  }
}
