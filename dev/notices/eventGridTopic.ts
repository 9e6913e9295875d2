/**
 * A loopback stand-in for an Event Grid custom topic (Event Grid schema), strict like the service:
 * it records the events it accepts and refuses what the service refuses. Each rule cites its source.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { flatHeaders } from "../shared/flatHeaders";
import { readBody } from "../shared/readBody";

export interface PublishedEvent {
  id: string;
  subject: string;
  eventType: string;
  eventTime: string;
  dataVersion: string;
  data: unknown;
  topic?: string;
  metadataVersion?: string;
}

export interface TopicRequest {
  headers: Record<string, string>;
  status: number;
  error: string | null;
}

export interface EventGridTopicStandIn {
  /** The topic endpoint, as a publisher is given it: `http://127.0.0.1:<port>/api/events`. */
  endpoint: string;
  /** Events accepted, in order. */
  events: PublishedEvent[];
  /** Every publish request, accepted or not. */
  requests: TopicRequest[];
  /** Answers the next publishes with these statuses (then normally). */
  failNext(...statuses: number[]): void;
  close(): Promise<void>;
}

// learn.microsoft.com/rest/api/eventgrid/dataplane/publish-events/publish-events: POST
// https://{topicHostname}/api/events?api-version=2018-01-01, body: an array of EventGridEvent.
const PATH = "/api/events";
const API_VERSION = "2018-01-01";
// learn.microsoft.com/azure/event-grid/event-schema: "The maximum allowed size for an event is 1 MB";
// an array of events up to 1 MB in total.
const MAX_BODY_BYTES = 1024 * 1024;
// event-schema: required properties of each event, all strings but data.
const REQUIRED_STRINGS = ["id", "subject", "eventType", "eventTime", "dataVersion"] as const;

function eventProblem(event: unknown, index: number): string | null {
  if (typeof event !== "object" || event === null || Array.isArray(event)) return `event ${index} is not an object`;
  const e = event as Record<string, unknown>;
  for (const key of REQUIRED_STRINGS) if (typeof e[key] !== "string" || e[key] === "") return `event ${index}: ${key} is required (a string)`;
  if (!("data" in e)) return `event ${index}: data is required`;
  if (Number.isNaN(Date.parse(e.eventTime as string))) return `event ${index}: eventTime is not a date-time`;
  return null;
}

/**
 * `key` is the topic's access key. learn.microsoft.com/azure/event-grid/authenticate-with-access-keys-shared-access-signatures:
 * the key goes in the `aeg-sas-key` header (or a SAS in `aeg-sas-token`); Microsoft Entra tokens in
 * `Authorization: Bearer` (learn.microsoft.com/azure/event-grid/authenticate-with-microsoft-entra-id),
 * accepted here when `acceptBearer` says which token is valid.
 */
export async function startEventGridTopic(options: { key: string; acceptBearer?: string }): Promise<EventGridTopicStandIn> {
  const events: PublishedEvent[] = [];
  const requests: TopicRequest[] = [];
  const faults: number[] = [];
  const server = http.createServer((req, res) => {
    void readBody(req).then((raw) => {
      const headers = flatHeaders(req);
      const answer = (status: number, error: string | null) => {
        requests.push({ headers, status, error });
        res
          .writeHead(status, { "content-type": "application/json" })
          .end(error ? JSON.stringify({ error: { code: status === 401 ? "Unauthorized" : "BadRequest", message: error } }) : "");
      };
      const url = new URL(req.url ?? "/", "http://stand-in");
      if (req.method !== "POST" || url.pathname !== PATH) return answer(404, `no route ${req.method} ${url.pathname}`);
      if (url.searchParams.get("api-version") !== API_VERSION) return answer(400, `api-version must be ${API_VERSION}`);
      const bearer = /^Bearer (.+)$/.exec(headers.authorization ?? "")?.[1];
      const authorized = headers["aeg-sas-key"] === options.key || (options.acceptBearer !== undefined && bearer === options.acceptBearer);
      if (!authorized) return answer(401, "the request carries no valid aeg-sas-key or bearer token");
      const fault = faults.shift();
      if (fault !== undefined) return answer(fault, `injected ${fault}`);
      if (!(headers["content-type"] ?? "").startsWith("application/json"))
        return answer(400, "content-type must be application/json for the Event Grid schema");
      if (Buffer.byteLength(raw) > MAX_BODY_BYTES) return answer(413, "the events exceed 1 MB");
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        return answer(400, "the body is not JSON");
      }
      if (!Array.isArray(body) || body.length === 0) return answer(400, "the body must be a non-empty array of events");
      const problem = body.map(eventProblem).find((p) => p !== null);
      if (problem) return answer(400, problem);
      events.push(...(body as PublishedEvent[]));
      answer(200, null);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}${PATH}`,
    events,
    requests,
    failNext: (...statuses) => faults.push(...statuses),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
