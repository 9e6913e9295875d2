import { afterEach, describe, expect, it } from "vitest";
import { BatchEndpointError } from "../../../src/batch/errors";
import { createRunHistoryClient, RUN_HISTORY_API_VERSION, WORKSPACE_API_VERSION } from "../../../src/batch/runHistory";
import { checkWorkspaceApiUrl } from "../../../src/batch/workspaceApiHosts";
import { FakeCredential, WS, capturingHttpClient, rejectionOf, startServer, testConfig, type TestServer } from "./helpers";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const JOB = "batchjob-42";
const CHILDREN = `/history/v1.0${WS}/runs/${JOB}/children?api-version=${RUN_HISTORY_API_VERSION}`;
const step = { runId: "9a8b7c6d-0000-4000-8000-000000000001", parentRunId: JOB, displayName: "batchscoring", status: "Failed", token: "RUN-TOKEN-SECRET" };

describe("run history children on loopback (dev, tests)", () => {
  it("workspace → discovery → children, three GETs, no token anywhere", async () => {
    server = await startServer((req) => {
      if (req.url === `${WS}?api-version=${WORKSPACE_API_VERSION}`)
        return { status: 200, body: { properties: { discoveryUrl: `${server!.origin}/discovery` } } };
      if (req.url === "/discovery") return { status: 200, body: { api: server!.origin, history: `${server!.origin}/elsewhere` } };
      if (req.url === CHILDREN) return { status: 200, body: { value: [step], continuationToken: null, nextLink: null } };
      return { status: 404, body: { error: { code: "NotFound", message: req.url } } };
    });
    const credential = new FakeCredential();
    const client = createRunHistoryClient({ config: testConfig({ armEndpoint: server.origin }), credential });
    const children = await client.childRuns(WS, JOB);
    expect(children).toEqual([{ runId: step.runId, name: null, displayName: "batchscoring", status: "Failed" }]);
    expect(JSON.stringify(children)).not.toContain("RUN-TOKEN-SECRET");
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([`GET ${WS}?api-version=${WORKSPACE_API_VERSION}`, "GET /discovery", `GET ${CHILDREN}`]);
    expect(server.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
    expect(credential.calls).toHaveLength(0);
  });

  it("a 403 from run history is a BatchEndpointError with its status; an answer without value is UnexpectedResponse", async () => {
    let children: { status: number; body: unknown } = { status: 403, body: { error: { code: "AuthorizationFailed", message: "no runs/read" } } };
    server = await startServer((req) => {
      if (req.url.startsWith(WS)) return { status: 200, body: { properties: { discoveryUrl: `${server!.origin}/discovery` } } };
      if (req.url === "/discovery") return { status: 200, body: { api: server!.origin } };
      return children;
    });
    const client = createRunHistoryClient({ config: testConfig({ armEndpoint: server.origin }), credential: new FakeCredential() });
    const denied = await rejectionOf(client.childRuns(WS, JOB));
    expect(denied).toBeInstanceOf(BatchEndpointError);
    expect(denied.httpStatus).toBe(403);
    children = { status: 200, body: { runs: [] } };
    expect((await rejectionOf(client.childRuns(WS, JOB))).code).toBe("UnexpectedResponse");
  });

  it("refuses a run id that is not one, before any request", async () => {
    server = await startServer([{ status: 500 }]);
    const client = createRunHistoryClient({ config: testConfig({ armEndpoint: server.origin }), credential: new FakeCredential() });
    expect((await rejectionOf(client.childRuns(WS, "../../x"))).code).toBe("InvalidRequest");
    expect(server.requests).toHaveLength(0);
  });
});

describe("the ARM token goes only to the cloud's Azure ML API hosts", () => {
  const publicConfig = testConfig({ armEndpoint: "https://management.azure.com", armAudience: "https://management.azure.com", allowLoopback: false });

  function cloud(answers: { discoveryUrl?: string; api?: string }) {
    const http = capturingHttpClient((request) => {
      const url = new URL(request.url);
      if (url.hostname === "management.azure.com")
        return { status: 200, body: { properties: { discoveryUrl: answers.discoveryUrl ?? "https://eastus.api.azureml.ms/discovery" } } };
      if (url.pathname === "/discovery") return { status: 200, body: { api: answers.api ?? "https://eastus.api.azureml.ms" } };
      return { status: 200, body: { value: [step] } };
    });
    const credential = new FakeCredential();
    const client = createRunHistoryClient({ config: publicConfig, credential, httpClient: http });
    return { http, credential, client };
  }

  it("public Azure: ARM and <region>.api.azureml.ms get the ARM token, the discovery document none", async () => {
    const { http, credential, client } = cloud({});
    await client.childRuns(WS, JOB);
    expect(http.requests.map((r) => [r.url, r.headers.get("authorization") ?? null])).toEqual([
      [`https://management.azure.com${WS}?api-version=${WORKSPACE_API_VERSION}`, "Bearer token-for-management.azure.com"],
      ["https://eastus.api.azureml.ms/discovery", null],
      [`https://eastus.api.azureml.ms${CHILDREN}`, "Bearer token-for-management.azure.com"],
    ]);
    expect(new Set(credential.calls.flatMap((c) => c.scopes))).toEqual(new Set(["https://management.azure.com/.default"]));
  });

  it.each([
    ["a discovery URL on another host", { discoveryUrl: "https://evil.example.com/discovery" }, "evil.example.com"],
    ["an api URL on another host", { api: "https://eastus.api.azureml.ms.evil.example.com" }, "eastus.api.azureml.ms.evil.example.com"],
    ["an http api URL", { api: "http://eastus.api.azureml.ms" }, "must use https"],
    ["an api URL with userinfo", { api: "https://user:pw@eastus.api.azureml.ms" }, "user information"],
  ])("%s is refused before any request to it", async (_what, answers, reason) => {
    const { http, client } = cloud(answers);
    const err = await rejectionOf(client.childRuns(WS, JOB));
    expect(err.code).toBe("EndpointNotAllowed");
    expect(err.message).toContain(reason);
    expect(http.requests.some((r) => /evil|user:pw|http:\/\//.test(r.url))).toBe(false);
    expect(http.requests.some((r) => r.url.includes("/history/"))).toBe(false);
  });

  it("per cloud: US Government takes *.api.ml.azure.us, not the public host; an unknown cloud takes none", () => {
    const gov = { armEndpoint: "https://management.usgovcloudapi.net", allowLoopback: false };
    expect(checkWorkspaceApiUrl("https://usgovvirginia.api.ml.azure.us", gov, "api").ok).toBe(true);
    expect(checkWorkspaceApiUrl("https://eastus.api.azureml.ms", gov, "api").ok).toBe(false);
    const china = { armEndpoint: "https://management.chinacloudapi.cn", allowLoopback: false };
    expect(checkWorkspaceApiUrl("https://chinaeast2.api.ml.azure.cn", china, "api").ok).toBe(true);
    const pub = { armEndpoint: "https://management.azure.com", allowLoopback: false };
    expect(checkWorkspaceApiUrl("https://centralus.experiments.azureml.net/discovery", pub, "discovery").ok).toBe(true);
    expect(checkWorkspaceApiUrl("https://centralus.experiments.azureml.net", pub, "api").ok).toBe(false);
    expect(checkWorkspaceApiUrl("http://127.0.0.1:9/x", pub, "api").ok).toBe(false);
    const other = checkWorkspaceApiUrl("https://eastus.api.azureml.ms", { armEndpoint: "https://management.example.org", allowLoopback: false }, "api");
    expect(other.ok).toBe(false);
    if (!other.ok) expect(other.reason).toMatch(/no Azure ML API host is known/);
  });
});
