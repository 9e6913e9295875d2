import { afterEach, describe, expect, it } from "vitest";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { createBatchEndpointClient, describeIdentity, toErrorInfo } from "../../../src/batch";
import { FakeCredential, WS, capturingHttpClient, invokeResponse, rejectionOf, startServer, testConfig, type TestServer } from "./helpers";

const ENDPOINT = "https://fraud-ep.westeurope.inference.ml.azure.com/jobs";
const ML_SCOPE = "https://ml.azure.com/.default";
const ARM_SCOPE = "https://management.azure.com/.default";
const locator = { jobPath: `${WS}/jobs/batchjob-42`, apiVersion: "2022-10-01" };

function invokeRequest() {
  return {
    endpointUri: ENDPOINT,
    inputs: { input_data: { type: "uri_folder" as const, uri: "azureml://datastores/ds/paths/in/" } },
    outputs: [{ name: "score", type: "uri_file" as const, uri: "azureml://datastores/ds/paths/out/p.csv" }],
    invokeId: "inv-1",
  };
}

function cloudClient(credential: TokenCredential, config = testConfig()) {
  const httpClient = capturingHttpClient((req) => {
    if (req.url.startsWith(ENDPOINT)) return { status: 201, body: invokeResponse("batchjob-42") };
    if (req.url.includes("/cancel")) return { status: 202 };
    return { status: 200, body: { name: "batchjob-42", properties: { status: "Running" } } };
  });
  return { client: createBatchEndpointClient({ config, credential, httpClient }), httpClient };
}

describe("bearer tokens per operation", () => {
  it("invoke gets an ml.azure.com token; get and cancel get a management.azure.com token", async () => {
    const credential = new FakeCredential();
    const { client, httpClient } = cloudClient(credential);

    const job = await client.invokeJob(invokeRequest());
    await client.getJob({ jobPath: job.jobPath, apiVersion: "2022-10-01" });
    await client.cancelJob({ jobPath: job.jobPath, apiVersion: "2022-10-01" });

    expect(httpClient.requests.map((r) => [r.method, r.url, r.headers.get("authorization")])).toEqual([
      ["POST", ENDPOINT, "Bearer token-for-ml.azure.com"],
      ["GET", `https://management.azure.com${WS}/jobs/batchjob-42?api-version=2022-10-01`, "Bearer token-for-management.azure.com"],
      ["POST", `https://management.azure.com${WS}/jobs/batchjob-42/cancel?api-version=2022-10-01`, "Bearer token-for-management.azure.com"],
    ]);
    const scopes = credential.calls.map((c) => c.scopes);
    expect(scopes[0]).toEqual([ML_SCOPE]);
    expect(scopes.slice(1).every((s) => s.length === 1 && s[0] === ARM_SCOPE)).toBe(true);
    expect(ML_SCOPE).toBe("https://ml.azure.com/.default");
    expect(ARM_SCOPE).toBe("https://management.azure.com/.default");
  });

  it("in a sovereign cloud both scopes follow AML_ARM_ENDPOINT's cloud (US Government)", async () => {
    const credential = new FakeCredential();
    const config = {
      ...testConfig(),
      armEndpoint: "https://management.usgovcloudapi.net",
      armAudience: "https://management.usgovcloudapi.net",
      mlAudience: "https://ml.azure.us",
      allowedHosts: ["*.inference.ml.azure.us"],
    };
    const { client } = cloudClient(credential, config);
    await client.invokeJob({ ...invokeRequest(), endpointUri: "https://fraud-ep.usgovvirginia.inference.ml.azure.us/jobs" }).catch(() => undefined);
    await client.getJob(locator);
    expect(credential.calls.map((c) => c.scopes)).toEqual([["https://ml.azure.us/.default"], ["https://management.usgovcloudapi.net/.default"]]);
  });

  it("a cloud whose Azure ML audience is unknown asks for no token and says which setting to set", async () => {
    const credential = new FakeCredential();
    const { client, httpClient } = cloudClient(credential, { ...testConfig(), mlAudience: null });
    const err = await rejectionOf(client.invokeJob(invokeRequest()));
    expect(toErrorInfo(err)).toMatchObject({ code: "AuthenticationFailed", retryable: false });
    expect(toErrorInfo(err).message).toContain("AML_DATA_PLANE_AUDIENCE");
    expect(credential.calls).toHaveLength(0);
    expect(httpClient.requests).toHaveLength(0);
  });

  it("tokens are cached across calls of one client", async () => {
    const credential = new FakeCredential();
    const { client } = cloudClient(credential);
    await client.getJob(locator);
    await client.getJob(locator);
    await client.getJob(locator);
    expect(credential.calls).toHaveLength(1);
  });
});

class SecretLeakingError extends Error {
  constructor() {
    super("EnvironmentCredential: client_secret=TOPSECRET-42 rejected; Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefgh");
    this.name = "CredentialUnavailableError";
  }
}

class ThrowingCredential implements TokenCredential {
  calls = 0;
  async getToken(): Promise<AccessToken | null> {
    this.calls += 1;
    throw new SecretLeakingError();
  }
}

describe("token acquisition failures", () => {
  it("invoke: AuthenticationFailed naming the identity, no secret, nothing sent, outcome known", async () => {
    const credential = new ThrowingCredential();
    const { client, httpClient } = cloudClient(credential);
    const err = await rejectionOf(client.invokeJob(invokeRequest()));
    expect(err.code).toBe("AuthenticationFailed");
    expect(err.retryable).toBe(false);
    expect(err.outcomeUnknown).toBe(false);
    expect(err.message).toContain("the supplied credential (ThrowingCredential)");
    expect(err.message).toContain(ML_SCOPE);
    expect(err.message).not.toContain("TOPSECRET-42");
    expect(err.message).not.toContain("eyJ");
    expect(httpClient.requests).toHaveLength(0);
    const info = toErrorInfo(err);
    expect(JSON.stringify(info)).not.toContain("TOPSECRET");
    expect(info).toMatchObject({ code: "AuthenticationFailed", retryable: false, httpStatus: null });
  });

  it("getJob: AuthenticationFailed too", async () => {
    const { client, httpClient } = cloudClient(new ThrowingCredential());
    const err = await rejectionOf(client.getJob(locator));
    expect(err.code).toBe("AuthenticationFailed");
    expect(err.message).toContain(ARM_SCOPE);
    expect(httpClient.requests).toHaveLength(0);
  });

  it("after a failed token, the next call asks the credential again", async () => {
    let calls = 0;
    const flaky: TokenCredential = {
      async getToken() {
        calls += 1;
        if (calls === 1) throw Object.assign(new Error("IMDS not ready"), { name: "CredentialUnavailableError" });
        return { token: "tok", expiresOnTimestamp: Date.now() + 3600_000 };
      },
    };
    const { client, httpClient } = cloudClient(flaky);
    expect((await rejectionOf(client.getJob(locator))).code).toBe("AuthenticationFailed");
    await expect(client.getJob(locator)).resolves.toMatchObject({ status: "Running" });
    expect(calls).toBe(2);
    expect(httpClient.requests).toHaveLength(1);
    expect(httpClient.requests[0]!.headers.get("authorization")).toBe("Bearer tok");
  });

  it("a credential returning null is AuthenticationFailed", async () => {
    const { client } = cloudClient({ getToken: async () => null });
    const err = await rejectionOf(client.getJob(locator));
    expect(err.code).toBe("AuthenticationFailed");
  });
});

describe("default identity", () => {
  it("names the managed identity client id, or DefaultAzureCredential", () => {
    expect(describeIdentity({ managedIdentityClientId: "11111111-2222-3333-4444-555555555555" })).toContain(
      "managed identity (client id 11111111-2222-3333-4444-555555555555",
    );
    expect(describeIdentity({ managedIdentityClientId: undefined })).toContain("DefaultAzureCredential");
  });

  describe("with AZURE_CLIENT_ID: a real ManagedIdentityCredential, created lazily", () => {
    let identityServer: TestServer | undefined;
    const saved = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };
    afterEach(async () => {
      await identityServer?.close();
      if (saved.endpoint === undefined) delete process.env.IDENTITY_ENDPOINT;
      else process.env.IDENTITY_ENDPOINT = saved.endpoint;
      if (saved.header === undefined) delete process.env.IDENTITY_HEADER;
      else process.env.IDENTITY_HEADER = saved.header;
    });

    it("a refused token (App Service identity endpoint answers 400) → AuthenticationFailed naming the client id", async () => {
      identityServer = await startServer([{ status: 400, body: { error: "invalid_request", error_description: "Identity not found" } }]);
      process.env.IDENTITY_ENDPOINT = `${identityServer.origin}/msi/token`;
      process.env.IDENTITY_HEADER = "identity-header-SECRET-value";
      const clientId = "11111111-2222-3333-4444-555555555555";
      const httpClient = capturingHttpClient(() => ({ status: 200, body: {} }));
      const client = createBatchEndpointClient({ config: testConfig({ managedIdentityClientId: clientId }), httpClient });
      expect(identityServer.requests).toHaveLength(0); // nothing happens at construction

      const err = await rejectionOf(client.getJob(locator));
      expect(err.code).toBe("AuthenticationFailed");
      expect(err.retryable).toBe(false);
      expect(err.message).toContain(`managed identity (client id ${clientId}`);
      expect(err.message).not.toContain("identity-header-SECRET-value");
      expect(identityServer.requests.length).toBeGreaterThan(0);
      expect(identityServer.requests[0]!.url).toContain(clientId);
      expect(httpClient.requests).toHaveLength(0);
    }, 20_000);
  });
});
