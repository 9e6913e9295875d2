/**
 * The two HTTP pipelines of the batch client.
 *
 * - invoke (scope: the Azure ML data-plane audience of the cloud, e.g. https://ml.azure.com/.default): a POST that starts a job is never retried,
 *   except when the failure proves the request was never sent (ECONNREFUSED, ENOTFOUND,
 *   EAI_AGAIN): up to 3 retries, 250 ms → 500 ms → 1 s.
 * - ARM (scope: ARM's audience of the cloud, e.g. https://management.azure.com/.default), for Jobs Get and Cancel (safe to repeat):
 *   exponentialRetryPolicy (408/5xx), systemErrorRetryPolicy (resets, refused, DNS) and
 *   throttlingRetryPolicy (429/503 + Retry-After), 3 retries each. A Retry-After longer than
 *   30 s, or one that would take the call past 60 s of in-process waiting, is not waited for:
 *   the call fails at once with a retryable error carrying retryAfterSeconds, so the
 *   orchestrator waits on a durable timer instead. Every 429, retried or not, is reported
 *   (armThrottleSignal.ts): it lowers the fleet's read budget for all runs.
 *
 * Both: no redirects (a token must never follow a redirect to another host); loopback requests
 * (only reachable with SCORING_ALLOW_LOOPBACK=true) get no Authorization header and never make
 * the credential be created.
 */

import {
  bearerTokenAuthenticationPolicy,
  createPipelineFromOptions,
  exponentialRetryPolicy,
  retryPolicy,
  systemErrorRetryPolicy,
  throttlingRetryPolicy,
  type Pipeline,
  type PipelinePolicy,
  type PipelineRequest,
  type PipelineResponse,
  type RetryStrategy,
} from "@azure/core-rest-pipeline";
import type { TokenCredential } from "@azure/core-auth";
import type { BatchClientSettings } from "./types";
import { scopeOf } from "./cloud";
import { BatchEndpointError, isNeverSentErrorCode, retryAfterSecondsFrom } from "./errors";
import { isLoopbackUrl } from "./endpointHosts";
import { armThrottled } from "./armThrottleSignal";

export interface InvokeRetrySettings {
  /** Retries of a request that provably never left (refused connection, DNS failure). */
  maxRetries: number;
  /** First backoff; doubles each retry. */
  retryDelayMs: number;
}

export interface ArmRetrySettings {
  maxRetries: number;
  /** Base of the exponential backoff for 408/5xx and network errors (jittered, doubling). */
  retryDelayMs: number;
  maxRetryDelayMs: number;
  /** Longest single Retry-After honoured in-process; longer → fail now, retryable. */
  maxRetryAfterSeconds: number;
  /** Longest total time one call may spend before a Retry-After wait ends. */
  retryAfterBudgetSeconds: number;
}

export const DEFAULT_INVOKE_RETRY: InvokeRetrySettings = { maxRetries: 3, retryDelayMs: 250 };

export const DEFAULT_ARM_RETRY: ArmRetrySettings = {
  maxRetries: 3,
  retryDelayMs: 1000,
  maxRetryDelayMs: 8000,
  maxRetryAfterSeconds: 30,
  retryAfterBudgetSeconds: 60,
};

/**
 * Thrown from inside the ARM pipeline when the service asks for a wait we will not hold the call
 * for. Not a RestError, so the retry policies let it through; the client turns its response into
 * a BatchEndpointError like any other error response.
 */
export class RetryAfterTooLongError extends Error {
  constructor(
    readonly response: PipelineResponse,
    readonly retryAfterSeconds: number,
  ) {
    super(`The service asked to retry after ${retryAfterSeconds} s; not waiting in-process.`);
    this.name = "RetryAfterTooLongError";
  }
}

function basePipeline(): Pipeline {
  const pipeline = createPipelineFromOptions({
    redirectOptions: { maxRetries: 0 },
    userAgentOptions: { userAgentPrefix: "batch-scoring-orchestrator" },
  });
  pipeline.removePolicy({ name: "defaultRetryPolicy" });
  return pipeline;
}

/**
 * Bearer auth for non-loopback requests; loopback ones (dev/tests) pass through untouched. With
 * no audience known for this cloud, a request fails before any token is asked for.
 */
function authPolicy(audience: { scope: string | null; setting: string }, credential: TokenCredential, allowLoopback: boolean): PipelinePolicy {
  const bearer = audience.scope ? bearerTokenAuthenticationPolicy({ credential, scopes: audience.scope }) : undefined;
  return {
    name: "batchAuthPolicy",
    sendRequest(request, next) {
      if (allowLoopback && isLoopbackUrl(request.url)) {
        request.headers.delete("Authorization");
        return next(request);
      }
      if (!bearer) {
        throw new BatchEndpointError("AuthenticationFailed", `No token audience is known for this cloud: set ${audience.setting} (e.g. https://ml.azure.com).`);
      }
      return bearer.sendRequest(request, next);
    },
  };
}

function neverSentStrategy(settings: InvokeRetrySettings): RetryStrategy {
  return {
    name: "neverSentRetryStrategy",
    retry({ retryCount, responseError }) {
      if (responseError && isNeverSentErrorCode(responseError.code)) {
        return { retryAfterInMs: settings.retryDelayMs * 2 ** retryCount };
      }
      return { skipStrategy: true };
    },
  };
}

export function createInvokePipeline(
  credential: TokenCredential,
  config: Pick<BatchClientSettings, "allowLoopback" | "mlAudience">,
  settings: InvokeRetrySettings = DEFAULT_INVOKE_RETRY,
): Pipeline {
  const pipeline = basePipeline();
  pipeline.addPolicy(
    { name: "invokeNeverSentRetryPolicy", sendRequest: retryPolicy([neverSentStrategy(settings)], { maxRetries: settings.maxRetries }).sendRequest },
    { phase: "Retry" },
  );
  pipeline.addPolicy(
    authPolicy({ scope: config.mlAudience ? scopeOf(config.mlAudience) : null, setting: "AML_DATA_PLANE_AUDIENCE" }, credential, config.allowLoopback),
    { phase: "Sign" },
  );
  return pipeline;
}

export function createArmPipeline(
  credential: TokenCredential,
  config: Pick<BatchClientSettings, "allowLoopback" | "armAudience">,
  settings: ArmRetrySettings = DEFAULT_ARM_RETRY,
): Pipeline {
  const pipeline = basePipeline();
  const startedAt = new WeakMap<PipelineRequest, number>();
  // Order inside the Retry phase = outermost first.
  pipeline.addPolicy(
    {
      name: "armCallClockPolicy",
      sendRequest(request, next) {
        startedAt.set(request, Date.now());
        return next(request);
      },
    },
    { phase: "Retry" },
  );
  const backoff = { maxRetries: settings.maxRetries, retryDelayInMs: settings.retryDelayMs, maxRetryDelayInMs: settings.maxRetryDelayMs };
  pipeline.addPolicy(exponentialRetryPolicy(backoff), { phase: "Retry" });
  pipeline.addPolicy(systemErrorRetryPolicy(backoff), { phase: "Retry" });
  pipeline.addPolicy(throttlingRetryPolicy({ maxRetries: settings.maxRetries }), { phase: "Retry" });
  pipeline.addPolicy(
    {
      name: "armRetryAfterCapPolicy",
      async sendRequest(request, next) {
        const response = await next(request);
        if (response.status !== 429 && response.status !== 503) return response;
        const seconds = retryAfterSecondsFrom(response.headers);
        if (response.status === 429) armThrottled(seconds);
        if (seconds === null) return response;
        const elapsedMs = Date.now() - (startedAt.get(request) ?? Date.now());
        if (seconds > settings.maxRetryAfterSeconds || elapsedMs + seconds * 1000 > settings.retryAfterBudgetSeconds * 1000) {
          throw new RetryAfterTooLongError(response, seconds);
        }
        return response;
      },
    },
    { phase: "Retry" },
  );
  pipeline.addPolicy(authPolicy({ scope: scopeOf(config.armAudience), setting: "AML_ARM_AUDIENCE" }, credential, config.allowLoopback), { phase: "Sign" });
  return pipeline;
}
