/**
 * The request as a run view shows it: Data Factory's callBackUri carries a capability in its
 * query (whoever holds it can complete the pipeline's activity), and a webhook URL may too, so
 * views show those URLs without their query.
 */
import { withoutQuery } from "../batch/noticeHosts";
import type { ScoringRunRequest } from "./types";

export function publicRequest(request: ScoringRunRequest): ScoringRunRequest {
  const notify = request.notify;
  if (!notify || typeof notify !== "object") return request;
  return {
    ...request,
    notify: {
      ...notify,
      callBackUri: notify.callBackUri ? withoutQuery(notify.callBackUri) : null,
      webhook: notify.webhook ? { ...notify.webhook, url: withoutQuery(notify.webhook.url) } : null,
    },
  };
}
