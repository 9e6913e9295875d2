/**
 * The HTTP pipeline that posts a run's end to a callback or webhook: no authentication of any
 * kind (nothing the app holds may reach a caller-named URL), no redirects (a redirect could lead
 * the body elsewhere), and bounded retries from core-rest-pipeline's own policies: 408/5xx and
 * network errors with exponential backoff, 429/503 honouring a short Retry-After, and 429 without
 * one like a 5xx. A Retry-After beyond the cap is not waited for in-process: the send fails.
 */
import {
  createDefaultHttpClient,
  createPipelineFromOptions,
  type HttpClient,
  exponentialRetryPolicy,
  type Pipeline,
  retryPolicy,
  type RetryStrategy,
  systemErrorRetryPolicy,
  throttlingRetryPolicy,
} from "@azure/core-rest-pipeline";

export interface NoticeRetrySettings {
  /** Retries per policy (each policy counts its own; the total stays small). */
  maxRetries: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  /** Longest Retry-After honoured; a longer one fails the send at once. */
  maxRetryAfterSeconds: number;
  /** Per attempt. */
  timeoutMs: number;
}

export const DEFAULT_NOTICE_RETRY: NoticeRetrySettings = {
  maxRetries: 3,
  retryDelayMs: 500,
  maxRetryDelayMs: 8000,
  maxRetryAfterSeconds: 30,
  timeoutMs: 30_000,
};

/** Thrown inside the pipeline when a receiver asks for a wait longer than an activity should hold. */
export class NoticeRetryAfterTooLongError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`the receiver answered ${status} and asked to retry after ${retryAfterSeconds} s; not waiting that long`);
    this.name = "NoticeRetryAfterTooLongError";
  }
}

/** 429 with no Retry-After: the throttling policy skips it, so back off as for a 5xx. */
function tooManyRequestsStrategy(settings: NoticeRetrySettings): RetryStrategy {
  return {
    name: "noticeTooManyRequestsStrategy",
    retry({ retryCount, response }) {
      if (response?.status !== 429 || response.headers.get("retry-after")) return { skipStrategy: true };
      return { retryAfterInMs: Math.min(settings.maxRetryDelayMs, settings.retryDelayMs * 2 ** retryCount) };
    },
  };
}

export function createNoticePipeline(settings: NoticeRetrySettings = DEFAULT_NOTICE_RETRY): Pipeline {
  const pipeline = createPipelineFromOptions({ redirectOptions: { maxRetries: 0 }, userAgentOptions: { userAgentPrefix: "batch-scoring-orchestrator" } });
  pipeline.removePolicy({ name: "defaultRetryPolicy" });
  const backoff = { maxRetries: settings.maxRetries, retryDelayInMs: settings.retryDelayMs, maxRetryDelayInMs: settings.maxRetryDelayMs };
  // Order inside the Retry phase = outermost first.
  pipeline.addPolicy(exponentialRetryPolicy(backoff), { phase: "Retry" });
  pipeline.addPolicy(systemErrorRetryPolicy(backoff), { phase: "Retry" });
  const tooMany = retryPolicy([tooManyRequestsStrategy(settings)], { maxRetries: settings.maxRetries });
  pipeline.addPolicy({ name: "noticeTooManyRequestsRetryPolicy", sendRequest: tooMany.sendRequest }, { phase: "Retry" });
  pipeline.addPolicy(throttlingRetryPolicy({ maxRetries: settings.maxRetries }), { phase: "Retry" });
  pipeline.addPolicy(
    {
      name: "noticeRetryAfterCapPolicy",
      async sendRequest(request, next) {
        const response = await next(request);
        if (response.status !== 429 && response.status !== 503) return response;
        const seconds = Number(response.headers.get("retry-after"));
        if (Number.isFinite(seconds) && seconds > settings.maxRetryAfterSeconds) throw new NoticeRetryAfterTooLongError(response.status, seconds);
        return response;
      },
    },
    { phase: "Retry" },
  );
  return pipeline;
}

/** The HTTP client the pipeline sends with (tests pass their own). */
export const createNoticeHttpClient = (): HttpClient => createDefaultHttpClient();
