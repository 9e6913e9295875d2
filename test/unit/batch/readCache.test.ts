import { afterEach, describe, expect, it } from "vitest";
import { createBatchEndpointClient } from "../../../src/batch";
import { createReadCache } from "../../../src/batch/readCache";
import { FakeCredential, WS, rejectionOf, startServer, testConfig, type TestServer } from "./helpers";

describe("createReadCache", () => {
  it("answers from the kept read until it is ttl old, then reads again", async () => {
    let t = 0;
    let reads = 0;
    const cache = createReadCache({ ttlMs: 1000, now: () => t });
    const read = async () => ({ n: ++reads });
    expect(await cache.get("k", read)).toEqual({ n: 1 });
    t = 999;
    expect(await cache.get("k", read)).toEqual({ n: 1 });
    t = 1000;
    expect(await cache.get("k", read)).toEqual({ n: 2 });
    expect(await cache.get("other", read)).toEqual({ n: 3 });
  });

  it("clear drops every kept read: the next caller of each key reads again", async () => {
    let reads = 0;
    const cache = createReadCache({ ttlMs: 60_000 });
    const read = async () => ++reads;
    await cache.get("a", read);
    await cache.get("b", read);
    expect(await cache.get("a", read)).toBe(1);
    expect(cache.clear()).toBe(true);
    expect([await cache.get("a", read), await cache.get("b", read)]).toEqual([3, 4]);
    // Off, it keeps nothing, and says so.
    expect(createReadCache({ ttlMs: 0 }).clear()).toBe(false);
  });

  it("shares one read among concurrent callers, and gives each its own copy", async () => {
    let reads = 0;
    const cache = createReadCache({ ttlMs: 1000 });
    const read = async () => {
      reads++;
      await new Promise((r) => setTimeout(r, 5));
      return { list: [1] };
    };
    const [a, b] = await Promise.all([cache.get("k", read), cache.get("k", read)]);
    expect(reads).toBe(1);
    a.list.push(2);
    expect(b.list).toEqual([1]);
    expect((await cache.get("k", read)).list).toEqual([1]);
  });

  it("keeps no failure: the next caller reads again", async () => {
    let reads = 0;
    const cache = createReadCache({ ttlMs: 1000 });
    const read = async () => {
      if (++reads === 1) throw new Error("throttled");
      return reads;
    };
    await expect(cache.get("k", read)).rejects.toThrow("throttled");
    expect(await cache.get("k", read)).toBe(2);
    expect(await cache.get("k", read)).toBe(2);
  });

  it("drops the oldest entries past its bound, and with ttl 0 keeps nothing", async () => {
    let reads = 0;
    const bounded = createReadCache({ ttlMs: 1000, maxEntries: 2 });
    const read = async () => ++reads;
    for (const k of ["a", "b", "c"]) await bounded.get(k, read);
    expect(await bounded.get("c", read)).toBe(3);
    expect(await bounded.get("a", read)).toBe(4);
    const off = createReadCache({ ttlMs: 0 });
    expect(await off.get("k", read)).toBe(5);
    expect(await off.get("k", read)).toBe(6);
  });
});

describe("the Azure ML client's definition reads", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const endpoint = { name: "ep-1", properties: { scoringUri: "https://ep-1.westeurope.inference.ml.azure.com/jobs", defaults: { deploymentName: "blue" } } };

  it("reads an endpoint once per SCORING_DEFINITION_CACHE_SECONDS, keeps no 404, and reads every time with 0", async () => {
    server = await startServer([
      { status: 404, body: { error: { code: "ResourceNotFound", message: "no" } } },
      { status: 200, body: endpoint },
      { status: 200, body: endpoint },
      { status: 200, body: endpoint },
    ]);
    const client = (seconds: number) =>
      createBatchEndpointClient({
        config: testConfig({ armEndpoint: server!.origin, definitionCacheSeconds: seconds }),
        credential: new FakeCredential(),
        armRetry: { maxRetries: 0 },
      });
    const cached = client(30);
    expect((await rejectionOf(cached.getBatchEndpoint(WS, "ep-1"))).code).toBeDefined();
    expect((await cached.getBatchEndpoint(WS, "ep-1")).defaultDeployment).toBe("blue");
    expect((await cached.getBatchEndpoint(WS, "ep-1")).defaultDeployment).toBe("blue");
    expect(server.requests.length).toBe(2);
    const uncached = client(0);
    await uncached.getBatchEndpoint(WS, "ep-1");
    await uncached.getBatchEndpoint(WS, "ep-1");
    expect(server.requests.length).toBe(4);
  });
});
