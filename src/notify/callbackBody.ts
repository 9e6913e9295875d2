/**
 * The body Data Factory's WebHook activity reads from its callBackUri when
 * `reportStatusOnCallBack` is true (docs/azure-behaviour.md#webhook-callbacks): `Output` becomes
 * the activity's output, `Error` its error, and a `StatusCode` of 400 or more fails it. The
 * documented example gives StatusCode as a string; so do we.
 */
import type { RunEndSummary } from "../runs/runEndNotice";

export interface AdfCallbackBody {
  Output: RunEndSummary;
  Error?: { ErrorCode: string; Message: string };
  StatusCode: string;
}

/** Long enough for any error the run raises; bounded so a callback stays small. */
export const MAX_CALLBACK_MESSAGE_LENGTH = 4000;

/** "200" for a Succeeded run; "500" for Failed and Canceled (as GET ?failOnError=true answers), with the run's error. */
export function adfCallbackBody(summary: RunEndSummary): AdfCallbackBody {
  if (summary.status === "Succeeded") return { Output: summary, StatusCode: "200" };
  const error = summary.error ?? { code: summary.status === "Canceled" ? "RunCanceled" : "RunFailed", message: `The run ended ${summary.status}.` };
  const message = error.message.length > MAX_CALLBACK_MESSAGE_LENGTH ? `${error.message.slice(0, MAX_CALLBACK_MESSAGE_LENGTH - 1)}…` : error.message;
  return { Output: summary, Error: { ErrorCode: error.code, Message: message }, StatusCode: "500" };
}
