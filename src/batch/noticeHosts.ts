/**
 * Where a run's end may be announced: Data Factory's `callBackUri`, a `notify.webhook.url` and an
 * Event Grid topic. Same host matching as the endpoint allowlist; checked at start (→ 400) and
 * again by the sender, so a run never posts to a host the settings no longer allow.
 */
import { WHITESPACE_OR_CONTROL } from "./azuremlUris";
import { hostMatchesPattern, isLoopbackHostname } from "./endpointHosts";

/**
 * Default SCORING_CALLBACK_HOSTS: the Data Factory service domain. The host ADF puts in a
 * callBackUri is not documented (docs/azure-behaviour.md#webhook-callbacks): only this
 * Microsoft-owned domain is trusted by default; an operator adds another after seeing one.
 */
export const DEFAULT_CALLBACK_HOSTS: readonly string[] = ["*.datafactory.azure.com"];
/** Event Grid custom topic endpoints: `https://<topic>.<region>-1.eventgrid.azure.net/api/events`. */
export const EVENT_GRID_TOPIC_HOSTS: readonly string[] = ["*.eventgrid.azure.net"];
/** Longer URLs are refused: they only ever come from a mistake (ADF's callBackUri is far shorter). */
export const MAX_NOTICE_URL_LENGTH = 2048;

export type NoticeUrlCheck = { ok: true; url: URL; loopback: boolean } | { ok: false; reason: string };

export interface NoticeHostRules {
  hosts: readonly string[];
  allowLoopback: boolean;
  /** The setting that lists `hosts`, named in a refusal (null: the list is fixed). */
  setting: string | null;
  /** Whether a query may travel (ADF's callBackUri carries its token in one; a topic endpoint has none). */
  query: boolean;
}

/**
 * May a run's end be posted to this URL? https only; loopback (http or https) only with
 * SCORING_ALLOW_LOOPBACK, and then no host list applies; no user information, no fragment.
 * Reasons name the host, never the whole URL (its query may be a capability token).
 */
export function checkNoticeUrl(uri: string, rules: NoticeHostRules): NoticeUrlCheck {
  if (uri.length > MAX_NOTICE_URL_LENGTH) return { ok: false, reason: `must be at most ${MAX_NOTICE_URL_LENGTH} characters, got ${uri.length}` };
  if (WHITESPACE_OR_CONTROL.test(uri)) return { ok: false, reason: "must not contain whitespace or control characters" };
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { ok: false, reason: "must be an absolute https URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: `must use https (got "${url.protocol}")` };
  if (url.username !== "" || url.password !== "") return { ok: false, reason: "must not contain user information (user:password@)" };
  if (url.hash !== "") return { ok: false, reason: "must not have a fragment" };
  if (!rules.query && url.search !== "") return { ok: false, reason: "must not have a query" };
  const host = url.hostname;
  if (isLoopbackHostname(host)) {
    if (rules.allowLoopback) return { ok: true, url, loopback: true };
    return { ok: false, reason: `names the loopback host "${host}"; loopback needs SCORING_ALLOW_LOOPBACK=true (dev and tests only)` };
  }
  if (url.protocol !== "https:") return { ok: false, reason: `must use https (host "${host}")` };
  if (!rules.hosts.some((pattern) => hostMatchesPattern(host, pattern))) {
    const allowed = rules.hosts.length > 0 ? rules.hosts.join(", ") : "none";
    return {
      ok: false,
      reason: `names the host "${host}", which is not allowed; allowed host patterns: ${allowed}${rules.setting ? ` (setting ${rules.setting})` : ""}`,
    };
  }
  return { ok: true, url, loopback: false };
}

/** The rules for a callBackUri or a notify webhook URL. */
export const callbackRules = (config: { callbackHosts?: readonly string[]; allowLoopback: boolean }): NoticeHostRules => ({
  hosts: config.callbackHosts ?? DEFAULT_CALLBACK_HOSTS,
  allowLoopback: config.allowLoopback,
  setting: "SCORING_CALLBACK_HOSTS",
  query: true,
});

/** The rules for an Event Grid topic endpoint (fixed hosts: only Event Grid gets the app's token). */
export const eventGridTopicRules = (config: { allowLoopback: boolean }): NoticeHostRules => ({
  hosts: EVENT_GRID_TOPIC_HOSTS,
  allowLoopback: config.allowLoopback,
  setting: null,
  query: false,
});

/** A URL as records and messages may show it: the query (a capability token in ADF's callBackUri) left out. */
export function withoutQuery(uri: string): string {
  try {
    const url = new URL(uri);
    return `${url.origin}${url.pathname}${url.search ? "?…" : ""}`;
  } catch {
    return "(not a URL)";
  }
}
