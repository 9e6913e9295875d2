import { app, type EventGridEvent, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Stack, startStack } from "./stack";

/** The Functions host's Event Grid webhook, /runtime/webhooks/eventgrid, served by the dev host. */
describe("dev host: Event Grid webhook", () => {
  let stack: Stack;
  const received: Array<{ event: unknown; context: InvocationContext }> = [];
  const batches: unknown[] = [];
  const failing: unknown[] = [];
  const clientHubs: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ clock: "virtual" });
    // Test-only functions, registered the way src/ registers (the host captures every registration).
    app.eventGrid("probeEventGrid", {
      handler: async (event: EventGridEvent, context: InvocationContext) => {
        received.push({ event, context });
      },
    });
    app.eventGrid("probeEventGridThrows", {
      handler: async (event: EventGridEvent) => {
        failing.push(event);
        if (event.subject === "bad") throw new Error("probe handler failed");
      },
    });
    app.generic("probeEventGridBatch", {
      trigger: { type: "eventGridTrigger", name: "events", cardinality: "many" },
      handler: async (events: unknown) => {
        batches.push(events);
      },
    });
    df.app.client.eventGrid("probeEventGridClient", {
      handler: async (_event, client) => {
        clientHubs.push(client.taskHubName);
      },
    });
  });
  afterAll(async () => stack?.stop());
  beforeEach(() => {
    received.length = 0;
    batches.length = 0;
    failing.length = 0;
    clientHubs.length = 0;
  });

  const webhook = (functionName: string) => `/runtime/webhooks/eventgrid?functionName=${encodeURIComponent(functionName)}`;
  const post = (functionName: string, eventType: string | undefined, body: string, contentType = "application/json") =>
    fetch(new URL(webhook(functionName), stack.host.baseUrl), {
      method: "POST",
      headers: { "content-type": contentType, ...(eventType ? { "aeg-event-type": eventType } : {}) },
      body,
    });

  const egEvent = (n: number) => ({
    id: `evt-${n}`,
    topic: "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.EventGrid/topics/scoring",
    subject: `scoring/runs/run-${n}`,
    eventType: "Contoso.Scoring.RunRequested",
    eventTime: `2024-05-01T10:00:0${n}.1234567Z`,
    data: { runId: `run-${n}`, nested: { values: [n, n + 1] } },
    dataVersion: "1.0",
    metadataVersion: "1",
  });
  const cloudEvent = (n: number) => ({
    specversion: "1.0",
    type: "Contoso.Scoring.RunRequested",
    source: "/contoso/scoring",
    id: `ce-${n}`,
    time: `2024-05-01T10:00:0${n}Z`,
    subject: `scoring/runs/run-${n}`,
    datacontenttype: "application/json",
    data: { runId: `run-${n}` },
    comexampleextension: "ext-value",
  });

  it("answers the subscription validation handshake with the validation code", async () => {
    const validation = [
      {
        id: "2d1781af-3a4c-4d7c-bd0c-e34b19da4e66",
        topic: "/subscriptions/00000000-0000-0000-0000-000000000000",
        subject: "",
        data: {
          validationCode: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6",
          validationUrl: "https://rp-eastus2.eventgrid.azure.net/eventsubscriptions/x/validate?id=1",
        },
        eventType: "Microsoft.EventGrid.SubscriptionValidationEvent",
        eventTime: "2024-05-01T10:00:00Z",
        metadataVersion: "1",
        dataVersion: "1",
      },
    ];
    const res = await post("probeEventGrid", "SubscriptionValidation", JSON.stringify(validation));
    expect(res.status).toBe(200);
    expect(JSON.parse(await res.text())).toEqual({ validationResponse: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6" });
    expect(received).toHaveLength(0);
    expect(stack.logs.some((l) => l.includes("perform handshake with eventGrid for function: probeEventGrid"))).toBe(true);
  });

  it("invokes the function once per event of an Event Grid schema array, in order, with the event as posted", async () => {
    const events = [egEvent(1), egEvent(2), egEvent(3)];
    const res = await post("probeEventGrid", "Notification", JSON.stringify(events));
    expect(res.status).toBe(202);
    expect(await res.text()).toBe("");
    expect(received.map((r) => r.event)).toEqual(events);
    // eventTime is passed through untouched (the host parses with DateParseHandling.None).
    expect((received[0].event as EventGridEvent).eventTime).toBe("2024-05-01T10:00:01.1234567Z");

    const ids = received.map((r) => r.context.invocationId);
    expect(new Set(ids).size).toBe(3);
    for (const { context } of received) {
      expect(context.functionName).toBe("probeEventGrid");
      expect(context.options.trigger).toMatchObject({ type: "eventGridTrigger" });
    }
    for (const id of ids) {
      expect(stack.logs.some((l) => l.includes(`Executing 'Functions.probeEventGrid' (Reason='EventGrid trigger fired at`) && l.includes(`Id=${id}`))).toBe(
        true,
      );
      expect(stack.logs.some((l) => l.includes(`Executed 'Functions.probeEventGrid' (Succeeded, Id=${id}`))).toBe(true);
    }
  });

  it("invokes the function with a single CloudEvent and once per CloudEvent of a batch", async () => {
    const single = await post("probeEventGrid", "Notification", JSON.stringify(cloudEvent(1)), "application/cloudevents+json; charset=utf-8");
    expect(single.status).toBe(202);
    expect(received.map((r) => r.event)).toEqual([cloudEvent(1)]);

    received.length = 0;
    const batch = [cloudEvent(2), cloudEvent(3)];
    const res = await post("probeEventGrid", "Notification", JSON.stringify(batch), "application/cloudevents-batch+json; charset=utf-8");
    expect(res.status).toBe(202);
    expect(received.map((r) => r.event)).toEqual(batch);
  });

  it("answers the CloudEvents abuse-protection handshake (OPTIONS)", async () => {
    const res = await fetch(new URL(webhook("probeEventGrid"), stack.host.baseUrl), {
      method: "OPTIONS",
      headers: { "WebHook-Request-Origin": "eventgrid.azure.net", "WebHook-Request-Rate": "120" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("webhook-allowed-origin")).toBe("eventgrid.azure.net");
    // Only Event Grid's own origins are echoed, as the extension does.
    const other = await fetch(new URL(webhook("probeEventGrid"), stack.host.baseUrl), {
      method: "OPTIONS",
      headers: { "WebHook-Request-Origin": "example.com" },
    });
    expect(other.headers.get("webhook-allowed-origin")).toBe("eventgrid.azure.net");
    expect(received).toHaveLength(0);
  });

  it("answers 404 for an unknown function and for a function that is not an Event Grid trigger", async () => {
    const unknown = await post("noSuchFunction", "Notification", JSON.stringify([egEvent(1)]));
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe("cannot find function: 'noSuchFunction'");

    // An HTTP-triggered function of the app itself.
    const httpFn = [...stack.host.functions.values()].find((f) => f.trigger.type === "httpTrigger");
    expect(httpFn).toBeDefined();
    const notEventGrid = await post(httpFn!.name, "Notification", JSON.stringify([egEvent(1)]));
    expect(notEventGrid.status).toBe(404);

    // Function names are matched exactly, as the extension's listener dictionary does.
    expect((await post("PROBEEVENTGRID", "Notification", JSON.stringify([egEvent(1)]))).status).toBe(404);
    const missing = await fetch(new URL("/runtime/webhooks/eventgrid", stack.host.baseUrl), {
      method: "POST",
      headers: { "aeg-event-type": "Notification" },
      body: "[]",
    });
    expect(missing.status).toBe(404);
    expect(received).toHaveLength(0);
  });

  it("answers 500 for a body that is not JSON (the real host's unhandled-error answer) and 400 without a known aeg-event-type", async () => {
    const malformed = await post("probeEventGrid", "Notification", '[{"id": "evt-1",');
    expect(malformed.status).toBe(500);
    expect((await post("probeEventGrid", "Notification", "42")).status).toBe(500);
    expect((await post("probeEventGrid", "SubscriptionValidation", "not json")).status).toBe(500);

    expect((await post("probeEventGrid", undefined, JSON.stringify([egEvent(1)]))).status).toBe(400);
    expect((await post("probeEventGrid", "SomethingElse", JSON.stringify([egEvent(1)]))).status).toBe(400);
    expect((await post("probeEventGrid", "Unsubscribe", "")).status).toBe(202);
    expect(received).toHaveLength(0);
  });

  it("answers 500 when an invocation throws, after running every event of the request", async () => {
    const events = [
      { ...egEvent(1), subject: "ok-1" },
      { ...egEvent(2), subject: "bad" },
      { ...egEvent(3), subject: "ok-3" },
    ];
    const res = await post("probeEventGridThrows", "Notification", JSON.stringify(events));
    expect(res.status).toBe(500);
    expect(await res.text()).toContain("probe handler failed");
    expect(failing).toEqual(events);
    expect(stack.logs.some((l) => l.startsWith("error: Executed 'Functions.probeEventGridThrows' (Failed") && l.includes("probe handler failed"))).toBe(true);

    // A request whose events all succeed is accepted again.
    const ok = await post("probeEventGridThrows", "Notification", JSON.stringify([events[0]]));
    expect(ok.status).toBe(202);
  });

  it("passes the whole array in one invocation to a cardinality-many trigger", async () => {
    const events = [egEvent(1), egEvent(2)];
    const res = await post("probeEventGridBatch", "Notification", JSON.stringify(events));
    expect(res.status).toBe(202);
    expect(batches).toEqual([events]);
  });

  it("gives a durable client input to an Event Grid function", async () => {
    const res = await post("probeEventGridClient", "Notification", JSON.stringify([egEvent(1)]));
    expect(res.status).toBe(202);
    expect(clientHubs).toEqual(["BatchScoringHub"]);
  });
});
