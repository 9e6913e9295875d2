/** Test helpers: a scripted loopback HTTP server, fake credentials and capturing HttpClients. */

import http from "node:http";
import type { AddressInfo } from "node:net";
import { createDefaultHttpClient, createHttpHeaders, type HttpClient, type PipelineRequest, type PipelineResponse } from "@azure/core-rest-pipeline";
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { type AppConfig, parseConfig } from "../../../src/config";

export interface RecordedRequest {
  method: string;
  /** Path + query as received. */
  url: string;
  headers: http.IncomingHttpHeaders;
  /** Raw header names/values, to check exact spelling. */
  rawHeaders: string[];
  body: string;
  receivedAt: number;
  /** Client port of the TCP connection (same port = reused connection). */
  remotePort: number | undefined;
}

export type Scripted = { status: number; headers?: Record<string, string>; body?: unknown } | { reset: true } | { hang: true };

export interface TestServer {
  origin: string;
  port: number;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Serves `script` in order (the last entry repeats), or asks a function per request. */
export async function startServer(script: Scripted[] | ((req: RecordedRequest, index: number) => Scripted)): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const recorded: RecordedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks).toString("utf8"),
        receivedAt: Date.now(),
        remotePort: req.socket.remotePort,
      };
      requests.push(recorded);
      const index = requests.length - 1;
      const step = Array.isArray(script) ? script[Math.min(index, script.length - 1)]! : script(recorded, index);
      if ("reset" in step) {
        req.socket.destroy();
        return;
      }
      if ("hang" in step) return;
      const body = step.body === undefined ? "" : typeof step.body === "string" ? step.body : JSON.stringify(step.body);
      res.writeHead(step.status, {
        ...(typeof step.body === "object" ? { "Content-Type": "application/json" } : {}),
        ...step.headers,
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export { closedPort } from "../../fixtures/ports";

/** The defaults, as parsed from an empty environment, with loopback allowed. */
export function testConfig(overrides: Partial<AppConfig> = {}): AppConfig {
  return { ...parseConfig({}), allowLoopback: true, ...overrides };
}

export class FakeCredential implements TokenCredential {
  readonly calls: { scopes: string[]; options: GetTokenOptions | undefined }[] = [];
  constructor(private readonly tokenFor: (scope: string) => string = (scope) => `token-for-${new URL(scope).host}`) {}
  async getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    const list = Array.isArray(scopes) ? scopes : [scopes];
    this.calls.push({ scopes: list, options });
    return { token: this.tokenFor(list[0]!), expiresOnTimestamp: Date.now() + 3600_000 };
  }
}

/** An HttpClient that records requests and answers from `respond` (no network). */
export function capturingHttpClient(
  respond: (request: PipelineRequest) => { status: number; body?: unknown; headers?: Record<string, string> },
): HttpClient & { requests: PipelineRequest[] } {
  const requests: PipelineRequest[] = [];
  return {
    requests,
    async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      requests.push(request);
      const answer = respond(request);
      return {
        request,
        status: answer.status,
        headers: createHttpHeaders(answer.headers),
        bodyAsText: answer.body === undefined ? "" : typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body),
      };
    },
  };
}

/** The default HttpClient, counting calls (to see retries that never reach a server). */
export function countingHttpClient(): HttpClient & { count: number } {
  const inner = createDefaultHttpClient();
  const counter = {
    count: 0,
    sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
      counter.count += 1;
      return inner.sendRequest(request);
    },
  };
  return counter;
}

export const WS =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-Scoring/providers/Microsoft.MachineLearningServices/workspaces/ws-Main";

/** What the service returns for an invoke (201, nested id). */
export function invokeResponse(name = "batchjob-5f0c6a1e", extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `${WS}/batchEndpoints/ep-1/deployments/dep-a/jobs/${name}`,
    name,
    type: "Microsoft.MachineLearningServices/workspaces/batchEndpoints/deployments/jobs",
    properties: {
      status: "Preparing",
      services: { Studio: { endpoint: `https://ml.azure.com/runs/${name}?wsid=${encodeURIComponent(WS)}` } },
    },
    ...extra,
  };
}

/** Expect `promise` to reject; returns the error. */
export async function rejectionOf(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error("expected the promise to reject, but it resolved");
}
