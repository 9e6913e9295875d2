/**
 * `openapi.yaml` is the HTTP API's contract: it is valid OpenAPI 3.1, it documents exactly the
 * routes the app registers, every documented (method, path, status) is produced here by a real
 * request to the dev host + batch emulator and checked against the documented schema and
 * headers, and the start body schema agrees with the API's own validation.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { blobRunId } from "../../src/runs/runIds";
import { pipelineDeployment } from "../../dev/stack";
import { type Stack, startStack } from "../e2e/stack";
import {
  type ApiResult,
  coverageProblems,
  type Doc,
  dereference,
  documentedStatuses,
  key,
  loadRawDoc,
  newAjv,
  operations,
  requestProblems,
  requestUrl,
  responseProblems,
  routeProblems,
  routeToPath,
  type SentRequest,
  Validators,
} from "./spec";

const raw = loadRawDoc();
let doc: Doc;
let v: Validators;

beforeAll(async () => {
  doc = await dereference(raw);
  v = new Validators();
});

// -------------------------------------------------------------------------------------------------
// (a) the document

describe("openapi.yaml is a valid OpenAPI 3.1 document", () => {
  it("passes swagger-parser's validation", async () => {
    expect(raw.openapi).toMatch(/^3\.1\.\d+$/);
    await expect(SwaggerParser.validate(structuredClone(raw) as never)).resolves.toBeTruthy();
  });

  it("swagger-parser's validation can fail (a document with a broken $ref is refused)", async () => {
    const broken = structuredClone(raw);
    broken.paths["/api/scoring-runs"].get.responses["200"].content["application/json"].schema = { $ref: "#/components/schemas/NoSuchSchema" };
    await expect(SwaggerParser.validate(broken as never)).rejects.toThrow();
  });

  it("every schema compiles under strict JSON Schema 2020-12 (no unknown keywords or formats)", () => {
    const ajv = newAjv();
    const schemas: Array<[string, object]> = Object.entries<object>(doc.components.schemas).map(([n, s]) => [`components.schemas.${n}`, s]);
    for (const { method, path: p, op } of operations(doc)) {
      for (const prm of op.parameters ?? []) schemas.push([`${key(method, p)} parameter ${prm.name}`, prm.schema]);
      const body = op.requestBody?.content?.["application/json"]?.schema;
      if (body) schemas.push([`${key(method, p)} request body`, body]);
      for (const [status, r] of Object.entries<Doc>(op.responses)) {
        for (const [h, header] of Object.entries<Doc>(r.headers ?? {})) schemas.push([`${key(method, p, status)} header ${h}`, header.schema]);
        for (const [media, m] of Object.entries<Doc>(r.content ?? {})) schemas.push([`${key(method, p, status)} ${media}`, m.schema]);
      }
    }
    const failures = schemas.flatMap(([where, s]) => {
      try {
        ajv.compile(s);
        return [];
      } catch (err) {
        return [`${where}: ${(err as Error).message}`];
      }
    });
    expect(failures).toEqual([]);
    // Strictness is what catches typos: a misspelt keyword must not compile.
    expect(() => newAjv().compile({ type: "string", maxLenght: 3 })).toThrow(/unknown keyword/);
  });

  it("operation ids are unique and every path template parameter is declared", () => {
    const ids = operations(doc).map((o) => o.op.operationId);
    expect(ids.every((id) => typeof id === "string")).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { method, path: p, op } of operations(doc)) {
      const declared = [...(doc.paths[p].parameters ?? []), ...(op.parameters ?? [])]
        .filter((x: Doc) => x.in === "path")
        .map((x: Doc) => x.name)
        .sort();
      const inTemplate = (p.match(/\{([^}]+)\}/g) ?? []).map((s) => s.slice(1, -1)).sort();
      expect(declared, key(method, p)).toEqual(inTemplate);
    }
  });
});

// -------------------------------------------------------------------------------------------------
// The stack every remaining check talks to

let stack: Stack;
let invokesBefore = 0;
beforeAll(async () => {
  // With Azurite: pre-flight and the run's result read real blobs.

  stack = await startStack({ clock: "virtual", autoAdvance: true, azurite: true });
  stack.emulator.setDefaultLifecycle(lifecycles.completesAfter(2));
  // The scenarios show the service's failure text where the job resource can carry one.
  stack.emulator.configure({ failureText: "services" });
});
afterAll(async () => stack?.stop());
// Each check starts from a quiet host: earlier runs have invoked (and taken their scripted lifecycles).
afterEach(async () => stack && engine().idle());

async function send(req: SentRequest): Promise<ApiResult> {
  const headers: Record<string, string> = { ...req.headers };
  let body: string | undefined;
  if (req.rawBody !== undefined) body = req.rawBody;
  else if (req.body !== undefined) body = JSON.stringify(req.body);
  if (body !== undefined) headers["content-type"] ??= "application/json";
  return stack.api(requestUrl(req), { method: req.method, headers, ...(body !== undefined ? { body } : {}) });
}

const engine = () => stack.host.engine;
const runtimeOf = (id: string) => engine().get(id)?.runtimeStatus;
const ended = (id: string) => ["Completed", "Failed", "Terminated", "Canceled"].includes(String(runtimeOf(id)));

/** Starts a run with this lifecycle and lets it end (virtual time). */
async function finishedRun(lifecycle = lifecycles.completesAfter(2), overrides: Record<string, unknown> = {}): Promise<string> {
  stack.emulator.enqueueLifecycle(lifecycle);
  const res = await stack.api("/api/scoring-runs", { json: stack.startBody(overrides) });
  expect(res.status).toBe(202);
  await engine().runUntil(() => ended(res.body.id));
  expect(ended(res.body.id)).toBe(true);
  return res.body.id as string;
}

/** Runs `fn` with a run that stays Running (job stuck in Queued, virtual time held); the run is canceled afterwards. */
async function withRunningRun<T>(fn: (id: string) => Promise<T>): Promise<T> {
  stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Queued"));
  engine().autoAdvance = false;
  let id: string | undefined;
  try {
    const res = await stack.api("/api/scoring-runs", { json: stack.startBody({ timeoutSeconds: 3600 }) });
    expect(res.status).toBe(202);
    id = res.body.id as string;
    await engine().idle();
    return await fn(id);
  } finally {
    if (id && !ended(id)) await stack.api(`/api/scoring-runs/${id}/cancel`, { method: "POST" });
    engine().autoAdvance = true;
    if (id) await engine().runUntil(() => ended(id!));
  }
}

/**
 * Makes the durable engine fail for one instance id (or for listing), as a broken task hub
 * would: the app's durable client gets an error and the route must answer 500 InternalError.
 */
async function withEngineFault<T>(what: { id: string } | "list", fn: () => Promise<T>): Promise<T> {
  const e = engine();
  const spy =
    what === "list"
      ? vi.spyOn(e, "all").mockImplementation(() => {
          throw new Error("injected task hub failure");
        })
      : (() => {
          const original = e.get.bind(e);
          return vi.spyOn(e, "get").mockImplementation((id: string) => {
            if (id === what.id) throw new Error("injected task hub failure");
            return original(id);
          });
        })();
  try {
    return await fn();
  } finally {
    spy.mockRestore();
  }
}

function expectDocumented(method: string, p: string, res: ApiResult): void {
  expect(responseProblems(doc, v, method, p, res), `${key(method, p, res.status)} against the document`).toEqual([]);
}

// -------------------------------------------------------------------------------------------------
// (b) routes

describe("the document has exactly the app's HTTP routes", () => {
  function registeredRoutes(): Array<{ route: string; methods: string[]; authLevel: unknown }> {
    return [...stack.host.functions.values()]
      .filter((f) => f.trigger.type === "httpTrigger")
      .map((f) => ({
        route: f.trigger.route ?? f.name,
        methods: (f.trigger.methods ?? ["GET", "POST"]).map((m) => m.toUpperCase()),
        authLevel: f.trigger.authLevel,
      }));
  }
  const routePrefix = () => {
    const hostJson = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../host.json"), "utf8"));
    return (hostJson.extensions?.http?.routePrefix as string | undefined) ?? "api";
  };

  it("every registered HTTP route and method is documented, and nothing else", () => {
    const prefix = routePrefix();
    const registered = registeredRoutes().flatMap((r) => r.methods.map((m) => key(m, routeToPath(r.route, prefix))));
    expect(registered.length).toBeGreaterThan(0);
    expect(routeProblems(doc, registered)).toEqual([]);
  });

  it("the route comparison reports both directions", () => {
    expect(routeProblems(doc, ["GET /api/scoring-runs", "DELETE /api/scoring-runs/{id}"])).toEqual(
      expect.arrayContaining([
        "DELETE /api/scoring-runs/{id}: registered by the app, not documented",
        "POST /api/scoring-runs: documented, but no function serves it",
      ]),
    );
    expect(routeToPath("scoring-runs/{id:regex(^a$)}/cancel", "api")).toBe("/api/scoring-runs/{id}/cancel");
  });

  it("the functions use auth level `function`, which the security schemes describe; the console's static files are anonymous", () => {
    const anonymous = ["console", "console/{file}"];
    for (const r of registeredRoutes()) expect(r.authLevel, r.route).toBe(anonymous.includes(r.route) ? "anonymous" : "function");
    // The document says the same: only the console's operations take no key.
    const keyless = operations(doc).filter((o) => Array.isArray(o.op.security) && o.op.security.length === 0);
    expect(keyless.map((o) => o.path).sort()).toEqual(["/api/console", "/api/console/{file}"]);
    const schemes = Object.values<Doc>(doc.components.securitySchemes)
      .map((s) => `${s.type}:${s.in}:${s.name}`)
      .sort();
    expect(schemes).toEqual(["apiKey:header:x-functions-key", "apiKey:query:code"]);
    expect(doc.security).toEqual([{ functionKeyHeader: [] }, { functionKeyQuery: [] }]);
  });
});

// -------------------------------------------------------------------------------------------------
// (c) every documented status, produced for real and checked against the document

interface Scenario {
  name: string;
  method: "GET" | "POST" | "OPTIONS";
  path: string;
  status: number;
  /**
   * Does the request conform to the document? By default yes, except for 400 scenarios (the
   * document must refuse what the API refuses). Set when the document cannot tell (say why).
   */
  requestConforms?: { value: boolean; why: string };
  /** Sends the request (after any setup) and returns what was sent and answered. */
  run(): Promise<{ req: SentRequest; res: ApiResult }>;
  /** Extra expectations on the answer. */
  check?(res: ApiResult, req: SentRequest): void | Promise<void>;
}

const RUNS = "/api/scoring-runs";
const RUN = "/api/scoring-runs/{id}";
const CANCEL = "/api/scoring-runs/{id}/cancel";
const RERUN = "/api/scoring-runs/{id}/rerun";
const EVENTS = "/api/scoring-runs/events";

const BATCHES = "/api/scoring-batches";
const BATCH = "/api/scoring-batches/{id}";
const BATCH_CANCEL = "/api/scoring-batches/{id}/cancel";
const CONSOLE = "/api/console";
const CONSOLE_FILE = "/api/console/{file}";

/** A batch body of `n` items on the emulator's endpoint, each its own output. */
function batchBody(n: number) {
  const one = stack.startBody();
  return {
    template: { endpointUri: one.endpointUri, pollIntervalSeconds: 60 },
    items: Array.from({ length: n }, () => {
      const b = stack.startBody();
      return { inputs: b.inputs, output: { uri: (b.output as { uri: string }).uri } };
    }),
  };
}

async function finishedBatch(): Promise<string> {
  stack.emulator.enqueueLifecycle(lifecycles.completesAfter(1));
  const res = await stack.api(BATCHES, { json: batchBody(1) });
  expect(res.status).toBe(202);
  await engine().runUntil(() => ended(res.body.id));
  return res.body.id as string;
}

async function withRunningBatch<T>(fn: (id: string) => Promise<T>): Promise<T> {
  stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Queued"));
  engine().autoAdvance = false;
  let id: string | undefined;
  try {
    const res = await stack.api(BATCHES, { json: { ...batchBody(1), template: { ...batchBody(1).template, timeoutSeconds: 3600 } } });
    expect(res.status).toBe(202);
    id = res.body.id as string;
    await engine().idle();
    return await fn(id);
  } finally {
    if (id && !ended(id)) await stack.api(`/api/scoring-batches/${id}/cancel`, { method: "POST" });
    engine().autoAdvance = true;
    if (id) await engine().runUntil(() => ended(id!));
  }
}

/** A BlobCreated event for a blob at an https URL, with the trigger set up to take it. */
function blobEvent(name: string) {
  Object.assign(process.env, { BLOB_TRIGGER_ENDPOINT_URI: stack.emulator.scoringUri, BLOB_TRIGGER_CONTAINER: "landing" });
  const url = `https://acct.blob.core.windows.net/landing/${name}`;
  const event = {
    id: `evt-${name}`,
    topic: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/acct",
    subject: `/blobServices/default/containers/landing/blobs/${name}`,
    eventType: "Microsoft.Storage.BlobCreated",
    eventTime: "2026-11-25T08:00:00Z",
    dataVersion: "",
    metadataVersion: "1",
    data: { api: "PutBlob", url, eTag: "0x8DC0000000000A1", contentLength: 3, blobType: "BlockBlob" },
  };
  return { event, runId: blobRunId(url, event.data.eTag) };
}
const sent = async (req: SentRequest) => ({ req, res: await send(req) });
const locationOf = (id: string) => expect.stringMatching(new RegExp(`/api/scoring-runs/${id}\\?failOnError=true$`));

const scenarios: Scenario[] = [
  // POST /api/scoring-runs ------------------------------------------------------------------------
  {
    name: "a new run answers 202 with Location and Retry-After",
    method: "POST",
    path: RUNS,
    status: 202,
    run: () => sent({ method: "POST", path: RUNS, body: stack.startBody() }),
    check: (res) => {
      // A new run answers 202 whatever its status by the time it is read (it may already have ended).
      expect(res.headers.get("location")).toEqual(locationOf(res.body.id));
      expect(res.body.statusQueryGetUri).toContain(res.body.id);
    },
  },
  {
    name: "the seed pipeline's parameters answer 202 like the camelCase form",
    method: "POST",
    path: RUNS,
    status: 202,
    run: () =>
      sent({
        method: "POST",
        path: RUNS,
        body: {
          endpoint_uri: stack.emulator.scoringUri,
          api_version: "2022-10-01",
          poll_interval: "120",
          endpoint_input_uri: "azureml://datastores/workspaceblobstore/paths/scoring/input/",
          endpoint_output_uri: "azureml://datastores/workspaceblobstore/paths/scoring/output/seed.csv",
        },
      }),
    check: (res) => expect(res.body.request).toMatchObject({ inputs: { input_data: { type: "uri_folder" } }, outputs: { score: { type: "uri_file" } } }),
  },
  {
    name: "?wait= answers 202 when the run is still going when it runs out",
    method: "POST",
    path: RUNS,
    status: 202,
    run: async () => {
      stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Queued"));
      engine().autoAdvance = false;
      try {
        return await sent({ method: "POST", path: RUNS, query: { wait: "1" }, body: stack.startBody({ timeoutSeconds: 3600 }) });
      } finally {
        engine().autoAdvance = true;
      }
    },
    check: async (res) => {
      expect(["Pending", "Running"]).toContain(res.body.status);
      await stack.api(`/api/scoring-runs/${res.body.id}/cancel`, { method: "POST" });
      await engine().runUntil(() => ended(res.body.id));
    },
  },
  {
    name: "?wait= answers 200 with the finished run when it ends in time",
    method: "POST",
    path: RUNS,
    status: 200,
    run: () => sent({ method: "POST", path: RUNS, query: { wait: "20" }, body: stack.startBody() }),
    check: (res, req) => {
      expect(res.body.status).toBe("Succeeded");
      expect(res.body.output).toMatchObject({ uri: ((req.body as Record<string, unknown>).output as { uri: string }).uri, contentType: "text/csv" });
      expect(res.body.output.sizeBytes).toBeGreaterThan(0);
      expect(res.body.error).toBeNull();
      expect(res.body.progress.nextPollAt).toBeNull();
    },
  },
  {
    name: "the same Idempotency-Key and body after the run ended answer 200 with the same run",
    method: "POST",
    path: RUNS,
    status: 200,
    run: async () => {
      const req: SentRequest = { method: "POST", path: RUNS, headers: { "Idempotency-Key": "openapi-found-again" }, body: stack.startBody() };
      const first = await send(req);
      expect(first.status).toBe(202);
      await engine().runUntil(() => ended(first.body.id));
      const jobs = stack.emulator.createdJobCount;
      const again = await sent(req);
      expect(again.res.body.id).toBe(first.body.id);
      expect(stack.emulator.createdJobCount).toBe(jobs);
      return again;
    },
    check: (res) => expect(res.body.status).toBe("Succeeded"),
  },
  {
    name: "a failed run found again by its key is a 200 without failOnError",
    method: "POST",
    path: RUNS,
    status: 200,
    run: async () => {
      const req: SentRequest = { method: "POST", path: RUNS, headers: { "Idempotency-Key": "openapi-failed-again" }, body: stack.startBody() };
      stack.emulator.enqueueLifecycle(lifecycles.failsWith("bad rows", 1));
      const first = await send(req);
      await engine().runUntil(() => ended(first.body.id));
      return sent(req);
    },
    check: (res) => expect(res.body.error).toMatchObject({ code: "JobFailed", message: "bad rows", jobStatus: "Failed" }),
  },
  {
    name: "an invalid body is a 400 naming the fields, and nothing starts",
    method: "POST",
    path: RUNS,
    status: 400,
    run: () => sent({ method: "POST", path: RUNS, body: { inputs: { input_data: { type: "uri_folder", uri: "s3://bucket/in" } }, pollIntervalSeconds: 0 } }),
    check: (res) =>
      expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(["endpointUri", "inputs.input_data.uri", "pollIntervalSeconds"]),
  },
  {
    name: "a body that is not JSON is a 400",
    method: "POST",
    path: RUNS,
    status: 400,
    run: () => sent({ method: "POST", path: RUNS, rawBody: "{not json" }),
    check: (res) => expect(res.body.error.details[0].field).toBe("body"),
  },
  {
    name: "?wait= beyond 220 s is a 400",
    method: "POST",
    path: RUNS,
    status: 400,
    run: () => sent({ method: "POST", path: RUNS, query: { wait: "221" }, body: stack.startBody() }),
    check: (res) => expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(["wait"]),
  },
  {
    name: "an Idempotency-Key longer than 255 characters is a 400",
    method: "POST",
    path: RUNS,
    status: 400,
    run: () => sent({ method: "POST", path: RUNS, headers: { "Idempotency-Key": "k".repeat(256) }, body: stack.startBody() }),
    check: (res) => expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(["Idempotency-Key"]),
  },
  {
    name: "a used Idempotency-Key with another body is a 409",
    method: "POST",
    path: RUNS,
    status: 409,
    run: async () => {
      const headers = { "Idempotency-Key": "openapi-conflict" };
      expect((await send({ method: "POST", path: RUNS, headers, body: stack.startBody() })).status).toBe(202);
      return sent({ method: "POST", path: RUNS, headers, body: stack.startBody({ pollIntervalSeconds: 30 }) });
    },
    check: (res) => expect(res.body.error.code).toBe("IdempotencyConflict"),
  },
  {
    name: "an output file that already exists is a 409 OutputAlreadyExists, and nothing starts",
    method: "POST",
    path: RUNS,
    status: 409,
    run: async () => {
      const body = stack.startBody();
      const file = (body.output as { uri: string }).uri.split("/paths/")[1]!;
      await stack.datastore!.getBlockBlobClient(file).upload("x", 1);
      invokesBefore = stack.emulator.requestsFor("invoke").length;
      return sent({ method: "POST", path: RUNS, body });
    },
    check: (res) => {
      expect(res.body.error.code).toBe("OutputAlreadyExists");
      expect(res.body.error.details[0].field).toBe("output.uri");
      expect(stack.emulator.requestsFor("invoke")).toHaveLength(invokesBefore);
    },
  },
  {
    name: "a used instanceId with another body is a 409",
    method: "POST",
    path: RUNS,
    status: 409,
    run: async () => {
      expect((await send({ method: "POST", path: RUNS, body: stack.startBody({ instanceId: "openapi-instance-conflict" }) })).status).toBe(202);
      return sent({ method: "POST", path: RUNS, body: stack.startBody({ instanceId: "openapi-instance-conflict", tags: { other: "body" } }) });
    },
  },
  {
    name: "?wait=&failOnError=true answers 500 with the run view when the run failed in time",
    method: "POST",
    path: RUNS,
    status: 500,
    run: () => {
      stack.emulator.enqueueLifecycle(lifecycles.failsWith("boom", 1));
      return sent({ method: "POST", path: RUNS, query: { wait: "20", failOnError: "true" }, body: stack.startBody() });
    },
    check: (res) => {
      expect(res.body.status).toBe("Failed");
      expect(res.body.error).toMatchObject({ code: "JobFailed", message: "boom" });
      expect(res.body.cancelPostUri).toEqual(expect.any(String));
    },
  },
  {
    name: "a task hub failure answers 500 InternalError",
    method: "POST",
    path: RUNS,
    status: 500,
    run: () =>
      withEngineFault({ id: "openapi-fault-start" }, () => sent({ method: "POST", path: RUNS, body: stack.startBody({ instanceId: "openapi-fault-start" }) })),
    check: (res) => expect(res.body).toEqual({ error: { code: "InternalError", message: expect.any(String) } }),
  },

  // GET /api/scoring-runs -------------------------------------------------------------------------
  {
    name: "lists runs newest first, in pages",
    method: "GET",
    path: RUNS,
    status: 200,
    run: async () => {
      await finishedRun();
      await finishedRun();
      return sent({ method: "GET", path: RUNS, query: { top: "1" } });
    },
    check: async (res) => {
      expect(res.body.value).toHaveLength(1);
      expect(res.body.continuationToken).toEqual(expect.any(String));
      const next = await send({ method: "GET", path: RUNS, query: { top: "1", continuationToken: res.body.continuationToken } });
      expectDocumented("GET", RUNS, next);
      expect(next.body.value[0].id).not.toBe(res.body.value[0].id);
      expect(next.body.value[0].createdAt <= res.body.value[0].createdAt).toBe(true);
    },
  },
  {
    name: "lists runs by status; the last page has a null continuationToken",
    method: "GET",
    path: RUNS,
    status: 200,
    run: async () => {
      await finishedRun(lifecycles.canceledByService(1));
      return sent({ method: "GET", path: RUNS, query: { status: "Failed,Canceled", top: "100" } });
    },
    check: (res) => {
      expect(res.body.value.length).toBeGreaterThan(0);
      expect(res.body.value.every((r: { status: string }) => ["Failed", "Canceled"].includes(r.status))).toBe(true);
      expect(res.body.continuationToken).toBeNull();
    },
  },
  {
    name: "an unknown status and top=0 are a 400",
    method: "GET",
    path: RUNS,
    status: 400,
    run: () => sent({ method: "GET", path: RUNS, query: { status: "Done", top: "0" } }),
    check: (res) => expect(res.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(["status", "top"]),
  },
  {
    name: "a continuationToken this API did not return is a 400",
    method: "GET",
    path: RUNS,
    status: 400,
    requestConforms: { value: true, why: "the token is opaque: the document can only say it is a string" },
    run: () => sent({ method: "GET", path: RUNS, query: { continuationToken: "not-a-token" } }),
    check: (res) => expect(res.body.error.details[0].field).toBe("continuationToken"),
  },
  {
    name: "lists runs by endpoint and creation time",
    method: "GET",
    path: RUNS,
    status: 200,
    run: async () => {
      const id = await finishedRun();
      const { createdAt } = (await stack.api(`${RUNS}/${id}`)).body;
      return sent({ method: "GET", path: RUNS, query: { endpoint: stack.emulator.endpointName, createdAfter: createdAt, top: "100" } });
    },
    check: async (res) => {
      expect(res.body.value.length).toBeGreaterThan(0);
      const newest = res.body.value[0].createdAt as string;
      expect(res.body.value.every((r: { createdAt: string }) => r.createdAt >= newest)).toBe(true);
      const none = await send({ method: "GET", path: RUNS, query: { endpoint: "no-such-endpoint" } });
      expectDocumented("GET", RUNS, none);
      expect(none.body.value).toEqual([]);
      const before = await send({ method: "GET", path: RUNS, query: { createdBefore: newest, top: "100" } });
      expect(before.body.value.map((r: { id: string }) => r.id)).not.toContain(res.body.value[0].id);
    },
  },
  {
    name: "a createdAfter that is not a date-time is a 400",
    method: "GET",
    path: RUNS,
    status: 400,
    run: () => sent({ method: "GET", path: RUNS, query: { createdAfter: "yesterday" } }),
    check: (res) => expect(res.body.error.details.map((d: { field: string }) => d.field)).toEqual(["createdAfter"]),
  },
  {
    name: "a task hub failure answers 500 InternalError",
    method: "GET",
    path: RUNS,
    status: 500,
    run: () => withEngineFault("list", () => sent({ method: "GET", path: RUNS })),
    check: (res) => expect(res.body.error.code).toBe("InternalError"),
  },

  // GET /api/scoring-runs/{id} --------------------------------------------------------------------
  {
    name: "a running run answers 202 with Location and Retry-After",
    method: "GET",
    path: RUN,
    status: 202,
    run: () => withRunningRun((id) => sent({ method: "GET", path: RUN, params: { id } })),
    check: (res) => {
      expect(res.body.status).toBe("Running");
      expect(res.headers.get("location")).toEqual(locationOf(res.body.id));
      expect(res.body.progress.nextPollAt).toEqual(expect.any(String));
      expect(res.body).not.toHaveProperty("statusQueryGetUri");
    },
  },
  {
    name: "a succeeded run answers 200",
    method: "GET",
    path: RUN,
    status: 200,
    run: async () => sent({ method: "GET", path: RUN, params: { id: await finishedRun() }, query: { failOnError: "true" } }),
    check: (res) => {
      expect(res.body.status).toBe("Succeeded");
      expect(res.body.job).toMatchObject({ status: "Completed" });
    },
  },
  {
    name: "a failed run answers 200 without failOnError",
    method: "GET",
    path: RUN,
    status: 200,
    run: async () => sent({ method: "GET", path: RUN, params: { id: await finishedRun(lifecycles.failsWith("nope", 1)) } }),
    check: (res) => {
      expect(res.body.status).toBe("Failed");
      expect(res.body.error).toMatchObject({ code: "JobFailed", message: "nope" });
    },
  },
  {
    name: "a failed run answers 500 with failOnError=true (what Location asks)",
    method: "GET",
    path: RUN,
    status: 500,
    run: async () => sent({ method: "GET", path: RUN, params: { id: await finishedRun(lifecycles.failsWith("nope", 1)) }, query: { failOnError: "true" } }),
    check: (res) => expect(res.body).toMatchObject({ status: "Failed", error: { code: "JobFailed" } }),
  },
  {
    name: "a run whose job was canceled elsewhere answers 500 with failOnError=true",
    method: "GET",
    path: RUN,
    status: 500,
    run: async () => sent({ method: "GET", path: RUN, params: { id: await finishedRun(lifecycles.canceledByService(1)) }, query: { failOnError: "true" } }),
    check: (res) => expect(res.body).toMatchObject({ status: "Canceled", error: { code: "JobCanceled", jobStatus: "Canceled" } }),
  },
  {
    name: "a task hub failure answers 500 InternalError",
    method: "GET",
    path: RUN,
    status: 500,
    run: () => withEngineFault({ id: "openapi-fault-get" }, () => sent({ method: "GET", path: RUN, params: { id: "openapi-fault-get" } })),
    check: (res) => expect(res.body.error.code).toBe("InternalError"),
  },
  {
    name: "an unknown id is a 404",
    method: "GET",
    path: RUN,
    status: 404,
    run: () => sent({ method: "GET", path: RUN, params: { id: "no-such-run" } }),
    check: (res) => expect(res.body.error.code).toBe("RunNotFound"),
  },

  // POST|OPTIONS /api/scoring-runs/events ----------------------------------------------------------
  {
    name: "the Event Grid subscription validation handshake is a 200 with the code",
    method: "POST",
    path: EVENTS,
    status: 200,
    run: () =>
      sent({
        method: "POST",
        path: EVENTS,
        body: [
          {
            id: "v",
            topic: "t",
            subject: "",
            eventType: "Microsoft.EventGrid.SubscriptionValidationEvent",
            eventTime: "2026-11-25T08:00:00Z",
            dataVersion: "1",
            metadataVersion: "1",
            data: { validationCode: "code-1" },
          },
        ],
      }),
    check: (res) => expect(res.body).toEqual({ validationResponse: "code-1" }),
  },
  {
    name: "a BlobCreated event is a 200 saying it started a run",
    method: "POST",
    path: EVENTS,
    status: 200,
    run: () => sent({ method: "POST", path: EVENTS, body: [blobEvent("openapi-a.csv").event] }),
    check: (res) => expect(res.body.results).toEqual([{ eventId: "evt-openapi-a.csv", outcome: "started", runId: blobEvent("openapi-a.csv").runId }]),
  },
  {
    name: "a body that is not an event array is a 400",
    method: "POST",
    path: EVENTS,
    status: 400,
    run: () => sent({ method: "POST", path: EVENTS, body: { id: "not-an-array" } }),
  },
  {
    name: "a task hub failure answers 500 InternalError (Event Grid redelivers)",
    method: "POST",
    path: EVENTS,
    status: 500,
    run: () => {
      const { event, runId } = blobEvent("openapi-fault.csv");
      return withEngineFault({ id: runId }, () => sent({ method: "POST", path: EVENTS, body: [event] }));
    },
    check: (res) => expect(res.body.error.code).toBe("InternalError"),
  },
  {
    name: "the CloudEvents OPTIONS handshake is a 200 allowing the origin",
    method: "OPTIONS",
    path: EVENTS,
    status: 200,
    run: () => sent({ method: "OPTIONS", path: EVENTS, headers: { "WebHook-Request-Origin": "eventgrid.azure.net" } }),
    check: (res) => expect(res.headers.get("webhook-allowed-origin")).toBe("eventgrid.azure.net"),
  },
  {
    name: "an OPTIONS without WebHook-Request-Origin is a 400",
    method: "OPTIONS",
    path: EVENTS,
    status: 400,
    run: () => sent({ method: "OPTIONS", path: EVENTS }),
  },

  // POST /api/scoring-runs/{id}/cancel ------------------------------------------------------------
  {
    name: "cancel of a running run is a 202; the run then ends Canceled (RunCanceled, with the reason)",
    method: "POST",
    path: CANCEL,
    status: 202,
    run: () =>
      withRunningRun(async (id) => {
        const r = await sent({ method: "POST", path: CANCEL, params: { id }, body: { reason: "wrong input folder" } });
        engine().autoAdvance = true;
        await engine().runUntil(() => ended(id));
        return r;
      }),
    check: async (res) => {
      expect(res.headers.get("location")).toEqual(locationOf(res.body.id));
      const after = await send({ method: "GET", path: RUN, params: { id: res.body.id } });
      expectDocumented("GET", RUN, after);
      expect(after.status).toBe(200);
      expect(after.body).toMatchObject({ status: "Canceled", error: { code: "RunCanceled", jobStatus: "Canceled" } });
      expect(after.body.error.message).toContain("wrong input folder");
    },
  },
  {
    name: "cancel without a body is a 202",
    method: "POST",
    path: CANCEL,
    status: 202,
    run: () => withRunningRun((id) => sent({ method: "POST", path: CANCEL, params: { id } })),
  },
  {
    name: "a reason over 200 characters is a 400",
    method: "POST",
    path: CANCEL,
    status: 400,
    run: () => sent({ method: "POST", path: CANCEL, params: { id: "any-run" }, body: { reason: "r".repeat(201) } }),
    check: (res) => expect(res.body.error.details[0].field).toBe("reason"),
  },
  {
    name: "a cancel body that is not JSON is a 400",
    method: "POST",
    path: CANCEL,
    status: 400,
    run: () => sent({ method: "POST", path: CANCEL, params: { id: "any-run" }, rawBody: "stop" }),
  },
  {
    name: "cancel of an unknown run is a 404",
    method: "POST",
    path: CANCEL,
    status: 404,
    run: () => sent({ method: "POST", path: CANCEL, params: { id: "no-such-run" } }),
    check: (res) => expect(res.body.error.code).toBe("RunNotFound"),
  },
  {
    name: "cancel of a run that ended is a 409",
    method: "POST",
    path: CANCEL,
    status: 409,
    run: async () => sent({ method: "POST", path: CANCEL, params: { id: await finishedRun() } }),
    check: (res) => expect(res.body.error.code).toBe("RunAlreadyEnded"),
  },

  // POST /api/scoring-runs/{id}/rerun -------------------------------------------------------------
  {
    name: "a rerun of an ended run is a 202 naming its original",
    method: "POST",
    path: RERUN,
    status: 202,
    run: async () => sent({ method: "POST", path: RERUN, params: { id: await finishedRun(lifecycles.failsWith("boom", 1)) } }),
    check: (res) => {
      expect(res.headers.get("location")).toEqual(locationOf(res.body.id));
      expect(res.body.rerunOf).toEqual(expect.any(String));
    },
  },
  {
    name: "a rerun body with an unknown field is a 400 naming it",
    method: "POST",
    path: RERUN,
    status: 400,
    run: async () => sent({ method: "POST", path: RERUN, params: { id: await finishedRun() }, body: { inputs: {} } }),
    check: (res) => expect(res.body.error.details[0].field).toBe("inputs"),
  },
  {
    name: "a rerun of an unknown run is a 404",
    method: "POST",
    path: RERUN,
    status: 404,
    run: () => sent({ method: "POST", path: RERUN, params: { id: "no-such-run" } }),
  },
  {
    name: "a rerun of a run still going is a 409 RunNotEnded",
    method: "POST",
    path: RERUN,
    status: 409,
    run: () => withRunningRun((id) => sent({ method: "POST", path: RERUN, params: { id } })),
    check: (res) => expect(res.body.error.code).toBe("RunNotEnded"),
  },
  {
    name: "a task hub failure answers 500 InternalError",
    method: "POST",
    path: RERUN,
    status: 500,
    run: () => withEngineFault({ id: "openapi-fault-rerun" }, () => sent({ method: "POST", path: RERUN, params: { id: "openapi-fault-rerun" } })),
    check: (res) => expect(res.body.error.code).toBe("InternalError"),
  },
  // /api/scoring-batches ---------------------------------------------------------------------------
  {
    name: "a new batch answers 202 with Location",
    method: "POST",
    path: BATCHES,
    status: 202,
    run: () => sent({ method: "POST", path: BATCHES, body: batchBody(2) }),
    check: (res) => expect(res.headers.get("location")).toContain(`/api/scoring-batches/${res.body.id}`),
  },
  {
    name: "a batch past the concurrency bound is a 400 naming the field",
    method: "POST",
    path: BATCHES,
    status: 400,
    run: () => sent({ method: "POST", path: BATCHES, body: { ...batchBody(1), maxConcurrentJobs: 51 } }),
    check: (res) => expect(res.body.error.details[0].field).toBe("maxConcurrentJobs"),
  },
  {
    name: "the same key with another body is a 409",
    method: "POST",
    path: BATCHES,
    status: 409,
    run: async () => {
      const headers = { "Idempotency-Key": `openapi-batch-${Date.now()}` };
      await sent({ method: "POST", path: BATCHES, headers, body: batchBody(1) });
      return sent({ method: "POST", path: BATCHES, headers, body: batchBody(1) });
    },
  },
  {
    name: "an ended batch answers 200 with its manifest",
    method: "GET",
    path: BATCH,
    status: 200,
    run: async () => sent({ method: "GET", path: BATCH, params: { id: await finishedBatch() } }),
    check: (res) => expect(res.body.children.items[0].status).toBe("Succeeded"),
  },
  {
    name: "a running batch answers 202",
    method: "GET",
    path: BATCH,
    status: 202,
    run: () => withRunningBatch((id) => sent({ method: "GET", path: BATCH, params: { id } })),
  },
  {
    name: "a page size of 0 is a 400",
    method: "GET",
    path: BATCH,
    status: 400,
    run: () => sent({ method: "GET", path: BATCH, params: { id: "batch-0" }, query: { top: "0" } }),
  },
  {
    name: "an unknown batch is a 404",
    method: "GET",
    path: BATCH,
    status: 404,
    run: () => sent({ method: "GET", path: BATCH, params: { id: "batch-0" } }),
  },
  {
    name: "cancel of a running batch is a 202",
    method: "POST",
    path: BATCH_CANCEL,
    status: 202,
    run: () => withRunningBatch((id) => sent({ method: "POST", path: BATCH_CANCEL, params: { id }, body: { reason: "wrong input folders" } })),
  },
  {
    name: "a batch cancel reason over 200 characters is a 400",
    method: "POST",
    path: BATCH_CANCEL,
    status: 400,
    run: () => sent({ method: "POST", path: BATCH_CANCEL, params: { id: "batch-0" }, body: { reason: "r".repeat(201) } }),
  },
  {
    name: "cancel of an unknown batch is a 404",
    method: "POST",
    path: BATCH_CANCEL,
    status: 404,
    run: () => sent({ method: "POST", path: BATCH_CANCEL, params: { id: "batch-0" } }),
  },
  {
    name: "cancel of an ended batch is a 409",
    method: "POST",
    path: BATCH_CANCEL,
    status: 409,
    run: async () => sent({ method: "POST", path: BATCH_CANCEL, params: { id: await finishedBatch() } }),
  },
  {
    name: "a task hub failure answers 500 InternalError",
    method: "POST",
    path: CANCEL,
    status: 500,
    run: () => withEngineFault({ id: "openapi-fault-cancel" }, () => sent({ method: "POST", path: CANCEL, params: { id: "openapi-fault-cancel" } })),
    check: (res) => expect(res.body.error.code).toBe("InternalError"),
  },

  // GET /api/console, /api/console/{file} (anonymous: static files, no data) ----------------------
  {
    name: "the console's page, with its CSP, without a key",
    method: "GET",
    path: CONSOLE,
    status: 200,
    run: () => sent({ method: "GET", path: CONSOLE }),
    check: (res) => {
      expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
      expect(res.body).toContain('<div id="app">');
    },
  },
  {
    name: "a console file the page links",
    method: "GET",
    path: CONSOLE_FILE,
    status: 200,
    run: async () => {
      const page = (await stack.api(CONSOLE)).body as string;
      const script = /src="\/api\/console\/([^"]+\.js)"/.exec(page)?.[1];
      expect(script).toBeDefined();
      return sent({ method: "GET", path: CONSOLE_FILE, params: { file: script! } });
    },
    check: (res) => expect(res.headers.get("cache-control")).toContain("immutable"),
  },
  {
    name: "a file the console does not have is a 404",
    method: "GET",
    path: CONSOLE_FILE,
    status: 404,
    run: () => sent({ method: "GET", path: CONSOLE_FILE, params: { file: "no-such-file.js" } }),
  },
];

describe("every documented status is produced by a scenario and matches the document", () => {
  const scenarioKeys = scenarios.map((s) => key(s.method, s.path, s.status));

  it("each documented (method, path, status) has a scenario, and each scenario's status is documented", () => {
    expect(documentedStatuses(doc).length).toBeGreaterThan(0);
    expect(coverageProblems(doc, scenarioKeys)).toEqual([]);
  });

  it("the coverage check reports a missing scenario and an undocumented status", () => {
    expect(coverageProblems(doc, scenarioKeys.filter((k) => k !== "GET /api/scoring-runs/{id} 404").concat("GET /api/scoring-runs 404"))).toEqual([
      "GET /api/scoring-runs 404: a scenario produces it, but it is not documented",
      "GET /api/scoring-runs/{id} 404: documented, but no scenario produces it",
    ]);
  });

  for (const s of scenarios) {
    it(`${key(s.method, s.path, s.status)}: ${s.name}`, async () => {
      const { req, res } = await s.run();
      expect(req.method).toBe(s.method);
      expect(req.path).toBe(s.path);
      expect(res.status, JSON.stringify(res.body)).toBe(s.status);
      expectDocumented(s.method, s.path, res);
      const conforms = s.requestConforms?.value ?? s.status !== 400;
      const problems = requestProblems(doc, v, req);
      if (conforms) expect(problems, "the request conforms to the document").toEqual([]);
      else expect(problems.length, "the document refuses the request the API refused").toBeGreaterThan(0);
      await s.check?.(res, req);
    });
  }

  it("the response check fails on a body or header the document does not allow", () => {
    const headers = new Headers({ "content-type": "application/json" });
    const good = { status: 404, headers, body: { error: { code: "RunNotFound", message: "No scoring run with id 'x'." } } };
    expect(responseProblems(doc, v, "GET", RUN, good)).toEqual([]);
    expect(responseProblems(doc, v, "GET", RUN, { ...good, body: { error: { code: "RunNotFound", message: "m", extra: 1 } } })).not.toEqual([]);
    expect(responseProblems(doc, v, "GET", RUN, { ...good, status: 418 })).not.toEqual([]);
    const accepted = { status: 202, headers, body: {} };
    expect(responseProblems(doc, v, "GET", RUN, accepted).join("\n")).toMatch(/Location[\s\S]*Retry-After|Retry-After[\s\S]*Location/);
  });
});

// -------------------------------------------------------------------------------------------------
// (d) the start body schema agrees with the API's validation

describe("the start body schema agrees with the API's validation", () => {
  const startSchema = () => doc.paths[RUNS].post.requestBody.content["application/json"].schema as object;
  const input = (uri: string, type = "uri_folder") => ({ input_data: { type, uri } });
  const seed = (overrides: Record<string, unknown> = {}) => ({
    endpoint_uri: stack.emulator.scoringUri,
    endpoint_input_uri: "azureml://datastores/workspaceblobstore/paths/scoring/input/",
    ...overrides,
  });

  // [name, body, accepted by both the schema and the API]
  const cases: Array<[string, () => unknown, boolean]> = [
    ["the camelCase minimum", () => ({ endpointUri: stack.emulator.scoringUri, inputs: input("azureml://datastores/ds/paths/in/") }), true],
    [
      "every camelCase field, numbers as strings",
      () =>
        stack.startBody({
          // A pipeline-component deployment that declares nothing: several inputs and literals pass its checks.
          deployment: pipelineDeployment.name,
          apiVersion: "2024-01-01-preview",
          pollIntervalSeconds: " 30 ",
          timeoutSeconds: "3600.0",
          queueTimeoutSeconds: 600,
          instanceId: "openapi-drift-all_fields",
          tags: { team: "scoring", "cost center": "" },
          inputs: {
            folder: { type: "uri_folder", uri: "azureml://subscriptions/s/resourcegroups/rg/workspaces/ws/datastores/ds/paths/in/" },
            file: { type: "uri_file", uri: "https://acct.blob.core.windows.net/c/in/data.csv?versionid=1" },
            lake: { type: "uri_folder", uri: "abfss://fs@acct.dfs.core.windows.net/in" },
            asset: { type: "uri_folder", uri: "azureml:my-data:3" },
            latest: { type: "uri_file", uri: "AzureML:my_data@latest" },
            threshold: { type: "literal", value: 0.5 },
            mode: { type: "literal", value: "fast" },
          },
          output: { name: "predictions", uri: "AZUREML://Datastores/ds/Paths/out/p.csv" },
        }),
      true,
    ],
    [
      'optional fields null or ""',
      () => stack.startBody({ deployment: "", apiVersion: null, pollIntervalSeconds: "", output: null, timeoutSeconds: null, tags: "", instanceId: null }),
      true,
    ],
    ["output without a name", () => stack.startBody({ output: { uri: "azureml://datastores/ds/paths/p.csv" } }), true],
    ["an output folder", () => stack.startBody({ output: { uri: "azureml://datastores/ds/paths/out/" } }), true],
    ["an output typed uri_folder without the '/'", () => stack.startBody({ output: { type: "uri_folder", uri: "azureml://datastores/ds/paths/out" } }), true],
    [
      "several named outputs and every setting",
      () =>
        stack.startBody({
          deployment: pipelineDeployment.name,
          output: undefined,
          outputs: { scores: { uri: "azureml://datastores/ds/paths/s/" }, metrics: { type: "uri_file", uri: "azureml://datastores/ds/paths/m.json" } },
          settings: {
            instanceCount: 2,
            miniBatchSize: "10",
            maxConcurrencyPerInstance: 2,
            outputFileName: "scores.csv",
            errorThreshold: -1,
            loggingLevel: "debug",
            maxRetries: 3,
            retryTimeoutSeconds: 60,
          },
          displayName: "Nightly",
          description: "All customers",
          experimentName: "nightly-exp",
        }),
      true,
    ],
    [
      "an input mode",
      () => stack.startBody({ inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/ds/paths/in/", mode: "Download" } } }),
      true,
    ],
    ["seed with settings", () => seed({ endpoint_output_uri: "azureml://datastores/ds/paths/out/", instance_count: "2", logging_level: "Warning" }), true],
    ["the seed minimum", () => seed(), true],
    [
      "every seed field, as ADF sends them",
      () =>
        seed({
          api_version: "2022-10-01",
          poll_interval: "86400",
          endpoint_input_type: "UriFile",
          endpoint_output_uri: "azureml://datastores/ds/paths/out/p.csv",
        }),
      true,
    ],
    ["seed endpoint_input_type that is not a URI type", () => seed({ endpoint_input_type: "Literal" }), false],
    ["seed with empty optional parameters", () => seed({ api_version: "", poll_interval: "", endpoint_output_uri: "" }), true],

    ["an empty object", () => ({}), false],
    ["not an object", () => ["endpointUri"], false],
    ["the two forms mixed", () => stack.startBody({ endpoint_output_uri: "azureml://datastores/ds/paths/p.csv" }), false],
    ["a camelCase field in the seed form", () => seed({ deployment: "blue" }), false],
    ["an unknown field", () => stack.startBody({ pollInterval: 10 }), false],
    [
      "an unknown field in an input",
      () => stack.startBody({ inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/ds/paths/in/", mode: "ro" } } }),
      false,
    ],
    ["endpointUri empty", () => stack.startBody({ endpointUri: "" }), false],
    ["endpointUri not http(s)", () => stack.startBody({ endpointUri: "ftp://ep.westeurope.inference.ml.azure.com/jobs" }), false],
    ["endpointUri with credentials", () => stack.startBody({ endpointUri: "https://u:p@ep.westeurope.inference.ml.azure.com/jobs" }), false],
    ["pollIntervalSeconds 0", () => stack.startBody({ pollIntervalSeconds: 0 }), false],
    ["pollIntervalSeconds 86401", () => stack.startBody({ pollIntervalSeconds: 86401 }), false],
    ['pollIntervalSeconds "86401"', () => stack.startBody({ pollIntervalSeconds: "86401" }), false],
    ["pollIntervalSeconds 1.5", () => stack.startBody({ pollIntervalSeconds: 1.5 }), false],
    ['poll_interval "soon"', () => seed({ poll_interval: "soon" }), false],
    ["pollIntervalSeconds true", () => stack.startBody({ pollIntervalSeconds: true }), false],
    ["timeoutSeconds 59", () => stack.startBody({ timeoutSeconds: 59 }), false],
    ['timeoutSeconds "2592001"', () => stack.startBody({ timeoutSeconds: "2592001" }), false],
    ["inputs empty", () => stack.startBody({ inputs: {} }), false],
    ["inputs null", () => stack.startBody({ inputs: null }), false],
    [
      "an input name that is not an identifier",
      () => stack.startBody({ inputs: { "1data": { type: "uri_folder", uri: "azureml://datastores/ds/paths/in/" } } }),
      false,
    ],
    [
      "an input named __proto__",
      () =>
        JSON.parse(
          `{"endpointUri":${JSON.stringify(stack.emulator.scoringUri)},"inputs":{"__proto__":{"type":"uri_folder","uri":"azureml://datastores/ds/paths/in/"}}}`,
        ),
      false,
    ],
    ["an unknown input type", () => stack.startBody({ inputs: input("azureml://datastores/ds/paths/in/", "mltable") }), false],
    ["a literal input with a uri", () => stack.startBody({ inputs: { n: { type: "literal", uri: "azureml://datastores/ds/paths/in/" } } }), false],
    ["a literal input without a value", () => stack.startBody({ inputs: { n: { type: "literal" } } }), false],
    ["a uri input without a uri", () => stack.startBody({ inputs: { input_data: { type: "uri_folder" } } }), false],
    ["an http input", () => stack.startBody({ inputs: input("http://acct.blob.core.windows.net/c/in/") }), false],
    ["a wasbs input", () => stack.startBody({ inputs: input("wasbs://c@acct.blob.core.windows.net/in/") }), false],
    ["an input with a SAS token", () => stack.startBody({ inputs: input("https://acct.blob.core.windows.net/c/in/?sv=1&sig=abc") }), false],
    ["an input with whitespace", () => stack.startBody({ inputs: input("azureml://datastores/ds/paths/my in/") }), false],
    ["an input with a '..' segment", () => stack.startBody({ inputs: input("azureml://datastores/ds/paths/in/../x/") }), false],
    ["an input with '//'", () => stack.startBody({ inputs: input("azureml://datastores/ds/paths/in//x/") }), false],
    ["a bad datastore name", () => stack.startBody({ inputs: input("azureml://datastores/d$s/paths/in/") }), false],
    ["a bad data asset", () => stack.startBody({ inputs: input("azureml:my-data") }), false],
    ["a bad abfss URI", () => stack.startBody({ inputs: input("abfss://fs@acct.blob.core.windows.net/in") }), false],
    ["an output typed uri_file naming a folder", () => stack.startBody({ output: { type: "uri_file", uri: "azureml://datastores/ds/paths/out/" } }), false],
    ["an unknown setting", () => stack.startBody({ settings: { nodes: 2 } }), false],
    [
      "an output file name with a folder",
      () => stack.startBody({ output: { uri: "azureml://datastores/ds/paths/o/" }, settings: { outputFileName: "a/b.csv" } }),
      false,
    ],
    [
      "an unknown input mode",
      () => stack.startBody({ inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/ds/paths/in/", mode: "Mount" } } }),
      false,
    ],
    ["a mode on a literal", () => stack.startBody({ inputs: { x: { type: "literal", value: "1", mode: "Direct" } } }), false],
    [
      "an output in the long form",
      () => stack.startBody({ output: { uri: "azureml://subscriptions/s/resourcegroups/rg/workspaces/ws/datastores/ds/paths/p.csv" } }),
      false,
    ],
    ["an output with no path", () => stack.startBody({ output: { uri: "azureml://datastores/ds/paths/" } }), false],
    ["an https output", () => stack.startBody({ output: { uri: "https://acct.blob.core.windows.net/c/p.csv" } }), false],
    ["an output name that is not an identifier", () => stack.startBody({ output: { name: "my-output", uri: "azureml://datastores/ds/paths/p.csv" } }), false],
    ["a deployment name too short", () => stack.startBody({ deployment: "ab" }), false],
    ["an api-version with month 13", () => stack.startBody({ apiVersion: "2022-13-01" }), false],
    ["an instanceId starting with '-'", () => stack.startBody({ instanceId: "-run" }), false],
    ["a tag value that is a number", () => stack.startBody({ tags: { n: 1 } }), false],
    ["a tag value over 256 characters", () => stack.startBody({ tags: { n: "v".repeat(257) } }), false],
    ["a tag name over 128 characters", () => stack.startBody({ tags: { ["k".repeat(129)]: "v" } }), false],
    ["51 tags", () => stack.startBody({ tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, "v"])) }), false],
  ];

  // What the schema cannot know: each is accepted by the schema and refused by the API, on purpose.
  const beyondTheSchema: Array<[string, () => unknown, string]> = [
    ["an endpoint host outside SCORING_ALLOWED_HOSTS", () => stack.startBody({ endpointUri: "https://scoring.example.com/jobs" }), "endpointUri"],
    ["queueTimeoutSeconds over timeoutSeconds", () => stack.startBody({ timeoutSeconds: 600, queueTimeoutSeconds: 601 }), "queueTimeoutSeconds"],
  ];

  it("the case list holds bodies of both verdicts", () => {
    expect(cases.filter(([, , ok]) => ok).length).toBeGreaterThanOrEqual(5);
    expect(cases.filter(([, , ok]) => !ok).length).toBeGreaterThanOrEqual(20);
  });

  for (const [name, body, ok] of cases) {
    it(`${ok ? "accepted" : "refused"} by both: ${name}`, async () => {
      const b = body();
      const verdict = v.check(startSchema(), b);
      expect(verdict.ok, `schema: ${verdict.errors}`).toBe(ok);
      const before = engine().all().length;
      const res = await send({ method: "POST", path: RUNS, body: b });
      expect(res.status, JSON.stringify(res.body)).toBe(ok ? 202 : 400);
      expectDocumented("POST", RUNS, res);
      if (!ok) expect(engine().all().length).toBe(before);
    });
  }

  for (const [name, body, field] of beyondTheSchema) {
    it(`accepted by the schema, refused by the API (configuration / cross-field): ${name}`, async () => {
      const b = body();
      expect(v.check(startSchema(), b).ok).toBe(true);
      const res = await send({ method: "POST", path: RUNS, body: b });
      expect(res.status).toBe(400);
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    });
  }
});
