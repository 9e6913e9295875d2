/** Converts between @azure/functions HTTP types and the plain ones the HTTP logic uses. */
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { type RunsClient, runsClient } from "../runs/durableRuns";
import type { ApiRequest, ApiResponse } from "../http/types";

export async function toApiRequest(request: HttpRequest): Promise<ApiRequest> {
  return {
    method: request.method,
    url: request.url,
    header: (name) => request.headers.get(name),
    query: new URLSearchParams(request.query),
    params: { ...request.params },
    bodyText: await request.text(),
  };
}

export function toHttpResponse(response: ApiResponse): HttpResponseInit {
  return response.body === undefined
    ? { status: response.status, headers: response.headers }
    : { status: response.status, headers: response.headers, jsonBody: response.body };
}

export const durableClientInput = df.input.durableClient();

/** Wraps HTTP logic `(request, runs) => response` as a handler; unexpected errors answer 500 without internals. */
export function runsHandler(logic: (req: ApiRequest, runs: RunsClient, log: (message: string) => void, client: df.DurableClient) => Promise<ApiResponse>) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    try {
      const client = df.getClient(context);
      return toHttpResponse(await logic(await toApiRequest(request), runsClient(client), (message) => context.log(message), client));
    } catch (err) {
      context.error(`${context.functionName} failed: ${err instanceof Error ? err.message : String(err)}`);
      return { status: 500, jsonBody: { error: { code: "InternalError", message: "The request could not be processed; see the function logs." } } };
    }
  };
}
