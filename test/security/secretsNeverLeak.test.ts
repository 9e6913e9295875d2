/**
 * Tokens, SAS tokens, function keys and Authorization headers never appear in logs,
 * custom status, outputs or errors.
 *
 * How a real bearer token is put into play (no network, no test seam in src/):
 * - AZURE_CLIENT_ID is set, so the app's lazy credential is a real @azure/identity
 *   ManagedIdentityCredential; IDENTITY_ENDPOINT/IDENTITY_HEADER point it (App Service source) at a
 *   loopback fake that hands out `tok-SECRET-123-ml` for https://ml.azure.com and
 *   `tok-SECRET-123-arm` for https://management.azure.com.
 * - The endpoint is `https://secure-ep.westeurope.inference.ml.azure.com:<port>/endpoints/…/jobs`
 *   (matches the production default allowlist) and AML_ARM_ENDPOINT is
 *   `https://management.secure-cloud.test:<port>/arm`, with SCORING_ALLOW_LOOPBACK=false: neither is
 *   loopback to the app, so both pipelines run bearerTokenAuthenticationPolicy. Those two names
 *   resolve to 127.0.0.1 in this process only (helpers.resolveToLoopback), where a TLS front with a
 *   throwaway self-signed certificate records every request (Authorization included) and forwards
 *   it to the batch emulator's http port. NODE_TLS_REJECT_UNAUTHORIZED=0 for this file's process
 *   (restored after), since the certificate is self-signed.
 * The test first proves the tokens were acquired and sent (the front saw `Authorization: Bearer
 * tok-SECRET-123-…` on invoke, Jobs Get and Jobs Cancel), then scans everything it captured.
 */
import { createRequire } from "node:module";
import { format } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { devSystemKey } from "../../dev/host/durableRoutes";
import { appEntry, type Stack, startStack } from "../e2e/stack";
import {
  type Captured,
  type FakeManagedIdentity,
  findSecrets,
  OTHER_IDENTITY_SOURCES,
  rawRequest,
  resolveToLoopback,
  selfSignedCert,
  setEnv,
  startFakeManagedIdentity,
  startTlsFront,
  type TlsFront,
} from "./helpers";

const INVOKE_HOST = "secure-ep.westeurope.inference.ml.azure.com";
const ARM_HOST = "management.secure-cloud.test";
const CLIENT_ID = "0c0ffee0-1111-2222-3333-444455556666";

// The secrets.
const TOKEN_ML = "tok-SECRET-123-ml";
const TOKEN_ARM = "tok-SECRET-123-arm";
const IDENTITY_HEADER = "idh-SECRET-789";
const FK_HEADER = "fk-HEADER-SECRET-a1b2c3"; // function key sent as x-functions-key
const FK_QUERY = "fk-QUERY-SECRET-d4e5f6"; // function key sent as ?code=
const FK_OTHER = "fk-OTHER-CALLER-SECRET-0708"; // another caller's key (header)
const IDEM_MAIN = "idem-MAIN-SECRET-2026-11-25";
const IDEM_OTHER = "idem-OTHER-CALLER-SECRET-99";
const SAS_SIG = "SAS-SIG-SECRET-q1w2e3"; // in inputs the API must refuse
const UPSTREAM_SIG = "UPSTREAM-SIG-SECRET-r4t5"; // in an error message Azure ML sends back

const needles = [
  { name: "ML token", pattern: TOKEN_ML },
  { name: "ARM token", pattern: TOKEN_ARM },
  { name: "any token (tok-SECRET)", pattern: "tok-SECRET" },
  { name: "IDENTITY_HEADER", pattern: IDENTITY_HEADER },
  { name: "function key (header)", pattern: FK_HEADER },
  { name: "function key (?code=)", pattern: FK_QUERY },
  { name: "other caller's function key", pattern: FK_OTHER },
  { name: "Idempotency-Key (main)", pattern: IDEM_MAIN },
  { name: "Idempotency-Key (other caller)", pattern: IDEM_OTHER },
  { name: "SAS signature (request)", pattern: SAS_SIG },
  { name: "SAS signature (upstream error)", pattern: UPSTREAM_SIG },
  // A SAS query parameter. (The API's own refusal text says "(sig=...)", which is not a query.)
  { name: "SAS query (?sig= / &sig=)", pattern: /[?&]sig=/i },
  { name: "Bearer credential", pattern: /\bbearer\s/i },
  // The task hub's system key grants every Durable API for every instance; its URLs are never handed out.
  { name: "Durable system key", pattern: devSystemKey },
  { name: "Durable management webhook URL", pattern: "/runtime/webhooks/durabletask" },
];

interface Exchange {
  label: string;
  method: string;
  path: string;
  status: number;
  headers: Record<string, string>;
  text: string;
  body: any;
}

describe("no token, SAS, function key or Authorization value leaks into logs, status, outputs or errors (full run, real bearer token)", () => {
  let stack: Stack;
  let front: TlsFront;
  let identity: FakeManagedIdentity;
  const undo: Array<() => void | Promise<void>> = [];
  const exchanges: Exchange[] = [];
  const sdkLog: string[] = [];
  let endpointUri: string;

  async function call(label: string, method: string, path: string, options: { headers?: Record<string, string>; json?: unknown } = {}): Promise<Exchange> {
    const res = await rawRequest(stack.host.baseUrl, method, path, {
      headers: options.headers,
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
    });
    const exchange = { label, method, path, status: res.status, headers: res.headers, text: res.text, body: res.body };
    exchanges.push(exchange);
    return exchange;
  }

  function runBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      endpointUri,
      inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/scoring/input/" } },
      output: { name: "score", uri: `azureml://datastores/workspaceblobstore/paths/scoring/output/${Math.random().toString(36).slice(2)}.csv` },
      pollIntervalSeconds: 60,
      ...overrides,
    };
  }

  beforeAll(async () => {
    const tls = selfSignedCert([INVOKE_HOST, ARM_HOST]);
    undo.push(resolveToLoopback([INVOKE_HOST, ARM_HOST]));
    identity = await startFakeManagedIdentity((resource) => (new URL(resource).host === "ml.azure.com" ? TOKEN_ML : TOKEN_ARM));
    undo.push(() => identity.close());
    front = await startTlsFront(tls);
    undo.push(() => front.close());
    endpointUri = `https://${INVOKE_HOST}:${front.port}/endpoints/ep-scoring/jobs`;

    // Azure SDK logging (core-rest-pipeline, identity, MSAL) at its most verbose, captured too: the
    // app's own CommonJS instance of @azure/logger, resolved from the built app.
    const azureLogger = createRequire(appEntry)("@azure/logger") as typeof import("@azure/logger");
    const previousLog = azureLogger.AzureLogger.log;
    const previousLevel = azureLogger.getLogLevel();
    azureLogger.AzureLogger.log = (...args: unknown[]) => void sdkLog.push(format(...args));
    azureLogger.setLogLevel("verbose");
    undo.push(() => {
      azureLogger.AzureLogger.log = previousLog;
      azureLogger.setLogLevel(previousLevel);
    });

    const settings = {
      AML_ARM_ENDPOINT: `https://${ARM_HOST}:${front.port}/arm`,
      // A host outside the known clouds: its audiences are named, as an operator of another cloud would.
      AML_ARM_AUDIENCE: "https://management.azure.com",
      AML_DATA_PLANE_AUDIENCE: "https://ml.azure.com",
      SCORING_ALLOW_LOOPBACK: "false",
      SCORING_ALLOWED_HOSTS: "*.inference.ml.azure.com",
      AZURE_CLIENT_ID: CLIENT_ID,
    };
    undo.push(
      setEnv({
        ...OTHER_IDENTITY_SOURCES,
        ...settings,
        IDENTITY_ENDPOINT: identity.endpoint,
        IDENTITY_HEADER,
        NODE_TLS_REJECT_UNAUTHORIZED: "0",
      }),
    );
    stack = await startStack({ clock: "virtual", env: settings });
    // An upstream failure text carrying a secret must be sanitized wherever it shows: let the job resource carry one.
    stack.emulator.configure({ failureText: "services" });
    undo.push(() => stack.stop());
    front.targetPort = stack.emulator.port;
  }, 60_000);

  afterAll(async () => {
    for (const u of undo.reverse()) await u();
  });

  it("a full run acquires and sends real bearer tokens, and no secret shows up anywhere captured", async () => {
    const { host, emulator } = stack;
    const base = host.baseUrl;
    const terminal = (id: string) => ["Completed", "Failed", "Terminated"].includes(host.engine.get(id)?.runtimeStatus ?? "");

    // --- A: the main run, key both as header and as ?code=, with an Idempotency-Key.
    emulator.enqueueLifecycle(lifecycles.completesAfter(2));
    const bodyA = runBody({ tags: { team: "risk" } });
    const startA = await call("start A", "POST", `/api/scoring-runs?code=${FK_QUERY}`, {
      headers: { "x-functions-key": FK_HEADER, "Idempotency-Key": IDEM_MAIN },
      json: bodyA,
    });
    expect(startA.status, startA.text).toBe(202);
    const idA = startA.body.id as string;
    await host.engine.idle();
    const retryA = await call("start A again (header key only)", "POST", "/api/scoring-runs", {
      headers: { "x-functions-key": FK_HEADER, "Idempotency-Key": IDEM_MAIN },
      json: bodyA,
    });
    expect([200, 202]).toContain(retryA.status);
    expect(retryA.body.id).toBe(idA);

    // --- B: another caller's run, which will be canceled.
    emulator.enqueueLifecycle(lifecycles.stuckIn("Running"));
    const startB = await call("start B (other caller)", "POST", "/api/scoring-runs", {
      headers: { "x-functions-key": FK_OTHER, "Idempotency-Key": IDEM_OTHER },
      json: runBody(),
    });
    expect(startB.status, startB.text).toBe(202);
    const idB = startB.body.id as string;
    await host.engine.idle();

    // --- C: a job Azure ML fails, with an error message quoting a SAS URL.
    emulator.enqueueLifecycle(
      lifecycles.failsWith(
        `Cannot read input https://acct.blob.core.windows.net/in/data.csv?sv=2022-11-02&sr=b&sig=${UPSTREAM_SIG}: AuthorizationPermissionMismatch`,
        1,
      ),
    );
    const startC = await call("start C (job fails)", "POST", `/api/scoring-runs?code=${FK_QUERY}`, { json: runBody() });
    expect(startC.status, startC.text).toBe(202);
    const idC = startC.body.id as string;
    await host.engine.idle();

    // --- D: the invoke is refused by a front end that echoes the credential it was shown.
    emulator.injectFault({
      match: { route: "invoke" },
      times: 1,
      kind: { status: 403, code: "AuthorizationFailed", message: `Authorization: Bearer ${TOKEN_ML} has no access to endpoint ep-scoring` },
    });
    const startD = await call("start D (invoke refused)", "POST", "/api/scoring-runs", { headers: { "x-functions-key": FK_HEADER }, json: runBody() });
    expect(startD.status, startD.text).toBe(202);
    const idD = startD.body.id as string;
    await host.engine.idle();

    // --- Refused inputs carrying a SAS token (never echoed back).
    const sasUrl = `https://acct.blob.core.windows.net/in/data.csv?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&sig=${SAS_SIG}%3D`;
    const sas1 = await call("start with SAS input (camelCase)", "POST", `/api/scoring-runs?code=${FK_QUERY}`, {
      headers: { "x-functions-key": FK_HEADER },
      json: runBody({ inputs: { input_data: { type: "uri_file", uri: sasUrl } } }),
    });
    const sas2 = await call("start with SAS input (seed form)", "POST", "/api/scoring-runs", {
      headers: { "x-functions-key": FK_HEADER },
      json: {
        endpoint_uri: endpointUri,
        endpoint_input_uri: sasUrl,
        endpoint_input_type: "UriFile",
        endpoint_output_uri: "azureml://datastores/workspaceblobstore/paths/o/p.csv",
      },
    });
    const sas3 = await call("start with SAS output", "POST", "/api/scoring-runs", {
      headers: { "x-functions-key": FK_HEADER },
      json: runBody({ output: { uri: `azureml://datastores/workspaceblobstore/paths/o/p.csv?sig=${SAS_SIG}` } }),
    });
    for (const r of [sas1, sas2, sas3]) expect(r.status, r.text).toBe(400);
    const sasRuns = host.engine.all().filter((r) => JSON.stringify(r.input).includes(SAS_SIG));
    expect(sasRuns).toEqual([]);

    // --- Status polls while running, list, cancel of B.
    const pollA1 = await call("status A (running, ?code=)", "GET", `/api/scoring-runs/${idA}?code=${FK_QUERY}`);
    expect(pollA1.status).toBe(202);
    await host.engine.advanceTo(host.clock.now() + 60_000);
    await call("status A (header key)", "GET", `/api/scoring-runs/${idA}`, { headers: { "x-functions-key": FK_HEADER } });
    await call("list (running)", "GET", `/api/scoring-runs?code=${FK_QUERY}`);
    const cancelB = await call("cancel B", "POST", `/api/scoring-runs/${idB}/cancel?code=${FK_QUERY}`, {
      headers: { "x-functions-key": FK_HEADER },
      json: { reason: "wrong input" },
    });
    expect(cancelB.status, cancelB.text).toBe(202);

    await host.engine.runUntil(() => [idA, idB, idC, idD].every(terminal));
    expect([idA, idB, idC, idD].map((id) => host.engine.get(id)?.runtimeStatus)).toEqual(["Completed", "Failed", "Failed", "Failed"]);

    // --- Views after the end, failure views included.
    const doneA = await call("status A (done)", "GET", `/api/scoring-runs/${idA}?code=${FK_QUERY}`);
    expect(doneA.body.status).toBe("Succeeded");
    const viewB = await call("status B (canceled)", "GET", `/api/scoring-runs/${idB}`, { headers: { "x-functions-key": FK_OTHER } });
    expect(viewB.body.status).toBe("Canceled");
    const failC = await call("status C failOnError", "GET", `/api/scoring-runs/${idC}?failOnError=true&code=${FK_QUERY}`);
    expect(failC.status).toBe(500);
    expect(failC.body.error.code).toBe("JobFailed");
    expect(failC.body.error.message).toContain("Cannot read input https://acct.blob.core.windows.net/in/data.csv");
    const failD = await call("status D failOnError", "GET", `/api/scoring-runs/${idD}?failOnError=true`, { headers: { "x-functions-key": FK_HEADER } });
    expect(failD.status).toBe(500);
    expect(failD.body.error.code).toBe("InvokeRejected");
    await call("status unknown id", "GET", `/api/scoring-runs/no-such-run?code=${FK_QUERY}`);
    const ended = await call("cancel ended A", "POST", `/api/scoring-runs/${idA}/cancel`, { headers: { "x-functions-key": FK_HEADER } });
    expect(ended.status).toBe(409);
    await call("list (all)", "GET", "/api/scoring-runs", { headers: { "x-functions-key": FK_HEADER } });
    await call("list (Failed, ?code=)", "GET", `/api/scoring-runs?status=Failed&code=${FK_QUERY}`);

    // --- Durable status of every run: custom status, input, output and full history.
    const durable: Captured[] = [];
    for (const id of [idA, idB, idC, idD]) {
      const res = await rawRequest(base, "GET", `/runtime/webhooks/durabletask/instances/${id}?showHistory=true&showHistoryOutput=true&showInput=true`);
      expect(res.status).not.toBe(404);
      expect(Array.isArray(res.body.history) && res.body.history.length > 0).toBe(true);
      expect(res.body.customStatus).not.toBeNull();
      durable.push({ source: `durable status ${id}`, text: res.text });
    }

    // ============ The token was real: acquired from the identity endpoint and sent over TLS.
    expect(identity.requests.some((r) => r.resource === "https://ml.azure.com")).toBe(true);
    expect(identity.requests.some((r) => r.resource === "https://management.azure.com")).toBe(true);
    for (const r of identity.requests) {
      expect(r.clientId).toBe(CLIENT_ID);
      expect(r.identityHeader).toBe(IDENTITY_HEADER);
    }
    const invokes = front.received.filter((r) => r.method === "POST" && r.url.startsWith("/endpoints/"));
    const armGets = front.received.filter((r) => r.method === "GET" && r.url.startsWith("/arm/"));
    const armCancels = front.received.filter((r) => r.method === "POST" && /^\/arm\/.*\/cancel\?/.test(r.url));
    expect(invokes).toHaveLength(4);
    expect(armGets.length).toBeGreaterThanOrEqual(3);
    expect(armCancels.length).toBeGreaterThanOrEqual(1);
    for (const r of invokes) {
      expect(r.host).toBe(`${INVOKE_HOST}:${front.port}`);
      expect(r.authorization).toBe(`Bearer ${TOKEN_ML}`);
    }
    for (const r of [...armGets, ...armCancels]) {
      expect(r.host).toBe(`${ARM_HOST}:${front.port}`);
      expect(r.authorization).toBe(`Bearer ${TOKEN_ARM}`);
    }
    expect(emulator.requests.every((r) => r.hasAuthorization)).toBe(true);

    // ============ Collect everything and scan it.
    const captured: Captured[] = [
      { source: "host log (stack.logs)", text: stack.logs.join("\n") },
      { source: "Azure SDK log (verbose)", text: sdkLog.join("\n") },
      ...durable,
      { source: "durable instance store (engine records)", text: JSON.stringify(host.engine.all()) },
      ...emulator.requests.map((r, i) => ({ source: `emulator request ${i} ${r.method} ${r.path}`, text: JSON.stringify(r) })),
    ];
    expect(stack.logs.length).toBeGreaterThan(10);
    // The SDK log channel is live: it saw the token being fetched and the pipeline's requests.
    expect(sdkLog.some((l) => l.includes("ManagedIdentityCredential => getToken() => SUCCESS"))).toBe(true);
    expect(sdkLog.some((l) => l.includes("azure:core-rest-pipeline"))).toBe(true);

    // The one allowed echo: a caller that authenticated with ?code=<key> gets Location back with
    // that same key (README "HTTP API"; src/http/runResponses.ts runLocation): it already holds it
    // and a poller following Location may not resend headers. That header is checked exactly here
    // and then left out of the scan; every other header, and every body, is scanned.
    for (const x of exchanges) {
      const headers = { ...x.headers };
      if (headers.location !== undefined && x.path.includes(`code=${FK_QUERY}`)) {
        const id = (x.body?.id ?? "") as string;
        expect(headers.location, x.label).toBe(`${base}/api/scoring-runs/${encodeURIComponent(id)}?failOnError=true&code=${FK_QUERY}`);
        headers.location = "<the caller's own ?code= key, echoed to it: allowed>";
      }
      captured.push({
        source: `response to ${x.label}: ${x.method} ${x.path.replace(FK_QUERY, "<key>")} → ${x.status}`,
        text: `${JSON.stringify(headers)}\n${x.text}`,
      });
    }
    expect(exchanges.filter((x) => x.headers.location !== undefined && !x.path.includes("code=")).length).toBeGreaterThan(0);

    const findings = findSecrets(captured, needles);
    expect(findings, JSON.stringify(findings, null, 2)).toEqual([]);
  }, 60_000);

  it("the scanner finds each secret it looks for (so an empty result means something)", () => {
    const planted = [
      `Authorization: Bearer ${TOKEN_ML}`,
      TOKEN_ARM,
      IDENTITY_HEADER,
      FK_HEADER,
      FK_QUERY,
      FK_OTHER,
      IDEM_MAIN,
      IDEM_OTHER,
      `https://a.blob.core.windows.net/c/x?sv=1&sig=${SAS_SIG}`,
      UPSTREAM_SIG,
      `https://app/runtime/webhooks/durabletask/instances/x?taskHub=h&connection=Storage&code=${devSystemKey}`,
    ].join(" | ");
    const found = new Set(findSecrets([{ source: "planted", text: planted }], needles).map((f) => f.secret));
    expect([...found].sort()).toEqual(needles.map((n) => n.name).sort());
    expect(findSecrets([{ source: "refusal text", text: "must not carry a SAS token (sig=...): run state" }], needles)).toEqual([]);
  });

  // Regression guard. Until commit 91a20a5 the endpoint URI's query was not checked
  // (src/batch/endpointHosts.ts checkEndpointUri accepts any query), so `…/jobs?sig=<secret>` was
  // accepted with 202, stored in the run's durable input and shown in `request.endpointUri` of every
  // run view and list page, to every caller. src/api/validateStart.ts now refuses a query or fragment.
  it("an endpoint URI carrying a secret query is refused, and the secret is never stored or echoed", async () => {
    const secret = "EP-SIG-SECRET-z9y8";
    const res = await call("start with endpointUri ?sig=", "POST", "/api/scoring-runs", {
      headers: { "x-functions-key": FK_HEADER },
      json: runBody({ endpointUri: `${endpointUri}?sv=2022-11-02&sig=${secret}` }),
    });
    await stack.host.engine.idle();
    const list = await call("list after endpointUri ?sig=", "GET", "/api/scoring-runs", { headers: { "x-functions-key": FK_OTHER } });
    const findings = findSecrets(
      [
        { source: "start response", text: res.text },
        { source: "list response (another caller)", text: list.text },
        { source: "durable instance store", text: JSON.stringify(stack.host.engine.all()) },
        { source: "host log", text: stack.logs.join("\n") },
      ],
      [{ name: "endpoint URI SAS signature", pattern: secret }],
    );
    expect(findings, JSON.stringify(findings, null, 2)).toEqual([]);
    expect(res.status).toBe(400);
  });

  // Regression guard. Until commit 91a20a5 src/batch/azuremlUris.ts detected a SAS by the literal text
  // /[?&]sig=/i, so a percent-encoded parameter name (`%73ig=` reads as `sig`) passed and the
  // signature was stored in run state and echoed in views.
  it("an input SAS whose 'sig' name is percent-encoded is refused too, and never stored or echoed", async () => {
    const secret = "ENC-SIG-SECRET-x7w6";
    const res = await call("start with %73ig= input", "POST", "/api/scoring-runs", {
      headers: { "x-functions-key": FK_HEADER },
      json: runBody({ inputs: { input_data: { type: "uri_file", uri: `https://acct.blob.core.windows.net/in/data.csv?sv=2022-11-02&sr=b&%73ig=${secret}` } } }),
    });
    await stack.host.engine.idle();
    const findings = findSecrets(
      [
        { source: "start response", text: res.text },
        { source: "durable instance store", text: JSON.stringify(stack.host.engine.all()) },
      ],
      [{ name: "percent-encoded SAS signature", pattern: secret }],
    );
    expect(findings, JSON.stringify(findings, null, 2)).toEqual([]);
    expect(res.status).toBe(400);
  });
});
