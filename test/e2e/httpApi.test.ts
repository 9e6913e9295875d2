import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { type Stack, startStack, useStack } from "./stack";

describe("HTTP API (dev host, virtual clock advancing when idle)", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ clock: "virtual", autoAdvance: true });
  });
  afterAll(async () => stack?.stop());
  beforeEach(() => {
    stack.emulator.reset();
    stack.emulator.setDefaultLifecycle(lifecycles.completesAfter(2));
  });

  const invalid: Array<[string, () => Record<string, unknown> | string, string]> = [
    ["missing endpoint", () => ({ inputs: stack.startBody().inputs }), "endpointUri"],
    ["body not JSON", () => "{not json", "body"],
    ["endpoint host not allowed", () => stack.startBody({ endpointUri: "https://scoring.example.com/jobs" }), "endpointUri"],
    ["poll interval out of range", () => stack.startBody({ pollIntervalSeconds: 0 }), "pollIntervalSeconds"],
    ["input URI scheme", () => stack.startBody({ inputs: { input_data: { type: "uri_folder", uri: "s3://bucket/data" } } }), "inputs.input_data.uri"],
    [
      "output typed uri_file names a folder",
      () => stack.startBody({ output: { type: "uri_file", uri: "azureml://datastores/workspaceblobstore/paths/out/" } }),
      "output.uri",
    ],
    ["unknown field", () => stack.startBody({ pollInterval: 10 }), "pollInterval"],
    [
      "seed form, bad poll_interval",
      () => ({
        endpoint_uri: stack.emulator.scoringUri,
        endpoint_input_uri: "azureml://datastores/ds/paths/in/",
        endpoint_output_uri: "azureml://datastores/ds/paths/out/p.csv",
        poll_interval: "soon",
      }),
      "poll_interval",
    ],
  ];
  for (const [name, body, field] of invalid) {
    it(`400 naming the field, and nothing starts: ${name}`, async () => {
      const before = stack.host.engine.all().length;
      const b = body();
      const res = await stack.api("/api/scoring-runs", {
        method: "POST",
        body: typeof b === "string" ? b : JSON.stringify(b),
        headers: { "content-type": "application/json" },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("InvalidRequest");
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(stack.host.engine.all().length).toBe(before);
      expect(stack.emulator.requestsFor("invoke")).toHaveLength(0);
    });
  }

  it("400 for a wait that is not plain digits, and for an endpoint carrying a query (a key would land in run state)", async () => {
    for (const wait of ["0x10", "1e2", "%205"]) {
      const res = await stack.api(`/api/scoring-runs?wait=${wait}`, { json: stack.startBody() });
      expect(res.status, wait).toBe(400);
    }
    const withKey = await stack.api("/api/scoring-runs", {
      json: stack.startBody({ endpointUri: "https://ep.westeurope.inference.ml.azure.com/jobs?code=SECRET" }),
    });
    expect(withKey.status).toBe(400);
    expect(withKey.body.error.details[0].field).toBe("endpointUri");
    expect(JSON.stringify(withKey.body)).not.toContain("SECRET");
  });

  it("400 for ?wait= beyond 220 s, and nothing starts", async () => {
    const before = stack.host.engine.all().length;
    const res = await stack.api("/api/scoring-runs?wait=221", { json: stack.startBody() });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].field).toBe("wait");
    expect(stack.host.engine.all().length).toBe(before);
  });

  it("404 for an unknown run on status and cancel", async () => {
    const get = await stack.api("/api/scoring-runs/no-such-run");
    expect(get.status).toBe(404);
    expect(get.body.error.code).toBe("RunNotFound");
    expect((await stack.api("/api/scoring-runs/no-such-run/cancel", { method: "POST" })).status).toBe(404);
  });

  it("?wait= answers 200 with the finished run when it ends in time", async () => {
    const res = await stack.api("/api/scoring-runs?wait=20", { json: stack.startBody() });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("Succeeded");
    expect(res.body.statusQueryGetUri).toContain(res.body.id);
  });

  it("?wait= answers 202 with Location when the run is still going", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Queued"));
    stack.host.engine.autoAdvance = false; // hold virtual time: the job stays queued
    const res = await stack.api("/api/scoring-runs?wait=1", { json: stack.startBody({ timeoutSeconds: 3600 }) }).finally(() => {
      stack.host.engine.autoAdvance = true;
    });
    expect(res.status).toBe(202);
    expect(res.headers.get("location")).toContain(`/api/scoring-runs/${res.body.id}?failOnError=true`);
    expect(["Pending", "Running"]).toContain(res.body.status);
  });

  it("?wait= with failOnError answers 500 for a run that failed in time", async () => {
    stack.emulator.configure({ failureText: "services" });
    stack.emulator.enqueueLifecycle(lifecycles.failsWith("boom", 1));
    const res = await stack.api("/api/scoring-runs?wait=20&failOnError=true", { json: stack.startBody() });
    expect(res.status).toBe(500);
    expect(res.body.error).toMatchObject({ code: "JobFailed", message: "boom" });
  });

  it("the same Idempotency-Key and body twice give the same run and one job, even after it ended", async () => {
    const headers = { "Idempotency-Key": "pipeline-run-42" };
    const body = stack.startBody();
    const first = await stack.api("/api/scoring-runs", { json: body, headers });
    const second = await stack.api("/api/scoring-runs", { json: body, headers });
    expect(second.body.id).toBe(first.body.id);
    await stack.host.engine.runUntil(() => stack.host.engine.get(first.body.id)?.runtimeStatus === "Completed");
    const third = await stack.api("/api/scoring-runs", { json: body, headers });
    expect(third.status).toBe(200);
    expect(third.body).toMatchObject({ id: first.body.id, status: "Succeeded" });
    expect(stack.emulator.createdJobCount).toBe(1);
  });

  it("without a key, the same request (same output file) sent twice is the same run and one job", async () => {
    const body = stack.startBody();
    const [a, b] = await Promise.all([stack.api("/api/scoring-runs", { json: body }), stack.api("/api/scoring-runs", { json: body })]);
    expect(a.body.id).toMatch(/^req-[0-9a-f]{32}$/);
    expect(b.body.id).toBe(a.body.id);
    await stack.host.engine.runUntil(() => stack.host.engine.get(a.body.id)?.runtimeStatus === "Completed");
    expect((await stack.api("/api/scoring-runs", { json: body })).body).toMatchObject({ id: a.body.id, status: "Succeeded" });
    expect(stack.emulator.createdJobCount).toBe(1);
  });

  it("without a key or an output file, each submit is a new run (nothing identifies a repeat)", async () => {
    const body = { ...stack.startBody(), output: null };
    const a = await stack.api("/api/scoring-runs", { json: body });
    const b = await stack.api("/api/scoring-runs", { json: body });
    expect(b.body.id).not.toBe(a.body.id);
  });

  it("a body over 64 KiB, or one sent as another content type, is a 400 naming it", async () => {
    const before = stack.host.engine.all().length;
    const huge = await stack.api("/api/scoring-runs", { json: stack.startBody({ tags: { note: "x".repeat(70_000) } }) });
    expect(huge.status).toBe(400);
    expect(huge.body.error.details[0]).toMatchObject({ field: "body", message: expect.stringContaining("the limit is 65536") });
    const form = await stack.api("/api/scoring-runs", {
      method: "POST",
      body: JSON.stringify(stack.startBody()),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(400);
    expect(form.body.error.details[0].field).toBe("Content-Type");
    expect(stack.host.engine.all().length).toBe(before);
  });

  it("a used Idempotency-Key with a different body is a 409 and starts nothing", async () => {
    const headers = { "Idempotency-Key": "pipeline-run-43" };
    await stack.api("/api/scoring-runs", { json: stack.startBody(), headers });
    const other = await stack.api("/api/scoring-runs", { json: stack.startBody({ pollIntervalSeconds: 30 }), headers });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe("IdempotencyConflict");
    await stack.host.engine.idle();
    expect(stack.emulator.createdJobCount).toBe(1);
  });

  it("the seed's snake_case body and the camelCase body are the same request", async () => {
    const seed = {
      endpoint_uri: stack.emulator.scoringUri,
      api_version: "2022-10-01",
      poll_interval: "120",
      endpoint_input_uri: "azureml://datastores/workspaceblobstore/paths/scoring/input/",
      endpoint_output_uri: "azureml://datastores/workspaceblobstore/paths/scoring/output/predictions.csv",
    };
    const headers = { "Idempotency-Key": "seed-and-camel" };
    const a = await stack.api("/api/scoring-runs", { json: seed, headers });
    const b = await stack.api("/api/scoring-runs", { json: stack.startBody({ output: { name: "score", uri: seed.endpoint_output_uri } }), headers });
    expect(a.status).toBe(202);
    expect(b.body.id).toBe(a.body.id);
    await stack.host.engine.idle();
    const invoke = stack.emulator.requestsFor("invoke");
    expect(invoke).toHaveLength(1);
    expect(JSON.stringify(invoke[0].body)).toContain("input_data");
  });

  it("an instanceId in the body is the run id, and reusing it with the same body is the same run", async () => {
    const body = stack.startBody({ instanceId: "nightly-2026-11-25" });
    const a = await stack.api("/api/scoring-runs", { json: body });
    const b = await stack.api("/api/scoring-runs", { json: body });
    expect(a.body.id).toBe("nightly-2026-11-25");
    expect(b.body.id).toBe("nightly-2026-11-25");
    await stack.host.engine.idle();
    expect(stack.emulator.createdJobCount).toBe(1);
  });

  it("Location carries a key given as ?code= (a poller may not resend headers), never one given as a header", async () => {
    const byQuery = await stack.api("/api/scoring-runs?code=query-key-1", { json: stack.startBody() });
    expect(byQuery.headers.get("location")).toBe(`${stack.host.baseUrl}/api/scoring-runs/${byQuery.body.id}?failOnError=true&code=query-key-1`);
    const byHeader = await stack.api("/api/scoring-runs", { json: stack.startBody(), headers: { "x-functions-key": "header-key-2" } });
    expect(byHeader.headers.get("location")).not.toContain("header-key-2");
    expect(JSON.stringify(byHeader.body)).not.toContain("header-key-2");
  });

  it("the start answer links the app's own routes, never the task hub's management webhooks", async () => {
    const res = await stack.api("/api/scoring-runs?code=caller-key", { json: stack.startBody() });
    const id = res.body.id as string;
    // No key in a body (bodies end up in pipeline outputs); only the Location a poller follows keeps the caller's ?code=.
    expect(res.body.statusQueryGetUri).toBe(`${stack.host.baseUrl}/api/scoring-runs/${id}`);
    expect(res.body.cancelPostUri).toBe(`${stack.host.baseUrl}/api/scoring-runs/${id}/cancel`);
    expect(res.headers.get("location")).toBe(`${stack.host.baseUrl}/api/scoring-runs/${id}?failOnError=true&code=caller-key`);
    for (const name of [
      "sendEventPostUri",
      "terminatePostUri",
      "purgeHistoryDeleteUri",
      "rewindPostUri",
      "restartPostUri",
      "suspendPostUri",
      "resumePostUri",
    ]) {
      expect(res.body).not.toHaveProperty(name);
    }
    expect(JSON.stringify(res.body)).not.toContain("/runtime/webhooks/durabletask");
    expect((await fetch(res.body.statusQueryGetUri)).status).toBe(202);
  });

  it("an Idempotency-Key and an instanceId together are a 400, as is an instanceId in the key- namespace", async () => {
    const before = stack.host.engine.all().length;
    const both = await stack.api("/api/scoring-runs", { json: stack.startBody({ instanceId: "nightly-x" }), headers: { "Idempotency-Key": "k-1" } });
    expect(both.status).toBe(400);
    expect(both.body.error.details.map((d: { field: string }) => d.field)).toEqual(["instanceId"]);
    const reserved = await stack.api("/api/scoring-runs", { json: stack.startBody({ instanceId: "key-0123456789abcdef0123456789abcdef" }) });
    expect(reserved.status).toBe(400);
    expect(reserved.body.error.details[0].message).toContain("Idempotency-Key");
    expect(stack.host.engine.all().length).toBe(before);
  });

  it("cancel takes only {reason}, answers 202 with Location and Retry-After", async () => {
    stack.host.engine.autoAdvance = false;
    try {
      stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Running"));
      const start = await stack.api("/api/scoring-runs", { json: stack.startBody() });
      const id = start.body.id as string;
      for (const [body, field] of [
        [["stop"], "body"],
        [{ reason: "x", force: true }, "force"],
        [{ reason: 5 }, "reason"],
      ] as const) {
        const bad = await stack.api(`/api/scoring-runs/${id}/cancel`, { json: body });
        expect(bad.status).toBe(400);
        expect(bad.body.error.details[0].field).toBe(field);
      }
      const ok = await stack.api(`/api/scoring-runs/${id}/cancel`, { json: { reason: "operator" } });
      expect(ok.status).toBe(202);
      expect(ok.headers.get("location")).toContain(`/api/scoring-runs/${id}?failOnError=true`);
      expect(ok.headers.get("retry-after")).toMatch(/^\d+$/);
    } finally {
      stack.host.engine.autoAdvance = true;
    }
  });

  it("lists runs newest first, filtered by status, in pages", async () => {
    stack.emulator.enqueueLifecycle(lifecycles.failsWith("nope", 1));
    const failed = await stack.api("/api/scoring-runs?wait=20", { json: stack.startBody() });
    expect(failed.body.status).toBe("Failed");
    const page1 = await stack.api("/api/scoring-runs?top=2");
    expect(page1.status).toBe(200);
    expect(page1.body.value).toHaveLength(2);
    expect(page1.body.value[0].id).toBe(failed.body.id);
    expect(page1.body.continuationToken).toEqual(expect.any(String));
    const page2 = await stack.api(`/api/scoring-runs?top=2&continuationToken=${page1.body.continuationToken}`);
    const seen = new Set([...page1.body.value, ...page2.body.value].map((v: { id: string }) => v.id));
    expect(seen.size).toBe(page1.body.value.length + page2.body.value.length);
    const onlyFailed = await stack.api("/api/scoring-runs?status=Failed");
    expect(onlyFailed.body.value.length).toBeGreaterThan(0);
    expect(onlyFailed.body.value.every((v: { status: string }) => v.status === "Failed")).toBe(true);
    const bad = await stack.api("/api/scoring-runs?status=Done&top=0");
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(["status", "top"]);
  });
});

describe("two starts racing on one Idempotency-Key (Azure Storage's check-then-act)", () => {
  const ctx = useStack();
  afterEach(() => {
    ctx.stack.host.durableRouteInterceptor = undefined;
    ctx.stack.host.engine.startConflicts = "checked";
  });

  it("the loser with another body gets the 409 it is owed, though its start answered success", async () => {
    const { stack } = ctx;
    stack.host.engine.startConflicts = "azureStorageRace";
    const headers = { "Idempotency-Key": "race-key-1" };
    const winner = await stack.api("/api/scoring-runs", { json: stack.startBody(), headers });
    expect(winner.status).toBe(202);
    const id = winner.body.id as string;
    // The loser read the instance before the winner's start was written: its first status read misses.
    let missed = false;
    stack.host.durableRouteInterceptor = (method, path) => {
      if (missed || method !== "GET" || path !== `instances/${id}`) return undefined;
      missed = true;
      return { status: 404, body: { message: "not found" } };
    };
    const loser = await stack.api("/api/scoring-runs", { json: stack.startBody({ pollIntervalSeconds: 300 }), headers });
    expect(missed).toBe(true);
    expect(loser.status).toBe(409);
    expect(loser.body.error.code).toBe("IdempotencyConflict");
    expect(stack.host.engine.get(id)!.input).toMatchObject({ request: { pollIntervalSeconds: 120 } });
    expect(stack.emulator.requestsFor("invoke").length).toBeLessThanOrEqual(1);
  });

  it("the same body racing itself is the same run, never a 409", async () => {
    const { stack } = ctx;
    stack.host.engine.startConflicts = "azureStorageRace";
    const headers = { "Idempotency-Key": "race-key-2" };
    const body = stack.startBody();
    const winner = await stack.api("/api/scoring-runs", { json: body, headers });
    const id = winner.body.id as string;
    let missed = false;
    stack.host.durableRouteInterceptor = (method, path) => {
      if (missed || method !== "GET" || path !== `instances/${id}`) return undefined;
      missed = true;
      return { status: 404, body: { message: "not found" } };
    };
    const again = await stack.api("/api/scoring-runs", { json: body, headers });
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(id);
  });
});
