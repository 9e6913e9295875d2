/**
 * A run's end as an Event Grid event (Event Grid schema: the default input schema of a custom
 * topic), published with the app's identity: a token for https://eventgrid.azure.net/.default.
 * On loopback (dev and tests only) the well-known dev key goes as `aeg-sas-key` instead: a bearer
 * token is never sent over plain http.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { SendEventGridEventInput } from "@azure/eventgrid";
import type { RunEndSummary } from "../runs/runEndNotice";

/** The dev stand-in topic's key (like Azurite's well-known account key: public, loopback only). */
export const LOOPBACK_EVENT_GRID_KEY = "loopback-event-grid-dev-key";

export const runEndEventTypes = { Succeeded: "ScoringRun.Succeeded", Failed: "ScoringRun.Failed", Canceled: "ScoringRun.Canceled" } as const;

/**
 * The event. Its id is the same on every send of one run's end, so a subscriber can drop the
 * duplicate an at-least-once resend makes.
 */
export function runEndEvent(summary: RunEndSummary): SendEventGridEventInput<RunEndSummary> {
  return {
    id: `scoring-run-end-${summary.id}`,
    eventType: runEndEventTypes[summary.status],
    subject: `scoringRuns/${summary.id}`,
    dataVersion: "1.0",
    eventTime: new Date(summary.endedAt),
    data: summary,
  };
}

export async function publishRunEnd(topic: string, loopback: boolean, credential: TokenCredential, summary: RunEndSummary): Promise<void> {
  // Loaded on first use, not when the app registers its functions (cold start).
  const { EventGridPublisherClient } = require("@azure/eventgrid") as typeof import("@azure/eventgrid");
  const { AzureKeyCredential } = require("@azure/core-auth") as typeof import("@azure/core-auth");
  const client = new EventGridPublisherClient(topic, "EventGrid", loopback ? new AzureKeyCredential(LOOPBACK_EVENT_GRID_KEY) : credential, {
    retryOptions: { maxRetries: 3, retryDelayInMs: 500, maxRetryDelayInMs: 8000 },
    redirectOptions: { maxRetries: 0 },
    allowInsecureConnection: loopback,
  });
  await client.send([runEndEvent(summary)]);
}
