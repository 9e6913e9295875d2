/**
 * The endpoint allowlist is enforced before any token is acquired.
 *
 * Every "unlisted" URI below points at a real TLS server that counts connections and requests
 * (named hosts resolve to it in this process; 127.0.0.2 is a second listener), and the app's
 * identity is a real ManagedIdentityCredential whose IDENTITY_ENDPOINT is a fake counting token
 * requests. A refusal must leave both counters at zero: no token was fetched, no byte was sent.
 * The positive controls at the end (a listed host, same settings) show the counters do move when
 * a token is fetched and sent, so the zeros are meaningful.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBatchEndpointClient, type BatchEndpointError } from "../../src/batch";
import { parseConfig } from "../../src/config";
import { type Stack, startStack } from "../e2e/stack";
import {
  type CountingServer,
  type FakeManagedIdentity,
  OTHER_IDENTITY_SOURCES,
  resolveToLoopback,
  selfSignedCert,
  setEnv,
  startCountingTlsServer,
  startFakeManagedIdentity,
} from "./helpers";

const LISTED = "listed-ep.westeurope.inference.ml.azure.com";
const UNLISTED = "unlisted.attacker.test";
const SUFFIX_TRICK = `${LISTED}.attacker.test`;
const APEX = "inference.ml.azure.com";
const LOOKALIKE = "evilinference.ml.azure.com";
const ARM_HOST = "management.secure-cloud.test";
const TOKEN = "tok-SECRET-123";
const API_CLIENT_ID = "aaaaaaaa-0000-0000-0000-000000000001";
const DIRECT_CLIENT_ID = "aaaaaaaa-0000-0000-0000-000000000002";

let server: CountingServer; // 127.0.0.1, behind every named host
let loopback2: CountingServer; // 127.0.0.2
let identity: FakeManagedIdentity;
const undo: Array<() => void | Promise<void>> = [];

/** The refused endpoint URIs, each reaching a counting server if anything were sent. */
function unlistedUris(): Array<[string, string]> {
  const p = server.port;
  return [
    ["a host outside SCORING_ALLOWED_HOSTS", `https://${UNLISTED}:${p}/endpoints/ep-scoring/jobs`],
    ["a listed name as a prefix of another domain", `https://${SUFFIX_TRICK}:${p}/jobs`],
    ["the bare domain of a *. pattern", `https://${APEX}:${p}/jobs`],
    ["a look-alike without the dot", `https://${LOOKALIKE}:${p}/jobs`],
    ["loopback 127.0.0.2 without SCORING_ALLOW_LOOPBACK", `https://127.0.0.2:${loopback2.port}/jobs`],
    ["plain http to a listed host", `http://${LISTED}:${p}/jobs`],
    ["user information on a listed host", `https://someone:pa55word@${LISTED}:${p}/jobs`],
  ];
}

function tokenRequestsFor(clientId: string) {
  return identity.requests.filter((r) => r.clientId === clientId);
}

/** What the counting servers and the identity endpoint have seen so far. */
function counters() {
  return {
    connections: server.connections,
    requests: server.received.length,
    loopback2Connections: loopback2.connections,
    loopback2Requests: loopback2.received.length,
    tokenRequests: identity.requests.length,
  };
}

beforeAll(async () => {
  const tls = selfSignedCert([LISTED, UNLISTED, SUFFIX_TRICK, APEX, LOOKALIKE, ARM_HOST]);
  undo.push(resolveToLoopback([LISTED, UNLISTED, SUFFIX_TRICK, APEX, LOOKALIKE, ARM_HOST]));
  server = await startCountingTlsServer(tls);
  undo.push(() => server.close());
  loopback2 = await startCountingTlsServer(tls, "127.0.0.2");
  undo.push(() => loopback2.close());
  identity = await startFakeManagedIdentity(() => TOKEN);
  undo.push(() => identity.close());
  undo.push(
    setEnv({
      ...OTHER_IDENTITY_SOURCES,
      IDENTITY_ENDPOINT: identity.endpoint,
      IDENTITY_HEADER: "idh-SECRET",
      NODE_TLS_REJECT_UNAUTHORIZED: "0", // only the positive controls connect (self-signed certificate)
    }),
  );
}, 60_000);

afterAll(async () => {
  for (const u of undo.reverse()) await u();
});

describe("the allowlist at the API: an unlisted endpoint is a 400 and nothing starts", () => {
  let stack: Stack;
  beforeAll(async () => {
    const settings = {
      SCORING_ALLOWED_HOSTS: "*.inference.ml.azure.com",
      SCORING_ALLOW_LOOPBACK: "false",
      AML_ARM_ENDPOINT: `https://${ARM_HOST}:${server.port}`,
      // A host outside the known clouds: its audiences are named, as an operator of another cloud would.
      AML_ARM_AUDIENCE: "https://management.azure.com",
      AML_DATA_PLANE_AUDIENCE: "https://ml.azure.com",
      AZURE_CLIENT_ID: API_CLIENT_ID,
    };
    undo.push(setEnv(settings));
    stack = await startStack({ clock: "virtual", env: settings });
  }, 60_000);
  afterAll(async () => stack?.stop());

  it("every unlisted URI → 400 on endpointUri, no run, no token request, no request to the host", async () => {
    const before = counters();
    for (const [what, uri] of unlistedUris()) {
      for (const body of [
        { endpointUri: uri, inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/in/" } } },
        { endpoint_uri: uri, endpoint_input_uri: "azureml://datastores/workspaceblobstore/paths/in/" },
      ]) {
        const res = await stack.api("/api/scoring-runs", { json: body, headers: { "Idempotency-Key": `try-${Math.random()}` } });
        expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(400);
        const fields = (res.body.error.details as Array<{ field: string }>).map((d) => d.field);
        expect(fields, what).toContain("endpointUri" in body ? "endpointUri" : "endpoint_uri");
        expect(JSON.stringify(res.body), what).not.toContain("pa55word");
      }
    }
    await stack.host.engine.idle();
    expect(stack.host.engine.all()).toEqual([]);
    expect((await stack.api("/api/scoring-runs")).body.value).toEqual([]);
    expect(tokenRequestsFor(API_CLIENT_ID)).toEqual([]);
    expect(counters()).toEqual(before);
    expect(before).toEqual({ connections: 0, requests: 0, loopback2Connections: 0, loopback2Requests: 0, tokenRequests: 0 });
  });

  it("positive control: a listed host, same settings, gets a token fetched and sent to it", async () => {
    const before = server.received.length;
    const res = await stack.api("/api/scoring-runs", {
      json: {
        endpointUri: `https://${LISTED}:${server.port}/endpoints/ep-scoring/jobs`,
        inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/in/" } },
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    await stack.host.engine.idle();
    expect(tokenRequestsFor(API_CLIENT_ID).map((r) => r.resource)).toContain("https://ml.azure.com");
    const invoke = server.received.slice(before).find((r) => r.method === "POST" && r.url === "/endpoints/ep-scoring/jobs");
    expect(invoke?.authorization).toBe(`Bearer ${TOKEN}`);
    expect(invoke?.host).toBe(`${LISTED}:${server.port}`);
  });
});

describe("the allowlist in the client: invokeJob refuses EndpointNotAllowed before asking for a token", () => {
  const config = () =>
    parseConfig({
      SCORING_ALLOWED_HOSTS: "*.inference.ml.azure.com",
      SCORING_ALLOW_LOOPBACK: "false",
      AML_ARM_ENDPOINT: `https://${ARM_HOST}:${server.port}`,
      // A host outside the known clouds: its audiences are named, as an operator of another cloud would.
      AML_ARM_AUDIENCE: "https://management.azure.com",
      AML_DATA_PLANE_AUDIENCE: "https://ml.azure.com",
      AZURE_CLIENT_ID: DIRECT_CLIENT_ID,
    });
  const request = (endpointUri: string) => ({
    endpointUri,
    inputs: { input_data: { type: "uri_folder" as const, uri: "azureml://datastores/ds/paths/in/" } },
    outputs: [],
    invokeId: "inv-security-1",
  });

  it("each unlisted URI → EndpointNotAllowed, zero token requests, zero connections", async () => {
    const before = counters();
    // Default credential (a real ManagedIdentityCredential on IDENTITY_ENDPOINT) and default transport.
    const client = createBatchEndpointClient({ config: config() });
    for (const [what, uri] of unlistedUris()) {
      const err = (await client.invokeJob(request(uri)).then(
        () => {
          throw new Error(`${what}: invokeJob resolved`);
        },
        (e: unknown) => e,
      )) as BatchEndpointError;
      expect(err.name, what).toBe("BatchEndpointError");
      expect(err.code, `${what}: ${err.message}`).toBe("EndpointNotAllowed");
      expect(err.outcomeUnknown, what).toBe(false);
      expect(err.message, what).not.toContain("pa55word");
    }
    expect(tokenRequestsFor(DIRECT_CLIENT_ID)).toEqual([]);
    expect(counters()).toEqual(before);
  });

  it("positive control: the same client and settings with a listed host fetch a token and send it", async () => {
    const before = server.received.length;
    const client = createBatchEndpointClient({ config: config() });
    const job = await client.invokeJob(request(`https://${LISTED}:${server.port}/endpoints/ep-scoring/jobs`));
    expect(job.name).toBe("batchjob-1");
    expect(tokenRequestsFor(DIRECT_CLIENT_ID).map((r) => r.resource)).toEqual(["https://ml.azure.com"]);
    const sent = server.received.slice(before);
    expect(sent.map((r) => [r.method, r.url, r.authorization])).toEqual([["POST", "/endpoints/ep-scoring/jobs", `Bearer ${TOKEN}`]]);
  });
});
