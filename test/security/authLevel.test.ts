/**
 * Every HTTP route of the API needs a function key (authLevel "function"). The only anonymous
 * routes are the runs console's page and assets (docs/console.md), deliberately: a page loaded by
 * navigation cannot send a key header, and a key in `?code=` would sit in the URL. They are static
 * files holding no data; the page reads runs through the API with the operator's key. Read from the
 * registrations the app made through @azure/functions, as the Functions host reads them (the dev
 * host accepts and ignores keys, so this is checked on the metadata).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Stack, startStack } from "../e2e/stack";

describe("every API route needs a function key (auth level function); only the console's static files are anonymous", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ clock: "virtual" });
  }, 60_000);
  afterAll(async () => stack?.stop());

  it("every httpTrigger is authLevel 'function'", () => {
    const http = [...stack.host.functions.values()].filter((fn) => fn.trigger.type === "httpTrigger");
    // Not vacuous: every route is registered (runs: start, events, list, status, cancel, rerun; batches: start, status, cancel; the console: page, assets).
    expect(http.map((fn) => `${(fn.trigger.methods ?? []).join(",")} ${fn.trigger.route}`).sort()).toEqual([
      "GET console",
      "GET console/{file}",
      "GET scoring-batches/{id}",
      "GET scoring-runs",
      "GET scoring-runs/{id}",
      "POST scoring-batches",
      "POST scoring-batches/{id}/cancel",
      "POST scoring-runs",
      "POST scoring-runs/{id}/cancel",
      "POST scoring-runs/{id}/rerun",
      "POST,OPTIONS scoring-runs/events",
    ]);
    const anonymous = new Set(["GET console", "GET console/{file}"]);
    for (const fn of http) {
      const route = `${(fn.trigger.methods ?? []).join(",")} ${fn.trigger.route}`;
      expect(fn.trigger.authLevel, `${fn.name} authLevel`).toBe(anonymous.has(route) ? "anonymous" : "function");
    }
  });

  it("no other trigger type is served over plain HTTP without a key", () => {
    // Everything that is not an HTTP trigger is an orchestration, activity, Event Grid or timer
    // trigger, or the endpoint slots entity: none of those is reachable as an anonymous HTTP route (Event Grid uses the system
    // key; a timer function is run by hand only through the host's admin API, which takes the
    // master key: "Manually run a non HTTP-triggered function" in the Functions docs).
    const kinds = new Set([...stack.host.functions.values()].map((fn) => fn.trigger.type));
    for (const kind of kinds)
      expect(["httpTrigger", "orchestrationTrigger", "activityTrigger", "entityTrigger", "eventGridTrigger", "timerTrigger"]).toContain(kind);
    // The timers: the retention purge, and the sweep of batched blob events.
    expect([...stack.host.functions.values()].filter((fn) => fn.trigger.type === "timerTrigger").map((fn) => fn.name)).toEqual([
      "purgeOldRuns",
      "sweepBlobWindows",
    ]);
  });
});
