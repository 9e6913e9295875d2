/**
 * A loopback HTTP listener standing in for whoever a run's end is posted to: Data Factory's
 * callBackUri, a notify webhook. It records every request as received (headers and raw body) and
 * answers from a script (`answers`, then 200), so tests can make it fail and count deliveries.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { flatHeaders } from "../shared/flatHeaders";
import { readBody } from "../shared/readBody";

export interface ReceivedNotice {
  method: string;
  /** Path and query, as sent. */
  path: string;
  headers: Record<string, string>;
  rawBody: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  body: unknown;
  /** What the listener answered. */
  status: number;
}

export interface CallbackListener {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  received: ReceivedNotice[];
  /** Answers for the next requests, in order (then 200 again); e.g. [503, 503]. */
  answerNext(...statuses: number[]): void;
  /** Forgets what was received and any scripted answers left. */
  reset(): void;
  /** The deliveries answered 2xx. */
  delivered(): ReceivedNotice[];
  close(): Promise<void>;
}

export async function startCallbackListener(): Promise<CallbackListener> {
  const received: ReceivedNotice[] = [];
  const script: number[] = [];
  const server = http.createServer((req, res) => {
    void readBody(req).then((rawBody) => {
      let body: unknown;
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
      const status = script.shift() ?? 200;
      received.push({ method: req.method ?? "", path: req.url ?? "", headers: flatHeaders(req), rawBody, body, status });
      res.writeHead(status, { "content-type": "application/json" }).end(status < 300 ? "{}" : JSON.stringify({ error: { code: `Http${status}` } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    received,
    answerNext: (...statuses) => script.push(...statuses),
    reset: () => {
      received.length = 0;
      script.length = 0;
    },
    delivered: () => received.filter((r) => r.status >= 200 && r.status < 300),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
