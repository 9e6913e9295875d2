import { afterEach, describe, expect, it } from "vitest";
import { createBatchEndpointClient } from "../../../src/batch";
import { LISTING_CLOCK_SKEW_MS } from "../../../src/batch/listJobs";
import { FakeCredential, WS, startServer, testConfig, type TestServer } from "./helpers";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const T = Date.parse("2026-06-01T12:00:00Z");
const job = (name: string, createdMs: number) => ({
  id: `${WS}/jobs/${name}`,
  name,
  properties: { jobType: "Pipeline", status: "Running" },
  systemData: { createdAt: new Date(createdMs).toISOString() },
});

describe("listJobs", () => {
  it("reads on past notBefore by the clock-skew margin: a job stamped a little before the run's clock is still found", async () => {
    // Newest first, one job per page: the third was created 9 s "before" notBefore by the service's clock.
    const pages = [
      job("a", T + 20_000),
      job("b", T - 2_000),
      job("c", T - LISTING_CLOCK_SKEW_MS + 1_000),
      job("d", T - LISTING_CLOCK_SKEW_MS - 1_000),
      job("e", T - 3_600_000),
    ];
    server = await startServer((_req, index) => {
      const next = index + 1 < pages.length ? { nextLink: `${server!.origin}${WS}/jobs?api-version=2022-10-01&$skip=${index + 1}` } : {};
      return { status: 200, body: { value: [pages[index]], ...next } };
    });
    const client = createBatchEndpointClient({
      config: testConfig({ armEndpoint: server.origin }),
      credential: new FakeCredential(),
      armRetry: { maxRetries: 0 },
    });
    const listing = await client.listJobs({ workspace: WS, apiVersion: "2022-10-01", notBefore: new Date(T).toISOString() });
    expect(listing.jobs.map((j) => j.name)).toEqual(["a", "b", "c", "d"]);
    expect(listing).toMatchObject({ complete: true, pages: 4 });
  });
});
