/**
 * Status and list responses leak no other caller's request secrets. By design a
 * start request carries none in its body (SAS refused, see secretsNeverLeak.test.ts); what a
 * caller does send that is secret travels in headers and the query (function key,
 * Authorization, cookies) or is theirs alone (Idempotency-Key). So: the run view's `request` is
 * exactly the normalised request (no headers, no keys), the run state holds none of those values,
 * and another caller's list and status views show none of them.
 */
import { runViewKeys } from "../../src/runs/runView";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateStartRequest } from "../../src/runs/request/validateStartRequest";
import { parseConfig } from "../../src/config";
import { type Stack, startStack } from "../e2e/stack";
import { findSecrets, rawRequest } from "./helpers";

/** Fields a normalised request may have (src/api/types.ts ScoringRunRequest). */
const REQUEST_FIELDS = [
  "endpointUri",
  "deployment",
  "apiVersion",
  "pollIntervalSeconds",
  "inputs",
  "outputs", // by name: type and datastore URI only
  "settings", // per-job settings: numbers, a file name, a logging level
  "displayName",
  "description",
  "experimentName",
  "timeoutSeconds",
  "queueTimeoutSeconds",
  "tags",
  "workspace", // added with reconciliation of lost invokes: the workspace's ARM id, not a secret
  "preflight", // the pre-flight mode: strict | warn | off
];
/** Exactly the run view's fields (runViewKeys, kept complete against RunView at compile time): no header, no key. */
const VIEW_FIELDS = runViewKeys;
// correlationId is the one header echoed, on purpose: the caller's x-correlation-id, never a key.

const CALLERS = {
  one: {
    key: "fk-CALLER1-SECRET-1111",
    queryKey: "fk-CALLER1-QUERY-SECRET-1q1q",
    idem: "idem-CALLER1-SECRET-aaaa",
    bearer: "bearer-CALLER1-SECRET-zz",
    cookie: "cookie-CALLER1-SECRET-yy",
  },
  two: { key: "fk-CALLER2-SECRET-2222", idem: "idem-CALLER2-SECRET-bbbb", principal: "principal-CALLER2-SECRET-xx" },
  three: { queryKey: "fk-CALLER3-QUERY-SECRET-3333" },
  reader: { key: "fk-READER-SECRET-4444" },
};

const needles = [
  ...[
    CALLERS.one.key,
    CALLERS.one.queryKey,
    CALLERS.one.idem,
    CALLERS.one.bearer,
    CALLERS.one.cookie,
    CALLERS.two.key,
    CALLERS.two.idem,
    CALLERS.two.principal,
    CALLERS.three.queryKey,
  ].map((v) => ({ name: v, pattern: v })),
  { name: "any caller secret marker", pattern: /CALLER\d-(QUERY-)?SECRET/ },
  { name: "Bearer credential", pattern: /\bbearer\s/i },
];

describe("status and list responses carry no other caller's request secrets", () => {
  let stack: Stack;
  const bodies: Record<string, Record<string, unknown>> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    stack = await startStack({ clock: "virtual" });
    const base = stack.host.baseUrl;

    bodies.one = stack.startBody({ tags: { team: "risk" }, deployment: "blue" });
    const one = await rawRequest(base, "POST", `/api/scoring-runs?code=${CALLERS.one.queryKey}`, {
      headers: {
        "x-functions-key": CALLERS.one.key,
        "Idempotency-Key": CALLERS.one.idem,
        Authorization: `Bearer ${CALLERS.one.bearer}`,
        Cookie: `session=${CALLERS.one.cookie}`,
      },
      body: JSON.stringify(bodies.one),
    });
    expect(one.status, one.text).toBe(202);
    ids.one = one.body.id;

    bodies.two = {
      endpoint_uri: stack.emulator.scoringUri,
      api_version: "2022-10-01",
      poll_interval: "60",
      endpoint_input_uri: "azureml://datastores/workspaceblobstore/paths/heart/input/",
      endpoint_input_type: "UriFolder",
      endpoint_output_uri: `azureml://datastores/workspaceblobstore/paths/heart/${Date.now()}/predictions.csv`,
    };
    const two = await rawRequest(base, "POST", "/api/scoring-runs", {
      headers: { "x-functions-key": CALLERS.two.key, "Idempotency-Key": CALLERS.two.idem, "x-ms-client-principal": CALLERS.two.principal },
      body: JSON.stringify(bodies.two),
    });
    expect(two.status, two.text).toBe(202);
    ids.two = two.body.id;

    bodies.three = stack.startBody({ instanceId: "caller-three-run" });
    const three = await rawRequest(base, "POST", `/api/scoring-runs?code=${CALLERS.three.queryKey}`, { body: JSON.stringify(bodies.three) });
    expect(three.status, three.text).toBe(202);
    ids.three = three.body.id;
    expect(ids.three).toBe("caller-three-run");

    await stack.host.engine.idle();
  }, 60_000);
  afterAll(async () => stack?.stop());

  it("an Idempotency-Key is never the run id itself (only a hash of it)", () => {
    expect(ids.one).toMatch(/^key-[0-9a-f]{32}$/);
    expect(ids.two).toMatch(/^key-[0-9a-f]{32}$/);
    expect(ids.one).not.toContain(CALLERS.one.idem);
  });

  it("each run view's request is exactly the normalised request: no headers, no keys", async () => {
    const config = parseConfig(process.env);
    for (const who of ["one", "two", "three"] as const) {
      const res = await rawRequest(stack.host.baseUrl, "GET", `/api/scoring-runs/${ids[who]}`, { headers: { "x-functions-key": CALLERS.reader.key } });
      expect(res.status).toBe(202);
      expect(Object.keys(res.body).sort()).toEqual([...VIEW_FIELDS].sort());
      const request = res.body.request as Record<string, unknown>;
      for (const field of Object.keys(request)) expect(REQUEST_FIELDS, `${who}: request.${field}`).toContain(field);
      const expected = validateStartRequest(bodies[who], config);
      if (!expected.ok) throw new Error(`${who}: ${JSON.stringify(expected.details)}`);
      expect(request, who).toEqual(JSON.parse(JSON.stringify(expected.request)));
      // Inputs and output: only their own URI/value fields.
      for (const input of Object.values(request.inputs as Record<string, Record<string, unknown>>)) {
        for (const k of Object.keys(input)) expect(["type", "uri", "value", "mode"]).toContain(k);
      }
      for (const output of Object.values(request.outputs as Record<string, object>)) for (const k of Object.keys(output)) expect(["type", "uri"]).toContain(k);
    }
  });

  it("another caller's list and status views, and the run state behind them, show none of the callers' secrets", async () => {
    const base = stack.host.baseUrl;
    const list = await rawRequest(base, "GET", "/api/scoring-runs", { headers: { "x-functions-key": CALLERS.reader.key } });
    expect(list.status).toBe(200);
    expect((list.body.value as Array<{ id: string }>).map((v) => v.id).sort()).toEqual([ids.one, ids.two, ids.three].sort());
    const page1 = await rawRequest(base, "GET", "/api/scoring-runs?top=1&status=Running", { headers: { "x-functions-key": CALLERS.reader.key } });
    expect(page1.body.continuationToken).toEqual(expect.any(String));
    const page2 = await rawRequest(base, "GET", `/api/scoring-runs?top=1&status=Running&continuationToken=${page1.body.continuationToken}`, {
      headers: { "x-functions-key": CALLERS.reader.key },
    });
    const views = await Promise.all(
      [ids.one, ids.two, ids.three].map((id) =>
        rawRequest(base, "GET", `/api/scoring-runs/${id}?failOnError=true`, { headers: { "x-functions-key": CALLERS.reader.key } }),
      ),
    );
    const cancel = await rawRequest(base, "POST", `/api/scoring-runs/${ids.two}/cancel`, { headers: { "x-functions-key": CALLERS.reader.key }, body: "{}" });
    expect(cancel.status).toBe(202);

    const captured = [
      { source: "list", text: `${JSON.stringify(list.headers)}\n${list.text}` },
      { source: "list page 1", text: `${JSON.stringify(page1.headers)}\n${page1.text}` },
      { source: "list page 2", text: `${JSON.stringify(page2.headers)}\n${page2.text}` },
      // The continuation token is opaque to callers: decode it too.
      { source: "continuation token, decoded", text: Buffer.from(String(page1.body.continuationToken), "base64url").toString("utf8") },
      ...views.map((v, i) => ({ source: `status view ${i}`, text: `${JSON.stringify(v.headers)}\n${v.text}` })),
      { source: "cancel of caller two's run by the reader", text: `${JSON.stringify(cancel.headers)}\n${cancel.text}` },
      { source: "run state (durable instance store)", text: JSON.stringify(stack.host.engine.all()) },
      { source: "Azure ML requests (emulator record)", text: JSON.stringify(stack.emulator.requests) },
      { source: "host log", text: stack.logs.join("\n") },
    ];
    const findings = findSecrets(captured, needles);
    expect(findings, JSON.stringify(findings, null, 2)).toEqual([]);
  });
});
