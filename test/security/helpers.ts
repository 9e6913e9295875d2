/**
 * Security-test plumbing: a throwaway TLS certificate, in-process name resolution of test host
 * names to loopback, a fake App Service managed-identity endpoint that hands out known tokens, a
 * recording TLS front for the batch emulator, a counting TLS server, raw (un-normalised) HTTP
 * requests and a secret scanner.
 *
 * Why name resolution and not an IP: the client attaches a bearer token only to non-loopback
 * hosts, and with SCORING_ALLOW_LOOPBACK=false it refuses loopback hosts outright. Resolving a few
 * named test hosts (an `*.inference.ml.azure.com` name for invoke, a `.test` name for ARM) to
 * 127.0.0.1 inside this process lets the real client, the real allowlist and the real
 * ManagedIdentityCredential run unchanged, over real TLS sockets, without any network.
 */
import { execFileSync } from "node:child_process";
import dns from "node:dns";
import * as fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";

// ---------------------------------------------------------------------------------------------
// Environment

/** Sets (or, for undefined, deletes) process.env entries; returns a function restoring the old values. */
export function setEnv(vars: Record<string, string | undefined>): () => void {
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(vars)) {
    saved.set(k, process.env[k]);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/** Managed-identity sources @azure/identity / MSAL look at besides App Service's pair: cleared so App Service is the one used. */
export const OTHER_IDENTITY_SOURCES = {
  MSI_ENDPOINT: undefined,
  MSI_SECRET: undefined,
  IMDS_ENDPOINT: undefined,
  IDENTITY_SERVER_THUMBPRINT: undefined,
  AZURE_POD_IDENTITY_AUTHORITY_HOST: undefined,
  AZURE_FEDERATED_TOKEN_FILE: undefined,
} as const;

// ---------------------------------------------------------------------------------------------
// TLS

export interface TlsMaterial {
  key: string;
  cert: string;
}

/** A self-signed certificate for `hostnames` (openssl, 1 day, deleted from disk at once). */
export function selfSignedCert(hostnames: string[]): TlsMaterial {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sec-tls-"));
  try {
    const keyFile = path.join(dir, "key.pem");
    const certFile = path.join(dir, "cert.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        `/CN=${hostnames[0]}`,
        "-addext",
        `subjectAltName=${hostnames.map((h) => `DNS:${h}`).join(",")}`,
        "-keyout",
        keyFile,
        "-out",
        certFile,
      ],
      { stdio: "pipe" },
    );
    return { key: fs.readFileSync(keyFile, "utf8"), cert: fs.readFileSync(certFile, "utf8") };
  } catch (err) {
    throw new Error(`The security tests need openssl to make a throwaway TLS certificate: ${(err as Error).message}`, { cause: err });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Name resolution

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

/**
 * Makes `hostnames` (exact, case-insensitive) resolve to 127.0.0.1 in this process (node:net
 * calls `dns.lookup` at connect time); every other name resolves as before. Returns the undo.
 */
export function resolveToLoopback(hostnames: string[]): () => void {
  const names = new Set(hostnames.map((h) => h.toLowerCase()));
  const original = dns.lookup;
  const patched = function (hostname: string, options: unknown, callback?: LookupCallback): void {
    const cb = (typeof options === "function" ? options : callback) as LookupCallback;
    const opts = (typeof options === "object" && options !== null ? options : {}) as dns.LookupOptions;
    if (names.has(hostname.toLowerCase())) {
      process.nextTick(() => (opts.all ? cb(null, [{ address: "127.0.0.1", family: 4 }]) : cb(null, "127.0.0.1", 4)));
      return;
    }
    (original as unknown as (...args: unknown[]) => void).call(dns, hostname, options, callback);
  };
  (dns as { lookup: unknown }).lookup = patched;
  return () => {
    (dns as { lookup: unknown }).lookup = original;
  };
}

// ---------------------------------------------------------------------------------------------
// Servers

function listen(server: http.Server | https.Server, host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: http.Server | https.Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

function readAll(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export interface TokenRequest {
  url: string;
  resource: string | null;
  clientId: string | null;
  identityHeader: string | undefined;
}

export interface FakeManagedIdentity {
  /** For IDENTITY_ENDPOINT. */
  endpoint: string;
  requests: TokenRequest[];
  close(): Promise<void>;
}

/**
 * The App Service managed-identity endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER, API
 * 2019-08-01) on loopback http, answering `tokenFor(resource)` for each resource asked.
 */
export async function startFakeManagedIdentity(tokenFor: (resource: string) => string): Promise<FakeManagedIdentity> {
  const requests: TokenRequest[] = [];
  const server = http.createServer((req, res) => {
    void readAll(req).then(() => {
      const url = new URL(req.url ?? "/", "http://identity.invalid");
      const resource = url.searchParams.get("resource");
      const header = req.headers["x-identity-header"];
      requests.push({
        url: req.url ?? "",
        resource,
        clientId: url.searchParams.get("client_id"),
        identityHeader: Array.isArray(header) ? header.join(",") : header,
      });
      if (!resource) {
        res.writeHead(400, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: "invalid_request", error_description: "resource is required" }));
        return;
      }
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          access_token: tokenFor(resource),
          expires_on: String(Math.floor(Date.now() / 1000) + 3600),
          resource,
          token_type: "Bearer",
          client_id: url.searchParams.get("client_id") ?? "",
        }),
      );
    });
  });
  const port = await listen(server);
  return { endpoint: `http://127.0.0.1:${port}/msi/token`, requests, close: () => close(server) };
}

/** One request as a TLS server received it, Authorization included (the emulator hides it). */
export interface ReceivedRequest {
  method: string;
  /** Host header (name and port the client connected to). */
  host: string;
  /** Path and query. */
  url: string;
  authorization: string | undefined;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface TlsFront {
  port: number;
  received: ReceivedRequest[];
  /** Port of the http server requests are forwarded to (the batch emulator); set once known. */
  targetPort: number | undefined;
  close(): Promise<void>;
}

/**
 * An https server on 127.0.0.1 that records each request and forwards it unchanged (method, path,
 * headers, body) to http://127.0.0.1:<targetPort>, then relays the answer: the batch emulator
 * behind TLS, as Azure ML and ARM are.
 */
export async function startTlsFront(material: TlsMaterial): Promise<TlsFront> {
  const received: ReceivedRequest[] = [];
  const front: TlsFront = { port: 0, received, targetPort: undefined, close: async () => undefined };
  const server = https.createServer(material, (req, res) => {
    void readAll(req).then((body) => {
      received.push({
        method: req.method ?? "",
        host: req.headers.host ?? "",
        url: req.url ?? "",
        authorization: req.headers.authorization,
        headers: req.headers,
        body,
      });
      if (front.targetPort === undefined) {
        res.writeHead(503);
        res.end();
        return;
      }
      const upstream = http.request(
        { host: "127.0.0.1", port: front.targetPort, method: req.method, path: req.url, headers: req.headers, agent: false },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on("error", () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      upstream.end(body);
    });
  });
  front.port = await listen(server);
  front.close = () => close(server);
  return front;
}

export interface CountingServer {
  port: number;
  received: ReceivedRequest[];
  /** TLS handshakes/connections seen, even ones that never finished a request. */
  connections: number;
  close(): Promise<void>;
}

/** A TLS server that accepts anything, counts connections and requests, and answers POSTs like an invoke (GETs: an empty list). */
export async function startCountingTlsServer(material: TlsMaterial, host = "127.0.0.1"): Promise<CountingServer> {
  const received: ReceivedRequest[] = [];
  const counting: CountingServer = { port: 0, received, connections: 0, close: async () => undefined };
  const server = https.createServer(material, (req, res) => {
    void readAll(req).then((body) => {
      received.push({
        method: req.method ?? "",
        host: req.headers.host ?? "",
        url: req.url ?? "",
        authorization: req.headers.authorization,
        headers: req.headers,
        body,
      });
      if (req.method === "GET") {
        // A Jobs List (or Get) that finds nothing.
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ value: [] }));
        return;
      }
      res.writeHead(201, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/batchEndpoints/ep/deployments/blue/jobs/batchjob-1",
          name: "batchjob-1",
          properties: { status: "Preparing" },
        }),
      );
    });
  });
  server.on("connection", () => (counting.connections += 1));
  counting.port = await listen(server, host);
  counting.close = () => close(server);
  return counting;
}

// ---------------------------------------------------------------------------------------------
// Raw requests

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  text: string;
  /** JSON body, or the text when it is not JSON. */
  body: any;
}

/** An HTTP request with `rawPath` sent byte for byte (fetch would normalise `%2e%2e` and friends). */
export function rawRequest(
  baseUrl: string,
  method: string,
  rawPath: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path: rawPath,
        agent: false,
        headers: { ...(options.body !== undefined ? { "content-type": "application/json" } : {}), ...options.headers },
      },
      (res) => {
        void readAll(res).then((text) => {
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
          let body: unknown = text;
          try {
            body = text === "" ? null : JSON.parse(text);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, headers, text, body });
        }, reject);
      },
    );
    req.on("error", reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

// ---------------------------------------------------------------------------------------------
// Scanning

/** One piece of captured output, named by where it came from. */
export interface Captured {
  source: string;
  text: string;
}

export interface Finding {
  source: string;
  secret: string;
  excerpt: string;
}

/**
 * Every occurrence of each needle (string: case-sensitive substring; RegExp: match) in the
 * captured texts, with some context, so a failure says where the secret showed up.
 */
export function findSecrets(captured: Captured[], needles: Array<{ name: string; pattern: string | RegExp }>): Finding[] {
  const findings: Finding[] = [];
  for (const { source, text } of captured) {
    for (const { name, pattern } of needles) {
      const re =
        typeof pattern === "string"
          ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "g")
          : new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`);
      for (const m of text.matchAll(re)) {
        const at = m.index ?? 0;
        findings.push({ source, secret: name, excerpt: text.slice(Math.max(0, at - 80), at + m[0].length + 40) });
      }
    }
  }
  return findings;
}
