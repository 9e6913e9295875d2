/**
 * Delivers one run-end notice: checks its URL against the settings again (they may have changed
 * since the start), builds the body, posts it. Never throws: a notice that could not be delivered
 * is an error value (its message names the host, never the URL's query).
 */
import type { TokenCredential } from "@azure/core-auth";
import { createHttpHeaders, createPipelineRequest, type HttpClient, type Pipeline } from "@azure/core-rest-pipeline";
import { callbackRules, checkNoticeUrl, eventGridTopicRules, type NoticeHostRules } from "../batch/noticeHosts";
import type { ActivityResult, BatchErrorInfo } from "../batch/types";
import type { NoticeDelivered, RunEndNotice } from "../runs/runEndNotice";
import { adfCallbackBody } from "./callbackBody";
import { publishRunEnd } from "./eventGridNotice";
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from "./webhookSignature";

export interface NoticeDeps {
  pipeline: Pipeline;
  httpClient: HttpClient;
  /** The app's identity (Event Grid only). */
  credential: TokenCredential;
  hostSettings: () => { callbackHosts: readonly string[]; allowLoopback: boolean };
  /** The HMAC key in a SCORING_WEBHOOK_SECRET_* setting; null when unset. */
  webhookSecret: (settingName: string) => string | null;
  /** Wall clock, for the webhook's signed timestamp. */
  nowMs: () => number;
  timeoutMs: number;
  publishEvent?: typeof publishRunEnd;
}

const failed = (message: string, httpStatus: number | null = null): ActivityResult<NoticeDelivered> => ({
  ok: false,
  error: { code: "NoticeNotDelivered", message, httpStatus, retryable: false, retryAfterSeconds: null } satisfies BatchErrorInfo,
});

/** An error's text without the URL it may quote (a callBackUri's query is a capability). */
function errorText(err: unknown, url: string): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split(url).join("<url>").slice(0, 500);
}

async function post(
  deps: NoticeDeps,
  url: string,
  loopback: boolean,
  body: string,
  extraHeaders: Record<string, string>,
): Promise<ActivityResult<NoticeDelivered>> {
  const host = new URL(url).host;
  const request = createPipelineRequest({
    url,
    method: "POST",
    body,
    timeout: deps.timeoutMs,
    // Plain http only for loopback (SCORING_ALLOW_LOOPBACK, dev and tests).
    allowInsecureConnection: loopback,
    // Only these headers: never an Authorization, a function key or a Durable system key.
    headers: createHttpHeaders({ "content-type": "application/json", ...extraHeaders }),
  });
  try {
    const response = await deps.pipeline.sendRequest(deps.httpClient, request);
    if (response.status >= 200 && response.status < 300) return { ok: true, value: { status: response.status } };
    return failed(`${host} answered ${response.status} after retries.`, response.status);
  } catch (err) {
    return failed(`posting to ${host} failed: ${errorText(err, url)}.`);
  }
}

function checked(url: string, rules: NoticeHostRules): { ok: true; loopback: boolean } | { ok: false; result: ActivityResult<NoticeDelivered> } {
  const check = checkNoticeUrl(url, rules);
  return check.ok ? { ok: true, loopback: check.loopback } : { ok: false, result: failed(`not sent: the URL ${check.reason}.`) };
}

export async function deliverNotice(notice: RunEndNotice, deps: NoticeDeps): Promise<ActivityResult<NoticeDelivered>> {
  const settings = deps.hostSettings();
  switch (notice.channel) {
    case "callback": {
      const allowed = checked(notice.url, callbackRules(settings));
      if (!allowed.ok) return allowed.result;
      return post(deps, notice.url, allowed.loopback, JSON.stringify(adfCallbackBody(notice.summary)), {});
    }
    case "webhook": {
      const allowed = checked(notice.url, callbackRules(settings));
      if (!allowed.ok) return allowed.result;
      const key = deps.webhookSecret(notice.secretSetting);
      if (!key) return failed(`not sent: the app setting ${notice.secretSetting} holding the webhook's HMAC key is not set.`);
      const body = JSON.stringify(notice.summary);
      const timestamp = Math.floor(deps.nowMs() / 1000);
      return post(deps, notice.url, allowed.loopback, body, {
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: webhookSignature(key, timestamp, body),
      });
    }
    case "eventGrid": {
      const allowed = checked(notice.topic, eventGridTopicRules(settings));
      if (!allowed.ok) return allowed.result;
      try {
        await (deps.publishEvent ?? publishRunEnd)(notice.topic, allowed.loopback, deps.credential, notice.summary);
        return { ok: true, value: { status: 200 } };
      } catch (err) {
        const status = (err as { statusCode?: unknown }).statusCode;
        return failed(`publishing to ${new URL(notice.topic).host} failed: ${errorText(err, notice.topic)}`, typeof status === "number" ? status : null);
      }
    }
  }
}
