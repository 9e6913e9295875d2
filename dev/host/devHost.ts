/**
 * The in-process Functions + Durable host: loads the app through `@azure/functions-core`,
 * serves its HTTP triggers under /api, the durable client RPC and management routes, and runs
 * orchestrations and activities with DurableEngine. Timer functions run when asked
 * (`invokeTimer`, or `POST /admin/functions/<name>` as on the Functions host), never on their
 * schedule. One instance per port; the app itself is loaded once per process (registrations are
 * global, as in a worker).
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { InvocationContext } from "@azure/functions";
import { type Clock, clockFor } from "./clock";
import { DurableEngine } from "./durableEngine";
import { type DurableClientData, durableClientData, handleDurableRoute, type RouteResult, rpcPrefix, webhookPrefix } from "./durableRoutes";
import { handleEventGridWebhook, isEventGridWebhookPath } from "./eventGridWebhook";
import { loadApp, type RegisteredFunction, registeredFunctions, setLogSink } from "./functionsCore";
import { fromHandlerResult, matchHttpRoute, type PlainResponse, toHttpRequest } from "./httpTriggers";
import { InstanceStore } from "./instanceStore";
import { invokeLogged, type Logger, newInvocationContext } from "./invocation";
import { flatHeaders } from "../shared/flatHeaders";
import { readBody } from "../shared/readBody";

/** The Functions host's admin API for invoking a non-HTTP function (`POST /admin/functions/<name>`). */
const adminFunctionsPrefix = "/admin/functions/";

export interface TimerInvocationResult {
  status: "Succeeded" | "Failed";
  durationMs: number;
  /** The error the function threw, when it failed. */
  error?: string;
}

export interface DevHostOptions {
  /** Path of the built app entry (package.json `main`). */
  appEntry: string;
  port?: number;
  host?: string;
  /** "wall" (default) or "virtual"; a VirtualClock instance may be passed to share it. */
  clock?: "wall" | "virtual" | Clock;
  /** Virtual clock: jump to the next timer whenever the host is idle. */
  autoAdvance?: boolean;
  /** Persist instances here; a host started again on the same directory resumes them. */
  stateDir?: string;
  taskHub?: string;
  maxConcurrentActivities?: number;
  /** Where log lines go (default: stdout, like `func start`). */
  log?: Logger;
  /** Keep past executions' histories in memory (default true; a scale bench turns it off). */
  keepPastExecutions?: boolean;
}

export class DevHost {
  readonly engine: DurableEngine;
  readonly clock: Clock;
  private server: http.Server | undefined;
  private clientData: DurableClientData | undefined;
  private readonly taskHub: string;
  private readonly log: Logger;

  constructor(private readonly options: DevHostOptions) {
    this.clock = clockFor(options.clock);
    this.taskHub = options.taskHub ?? "BatchScoringHub";
    this.log = options.log ?? ((level, message) => (level === "error" ? console.error(message) : console.log(message)));
    this.engine = new DurableEngine({
      clock: this.clock,
      store: new InstanceStore(options.stateDir),
      functions: registeredFunctions,
      log: this.log,
      extraInputsFor: (fn) => this.extraInputsFor(fn),
      maxConcurrentActivities: options.maxConcurrentActivities,
      autoAdvance: options.autoAdvance,
      keepPastExecutions: options.keepPastExecutions,
    });
  }

  get baseUrl(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error("The dev host is not listening.");
    return `http://${this.options.host ?? "127.0.0.1"}:${address.port}`;
  }

  /**
   * Lets a test answer a durable client call itself, e.g. a status read that misses an instance
   * another start is creating (the Azure Storage backend's check-then-act window).
   */
  durableRouteInterceptor: ((method: string, path: string) => RouteResult | undefined) | undefined;

  /** What the host gives a function's durable client input (as the extension does in Azure). */
  get durableClientData(): DurableClientData {
    if (!this.clientData) throw new Error("The dev host is not started.");
    return this.clientData;
  }

  get functions(): ReadonlyMap<string, RegisteredFunction> {
    return registeredFunctions();
  }

  async start(): Promise<void> {
    setLogSink((level, category, message) => this.log(level === "error" ? "error" : "info", `[${category}] ${message}`));
    loadAppOnce(this.options.appEntry);
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(this.options.port ?? 0, this.options.host ?? "127.0.0.1", () => resolve());
    });
    // Like Azure's WEBSITE_HOSTNAME: stops durable-functions rewriting management URLs to localhost:7071
    // (docs/azure-behaviour.md#management-urls-and-the-system-key).
    process.env.WEBSITE_HOSTNAME ??= new URL(this.baseUrl).host;
    this.clientData = durableClientData(this.baseUrl, this.taskHub);
    this.engine.resumeAll();
  }

  async stop(): Promise<void> {
    this.engine.stop();
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private extraInputsFor(fn: RegisteredFunction): Map<string, unknown> {
    const inputs = new Map<string, unknown>();
    for (const b of fn.bindings) {
      if (b.direction === "in" && (b.type === "durableClient" || b.type === "orchestrationClient")) inputs.set(b.name, this.clientData);
    }
    return inputs;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const body = await readBody(req);
      const url = new URL(req.url ?? "/", this.baseUrl);
      const method = (req.method ?? "GET").toUpperCase();
      const headers = flatHeaders(req);

      let response: PlainResponse;
      if (url.pathname.startsWith(rpcPrefix) || url.pathname.startsWith(webhookPrefix)) {
        const path = url.pathname.slice(url.pathname.startsWith(rpcPrefix) ? rpcPrefix.length : webhookPrefix.length);
        const result =
          this.durableRouteInterceptor?.(method, path) ??
          (await handleDurableRoute(this.engine, this.clientData!, method, path, url.searchParams, headers, body));
        response = {
          status: result.status,
          headers: [["content-type", "application/json; charset=utf-8"], ...Object.entries(result.headers ?? {})],
          body: Buffer.from(result.body === undefined ? "" : JSON.stringify(result.body)),
        };
      } else if (isEventGridWebhookPath(url.pathname)) {
        response = await handleEventGridWebhook(
          { method, url, headers, body },
          { functions: this.functions, newInvocationContext: (fn) => this.newInvocationContext(fn), log: this.log },
        );
      } else if (url.pathname === "/api" || url.pathname.startsWith("/api/")) {
        response = await this.invokeHttpTrigger(method, url, headers, body);
      } else if (method === "POST" && url.pathname.startsWith(adminFunctionsPrefix)) {
        response = this.invokeFromAdminApi(decodeURIComponent(url.pathname.slice(adminFunctionsPrefix.length)));
      } else if (url.pathname === "/" || url.pathname === "/admin/host/status") {
        response = jsonResponse(200, { state: "Running", functions: [...this.functions.keys()] });
      } else {
        response = jsonResponse(404, { error: { code: "NotFound", message: `No route for ${url.pathname}` } });
      }
      res.writeHead(response.status, response.headers);
      res.end(response.body);
    } catch (err) {
      this.log("error", `dev host: request failed: ${(err as Error).stack ?? err}`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "HostError", message: "The dev host failed to process the request." } }));
    }
  }

  /** A fresh InvocationContext for one invocation of a trigger the host serves (HTTP, Event Grid). */
  private newInvocationContext(fn: RegisteredFunction): InvocationContext {
    return newInvocationContext(fn, this.log, this.extraInputsFor(fn));
  }

  /**
   * Runs a timer-triggered function now, as if its schedule had come due at the host clock's
   * current time (virtual or wall), and resolves when it has finished. The dev host never fires
   * timer functions on their schedule by itself (a virtual clock moved 31 days would fire a daily
   * timer 31 times in the middle of a test): tests call this, `npm run dev` users
   * `POST /admin/functions/<name>` (the Functions host's admin API for non-HTTP functions).
   *
   * The timer input is what the Functions host passes (`Timer` of @azure/functions, filled from
   * the schedule monitor before the invocation): `scheduleStatus.next` is the occurrence being
   * run, `last`/`lastUpdated` the previous invocation.
   */
  async invokeTimer(name: string): Promise<TimerInvocationResult> {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`No function named '${name}'.`);
    if (fn.trigger.type !== "timerTrigger") throw new Error(`Function '${name}' is a ${fn.trigger.type}, not a timerTrigger.`);
    const occurrence = new Date(this.clock.now()).toISOString();
    const previous = this.lastTimerRuns.get(name) ?? occurrence;
    const timer = {
      isPastDue: false,
      schedule: { adjustForDST: true },
      scheduleStatus: { last: previous, next: occurrence, lastUpdated: previous },
    };
    this.lastTimerRuns.set(name, occurrence);
    const context = this.newInvocationContext(fn);
    const outcome = await invokeLogged(fn, context, `Timer fired at ${occurrence}`, this.log, () => fn.handler(timer, context));
    return outcome.ok ? { status: "Succeeded", durationMs: outcome.durationMs } : { status: "Failed", durationMs: outcome.durationMs, error: outcome.error };
  }

  private readonly lastTimerRuns = new Map<string, string>();

  /** `POST /admin/functions/<name>`: 202 and the function runs in the background (timer functions only here). */
  private invokeFromAdminApi(name: string): PlainResponse {
    const fn = this.functions.get(name);
    if (!fn) return jsonResponse(404, { error: { code: "NotFound", message: `No function named '${name}'.` } });
    if (fn.trigger.type !== "timerTrigger") {
      return jsonResponse(400, {
        error: { code: "NotSupported", message: `The dev host invokes only timer functions through the admin API; '${name}' is a ${fn.trigger.type}.` },
      });
    }
    void this.invokeTimer(name);
    return { status: 202, headers: [], body: Buffer.alloc(0) };
  }

  private async invokeHttpTrigger(method: string, url: URL, headers: Record<string, string>, body: string): Promise<PlainResponse> {
    const match = matchHttpRoute(this.functions.values(), method, url.pathname.slice("/api".length));
    if (match === undefined) return jsonResponse(404, { error: { code: "NotFound", message: `No function serves ${method} ${url.pathname}` } });
    if (match === "methodNotAllowed") return jsonResponse(405, { error: { code: "MethodNotAllowed", message: `${method} is not allowed on ${url.pathname}` } });
    const { fn, params } = match;
    const context = this.newInvocationContext(fn);
    // An x-functions-key header is accepted and ignored, as `func start` does.
    const outcome = await invokeLogged(fn, context, "This function was programmatically called via the host APIs.", this.log, async () =>
      fromHandlerResult(await fn.handler(toHttpRequest(method, url, headers, body, params), context)),
    );
    return outcome.ok ? outcome.value : { status: 500, headers: [], body: Buffer.alloc(0) };
  }
}

let loadedEntry: string | undefined;
function loadAppOnce(entry: string): void {
  const resolved = require.resolve(entry);
  if (loadedEntry === undefined) {
    loadApp(resolved);
    loadedEntry = resolved;
  } else if (loadedEntry !== resolved) {
    throw new Error(`This process already loaded ${loadedEntry}; one app per process.`);
  }
}

function jsonResponse(status: number, body: unknown): PlainResponse {
  return { status, headers: [["content-type", "application/json; charset=utf-8"]], body: Buffer.from(JSON.stringify(body)) };
}
