/**
 * Each polling pipeline under adf/pipelines (the WebHook one: webHookPipeline.test.ts) executed
 * the way Data Factory runs it (test/adf/adfRunner.ts)
 * against the dev host + batch emulator, behind a function-key check (test/adf/appGate.ts) and a
 * stand-in Key Vault. The poller does not resend headers when it follows Location unless a test
 * says so: the ADF docs do not say whether it does.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { type Stack, startStack } from "../e2e/stack";
import { evaluateString } from "./adfExpressions";
import { activity, AZURE_FUNCTION, KEY_ACTIVITY, linkedServices, pipeline, pollingPipelines, START_ACTIVITY, WAIT_ACTIVITY, WEB_ACTIVITY, withActivity, withUrl } from "./adfFiles";
import { type HttpExchange, type PipelineDef, type PipelineRun, type RunOptions, runPipeline } from "./adfRunner";
import { type AppGate, appGate } from "./appGate";
import { type FakeKeyVault, startFakeKeyVault } from "./fakeKeyVault";

const FUNCTION_KEY = "test-function-key/+=";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const isStartPost = (method: string, url: URL) => method === "POST" && url.pathname === "/api/scoring-runs";

describe("ADF pipelines run against the dev host + batch emulator", () => {
  let stack: Stack;
  let kv: FakeKeyVault;
  let gate: AppGate;

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
    gate = appGate(stack.host.baseUrl, FUNCTION_KEY);
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
   * Runs a pipeline with virtual time stepping one durable timer every 25 ms of wall time
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
        fetch: gate.fetch,
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

  const appCalls = (r: PipelineRun) => r.http.filter((x) => x.url.startsWith(stack.host.baseUrl));
  const startPosts = (r: PipelineRun) => r.http.filter((x) => x.activity === START_ACTIVITY && x.method === "POST");
  const waitCalls = (r: PipelineRun) => r.http.filter((x) => x.activity === WAIT_ACTIVITY);
  const statusesOf = (r: PipelineRun, name: string) => r.http.filter((x) => x.activity === name).map((x) => x.status);
  const carriesKey = (x: HttpExchange) => x.headers["x-functions-key"] === FUNCTION_KEY || new URL(x.url).searchParams.get("code") === FUNCTION_KEY;
  /** Everything ADF monitoring would show for the run. */
  const monitoringText = (r: PipelineRun) => JSON.stringify(r.monitoring);
  const expectNoKeyInMonitoring = (r: PipelineRun) => {
    const logged = monitoringText(r);
    expect(logged).not.toContain(FUNCTION_KEY);
    expect(logged).not.toContain(encodeURIComponent(FUNCTION_KEY));
    expect(logged).not.toMatch(/[?&]code=/);
  };

  // The WebHook pipeline waits for a callback instead: test/adf/webHookPipeline.test.ts.
  for (const p of pollingPipelines) {
    describe(p.name, () => {
      for (const forwardHeadersOnPoll of [false, true]) {
        it(`a completing job succeeds with the run's view (poller ${forwardHeadersOnPoll ? "resends" : "does not resend"} headers on Location)`, async () => {
          stack.emulator.enqueueLifecycle(lifecycles.completesAfter(4));
          const runId = randomUUID();
          const parameters = params();
          const r = await run(p, runId, { parameters, forwardHeadersOnPoll });
          expect(r.status, JSON.stringify(r.activities, null, 2)).toBe("Succeeded");

          const posts = startPosts(r);
          expect(posts).toHaveLength(1);
          expect(posts[0]!.url).toMatch(new RegExp(`^${stack.host.baseUrl}/api/scoring-runs(\\?|$)`));
          expect(posts[0]!.headers["Idempotency-Key"]).toBe(evaluateString("@concat(pipeline().RunId, ':', uriComponent(pipeline().parameters.endpoint_output_uri))", { pipeline: { RunId: runId }, parameters }));
          expect(JSON.parse(posts[0]!.body!)).toEqual({
            endpoint_uri: parameters.endpoint_uri,
            api_version: "2022-10-01",
            poll_interval: "120",
            endpoint_input_uri: parameters.endpoint_input_uri,
            endpoint_input_type: "UriFolder",
            endpoint_output_uri: parameters.endpoint_output_uri,
          });

          const out = r.activities[WAIT_ACTIVITY]!.output as Record<string, any>;
          expect(out.status).toBe("Succeeded");
          expect(out.output).toMatchObject({ uri: parameters.endpoint_output_uri });
          expect(out.request).toMatchObject({ endpointUri: parameters.endpoint_uri, apiVersion: "2022-10-01", pollIntervalSeconds: 120 });
          expect(out.job.status).toBe("Completed");
          expect(stack.emulator.createdJobCount).toBe(1);
          expect(stack.emulator.requestsFor("invoke")).toHaveLength(1);

          // The key came from Key Vault with the factory's managed identity; every call to the
          // app carried it, including the Location polls that carried no header.
          expect(kv.requests.at(-1)).toEqual({ url: "/secrets/scoring-function-key?api-version=7.4", authorization: "Bearer msi:https://vault.azure.net" });
          for (const x of appCalls(r)) {
            expect(x.status, x.url).not.toBe(401);
            expect(carriesKey(x), x.url).toBe(true);
          }
          // The Web variant's start holds short runs to their end, so only this one polls here.
          const polls = waitCalls(r).slice(1);
          if (p.name === AZURE_FUNCTION) expect(polls.length).toBeGreaterThan(0);
          if (!forwardHeadersOnPoll) for (const x of polls) expect(x.headers).toEqual({});
          expectNoKeyInMonitoring(r);
        });
      }

      it("a failing job fails the pipeline at once: one 500, no retry of the wait, one job", async () => {
        stack.emulator.enqueueLifecycle(lifecycles.failsWith("boom", 1));
        const r = await run(p);
        expect(r.status).toBe("Failed");
        const wait = r.activities[WAIT_ACTIVITY]!;
        expect(wait.status).toBe("Failed");
        expect(wait.attempts).toBe(1);
        expect(wait.error?.status).toBe(500);
        expect(wait.error?.body).toMatchObject({ status: "Failed", error: { code: "JobFailed" } });
        expect(r.http.filter((x) => x.status === 500)).toHaveLength(1);
        expect(startPosts(r)).toHaveLength(1);
        expect(stack.emulator.createdJobCount).toBe(1);
        expect(new Set(appCalls(r).map((x) => (x.responseBody as { id?: string }).id)).size).toBe(1);
        expectNoKeyInMonitoring(r);
      });

      it("a job canceled in Azure ML fails the pipeline at once with the cancel reason", async () => {
        stack.emulator.enqueueLifecycle(lifecycles.canceledByService(1));
        const r = await run(p);
        expect(r.status).toBe("Failed");
        const wait = r.activities[WAIT_ACTIVITY]!;
        expect(wait.attempts).toBe(1);
        expect(wait.error?.status).toBe(500);
        expect(wait.error?.body).toMatchObject({ status: "Canceled", error: { code: "JobCanceled" } });
        expect(stack.emulator.createdJobCount).toBe(1);
      });

      it("a transient failure of the start is retried and finds the same run (its answer was lost after the app started it)", async () => {
        gate.failNext(1, isStartPost, { afterForwarding: true });
        const r = await run(p);
        expect(r.status, JSON.stringify(r.activities, null, 2)).toBe("Succeeded");
        expect(r.activities[START_ACTIVITY]!.attempts).toBe(2);
        expect(startPosts(r).map((x) => x.status)).toEqual([503, expect.any(Number)]);
        expect(stack.emulator.createdJobCount).toBe(1);
      });

      it("one RunId, as in a ForEach: the same output path is the same run, another output path is another run", async () => {
        const runId = randomUUID();
        const parameters = params();
        const first = await run(p, runId, { parameters });
        const again = await run(p, runId, { parameters });
        const idOf = (r: PipelineRun) => (r.activities[WAIT_ACTIVITY]!.output as { id: string }).id;
        expect([first.status, again.status]).toEqual(["Succeeded", "Succeeded"]);
        expect(idOf(again)).toBe(idOf(first));
        expect(stack.emulator.createdJobCount).toBe(1);

        const otherItem = await run(p, runId, { parameters: params({ endpoint_output_uri: `${parameters.endpoint_output_uri}.2.csv` }) });
        expect(otherItem.status).toBe("Succeeded");
        expect(idOf(otherItem)).not.toBe(idOf(first));
        expect(stack.emulator.createdJobCount).toBe(2);

        const rerun = await run(p, randomUUID(), { parameters: params() });
        expect(idOf(rerun)).not.toBe(idOf(first));
        expect(stack.emulator.createdJobCount).toBe(3);
      });

      it("job settings given as parameters reach the invoke in Azure ML's keys; the ones left unset are not sent", async () => {
        const parameters = params({
          endpoint_output_uri: `azureml://datastores/workspaceblobstore/paths/scoring/output/${randomUUID()}/`,
          instance_count: "2",
          output_file_name: "scores.csv",
          error_threshold: "-1",
          retry_timeout: "300",
        });
        const r = await run(p, randomUUID(), { parameters });
        expect(r.status, JSON.stringify(r.activities, null, 2)).toBe("Succeeded");
        const sentBody = JSON.parse(startPosts(r)[0]!.body!) as Record<string, string>;
        expect(sentBody).toMatchObject({ instance_count: "2", output_file_name: "scores.csv", error_threshold: "-1", retry_timeout: "300" });
        for (const unset of ["mini_batch_size", "max_concurrency_per_instance", "logging_level", "max_retries"]) expect(sentBody).not.toHaveProperty(unset);
        const out = r.activities[WAIT_ACTIVITY]!.output as Record<string, any>;
        expect(out.request.settings).toEqual({ instanceCount: 2, outputFileName: "scores.csv", errorThreshold: -1, retryTimeoutSeconds: 300 });
        expect(out.request.outputs).toEqual({ score: { type: "uri_folder", uri: parameters.endpoint_output_uri } });
        // Only documented overrides were given: no OverrideNotDocumented.
        expect(out.warnings.map((w: { code: string }) => w.code)).not.toContain("OverrideNotDocumented");
        const invoked = (stack.emulator.requestsFor("invoke").at(-1)!.body as { properties: Record<string, unknown> }).properties;
        expect(invoked).toMatchObject({ compute: { instanceCount: 2 }, outputFileName: "scores.csv", errorThreshold: -1, retrySettings: { timeout: "PT5M" } });
        for (const key of ["miniBatchSize", "maxConcurrencyPerInstance", "loggingLevel"]) expect(invoked).not.toHaveProperty(key);
        expect(stack.emulator.createdJobCount).toBe(1);
      });

      it("a job setting the app rejects (instance_count 0): 400 naming the parameter, nothing starts", async () => {
        const r = await run(p, randomUUID(), { parameters: params({ instance_count: "0" }) });
        expect(r.status).toBe("Failed");
        expect(r.activities[START_ACTIVITY]!.error).toMatchObject({
          status: 400,
          body: { error: { code: "InvalidRequest", details: [{ field: "instance_count", message: expect.stringContaining("got 0") }] } },
        });
        expect(stack.emulator.createdJobCount).toBe(0);
      });

      it("a body the app rejects (bad poll_interval): the start fails with 400, the wait is skipped, nothing starts", async () => {
        const r = await run(p, randomUUID(), { parameters: params({ poll_interval: "soon" }) });
        expect(r.status).toBe("Failed");
        expect(r.activities[START_ACTIVITY]!.error).toMatchObject({ status: 400, body: { error: { code: "InvalidRequest" } } });
        expect(r.activities[WAIT_ACTIVITY]!.status).toBe("Skipped");
        expect(stack.emulator.createdJobCount).toBe(0);
      });
    });
  }

  it("the key-carrying outputs and inputs are what secureOutput / secureInput hide (positive control)", async () => {
    const web = withUrl(pipeline(WEB_ACTIVITY), START_ACTIVITY, (u) => u.replace("?wait=200&code=", "?code="));
    const leakyStart = withActivity(web, START_ACTIVITY, (a) => {
      a.policy!.secureOutput = false;
    });
    const r1 = await run(leakyStart);
    expect(r1.status).toBe("Succeeded");
    expect(monitoringText(r1)).toContain(`code=${encodeURIComponent(FUNCTION_KEY)}`);

    const leakyWait = withActivity(web, WAIT_ACTIVITY, (a) => {
      a.policy!.secureInput = false;
    });
    const r2 = await run(leakyWait);
    expect(monitoringText(r2)).toContain(`code=${encodeURIComponent(FUNCTION_KEY)}`);
  });

  it("a key sent only as a header is lost on the Location polls of a poller that does not resend headers (why ?code=)", async () => {
    const headerOnly = withActivity(pipeline(AZURE_FUNCTION), WAIT_ACTIVITY, (a) => {
      const url = a.typeProperties.url as { value: string };
      url.value = url.value.replace(/, '\?failOnError=true&code=', uriComponent\(activity\('Get function key'\)\.output\.value\)\)$/, ", '?failOnError=true')");
      a.typeProperties.headers = { "x-functions-key": { value: `@activity('${KEY_ACTIVITY}').output.value`, type: "Expression" } };
    });
    expect((activity(headerOnly, WAIT_ACTIVITY).typeProperties.url as { value: string }).value).not.toContain("code=");

    stack.emulator.enqueueLifecycle(lifecycles.completesAfter(4));
    const lost = await run(headerOnly);
    expect(lost.status).toBe("Failed");
    expect(lost.activities[WAIT_ACTIVITY]!.error?.status).toBe(401);

    stack.emulator.enqueueLifecycle(lifecycles.completesAfter(4));
    const resent = await run(headerOnly, randomUUID(), { forwardHeadersOnPoll: true });
    expect(resent.status).toBe("Succeeded");
  });

  it("Azure Function variant: the start answers 202 at once; the wait follows Location (key and failOnError in it) to the end", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.completesAfter(4));
    const r = await run(pipeline(AZURE_FUNCTION));
    expect(r.status).toBe("Succeeded");
    const start = startPosts(r)[0]!;
    expect(start.status).toBe(202);
    const gets = waitCalls(r);
    expect(gets.length).toBeGreaterThan(2);
    const first = new URL(gets[0]!.url);
    expect(`${first.origin}${first.pathname}`).toBe(`${stack.host.baseUrl}/api/scoring-runs/${(start.responseBody as { id: string }).id}`);
    for (const x of gets.slice(0, -1)) {
      expect(x.status).toBe(202);
      const location = new URL(x.responseHeaders.location!);
      expect(location.searchParams.get("failOnError")).toBe("true");
      expect(location.searchParams.get("code")).toBe(FUNCTION_KEY);
    }
    expect(gets.at(-1)!.status).toBe(200);
  });

  it("Web activity variant, a run outliving the 200 s hold: the start answers 202 without following it; the wait follows to the end, and to 500 on failure", async () => {
    const noHold = withUrl(pipeline(WEB_ACTIVITY), START_ACTIVITY, (u) => u.replace("?wait=200&code=", "?code="));

    const ok = await run(noHold);
    expect(ok.status).toBe("Succeeded");
    expect(statusesOf(ok, START_ACTIVITY)).toEqual([202]);
    const polls = waitCalls(ok).slice(1);
    expect(polls.length).toBeGreaterThan(0);
    // Followed without headers: the key travels in the Location the app answered.
    for (const x of polls) expect({ headers: x.headers, code: new URL(x.url).searchParams.get("code") }).toEqual({ headers: {}, code: FUNCTION_KEY });
    expect(waitCalls(ok).at(-1)).toMatchObject({ method: "GET", status: 200 });
    expectNoKeyInMonitoring(ok);

    stack.emulator.enqueueLifecycle(lifecycles.failsWith("boom", 2));
    const failed = await run(noHold);
    expect(failed.status).toBe("Failed");
    expect(failed.activities[WAIT_ACTIVITY]!).toMatchObject({ attempts: 1, error: { status: 500, body: { error: { code: "JobFailed" } } } });
    expect(stack.emulator.createdJobCount).toBe(2);
  });

  it("Web activity variant: a run that fails within the hold answers the start 200, and the wait's failOnError=true fails the pipeline", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.failsWith("boom", 1));
    const r = await run(pipeline(WEB_ACTIVITY));
    expect(r.status).toBe("Failed");
    expect(startPosts(r)[0]).toMatchObject({ status: 200, responseBody: { status: "Failed" } });

    // Without failOnError=true on the wait, that failed run would pass as a successful pipeline.
    const lenient = withUrl(pipeline(WEB_ACTIVITY), WAIT_ACTIVITY, (u) => u.replace("'?failOnError=true&code='", "'?code='"));
    stack.emulator.enqueueLifecycle(lifecycles.failsWith("boom", 1));
    const passed = await run(lenient);
    expect(passed.status).toBe("Succeeded");
    expect((passed.activities[WAIT_ACTIVITY]!.output as { status: string }).status).toBe("Failed");
  });

  it("a parameter value with a double quote breaks the interpolated JSON body: 400, nothing starts", async () => {
    const r = await run(pipeline(WEB_ACTIVITY), randomUUID(), { parameters: params({ endpoint_input_uri: 'azureml://datastores/ws/paths/a"b/' }) });
    expect(r.status).toBe("Failed");
    expect(r.activities[START_ACTIVITY]!.error).toMatchObject({ status: 400, body: { error: { code: "InvalidRequest", details: [{ field: "body" }] } } });
    expect(stack.emulator.createdJobCount).toBe(0);
  });

  it("an output path too long for the 255-character Idempotency-Key: 400 naming the key, nothing starts", async () => {
    const longName = `${"x".repeat(200)}.csv`;
    const r = await run(pipeline(AZURE_FUNCTION), randomUUID(), { parameters: params({ endpoint_output_uri: `azureml://datastores/workspaceblobstore/paths/${longName}` }) });
    expect(r.status).toBe("Failed");
    const error = r.activities[START_ACTIVITY]!.error as { status: number; body: { error: { details: Array<{ field: string }> } } };
    expect(error.status).toBe(400);
    expect(error.body.error.details.map((d) => d.field)).toContain("Idempotency-Key");
    expect(stack.emulator.createdJobCount).toBe(0);
  });
});
