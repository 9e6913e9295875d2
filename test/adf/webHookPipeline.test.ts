/**
 * adf/pipelines/RunBatchScoring-WebHook.json executed the way Data Factory runs it
 * (test/adf/adfRunner.ts) against the dev host + batch emulator on the virtual clock: the
 * template's body expressions evaluated, `callBackUri` added (a loopback callback listener stands
 * in for Data Factory's), POSTed to the function URL the template builds (key as ?code=, behind
 * the function-key check), then the pipeline waits for the app's one callback. With
 * reportStatusOnCallBack, a callback StatusCode >= 400 fails the activity (learn,
 * control-flow-webhook-activity, "Additional notes").
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { type CallbackListener, type ReceivedNotice, startCallbackListener } from "../../dev/notices/callbackListener";
import { type Stack, startStack } from "../e2e/stack";
import { evaluateString } from "./adfExpressions";
import { activity, KEY_ACTIVITY, linkedServices, pipeline, WEB_HOOK, WEB_HOOK_ACTIVITY } from "./adfFiles";
import { type PipelineRun, runPipeline } from "./adfRunner";
import { type AppGate, appGate } from "./appGate";
import { type FakeKeyVault, startFakeKeyVault } from "./fakeKeyVault";

const FUNCTION_KEY = "test-function-key/+=";
/** Data Factory puts a capability in the callBackUri's query. */
const CALLBACK_QUERY = "callbackUrl=AAEAAAD-capability-token&shouldReportToMonitoring=true&activityType=WebHook";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("ADF WebHook pipeline against the dev host + batch emulator", () => {
  const webHookPipeline = pipeline(WEB_HOOK);
  let stack: Stack;
  let kv: FakeKeyVault;
  let gate: AppGate;
  let listener: CallbackListener;

  beforeAll(async () => {
    // Only Data Factory's domain, as in Azure; the loopback listener is allowed by SCORING_ALLOW_LOOPBACK.
    stack = await startStack({ clock: "virtual", autoAdvance: true, env: { SCORING_CALLBACK_HOSTS: "*.datafactory.azure.com", SCORING_ALLOW_LOOPBACK: "true" } });
    kv = await startFakeKeyVault({ "scoring-function-key": FUNCTION_KEY });
    listener = await startCallbackListener();
  });
  afterAll(async () => {
    await listener?.close();
    await kv?.close();
    await stack?.stop();
  });
  beforeEach(() => {
    stack.emulator.reset();
    stack.emulator.setDefaultLifecycle(lifecycles.completesAfter(2));
    gate = appGate(stack.host.baseUrl, FUNCTION_KEY);
    listener.reset();
  });

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

  const deliveriesTo = (uri: string) => listener.received.filter((r) => `${listener.baseUrl}${r.path}` === uri);

  /**
   * Runs the pipeline; ADF's side of the WebHook is a callBackUri on the loopback listener (one per
   * activity attempt, as ADF makes one per call) and a wait for the first request to it. Virtual
   * time steps one durable timer every few ms of wall time until the callback comes.
   */
  async function run(runId = randomUUID(), parameters = params()): Promise<PipelineRun & { callBackUris: string[] }> {
    const engine = stack.host.engine;
    engine.autoAdvance = false;
    let ticking = true;
    const ticker = (async () => {
      while (ticking) {
        await sleep(5);
        const next = engine.nextTimerAt();
        if (next !== undefined) await engine.advanceTo(next);
      }
    })();
    const callBackUris: string[] = [];
    try {
      const r = await runPipeline(webHookPipeline, {
        runId,
        parameters,
        linkedServices,
        resolveSecret: () => {
          throw new Error("the WebHook pipeline uses no linked-service secret");
        },
        fetch: gate.fetch,
        retryDelayMs: 5,
        webHook: {
          callBackUri: (name, attempt) => {
            const uri = `${listener.baseUrl}/adf/${runId}/${encodeURIComponent(name)}/${attempt}/${randomUUID()}?${CALLBACK_QUERY}`;
            callBackUris.push(uri);
            return uri;
          },
          awaitCallback: async (uri) => {
            // Wall-clock bound for the test; the activity's own timeout is virtual time the app never nears here.
            for (const until = Date.now() + 20_000; Date.now() < until; await sleep(5)) {
              const first = deliveriesTo(uri)[0];
              if (first) return first.body;
            }
            return undefined;
          },
        },
      });
      return { ...r, callBackUris };
    } finally {
      ticking = false;
      await ticker;
      engine.autoAdvance = true;
    }
  }

  /** Lets any second delivery arrive before counting. */
  const settledDeliveries = async (uri: string): Promise<ReceivedNotice[]> => {
    await sleep(100);
    return deliveriesTo(uri);
  };

  it("the template: one WebHook activity after the key, reportStatusOnCallBack true, no retry policy", () => {
    const hook = activity(webHookPipeline, WEB_HOOK_ACTIVITY);
    expect(hook.type).toBe("WebHook");
    expect(hook.typeProperties.reportStatusOnCallBack).toBe(true);
    expect(hook.policy?.retry).toBeUndefined();
    expect(hook.policy?.retryIntervalInSeconds).toBeUndefined();
    expect(webHookPipeline.properties.activities.map((a) => a.name).sort()).toEqual([KEY_ACTIVITY, WEB_HOOK_ACTIVITY].sort());
  });

  it('a succeeding job: the POST carries the seed body + callBackUri, one callback with StatusCode "200", the activity\'s output is the run summary', async () => {
    stack.emulator.enqueueLifecycle(lifecycles.completesAfter(4));
    const runId = randomUUID();
    const parameters = params();
    const r = await run(runId, parameters);
    expect(r.status, JSON.stringify(r.activities, null, 2)).toBe("Succeeded");
    expect(r.callBackUris).toHaveLength(1);
    const callBackUri = r.callBackUris[0]!;

    const posts = r.http.filter((x) => x.activity === WEB_HOOK_ACTIVITY);
    expect(posts).toHaveLength(1);
    const post = posts[0]!;
    expect(post.method).toBe("POST");
    expect(post.url).toBe(`${stack.host.baseUrl}/api/scoring-runs?code=${encodeURIComponent(FUNCTION_KEY)}`);
    expect(post.status).toBe(202);
    expect(post.headers["Idempotency-Key"]).toBe(evaluateString("@concat(pipeline().RunId, ':', uriComponent(pipeline().parameters.endpoint_output_uri))", { pipeline: { RunId: runId }, parameters }));
    expect(JSON.parse(post.body!)).toEqual({
      endpoint_uri: parameters.endpoint_uri,
      api_version: "2022-10-01",
      poll_interval: "120",
      endpoint_input_uri: parameters.endpoint_input_uri,
      endpoint_input_type: "UriFolder",
      endpoint_output_uri: parameters.endpoint_output_uri,
      callBackUri,
    });
    // No polling: the pipeline's only call to the app is the start.
    expect(r.http.filter((x) => x.url.startsWith(stack.host.baseUrl))).toHaveLength(1);

    const deliveries = await settledDeliveries(callBackUri);
    expect(deliveries).toHaveLength(1);
    const delivery = deliveries[0]!;
    expect(delivery.method).toBe("POST");
    expect(delivery.headers["content-type"]).toBe("application/json");
    expect(delivery.rawBody).not.toContain(FUNCTION_KEY);
    expect(delivery.rawBody).not.toContain(encodeURIComponent(FUNCTION_KEY));
    const body = delivery.body as { Output: Record<string, any>; StatusCode: string; Error?: unknown };
    expect(body.StatusCode).toBe("200");
    expect(body).not.toHaveProperty("Error");
    expect(body.Output).toMatchObject({ id: (post.responseBody as { id: string }).id, status: "Succeeded", job: { status: "Completed" }, output: { uri: parameters.endpoint_output_uri }, error: null });

    const hook = r.activities[WEB_HOOK_ACTIVITY]!;
    expect(hook).toMatchObject({ status: "Succeeded", attempts: 1 });
    expect(hook.output).toEqual(body.Output);
    expect(stack.emulator.createdJobCount).toBe(1);
    expect(stack.emulator.requestsFor("invoke")).toHaveLength(1);
    // Secure input and output: the key (in the URL) never reaches ADF's monitoring.
    expect(JSON.stringify(r.monitoring)).not.toContain(encodeURIComponent(FUNCTION_KEY));
    expect(JSON.stringify(r.monitoring)).not.toMatch(/[?&]code=/);
  });

  it('a failing job: one callback with StatusCode "500" and Error.ErrorCode; by ADF\'s rule (StatusCode >= 400) the activity and the pipeline fail, once', async () => {
    stack.emulator.enqueueLifecycle(lifecycles.failsWith("boom", 1));
    const r = await run();
    expect(r.status).toBe("Failed");
    const callBackUri = r.callBackUris[0]!;
    const deliveries = await settledDeliveries(callBackUri);
    expect(deliveries).toHaveLength(1);
    const body = deliveries[0]!.body as { Output: Record<string, any>; StatusCode: string; Error: { ErrorCode: string; Message: string } };
    expect(body).toMatchObject({ StatusCode: "500", Error: { ErrorCode: "JobFailed", Message: expect.any(String) }, Output: { status: "Failed", error: { code: "JobFailed" } } });
    expect(Number(body.StatusCode)).toBeGreaterThanOrEqual(400);

    const hook = r.activities[WEB_HOOK_ACTIVITY]!;
    expect(hook.status).toBe("Failed");
    expect(hook.attempts).toBe(1);
    expect(hook.error).toMatchObject({ status: 500, errorCode: "JobFailed" });
    expect(hook.error?.message).toContain(body.Error.Message);
    expect(r.callBackUris).toHaveLength(1);
    expect(stack.emulator.createdJobCount).toBe(1);
  });

  it('a job canceled in Azure ML: StatusCode "500", ErrorCode JobCanceled, the activity fails', async () => {
    stack.emulator.enqueueLifecycle(lifecycles.canceledByService(1));
    const r = await run();
    expect(r.status).toBe("Failed");
    const deliveries = await settledDeliveries(r.callBackUris[0]!);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]!.body).toMatchObject({ StatusCode: "500", Error: { ErrorCode: "JobCanceled" }, Output: { status: "Canceled" } });
    expect(r.activities[WEB_HOOK_ACTIVITY]!.error).toMatchObject({ status: 500, errorCode: "JobCanceled" });
  });

  it("bad parameters: the POST answers 400, the activity fails at once without waiting, nothing starts, no callback", async () => {
    const r = await run(randomUUID(), params({ instance_count: "0" }));
    expect(r.status).toBe("Failed");
    expect(r.activities[WEB_HOOK_ACTIVITY]!.error).toMatchObject({ status: 400, body: { error: { code: "InvalidRequest", details: [{ field: "instance_count" }] } } });
    expect(stack.emulator.createdJobCount).toBe(0);
    expect(await settledDeliveries(r.callBackUris[0]!)).toEqual([]);
  });

  it("why no retry: the same RunId and output path with another callBackUri (a second WebHook call) is a 409, and no second job starts", async () => {
    const runId = randomUUID();
    const parameters = params();
    const first = await run(runId, parameters);
    expect(first.status).toBe("Succeeded");
    const again = await run(runId, parameters);
    expect(again.status).toBe("Failed");
    expect(again.activities[WEB_HOOK_ACTIVITY]!.error?.status).toBe(409);
    expect(stack.emulator.createdJobCount).toBe(1);
    expect(await settledDeliveries(again.callBackUris[0]!)).toEqual([]);
  });
});
