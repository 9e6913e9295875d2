/**
 * One ARM call through the ARM pipeline (its retry, throttling and bearer policies). The ARM
 * endpoint is checked before any token is acquired: https, or loopback when allowed.
 */
import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import { checkArmEndpoint } from "./endpointHosts";
import { BatchEndpointError } from "./errors";
import { send, type BatchClientContext } from "./send";

export interface ArmEndpoint {
  /** The ARM base URL without a trailing slash. */
  base: string;
  url: URL;
  loopback: boolean;
}

/** The configured ARM endpoint, or EndpointNotAllowed. */
export function armEndpointOf(ctx: BatchClientContext): ArmEndpoint {
  const arm = checkArmEndpoint(ctx.config.armEndpoint, ctx.config);
  if (!arm.ok) throw new BatchEndpointError("EndpointNotAllowed", arm.reason);
  return { base: arm.url.toString().replace(/\/+$/, ""), url: arm.url, loopback: arm.loopback };
}

/** `{method} {url}` on ARM; `context` names the operation in any error. ARM calls are safe to repeat, so a lost answer is not an unknown outcome. */
export async function sendArm(ctx: BatchClientContext, arm: ArmEndpoint, method: "GET" | "POST", url: string, context: string): Promise<PipelineResponse> {
  const headers = createHttpHeaders({ Accept: "application/json" });
  if (method === "POST") headers.set("Content-Length", "0");
  const request = createPipelineRequest({ url, method, headers, timeout: ctx.armTimeoutMs, allowInsecureConnection: arm.loopback });
  return send(ctx.armPipeline, ctx.httpClient, request, context, false);
}
