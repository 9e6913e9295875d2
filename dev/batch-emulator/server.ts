/**
 * The loopback HTTP server: reads and records each request, applies the next matching fault,
 * hands the rest to the route handlers, and writes (or withholds) the answer.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { armError, codeForStatus, type FaultQueue } from "./faults";
import { handle, type HandlerContext, type Reply } from "./handlers";
import { classify } from "./routes";
import type { FaultKind, RecordedRequest } from "./types";
import { flatHeaders } from "../shared/flatHeaders";
import { readBody } from "../shared/readBody";

export interface ServerDeps {
  context: HandlerContext;
  faults: FaultQueue;
  clock: () => number;
  record: (request: RecordedRequest) => void;
}

function parseRecordedBody(text: string): unknown {
  if (text === "") return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Lower-cased headers with the token hidden: records are printed in test failures and logs. */
function recordedHeaders(req: http.IncomingMessage): Record<string, string> {
  const out = flatHeaders(req);
  if (out.authorization !== undefined) out.authorization = "<redacted>";
  return out;
}

function faultReply(kind: Extract<FaultKind, { status: number }>): Reply {
  const headers: Record<string, string> = {};
  if (kind.retryAfterSeconds !== undefined) headers["retry-after"] = String(kind.retryAfterSeconds);
  const code = kind.code ?? codeForStatus(kind.status);
  const message = kind.message ?? `Emulated fault: HTTP ${kind.status} (${code}).`;
  const body = kind.body !== undefined ? kind.body : armError(code, message, kind.unwrapped === true);
  return { status: kind.status, headers, body };
}

function send(res: http.ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload = "";
  if (reply.body !== undefined) {
    const raw = typeof reply.body === "string";
    payload = raw ? (reply.body as string) : JSON.stringify(reply.body);
    headers["content-type"] = raw ? "text/plain; charset=utf-8" : "application/json; charset=utf-8";
  }
  headers["content-length"] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}

export class EmulatorServer {
  private server: http.Server | null = null;
  /** Pending fault delays, released at close so no handler outlives the server. */
  private readonly delays = new Map<NodeJS.Timeout, () => void>();

  constructor(private readonly deps: ServerDeps) {}

  async listen(port: number, host: string): Promise<number> {
    if (this.server !== null) throw new Error("the batch emulator is already started");
    const server = http.createServer((req, res) => {
      this.onRequest(req, res).catch((err: unknown) => {
        // A bug in the emulator must show as a 500, not a hung test.
        if (!res.headersSent && !res.destroyed) {
          send(res, { status: 500, body: armError("InternalServerError", `Emulator error: ${String(err)}`) });
        }
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    this.server = null;
    for (const [timer, release] of this.delays) {
      clearTimeout(timer);
      release();
    }
    this.delays.clear();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.delays.delete(timer);
        resolve();
      }, ms);
      this.delays.set(timer, resolve);
    });
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const bodyText = await readBody(req);
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", "http://emulator.invalid");
    const classified = classify(method, url.pathname);
    const headers = recordedHeaders(req);
    const record: RecordedRequest = {
      at: this.deps.clock(),
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      route: classified.route,
      headers,
      hasAuthorization: req.headers.authorization !== undefined,
      body: parseRecordedBody(bodyText),
      status: null,
    };
    this.deps.record(record);

    const reset = (): void => {
      record.status = "reset";
      req.socket.destroy();
    };
    const fault = this.deps.faults.take(classified.route, method);
    if (fault !== null && "reset" in fault) return reset();
    if (fault !== null && "status" in fault) {
      const reply = faultReply(fault);
      record.status = reply.status;
      return send(res, reply);
    }
    if (fault !== null && "delayMs" in fault) await this.sleep(fault.delayMs);

    const reply = await handle(this.deps.context, {
      method,
      path: url.pathname,
      classified,
      query: record.query,
      headers,
      bodyText,
      hasAuthorization: record.hasAuthorization,
    });
    if (fault !== null && "resetAfterProcessing" in fault) return reset();
    if (res.destroyed) return;
    record.status = reply.status;
    send(res, reply);
  }
}
