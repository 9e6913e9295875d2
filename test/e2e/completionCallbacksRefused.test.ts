/**
 * A callBackUri or notify target the app will not post to is a 400 naming the field, and nothing
 * starts: no orchestration instance, no request to Azure ML, nothing sent anywhere. The secret
 * of a webhook is never accepted in the body: only the name of the setting that holds it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallbackListener, startCallbackListener } from "../../dev/notices/callbackListener";
import { type Stack, startStack } from "./stack";

describe("completion callbacks: refused targets start nothing", () => {
  let stack: Stack;
  let listener: CallbackListener;
  beforeAll(async () => {
    stack = await startStack({ env: { SCORING_WEBHOOK_SECRET_SET: "k" } });
    listener = await startCallbackListener();
  });
  afterAll(async () => {
    await listener?.close();
    await stack?.stop();
  });

  const cases: Array<{ name: string; body: (s: Stack) => Record<string, unknown>; field: string; message: RegExp }> = [
    {
      name: "a host outside SCORING_CALLBACK_HOSTS",
      body: (s) => s.startBody({ callBackUri: "https://collector.example.com/cb?token=abc" }),
      field: "callBackUri",
      message: /collector\.example\.com.*not allowed.*\*\.datafactory\.azure\.com.*SCORING_CALLBACK_HOSTS/,
    },
    {
      name: "http to an allowed host",
      body: (s) => s.startBody({ callBackUri: "http://eastus.svc.datafactory.azure.com/cb" }),
      field: "callBackUri",
      message: /https/,
    },
    { name: "not a URL", body: (s) => s.startBody({ callBackUri: "callback please" }), field: "callBackUri", message: /whitespace|URL/ },
    { name: "not a string", body: (s) => s.startBody({ callBackUri: 42 }), field: "callBackUri", message: /must be a URL string/ },
    {
      name: "user information",
      body: (s) => s.startBody({ callBackUri: "https://u:p@eastus.svc.datafactory.azure.com/cb" }),
      field: "callBackUri",
      message: /user information/,
    },
    {
      name: "the seed form's callBackUri, refused host",
      body: (s) => ({
        endpoint_uri: s.emulator.scoringUri,
        endpoint_input_uri: "azureml://datastores/workspaceblobstore/paths/scoring/input/",
        callBackUri: "https://collector.example.com/cb",
      }),
      field: "callBackUri",
      message: /not allowed/,
    },
    {
      name: "a webhook on a refused host",
      body: (s) => s.startBody({ notify: { webhook: { url: "https://hooks.example.com/x", secretSetting: "SCORING_WEBHOOK_SECRET_SET" } } }),
      field: "notify.webhook.url",
      message: /not allowed/,
    },
    {
      name: "a webhook naming any other setting as its key",
      body: (s) => s.startBody({ notify: { webhook: { url: "https://eastus.svc.datafactory.azure.com/x", secretSetting: "AzureWebJobsStorage" } } }),
      field: "notify.webhook.secretSetting",
      message: /SCORING_WEBHOOK_SECRET_/,
    },
    {
      name: "a webhook naming an unset secret setting",
      body: (s) => s.startBody({ notify: { webhook: { url: "https://eastus.svc.datafactory.azure.com/x", secretSetting: "SCORING_WEBHOOK_SECRET_MISSING" } } }),
      field: "notify.webhook.secretSetting",
      message: /not set/,
    },
    {
      name: "a webhook secret given in the body",
      body: (s) =>
        s.startBody({ notify: { webhook: { url: "https://eastus.svc.datafactory.azure.com/x", secretSetting: "SCORING_WEBHOOK_SECRET_SET", secret: "k" } } }),
      field: "notify.webhook.secret",
      message: /./,
    },
    {
      name: "an Event Grid topic that is not *.eventgrid.azure.net",
      body: (s) => s.startBody({ notify: { eventGridTopic: "https://topic.westus2-1.example.com/api/events" } }),
      field: "notify.eventGridTopic",
      message: /eventgrid\.azure\.net/,
    },
    {
      name: "an Event Grid topic with a query",
      body: (s) => s.startBody({ notify: { eventGridTopic: "https://t.westus2-1.eventgrid.azure.net/api/events?x=1" } }),
      field: "notify.eventGridTopic",
      message: /query/,
    },
    { name: "notify not an object", body: (s) => s.startBody({ notify: "yes" }), field: "notify", message: /object/ },
  ];

  for (const c of cases) {
    it(`${c.name}: 400 naming ${c.field}`, async () => {
      const res = await stack.api("/api/scoring-runs", { json: c.body(stack) });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe("InvalidRequest");
      const details = res.body.error.details as Array<{ field: string; message: string }>;
      // The only problem is the notice target: the rest of the body would start a run.
      expect(details.map((d) => d.field)).toEqual([c.field]);
      const detail = details[0];
      expect(detail!.message).toMatch(c.message);
      // A refusal never echoes a URL's query (where a capability would travel).
      expect(JSON.stringify(res.body)).not.toContain("token=abc");
    });
  }

  it("nothing started for any of them: no instance, no Azure ML request, nothing posted", () => {
    expect(stack.host.engine.all()).toEqual([]);
    expect(stack.emulator.requestsFor("invoke")).toEqual([]);
    expect(stack.emulator.createdJobCount).toBe(0);
    expect(listener.received).toEqual([]);
  });
});
