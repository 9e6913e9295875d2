import { afterEach, describe, expect, it } from "vitest";
import { createBatchEndpointClient } from "../../../src/batch";
import { judgeDeployment } from "../../../src/preflight/checkDeployment";
import { runPreflight } from "../../../src/preflight/checks";
import type { BlobInspector } from "../../../src/storage/blobInspector";
import { FakeCredential, WS, startServer, testConfig, type TestServer } from "../batch/helpers";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const URI = "https://ep-1.westeurope.inference.ml.azure.com/jobs";
const endpoint = (defaultDeployment: string | null) => ({ name: "ep-1", properties: { scoringUri: URI, defaults: { deploymentName: defaultDeployment } } });
const modelDeployment = { name: "blue", properties: { model: { referenceType: "Id", assetId: `${WS}/models/m/versions/1` } } };
const request = {
  endpointUri: URI,
  deployment: null,
  inputs: { input_data: { type: "uri_folder" as const, uri: "https://acct.blob.core.windows.net/in/" } },
  outputs: [],
  experimentName: null,
  displayName: null,
  workspace: WS,
};

/** ARM as a user changes it: the endpoint has no default deployment until `setDefault` is called. */
async function armWhoseDefaultChanges(cacheSeconds = 30) {
  let defaultDeployment: string | null = null;
  server = await startServer((req) =>
    req.url!.includes("/deployments/") ? { status: 200, body: modelDeployment } : { status: 200, body: endpoint(defaultDeployment) },
  );
  const client = createBatchEndpointClient({
    config: testConfig({ armEndpoint: server.origin, definitionCacheSeconds: cacheSeconds }),
    credential: new FakeCredential(),
  });
  const endpointReads = () => server!.requests.filter((r) => !r.url.includes("/deployments/")).length;
  return { client, endpointReads, setDefault: (name: string) => (defaultDeployment = name) };
}

describe("a refusal is never made on kept definitions", () => {
  it("the start route's deployment check: a kept endpoint without a default is read again before the run is refused", async () => {
    const arm = await armWhoseDefaultChanges();
    const deps = { endpoints: arm.client, client: arm.client };
    // No default: refused, and the refusal was made on a fresh read (the first, then one more).
    expect((await judgeDeployment(request, deps)).check).toMatchObject({ result: "failed", code: "NoDefaultDeployment" });
    expect(arm.endpointReads()).toBe(2);
    // The user sets a default deployment: the kept answer says there is none, the fresh read that follows says blue.
    arm.setDefault("blue");
    const verdict = await judgeDeployment(request, deps);
    expect(verdict.check.result).toBe("passed");
    expect(arm.endpointReads()).toBe(3);
    // Kept now, and it passes: no more reads.
    expect((await judgeDeployment(request, deps)).check.result).toBe("passed");
    expect(arm.endpointReads()).toBe(3);
  });

  it("with the cache off, a refusal is made on the one fresh read", async () => {
    const arm = await armWhoseDefaultChanges(0);
    expect((await judgeDeployment(request, { endpoints: arm.client, client: arm.client })).check.result).toBe("failed");
    expect(arm.endpointReads()).toBe(1);
  });

  it("the run's pre-flight: a failed check is made again on fresh reads", async () => {
    const arm = await armWhoseDefaultChanges();
    const blobs = {
      isFolder: async () => true,
      listFolder: async () => ({ listed: 1, fileCount: 1, folderCount: 0, truncated: false }),
    } as unknown as BlobInspector;
    const deps = { client: arm.client, endpoints: arm.client, blobs, allowLoopback: false };
    const preflight = () =>
      runPreflight(
        {
          mode: "strict",
          inputs: request.inputs,
          outputs: [],
          workspace: WS,
          endpoint: { uri: URI, deployment: null, experimentName: null, displayName: null },
        },
        deps as never,
      );
    await preflight();
    arm.setDefault("blue");
    const before = arm.endpointReads();
    const report = await preflight();
    expect(report.checks.find((c) => c.target === "deployment")?.result).toBe("passed");
    expect(arm.endpointReads()).toBe(before + 1);
  });
});
