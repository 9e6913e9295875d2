/**
 * A fetch-based client of the app's HTTP API (README "HTTP API"): start, status, cancel, list.
 * The function key goes in `x-functions-key`, only ever to the base URL's origin, and is never
 * part of an error message.
 */
import { runViewKeys } from "../src/runs/runView";
import type { RunView } from "../src/runs/types";
import { UsageError } from "./usageError";

export interface ErrorDetail {
  field: string;
  message: string;
}

/** The API answered with an error status (`{"error":{"code","message","details"}}` when it is ours). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    /** The error body as the API sent it, when it was JSON. */
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** No HTTP answer at all: connection refused, DNS, reset, timeout. */
export class ConnectionError extends Error {
  constructor(
    /** The base URL as shown to people (no credentials). */
    readonly baseUrl: string,
    /** ECONNREFUSED, ENOTFOUND, ETIMEDOUT, ... */
    readonly reason: string,
  ) {
    super(reason === "ECONNREFUSED" ? `cannot reach ${baseUrl}: is the app running? (npm run dev)` : `cannot reach ${baseUrl} (${reason}): check --base-url`);
    this.name = "ConnectionError";
  }
}

/** A run view as one of the run routes answered it. */
export interface RunAnswer {
  /** HTTP status: 202 while running, 200 when ended (500 only from a `failOnError` Location). */
  status: number;
  view: RunView;
  /** Status URL from `Location`, when sent. */
  location: string | null;
  /** `Retry-After` in seconds, when sent. */
  retryAfterSeconds: number | null;
}

/** What the CLI reads of a batch view (docs/api.md#batches). */
export interface BatchSummary {
  id: string;
  status: "Running" | "Succeeded" | "Failed" | "Canceled";
  phase: string;
  total: number;
  counts: { NotStarted: number; Running: number; Succeeded: number; Failed: number; Canceled: number };
  stoppedBecause: string | null;
}

export interface BatchAnswer {
  status: number;
  view: BatchSummary;
  retryAfterSeconds: number | null;
}

export interface RunPage {
  value: RunView[];
  continuationToken: string | null;
}

export interface ListQuery {
  status?: string;
  top?: number;
  continuationToken?: string;
}

export interface ApiClientOptions {
  baseUrl: string;
  key?: string;
  /** Per request; default 60 s. */
  requestTimeoutMs?: number;
  fetch?: typeof fetch;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

/**
 * The run view only. The start answer also carries the durable management URLs, which on Azure
 * hold the extension's system key (`code=`): they are dropped, never printed.
 */
export function pickRunView(body: unknown): RunView | null {
  if (typeof body !== "object" || body === null) return null;
  const o = body as Record<string, unknown>;
  if (typeof o.id !== "string" || typeof o.status !== "string" || typeof o.progress !== "object" || o.progress === null) return null;
  const view: Record<string, unknown> = {};
  for (const k of runViewKeys) view[k] = o[k] ?? null;
  return view as unknown as RunView;
}

/** `http://host:7071/api/` → `http://host:7071`; rejects what is not an http(s) URL. */
export function normaliseBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--base-url must be an http(s) URL, got ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`--base-url must be an http(s) URL, got ${JSON.stringify(raw)}`);
  url.pathname = url.pathname.replace(/\/+$/, "").replace(/\/api$/, "");
  url.search = "";
  url.hash = "";
  return url;
}

/** The base URL for messages: no user:password, no trailing slash. */
export function displayBaseUrl(url: URL): string {
  const shown = new URL(url.href);
  shown.username = "";
  shown.password = "";
  return shown.href.replace(/\/+$/, "");
}

function connectionReason(err: unknown): string | null {
  if (!(err instanceof Error)) return null;
  if (err.name === "TimeoutError") return "ETIMEDOUT";
  const cause = (err as { cause?: unknown }).cause as { code?: unknown; errors?: Array<{ code?: unknown }> } | undefined;
  if (!cause) return null;
  if (typeof cause.code === "string") return cause.code;
  const inner = cause.errors?.find((e) => typeof e.code === "string")?.code;
  return typeof inner === "string" ? inner : "connection failed";
}

function parseRetryAfter(value: string | null): number | null {
  if (value === null) return null;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function errorFromBody(status: number, body: unknown, text: string, what: string): ApiError {
  const root = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const e = (typeof root.error === "object" && root.error !== null ? root.error : root) as Record<string, unknown>;
  if (typeof e.code === "string" && typeof e.message === "string") {
    const details = Array.isArray(e.details)
      ? e.details.filter(
          (d): d is ErrorDetail =>
            typeof d === "object" && d !== null && typeof (d as ErrorDetail).field === "string" && typeof (d as ErrorDetail).message === "string",
        )
      : [];
    return new ApiError(status, e.code, e.message, details, body);
  }
  const snippet = text.replace(/\s+/g, " ").trim().slice(0, 120);
  return new ApiError(status, `Http${status}`, `${what} answered HTTP ${status}${snippet ? `: ${snippet}` : ""} (is --base-url the scoring app?)`, [], null);
}

export class ApiClient {
  readonly base: URL;
  private readonly key: string | undefined;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ApiClientOptions) {
    this.base = normaliseBaseUrl(options.baseUrl);
    this.key = options.key === "" ? undefined : options.key;
    this.timeoutMs = options.requestTimeoutMs ?? 60_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  get displayBase(): string {
    return displayBaseUrl(this.base);
  }

  /** `/api/scoring-runs[/…]` under the base URL. */
  url(path: string): URL {
    const url = new URL(this.base.href);
    url.pathname = `${url.pathname.replace(/\/+$/, "")}/api/scoring-runs${path}`;
    return url;
  }

  statusUrl(id: string): URL {
    return this.url(`/${encodeURIComponent(id)}`);
  }

  async start(body: Record<string, unknown>, opts: RequestOptions & { idempotencyKey?: string } = {}): Promise<RunAnswer> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (opts.idempotencyKey !== undefined) headers["idempotency-key"] = opts.idempotencyKey;
    return this.runAnswer(await this.send("POST", this.url(""), { headers, body: JSON.stringify(body), signal: opts.signal }), "start");
  }

  async status(id: string, opts: RequestOptions = {}): Promise<RunAnswer> {
    return this.runAnswer(await this.send("GET", this.statusUrl(id), opts), "status");
  }

  /**
   * Where to look next while following a run: its `Location` when that is on the base URL's
   * origin (the key is never sent elsewhere), else the status route under the base URL.
   */
  followUrl(id: string, location: string | null): URL {
    if (location) {
      try {
        const url = new URL(location, this.base);
        if (url.origin === this.base.origin) return url;
      } catch {
        // not a URL: use the status route
      }
    }
    return this.statusUrl(id);
  }

  async look(url: URL, opts: RequestOptions = {}): Promise<RunAnswer> {
    return this.runAnswer(await this.send("GET", url, opts), "status");
  }

  async cancel(id: string, reason: string | undefined, opts: RequestOptions = {}): Promise<RunAnswer> {
    const init =
      reason === undefined
        ? { signal: opts.signal }
        : { headers: { "content-type": "application/json" }, body: JSON.stringify({ reason }), signal: opts.signal };
    return this.runAnswer(await this.send("POST", this.url(`/${encodeURIComponent(id)}/cancel`), init), "cancel");
  }

  async rerun(id: string, body: Record<string, unknown> | undefined, opts: RequestOptions & { idempotencyKey?: string } = {}): Promise<RunAnswer> {
    const headers: Record<string, string> = body === undefined ? {} : { "content-type": "application/json" };
    if (opts.idempotencyKey !== undefined) headers["idempotency-key"] = opts.idempotencyKey;
    const init = { headers, signal: opts.signal, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
    return this.runAnswer(await this.send("POST", this.url(`/${encodeURIComponent(id)}/rerun`), init), "rerun");
  }

  async list(query: ListQuery = {}, opts: RequestOptions = {}): Promise<RunPage> {
    const url = this.url("");
    if (query.status !== undefined) url.searchParams.set("status", query.status);
    if (query.top !== undefined) url.searchParams.set("top", String(query.top));
    if (query.continuationToken !== undefined) url.searchParams.set("continuationToken", query.continuationToken);
    const { res, body, text } = await this.send("GET", url, opts);
    const page = body as Partial<RunPage> | null;
    if (!res.ok || !page || !Array.isArray(page.value)) throw this.failure(res.status, body, text, "list");
    const value = page.value.map(pickRunView).filter((v): v is RunView => v !== null);
    return { value, continuationToken: typeof page.continuationToken === "string" ? page.continuationToken : null };
  }

  /** `/api/scoring-batches[/…]` under the base URL. */
  batchUrl(path: string): URL {
    const url = new URL(this.base.href);
    url.pathname = `${url.pathname.replace(/\/+$/, "")}/api/scoring-batches${path}`;
    return url;
  }

  /** POST /api/scoring-batches: the batch view (202), or the API's error. */
  async startBatch(body: Record<string, unknown>, opts: RequestOptions & { idempotencyKey?: string } = {}): Promise<BatchAnswer> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (opts.idempotencyKey !== undefined) headers["idempotency-key"] = opts.idempotencyKey;
    return this.batchAnswer(await this.send("POST", this.batchUrl(""), { headers, body: JSON.stringify(body), signal: opts.signal }), "batch");
  }

  /** GET /api/scoring-batches/{id} (first page of children only). */
  async batchStatus(id: string, opts: RequestOptions = {}): Promise<BatchAnswer> {
    const url = this.batchUrl(`/${encodeURIComponent(id)}`);
    url.searchParams.set("top", "1");
    return this.batchAnswer(await this.send("GET", url, opts), "batch status");
  }

  private batchAnswer({ res, body, text }: { res: Response; body: unknown; text: string }, what: string): BatchAnswer {
    const view = body as BatchSummary | null;
    if (res.ok && view && typeof view.id === "string" && typeof view.status === "string" && view.counts) {
      return { status: res.status, view, retryAfterSeconds: parseRetryAfter(res.headers.get("retry-after")) };
    }
    throw this.failure(res.status, body, text, what);
  }

  private runAnswer({ res, body, text }: { res: Response; body: unknown; text: string }, what: string): RunAnswer {
    const view = pickRunView(body);
    // 200/202 carry the view; a `failOnError` status URL answers 500 with the failed run's view.
    if (view && (res.ok || res.status === 500)) {
      return { status: res.status, view, location: res.headers.get("location"), retryAfterSeconds: parseRetryAfter(res.headers.get("retry-after")) };
    }
    throw this.failure(res.status, body, text, what);
  }

  private failure(status: number, body: unknown, text: string, what: string): ApiError {
    if (status >= 200 && status < 300)
      return new ApiError(status, "UnexpectedResponse", `${what} answered HTTP ${status} without a run view (is --base-url the scoring app?)`);
    return errorFromBody(status, body, text, what);
  }

  private async send(method: string, url: URL, init: { headers?: Record<string, string>; body?: string; signal?: AbortSignal | undefined }) {
    const headers: Record<string, string> = { accept: "application/json", ...init.headers };
    if (this.key !== undefined && url.origin === this.base.origin) headers["x-functions-key"] = this.key;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(url, { method, headers, body: init.body, signal, redirect: "manual" });
      text = await res.text();
    } catch (err) {
      if (init.signal?.aborted) throw init.signal.reason ?? err;
      const reason = connectionReason(err);
      if (reason !== null) throw new ConnectionError(this.displayBase, reason);
      throw err;
    }
    let body: unknown;
    try {
      body = text === "" ? null : JSON.parse(text);
    } catch {
      body = null;
    }
    return { res, body, text };
  }
}
