/** Jobs Get on the workspace-level job path: one status read. */

import { sendArmJobRequest } from "./armJobRequest";
import { BatchEndpointError, parseErrorResponse, requestIdFrom } from "./errors";
import { parseJson } from "../json";
import { readJobResource } from "./jobResource";
import type { BatchClientContext } from "./send";
import type { JobLocator, JobSnapshot } from "./types";

export async function getJob(ctx: BatchClientContext, locator: JobLocator): Promise<JobSnapshot> {
  const operation = "Get job";
  const { response, job } = await sendArmJobRequest(ctx, "GET", locator, "", operation);
  const context = `${operation} ${job.jobName}`;
  if (response.status !== 200) {
    throw parseErrorResponse(response.status, response.headers, response.bodyAsText, { context });
  }
  const fields = readJobResource(parseJson(response.bodyAsText));
  if (!fields) {
    throw new BatchEndpointError("UnexpectedResponse", `${context}: HTTP 200 but the body is not a JSON job resource.`, {
      httpStatus: 200,
      retryable: true,
      requestId: requestIdFrom(response.headers),
    });
  }
  return {
    name: fields.name ?? job.jobName,
    status: fields.status ?? "Unknown",
    studioUrl: fields.studioUrl,
    errorMessage: fields.errorMessage,
    ...(Object.keys(fields.outputs).length > 0 ? { outputs: fields.outputs } : {}),
  };
}
