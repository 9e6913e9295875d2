import { describe, expect, it } from "vitest";
import { ApiClient, ApiError, ConnectionError, pickRunView } from "../../cli/apiClient";
import { nextDelaySeconds } from "../../cli/follow";
import { quietViewFields } from "../fixtures/runView";

const view = {
  id: "run-1",
  status: "Running",
  createdAt: "2026-01-01T00:00:00.000Z",
  lastUpdatedAt: "2026-01-01T00:00:00.000Z",
  request: null,
  job: null,
  progress: { phase: "Polling", polls: 1, lastPolledAt: null, nextPollAt: null, recentPolls: [] },
  ...quietViewFields,
};

/** A fetch that records requests and answers from a script. */
function fakeFetch(answer: (url: URL, init: RequestInit) => Response | Promise<Response>) {
  const calls: Array<{ url: string; method: string; headers: Record<string, string> }> = [];
  const impl = (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    calls.push({ url: url.href, method: init.method ?? "GET", headers: { ...(init.headers as Record<string, string>) } });
    return answer(url, init);
  }) as typeof fetch;
  return { calls, impl };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

describe("ApiClient", () => {
  it("builds routes under the base URL (trailing / and /api tolerated) and sends the key as x-functions-key", async () => {
    const f = fakeFetch(() =>
      json(
        202,
        { ...view, statusQueryGetUri: "https://x/runtime?code=systemkey" },
        { location: "http://app:7071/api/scoring-runs/run-1?failOnError=true", "retry-after": "7" },
      ),
    );
    const client = new ApiClient({ baseUrl: "http://app:7071/api/", key: "k-123456", fetch: f.impl });
    const answer = await client.start({ endpointUri: "x" }, { idempotencyKey: "idem-1" });
    expect(f.calls[0]).toMatchObject({ url: "http://app:7071/api/scoring-runs", method: "POST" });
    expect(f.calls[0]!.headers).toMatchObject({ "x-functions-key": "k-123456", "idempotency-key": "idem-1", "content-type": "application/json" });
    expect(answer).toMatchObject({ status: 202, retryAfterSeconds: 7, location: "http://app:7071/api/scoring-runs/run-1?failOnError=true" });
    expect(answer.view).not.toHaveProperty("statusQueryGetUri"); // management URLs carry a system key on Azure
  });

  it("follows Location only on the base URL's origin; elsewhere it uses the status route (the key never leaves the origin)", () => {
    const client = new ApiClient({ baseUrl: "https://app.example.net", key: "k-123456" });
    expect(client.followUrl("run 1", "https://app.example.net/api/scoring-runs/run%201?failOnError=true").href).toBe(
      "https://app.example.net/api/scoring-runs/run%201?failOnError=true",
    );
    expect(client.followUrl("run 1", "https://evil.example.org/api/scoring-runs/run%201").href).toBe("https://app.example.net/api/scoring-runs/run%201");
    expect(client.followUrl("run 1", null).href).toBe("https://app.example.net/api/scoring-runs/run%201");
  });

  it("parses the API's error body, details included; other answers become an HttpNNN error", async () => {
    const details = [{ field: "endpointUri", message: "is required" }];
    const bad = new ApiClient({
      baseUrl: "http://app",
      fetch: fakeFetch(() => json(400, { error: { code: "InvalidRequest", message: "1 problem", details } })).impl,
    });
    await expect(bad.start({})).rejects.toMatchObject({ status: 400, code: "InvalidRequest", details });
    const html = new ApiClient({ baseUrl: "http://app", fetch: fakeFetch(() => new Response("<html>nope</html>", { status: 502 })).impl });
    const err = await html.status("r").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 502, code: "Http502" });
  });

  it("a 500 with a run view (failOnError Location) is the failed run, not an error", async () => {
    const client = new ApiClient({
      baseUrl: "http://app",
      fetch: fakeFetch(() => json(500, { ...view, status: "Failed", error: { code: "JobFailed", message: "boom" } })).impl,
    });
    expect((await client.look(client.statusUrl("run-1"))).view).toMatchObject({ status: "Failed", error: { code: "JobFailed" } });
  });

  it("connection refused is a ConnectionError naming the base URL (without credentials or key)", async () => {
    const refused = fakeFetch(() => {
      throw Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
    });
    const client = new ApiClient({ baseUrl: "http://user:pw@127.0.0.1:9/", key: "k-123456", fetch: refused.impl });
    const err = await client.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toBe("cannot reach http://127.0.0.1:9: is the app running? (npm run dev)");
  });

  it("rejects a base URL that is not http(s)", () => {
    expect(() => new ApiClient({ baseUrl: "ftp://x" })).toThrow(/--base-url/);
    expect(() => new ApiClient({ baseUrl: "localhost:7071" })).toThrow(/--base-url/);
  });

  it("pickRunView refuses what is not a run view", () => {
    expect(pickRunView({ error: { code: "X" } })).toBeNull();
    expect(pickRunView(null)).toBeNull();
    expect(pickRunView(view)).toEqual(view);
    expect(pickRunView({ ...view, statusQueryGetUri: "https://x/runtime/webhooks/durabletask/instances/run-1?code=secret" })).toEqual(view);
  });
});

describe("time between looks", () => {
  it("honours Retry-After, at least 1 s and at most the cap", () => {
    expect(nextDelaySeconds(3, 10, 2)).toBe(3);
    expect(nextDelaySeconds(120, 10, 2)).toBe(10);
    expect(nextDelaySeconds(0, 10, 2)).toBe(1);
    expect(nextDelaySeconds(null, 10, 2)).toBe(2);
  });
});
