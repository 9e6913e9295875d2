/** The one error type the batch client throws, and its JSON form for activity results. */

import type { BatchErrorInfo } from "./types";
import { asObject, getField, getString, parseJson } from "../json";
import { sanitizeText } from "./sanitize";

export interface BatchEndpointErrorOptions {
  httpStatus?: number | null;
  retryable?: boolean;
  retryAfterSeconds?: number | null;
  requestId?: string | null;
  /** Invoke only: the request may have reached the service, so a job may exist. */
  outcomeUnknown?: boolean;
  cause?: unknown;
}

/**
 * A failed Azure ML call. `retryable` says whether the failure is transient; for an invoke,
 * `outcomeUnknown: true` means a job may exist anyway, so the caller must reconcile before
 * any new POST. The message is always sanitized (no tokens, keys, SAS or query strings).
 */
export class BatchEndpointError extends Error {
  readonly code: string;
  readonly httpStatus: number | null;
  readonly retryable: boolean;
  readonly retryAfterSeconds: number | null;
  readonly requestId: string | null;
  readonly outcomeUnknown: boolean;

  constructor(code: string, message: string, options: BatchEndpointErrorOptions = {}) {
    super(sanitizeText(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "BatchEndpointError";
    this.code = code;
    this.httpStatus = options.httpStatus ?? null;
    this.retryable = options.retryable ?? false;
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
    this.requestId = options.requestId ?? null;
    this.outcomeUnknown = options.outcomeUnknown ?? false;
  }

  /** A copy with another message/outcome, same classification. */
  with(changes: { message?: string; outcomeUnknown?: boolean; code?: string }): BatchEndpointError {
    return new BatchEndpointError(changes.code ?? this.code, changes.message ?? this.message, {
      httpStatus: this.httpStatus,
      retryable: this.retryable,
      retryAfterSeconds: this.retryAfterSeconds,
      requestId: this.requestId,
      outcomeUnknown: changes.outcomeUnknown ?? this.outcomeUnknown,
      cause: this.cause,
    });
  }

  toJSON(): BatchErrorInfo {
    return toErrorInfo(this);
  }
}

export function isBatchEndpointError(err: unknown): err is BatchEndpointError {
  return err instanceof BatchEndpointError;
}

// ---------------------------------------------------------------------------------------------
// HTTP error responses

/** Headers as core-rest-pipeline gives them, or a plain record (tests, other callers). */
export type HeaderSource = { get(name: string): string | undefined } | Record<string, string | string[] | number | undefined>;

export function headerValue(headers: HeaderSource | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(name: string): string | undefined }).get(name) ?? undefined;
  }
  const record = headers as Record<string, string | string[] | number | undefined>;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(record)) {
    if (key.toLowerCase() !== wanted || value === undefined) continue;
    return Array.isArray(value) ? value.join(", ") : String(value);
  }
  return undefined;
}

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

const STATUS_CODES: Record<number, string> = {
  400: "BadRequest",
  401: "AuthorizationFailed",
  403: "AuthorizationFailed",
  404: "NotFound",
  405: "MethodNotAllowed",
  408: "RequestTimeout",
  409: "Conflict",
  412: "PreconditionFailed",
  413: "PayloadTooLarge",
  415: "UnsupportedMediaType",
  422: "UnprocessableEntity",
  429: "TooManyRequests",
  500: "InternalServerError",
  501: "NotImplemented",
  502: "BadGateway",
  503: "ServiceUnavailable",
  504: "GatewayTimeout",
};

/** Our code for an HTTP status when the service sent none. */
export function codeForStatus(status: number): string {
  return STATUS_CODES[status] ?? (status >= 500 ? `ServerError${status}` : `HttpError${status}`);
}

/**
 * Seconds the service asked us to wait: `retry-after-ms`, `x-ms-retry-after-ms` (milliseconds)
 * or `Retry-After` (seconds or an HTTP-date). Rounded up; null when absent or unparseable.
 */
export function retryAfterSecondsFrom(headers: HeaderSource | undefined, now: number = Date.now()): number | null {
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const raw = headerValue(headers, name)?.trim();
    if (raw && /^\d+(\.\d+)?$/.test(raw)) return Math.ceil(Number(raw) / 1000);
  }
  const raw = headerValue(headers, "retry-after")?.trim();
  if (!raw) return null;
  if (/^\d+(\.\d+)?$/.test(raw)) return Math.ceil(Number(raw));
  const date = Date.parse(raw);
  if (!Number.isFinite(date)) return null;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

const REQUEST_ID_HEADERS = ["x-ms-request-id", "x-request-id", "request-id", "x-ms-correlation-request-id", "x-ms-client-request-id"];

export function requestIdFrom(headers: HeaderSource | undefined): string | null {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headerValue(headers, name)?.trim();
    if (value) return sanitizeText(value, 200);
  }
  return null;
}

interface ServiceError {
  code?: string;
  message?: string;
  details: string[];
}

/** Reads `{"error":{code,message,details}}` (ARM) or the unwrapped `{code,message}`. */
function readServiceError(bodyText: string | null | undefined): ServiceError | undefined {
  if (!bodyText || bodyText.trim() === "") return undefined;
  const root = asObject(parseJson(bodyText));
  if (!root) return undefined;
  const wrapped = asObject(getField(root, "error"));
  const source = wrapped ?? root;
  const code = getString(source, "code");
  // Some services put a plain string in "error" and the text in "message"/"error_description".
  const message =
    getString(source, "message") ??
    (typeof getField(root, "error") === "string" ? String(getField(root, "error")) : undefined) ??
    getString(root, "message") ??
    getString(root, "error_description");
  const details: string[] = [];
  const rawDetails = getField(source, "details");
  if (Array.isArray(rawDetails)) {
    for (const detail of rawDetails.slice(0, 3)) {
      const d = asObject(detail);
      const text = getString(d, "message") ?? getString(d, "code");
      if (text) details.push(text);
    }
  }
  if (code === undefined && message === undefined) return undefined;
  return { code, message, details };
}

/**
 * A BatchEndpointError for a non-success HTTP response. The service's own `code` is kept when it
 * sent one; otherwise the code follows the status (401/403 → AuthorizationFailed, …).
 * `context` (e.g. "Get job batchjob-1") prefixes the message.
 */
export function parseErrorResponse(
  status: number,
  headers: HeaderSource | undefined,
  bodyText: string | null | undefined,
  options: { context?: string; outcomeUnknown?: boolean } = {},
): BatchEndpointError {
  const service = readServiceError(bodyText);
  const code = service?.code ?? codeForStatus(status);
  let detail: string;
  if (service?.message) {
    detail = service.message;
    if (service.details.length > 0) detail += ` (details: ${service.details.join("; ")})`;
  } else if (bodyText && bodyText.trim() !== "" && service === undefined) {
    detail = `response body: ${sanitizeText(bodyText, 200)}`;
  } else {
    detail = "no error details in the response";
  }
  const prefix = options.context ? `${options.context} failed: ` : "";
  return new BatchEndpointError(code, `${prefix}HTTP ${status} ${code}: ${detail}`, {
    httpStatus: status,
    retryable: isRetryableStatus(status),
    retryAfterSeconds: retryAfterSecondsFrom(headers),
    requestId: requestIdFrom(headers),
    outcomeUnknown: options.outcomeUnknown ?? false,
  });
}

// ---------------------------------------------------------------------------------------------
// Anything thrown → BatchErrorInfo

const IDENTITY_ERROR_NAMES = new Set(["CredentialUnavailableError", "AuthenticationError", "AggregateAuthenticationError", "AuthenticationRequiredError"]);

/** True for the errors @azure/identity throws when it cannot get a token. */
export function isIdentityError(err: unknown): boolean {
  return err instanceof Error && IDENTITY_ERROR_NAMES.has(err.name);
}

const NEVER_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

/** Transport error codes that prove the request never reached the server. */
export function isNeverSentErrorCode(code: unknown): boolean {
  return typeof code === "string" && NEVER_SENT_CODES.has(code);
}

/**
 * Any thrown value as a BatchEndpointError, the one place failures without an HTTP answer are
 * classified. Our own errors are kept (with `context` in front). Identity errors →
 * AuthenticationFailed; a timeout → Timeout; a transport error that proves the request never
 * left (refused, DNS) → EndpointUnreachable; other transport errors → NetworkError; anything
 * else → InternalError. `mayHaveBeenSent` (an invoke) makes every failure that does not prove
 * the request never left `outcomeUnknown`: a job may exist.
 */
export function toBatchEndpointError(err: unknown, how: { context?: string; mayHaveBeenSent?: boolean } = {}): BatchEndpointError {
  const prefix = how.context ? `${how.context} failed: ` : "";
  const maybeSent = how.mayHaveBeenSent ?? false;
  if (err instanceof BatchEndpointError) return how.context ? err.with({ message: `${prefix}${err.message}` }) : err;
  const message = err instanceof Error ? err.message : typeof err === "string" ? err : "unknown error";
  if (isIdentityError(err)) {
    return new BatchEndpointError("AuthenticationFailed", `${prefix}could not get an access token: ${message}`, { cause: err });
  }
  if (err instanceof Error && err.name === "AbortError") {
    return new BatchEndpointError("Timeout", `${prefix}no response in time (${message}).`, { retryable: true, outcomeUnknown: maybeSent, cause: err });
  }
  if (err instanceof Error && err.name === "RestError") {
    const rest = err as Error & { code?: unknown; statusCode?: unknown };
    if (typeof rest.statusCode === "number") {
      return new BatchEndpointError(codeForStatus(rest.statusCode), `${prefix}${message}`, {
        httpStatus: rest.statusCode,
        retryable: isRetryableStatus(rest.statusCode),
        outcomeUnknown: maybeSent,
        cause: err,
      });
    }
    const code = typeof rest.code === "string" ? rest.code : "REQUEST_SEND_ERROR";
    return isNeverSentErrorCode(code)
      ? new BatchEndpointError("EndpointUnreachable", `${prefix}cannot connect (${code}): ${message}`, { retryable: true, cause: err })
      : new BatchEndpointError("NetworkError", `${prefix}network error (${code}): ${message}`, { retryable: true, outcomeUnknown: maybeSent, cause: err });
  }
  return new BatchEndpointError("InternalError", `${prefix}${message}`, { retryable: true, outcomeUnknown: maybeSent, cause: err });
}

/** Flattens any thrown value to JSON safe for activity results and run views. */
export function toErrorInfo(err: unknown): BatchErrorInfo {
  const e = toBatchEndpointError(err);
  const info: BatchErrorInfo = {
    code: e.code,
    message: e.message,
    httpStatus: e.httpStatus,
    retryable: e.retryable,
    retryAfterSeconds: e.retryAfterSeconds,
  };
  if (e.outcomeUnknown) info.outcomeUnknown = true;
  return info;
}
