/** Requests to the ARM Jobs API on a workspace-level job path (Get and Cancel). */

import type { PipelineResponse } from "@azure/core-rest-pipeline";
import { armEndpointOf, sendArm } from "./armRequest";
import { DEFAULT_JOBS_API_VERSION } from "./apiVersions";
import { BatchEndpointError } from "./errors";
import { buildJobPath, parseJobPath, type JobPathParts } from "./resourceIds";
import type { BatchClientContext } from "./send";
import type { JobLocator } from "./types";

const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

export interface ArmJobCall {
  response: PipelineResponse;
  job: JobPathParts;
}

/**
 * `{method} {armEndpoint}{jobPath}{suffix}?api-version=…`. Refuses, before any token is acquired,
 * an ARM endpoint that is not https (or allowed loopback), a malformed job path or api-version.
 */
export async function sendArmJobRequest(
  ctx: BatchClientContext,
  method: "GET" | "POST",
  locator: JobLocator,
  suffix: "" | "/cancel",
  operation: string,
): Promise<ArmJobCall> {
  const arm = armEndpointOf(ctx);
  const job = parseJobPath(locator.jobPath);
  if (!job) {
    throw new BatchEndpointError(
      "InvalidRequest",
      `"${String(locator.jobPath).slice(0, 300)}" is not a workspace-level Azure ML job path (/subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<ws>/jobs/<name>).`,
    );
  }
  const apiVersion = locator.apiVersion?.trim() || DEFAULT_JOBS_API_VERSION;
  if (!API_VERSION.test(apiVersion)) {
    throw new BatchEndpointError("InvalidRequest", `"${apiVersion.slice(0, 50)}" is not an api-version (yyyy-mm-dd[-preview]).`);
  }
  const url = `${arm.base}${buildJobPath(job, job.jobName)}${suffix}?api-version=${encodeURIComponent(apiVersion)}`;
  const response = await sendArm(ctx, arm, method, url, `${operation} ${job.jobName} (workspace ${job.workspace})`);
  return { response, job };
}
