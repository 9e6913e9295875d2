/**
 * The ADF templates under adf/: structure checks, then each pipeline's HTTP steps executed the
 * way Data Factory runs them (test/adf/adfRunner.ts) against the dev host + batch emulator.
 */
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { type Stack, startStack } from "../e2e/stack";
import { collectExpressions, evaluateValue, type ExpressionNode, parseExpression } from "./adfExpressions";
import { type ActivityDef, type LinkedServiceDef, type PipelineDef, type PipelineRun, type RunOptions, runPipeline } from "./adfRunner";
import { buildArmTemplate, linkedServiceRefs } from "./armTemplate";

const adfDir = path.resolve(__dirname, "../../adf");
const armPath = path.join(adfDir, "arm", "RunBatchScoring.template.json");

function jsonFilesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsonFilesUnder(path.join(dir, e.name)) : e.name.endsWith(".json") ? [path.join(dir, e.name)] : []);
}
const readJson = (file: string): unknown => JSON.parse(fs.readFileSync(file, "utf8"));
const loadDir = <T>(sub: string): T[] => jsonFilesUnder(path.join(adfDir, sub)).map((f) => readJson(f) as T);

const pipelines = loadDir<PipelineDef>("pipelines");
const linkedServiceList = loadDir<LinkedServiceDef>("linkedServices");
const linkedServices = Object.fromEntries(linkedServiceList.map((ls) => [ls.name, ls]));
const pipeline = (name: string): PipelineDef => {
  const p = pipelines.find((x) => x.name === name);
  if (!p) throw new Error(`no pipeline ${name} under adf/pipelines`);
  return p;
};
const activity = (p: PipelineDef, name: string): ActivityDef => {
  const a = p.properties.activities.find((x) => x.name === name);
  if (!a) throw new Error(`no activity ${name} in ${p.name}`);
  return a;
};

/** The seed (Run-BatchEndpoint) pipeline's parameters: names, types and defaults unchanged. */
const SEED_PARAMETERS = {
  endpoint_uri: { type: "string" },
  api_version: { type: "string", defaultValue: "2022-10-01" },
  poll_interval: { type: "string", defaultValue: "120" },
  endpoint_input_uri: { type: "string" },
  endpoint_input_type: { type: "string", defaultValue: "UriFolder" },
  endpoint_output_uri: { type: "string" },
};
/** Added per factory, all with defaults, so a caller passing only the seed's parameters still works. */
const APP_PARAMETERS = ["function_app_url", "key_vault_url", "function_key_secret_name"];

const AZURE_FUNCTION = "RunBatchScoring-AzureFunction";
const WEB_ACTIVITY = "RunBatchScoring-WebActivity";
/** The activity whose outcome is the run's outcome, per pipeline. */
const WAITING_ACTIVITY: Record<string, string> = { [AZURE_FUNCTION]: "Wait for scoring run", [WEB_ACTIVITY]: "Run scoring run" };
/** The activity that POSTs the start request, per pipeline. */
const START_ACTIVITY: Record<string, string> = { [AZURE_FUNCTION]: "Start scoring run", [WEB_ACTIVITY]: "Run scoring run" };

/** `d.hh:mm:ss` / `hh:mm:ss` → seconds (the policy.timeout pattern in the Data Factory REST spec). */
function timespanSeconds(s: string): number {
  const m = /^(?:(\d+)\.)?(\d\d):([0-5]\d|60):([0-5]\d|60)$/.exec(s);
  if (!m) throw new Error(`not a timespan: ${s}`);
  return Number(m[1] ?? 0) * 86400 + Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4]);
}

/** Parameters and activities an expression reads. */
function references(node: ExpressionNode, out = { parameters: new Set<string>(), activities: new Set<string>() }) {
  if (node.kind === "member") {
    const t = node.target;
    if (t.kind === "member" && t.name === "parameters" && t.target.kind === "call" && t.target.name === "pipeline") out.parameters.add(node.name);
    references(node.target, out);
  } else if (node.kind === "index") {
    references(node.target, out);
    references(node.index, out);
  } else if (node.kind === "call") {
    if (node.name === "activity" && node.args[0]?.kind === "literal") out.activities.add(String(node.args[0].value));
    node.args.forEach((a) => references(a, out));
  }
  return out;
}

function upstreamOf(p: PipelineDef, name: string, seen = new Set<string>()): Set<string> {
  for (const d of activity(p, name).dependsOn ?? []) {
    if (!seen.has(d.activity)) {
      seen.add(d.activity);
      upstreamOf(p, d.activity, seen);
    }
  }
  return seen;
}

describe("ADF templates: structure", () => {
  it("every JSON file under adf/ parses and is a named ADF resource (or the ARM template)", () => {
    const files = jsonFilesUnder(adfDir);
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const f of files) {
      const doc = readJson(f) as Record<string, unknown>;
      if (f === armPath) expect(doc.$schema).toMatch(/deploymentTemplate\.json#$/);
      else {
        expect(typeof doc.name, f).toBe("string");
        expect(path.basename(f, ".json"), f).toBe(doc.name);
        expect(typeof doc.properties, f).toBe("object");
      }
    }
    expect(pipelines.map((p) => p.name).sort()).toEqual([AZURE_FUNCTION, WEB_ACTIVITY]);
    expect(linkedServiceList.map((l) => l.name).sort()).toEqual(["ScoringFunctionApp", "ScoringKeyVault"]);
  });

  for (const p of pipelines) {
    describe(p.name, () => {
      it("keeps the seed's six parameters (names, string type, defaults) and adds only defaulted app settings", () => {
        const params = p.properties.parameters ?? {};
        const seedPart = Object.fromEntries(Object.keys(SEED_PARAMETERS).map((k) => [k, params[k]]));
        expect(seedPart).toEqual(SEED_PARAMETERS);
        const extra = Object.keys(params).filter((k) => !Object.hasOwn(SEED_PARAMETERS, k));
        expect(extra.sort()).toEqual([...APP_PARAMETERS].sort());
        for (const k of extra) {
          expect(params[k]!.type).toBe("string");
          expect(typeof params[k]!.defaultValue, k).toBe("string");
        }
      });

      it("activities: valid names, known dependencies, no cycles, valid policies", () => {
        const names = p.properties.activities.map((a) => a.name);
        expect(new Set(names).size).toBe(names.length);
        for (const a of p.properties.activities) {
          expect(a.name.length).toBeLessThanOrEqual(55);
          expect(a.name).not.toMatch(/[.+?/<>*%&:\\]/);
          for (const d of a.dependsOn ?? []) {
            expect(names).toContain(d.activity);
            expect(d.dependencyConditions).toEqual(["Succeeded"]);
          }
          expect(upstreamOf(p, a.name).has(a.name), `${a.name} depends on itself`).toBe(false);
          if (a.policy?.timeout !== undefined) expect(timespanSeconds(a.policy.timeout)).toBeGreaterThan(0);
          if (a.type === "WebActivity") {
            const tp = a.typeProperties;
            if (tp.httpRequestTimeout !== undefined) expect(timespanSeconds(String(tp.httpRequestTimeout))).toBeLessThanOrEqual(600);
            expect(tp.turnOffAsync ?? false).toBe(false);
          }
        }
      });

      it("every expression parses and reads only declared parameters and upstream activities", () => {
        const declared = Object.keys(p.properties.parameters ?? {});
        for (const a of p.properties.activities) {
          const exprs = collectExpressions([a.typeProperties, a.linkedServiceName ?? null]);
          expect(exprs.length, a.name).toBeGreaterThan(0);
          const upstream = upstreamOf(p, a.name);
          for (const e of exprs) {
            const refs = references(parseExpression(e));
            for (const param of refs.parameters) expect(declared, `${a.name}: ${e}`).toContain(param);
            for (const act of refs.activities) expect(upstream.has(act), `${a.name} reads '${act}' which is not upstream`).toBe(true);
          }
        }
      });

      it("starts with Idempotency-Key = pipeline RunId and the seed parameters as the JSON body", () => {
        const start = activity(p, START_ACTIVITY[p.name]!);
        const headers = start.typeProperties.headers as Record<string, unknown>;
        expect(headers["Idempotency-Key"]).toEqual({ value: "@pipeline().RunId", type: "Expression" });
        expect(String(start.typeProperties.method).toUpperCase()).toBe("POST");
        const values = {
          endpoint_uri: "https://ep.westeurope.inference.ml.azure.com/jobs",
          api_version: "2022-10-01",
          poll_interval: "120",
          endpoint_input_uri: "azureml://datastores/workspaceblobstore/paths/in/",
          endpoint_input_type: "UriFile",
          endpoint_output_uri: "azureml://datastores/workspaceblobstore/paths/out/p.csv",
        };
        const body = evaluateValue(start.typeProperties.body, { parameters: { ...values, function_app_url: "x", key_vault_url: "x", function_key_secret_name: "x" } });
        expect(typeof body).toBe("string");
        expect(JSON.parse(body as string)).toEqual(values);
      });

      it("waits on the run with failOnError=true for up to 7 days (the app's default run deadline)", () => {
        const wait = activity(p, WAITING_ACTIVITY[p.name]!);
        expect(wait.type).toBe("WebActivity");
        expect(JSON.stringify(wait.typeProperties.url)).toContain("failOnError=true");
        expect(timespanSeconds(wait.policy!.timeout!)).toBe(7 * 86400);
        const url = JSON.stringify(wait.typeProperties.url);
        const waitParam = /[?&]wait=(\d+)/.exec(url);
        if (waitParam) {
          // The held POST must be answered before the Web activity gives up on the response.
          expect(Number(waitParam[1])).toBeLessThanOrEqual(220);
          expect(timespanSeconds(String(wait.typeProperties.httpRequestTimeout))).toBeGreaterThan(Number(waitParam[1]) + 10);
        }
      });

      it("references only linked services that exist under adf/linkedServices", () => {
        for (const ref of linkedServiceRefs(p.properties)) expect(Object.keys(linkedServices)).toContain(ref);
      });
    });
  }

  it("linked services: Azure Function key comes from Key Vault; no secret is written anywhere under adf/", () => {
    const fn = linkedServices.ScoringFunctionApp!;
    expect(fn.properties.type).toBe("AzureFunction");
    expect(fn.properties.typeProperties.functionKey).toMatchObject({ type: "AzureKeyVaultSecret", store: { referenceName: "ScoringKeyVault", type: "LinkedServiceReference" } });
    expect(linkedServices.ScoringKeyVault!.properties.type).toBe("AzureKeyVault");
    for (const ref of linkedServiceRefs(fn.properties)) expect(Object.keys(linkedServices)).toContain(ref);
    for (const f of jsonFilesUnder(adfDir)) {
      const text = fs.readFileSync(f, "utf8");
      expect(text, f).not.toMatch(/SecureString|[?&]code=|"password"|"functionKey":\s*"/);
    }
  });

  it("the ARM template is the linked services and pipelines as they are (ADF_WRITE_ARM=1 rewrites it)", () => {
    const expected = buildArmTemplate(linkedServiceList, pipelines);
    if (process.env.ADF_WRITE_ARM === "1") {
      fs.mkdirSync(path.dirname(armPath), { recursive: true });
      fs.writeFileSync(armPath, `${JSON.stringify(expected, null, 2)}\n`);
    }
    expect(readJson(armPath)).toEqual(expected);
    const text = JSON.stringify(expected);
    expect(text).not.toContain("YOUR-");
  });
});

// ---------------------------------------------------------------------------------------------

/** A Key Vault stand-in: GET /secrets/<name>?api-version=... with the factory's MSI token for https://vault.azure.net. */
async function startFakeKeyVault(secrets: Record<string, string>) {
  const requests: Array<{ url: string; authorization: string | undefined }> = [];
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url ?? "", authorization: req.headers.authorization });
    const url = new URL(req.url ?? "/", "http://kv");
    const name = /^\/secrets\/([^/]+)$/.exec(url.pathname)?.[1];
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== "Bearer msi:https://vault.azure.net") return send(401, { error: { code: "Unauthorized", message: "no token for vault.azure.net" } });
    if (!url.searchParams.get("api-version")) return send(400, { error: { code: "MissingApiVersionParameter", message: "api-version is required" } });
    if (req.method !== "GET" || name === undefined || !Object.hasOwn(secrets, name)) return send(404, { error: { code: "SecretNotFound", message: "no such secret" } });
    return send(200, { value: secrets[name], id: `${url.origin}/secrets/${name}/v1`, attributes: { enabled: true } });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}`, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A copy of a pipeline whose activity URL expression is rewritten (the rewrite must change it). */
function withUrl(p: PipelineDef, activityName: string, rewrite: (url: string) => string): PipelineDef {
  const copy = JSON.parse(JSON.stringify(p)) as PipelineDef;
  const url = activity(copy, activityName).typeProperties.url as { value: string };
  const changed = rewrite(url.value);
  if (changed === url.value) throw new Error(`rewrite left ${url.value} unchanged`);
  url.value = changed;
  return copy;
}

describe("ADF pipelines run against the dev host + batch emulator", () => {
  const FUNCTION_KEY = "test-function-key";
  let stack: Stack;
  let kv: Awaited<ReturnType<typeof startFakeKeyVault>>;

  beforeAll(async () => {
    stack = await startStack({ clock: "virtual", autoAdvance: true });
    kv = await startFakeKeyVault({ "scoring-function-key": FUNCTION_KEY });
  });
  afterAll(async () => {
    await kv?.close();
    await stack?.stop();
  });
  beforeEach(() => {
    stack.emulator.reset();
    stack.emulator.setDefaultLifecycle(lifecycles.completesAfter(2));
  });

  /** The seed's six parameters (strings, as ADF passes them) for the emulator's endpoint, plus this factory's settings. */
  function params(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      endpoint_uri: stack.emulator.scoringUri,
      endpoint_input_uri: "azureml://datastores/workspaceblobstore/paths/scoring/input/",
      endpoint_output_uri: `azureml://datastores/workspaceblobstore/paths/scoring/output/${randomUUID()}.csv`,
      function_app_url: stack.host.baseUrl,
      key_vault_url: kv.baseUrl,
      ...overrides,
    };
  }

  /**
   * Runs a pipeline with virtual time stepping one durable timer every `stepMs` of wall time
   * (instead of jumping when idle), so a run lasts long enough for ADF-style polling to see 202s.
   */
  async function run(p: PipelineDef, runId = randomUUID(), opts: Partial<RunOptions> & { parameters?: Record<string, string> } = {}): Promise<PipelineRun> {
    const engine = stack.host.engine;
    engine.autoAdvance = false;
    let ticking = true;
    const ticker = (async () => {
      while (ticking) {
        await sleep(25);
        const next = engine.nextTimerAt();
        if (next !== undefined) await engine.advanceTo(next);
      }
    })();
    try {
      return await runPipeline(p, {
        runId,
        parameters: opts.parameters ?? params(),
        linkedServices,
        resolveSecret: (store, name) => {
          expect(store).toBe("ScoringKeyVault");
          expect(name).toBe("scoring-function-key");
          return FUNCTION_KEY;
        },
        pollDelayMs: 5,
        retryDelayMs: 5,
        ...opts,
      });
    } finally {
      ticking = false;
      await ticker;
      engine.autoAdvance = true;
    }
  }

  const startExchanges = (r: PipelineRun, p: PipelineDef) =>
    r.http.filter((x) => x.activity === START_ACTIVITY[p.name] && x.method === "POST");

  for (const p of pipelines) {
    describe(p.name, () => {
      it("a completing job: the pipeline succeeds with the run's view as the last activity's output", async () => {
        const runId = randomUUID();
        const parameters = params();
        const r = await run(p, runId, { parameters });
        expect(r.status, JSON.stringify(r.activities, null, 2)).toBe("Succeeded");

        const posts = startExchanges(r, p);
        expect(posts).toHaveLength(1);
        expect(posts[0]!.url).toMatch(new RegExp(`^${stack.host.baseUrl}/api/scoring-runs(\\?|$)`));
        expect(posts[0]!.headers["Idempotency-Key"]).toBe(runId);
        expect(posts[0]!.headers["x-functions-key"]).toBe(FUNCTION_KEY);
        expect(JSON.parse(posts[0]!.body!)).toEqual({
          endpoint_uri: parameters.endpoint_uri,
          api_version: "2022-10-01",
          poll_interval: "120",
          endpoint_input_uri: parameters.endpoint_input_uri,
          endpoint_input_type: "UriFolder",
          endpoint_output_uri: parameters.endpoint_output_uri,
        });

        const out = r.activities[WAITING_ACTIVITY[p.name]!]!.output as Record<string, any>;
        expect(out.status).toBe("Succeeded");
        // No Azurite here: the file is named but could not be looked at (a warning says so).
        expect(out.output).toMatchObject({ uri: parameters.endpoint_output_uri });
        expect(out.request).toMatchObject({ endpointUri: parameters.endpoint_uri, apiVersion: "2022-10-01", pollIntervalSeconds: 120 });
        expect(out.job.status).toBe("Completed");
        expect(stack.emulator.createdJobCount).toBe(1);
        expect(stack.emulator.requestsFor("invoke")).toHaveLength(1);

        // The key came from Key Vault with the factory's managed identity, once.
        expect(kv.requests.at(-1)).toEqual({ url: "/secrets/scoring-function-key?api-version=7.4", authorization: "Bearer msi:https://vault.azure.net" });
        // Every call to the app carried the function key.
        for (const x of r.http.filter((h) => h.url.startsWith(stack.host.baseUrl))) expect(x.headers["x-functions-key"]).toBe(FUNCTION_KEY);
      });

      it("a failing job: the run answers 500 and the pipeline fails; activity retries never start a second job", async () => {
        stack.emulator.enqueueLifecycle(lifecycles.failsWith("boom", 1));
        const r = await run(p);
        expect(r.status).toBe("Failed");
        const wait = r.activities[WAITING_ACTIVITY[p.name]!]!;
        expect(wait.status).toBe("Failed");
        expect(wait.attempts).toBe((activity(p, WAITING_ACTIVITY[p.name]!).policy?.retry ?? 0) + 1);
        expect(wait.error?.status).toBe(500);
        expect(wait.error?.body).toMatchObject({ status: "Failed", error: { code: "JobFailed", message: "boom" } });
        expect(stack.emulator.createdJobCount).toBe(1);
        const runIds = new Set(r.http.filter((x) => x.url.startsWith(stack.host.baseUrl)).map((x) => (x.responseBody as { id?: string }).id));
        expect(runIds.size).toBe(1);
      });

      it("a job canceled in Azure ML: the pipeline fails with the cancel reason", async () => {
        stack.emulator.enqueueLifecycle(lifecycles.canceledByService(1));
        const r = await run(p);
        expect(r.status).toBe("Failed");
        const wait = r.activities[WAITING_ACTIVITY[p.name]!]!;
        expect(wait.error?.status).toBe(500);
        expect(wait.error?.body).toMatchObject({ status: "Canceled", error: { code: "JobCanceled" } });
        expect(stack.emulator.createdJobCount).toBe(1);
      });

      it("the same pipeline RunId again is the same run and the same single job; a new RunId is a new run", async () => {
        const runId = randomUUID();
        const parameters = params();
        const first = await run(p, runId, { parameters });
        const again = await run(p, runId, { parameters });
        expect(first.status).toBe("Succeeded");
        expect(again.status).toBe("Succeeded");
        const idOf = (r: PipelineRun) => (r.activities[WAITING_ACTIVITY[p.name]!]!.output as { id: string }).id;
        expect(idOf(again)).toBe(idOf(first));
        expect(stack.emulator.createdJobCount).toBe(1);

        const other = await run(p, randomUUID(), { parameters });
        expect(idOf(other)).not.toBe(idOf(first));
        expect(stack.emulator.createdJobCount).toBe(2);
      });
    });
  }

  it("Azure Function variant: the status Web activity follows 202 + Location until the run ends", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.completesAfter(4));
    const p = pipeline(AZURE_FUNCTION);
    const r = await run(p);
    expect(r.status).toBe("Succeeded");
    const start = startExchanges(r, p)[0]!;
    expect(start.status).toBe(202);
    const gets = r.http.filter((x) => x.activity === "Wait for scoring run");
    expect(gets.length).toBeGreaterThan(2);
    expect(gets[0]!.url).toBe(`${stack.host.baseUrl}/api/scoring-runs/${(start.responseBody as { id: string }).id}?failOnError=true`);
    expect(gets.slice(0, -1).every((x) => x.status === 202 && x.responseHeaders.location === gets[0]!.url)).toBe(true);
    expect(gets.at(-1)!.status).toBe(200);
  });

  it("Web activity variant without ?wait= (a run outliving the 200 s hold): the POST's 202 Location is followed to the end, and to 500 on failure", async () => {
    const noWait = withUrl(pipeline(WEB_ACTIVITY), "Run scoring run", (u) => u.replace("?wait=200&failOnError=true", "?failOnError=true"));

    const ok = await run(noWait);
    expect(ok.status).toBe("Succeeded");
    const calls = ok.http.filter((x) => x.activity === "Run scoring run");
    expect(calls[0]).toMatchObject({ method: "POST", status: 202 });
    expect(calls.length).toBeGreaterThan(2);
    expect(calls.at(-1)).toMatchObject({ method: "GET", status: 200 });

    stack.emulator.enqueueLifecycle(lifecycles.failsWith("boom", 2));
    const failed = await run(noWait);
    expect(failed.status).toBe("Failed");
    expect(failed.activities["Run scoring run"]!.error).toMatchObject({ status: 500, body: { error: { code: "JobFailed", message: "boom" } } });
    expect(stack.emulator.createdJobCount).toBe(2);
  });

  it("without failOnError=true a failed run would pass as a successful pipeline (why the templates set it)", async () => {
    const lenient = withUrl(pipeline(WEB_ACTIVITY), "Run scoring run", (u) => u.replace("?wait=200&failOnError=true", "?wait=200"));
    stack.emulator.enqueueLifecycle(lifecycles.failsWith("boom", 1));
    const r = await run(lenient);
    expect(r.status).toBe("Succeeded");
    expect((r.activities["Run scoring run"]!.output as { status: string }).status).toBe("Failed");
  });

  it("a body the app rejects (bad poll_interval) fails the start activity with 400 and starts nothing", async () => {
    for (const p of pipelines) {
      const r = await run(p, randomUUID(), { parameters: params({ poll_interval: "soon" }) });
      expect(r.status).toBe("Failed");
      const start = r.activities[START_ACTIVITY[p.name]!]!;
      expect(start.error).toMatchObject({ status: 400, body: { error: { code: "InvalidRequest" } } });
      if (p.name === AZURE_FUNCTION) expect(r.activities["Wait for scoring run"]!.status).toBe("Skipped");
    }
    expect(stack.emulator.createdJobCount).toBe(0);
  });

  it("a parameter value with a double quote breaks the interpolated JSON body: 400, nothing starts", async () => {
    const p = pipeline(WEB_ACTIVITY);
    const r = await run(p, randomUUID(), { parameters: params({ endpoint_input_uri: 'azureml://datastores/ws/paths/a"b/' }) });
    expect(r.status).toBe("Failed");
    expect(r.activities["Run scoring run"]!.error).toMatchObject({ status: 400, body: { error: { code: "InvalidRequest", details: [{ field: "body" }] } } });
    expect(stack.emulator.createdJobCount).toBe(0);
  });
});
