import { describe, expect, it } from "vitest";
import { createJob, getJob, invoke, pascalBody, useEmulator } from "./helpers";

describe("batch emulator: request record", () => {
  let now = 1_700_000_000_000;
  const ctx = useEmulator({ clock: () => now });

  it("records method, path, query, route, body and the answered status", async () => {
    const name = await createJob(ctx.emu, { "repeatability_request-id": "rid-9" });
    now += 1000;
    await getJob(ctx.emu, name);
    await invoke(ctx.emu, "{not json");

    const [inv, get, bad] = ctx.emu.requests;
    expect(ctx.emu.requests).toHaveLength(3);
    expect(inv).toMatchObject({
      at: 1_700_000_000_000,
      method: "POST",
      path: "/endpoints/ep-scoring/jobs",
      query: {},
      route: "invoke",
      body: pascalBody,
      status: 201,
      hasAuthorization: false,
    });
    expect(inv!.headers["repeatability_request-id"]).toBe("rid-9");
    expect(get).toMatchObject({
      at: 1_700_000_001_000,
      method: "GET",
      path: `/arm${ctx.emu.jobPath(name)}`,
      query: { "api-version": "2022-10-01" },
      route: "getJob",
      body: null,
      status: 200,
    });
    expect(bad!.body).toBe("{not json");
    expect(bad!.status).toBe(400);
    expect(ctx.emu.requestsFor("getJob")).toEqual([get]);
  });

  it("redacts the Authorization header but records its presence", async () => {
    await invoke(ctx.emu, pascalBody, { Authorization: "Bearer secret-token-value" });
    await invoke(ctx.emu, pascalBody);
    const [withToken, without] = ctx.emu.requestsFor("invoke");
    expect(withToken!.hasAuthorization).toBe(true);
    expect(withToken!.headers.authorization).toBe("<redacted>");
    expect(JSON.stringify(ctx.emu.requests)).not.toContain("secret-token-value");
    expect(without!.hasAuthorization).toBe(false);
    expect(without!.headers.authorization).toBeUndefined();
    expect(ctx.emu.jobs.map((j) => j.invokeHadAuthorization)).toEqual([true, false]);
  });

  it("reset() clears jobs, requests, faults and queued lifecycles", async () => {
    ctx.emu.enqueueLifecycle([{ status: "Failed" }]);
    ctx.emu.injectFault({ match: { route: "getJob" }, times: 3, kind: { status: 500 } });
    await createJob(ctx.emu);
    ctx.emu.enqueueLifecycle([{ status: "Failed" }]);
    ctx.emu.reset();
    expect(ctx.emu.requests).toEqual([]);
    expect(ctx.emu.jobs).toEqual([]);
    expect(ctx.emu.createdJobCount).toBe(0);
    expect(ctx.emu.pendingFaults).toBe(0);
    const res = await invoke(ctx.emu);
    expect(res.json.properties.status).toBe("Preparing");
    expect((await getJob(ctx.emu, res.json.name)).status).toBe(200);
  });

  it("returns copies: mutating emu.jobs changes nothing", async () => {
    const name = await createJob(ctx.emu);
    ctx.emu.jobs[0]!.status = "Completed";
    ctx.emu.jobs[0]!.tags.x = "y";
    expect(ctx.emu.job(name)!.status).toBe("Preparing");
    expect(ctx.emu.job(name)!.tags.x).toBeUndefined();
  });

  it("can stop and start again on a new port", async () => {
    const first = ctx.emu.port;
    await ctx.emu.stop();
    expect(() => ctx.emu.scoringUri).toThrow(/not started/);
    await ctx.emu.start();
    expect(ctx.emu.port).toBeGreaterThan(0);
    expect(typeof first).toBe("number");
    expect((await invoke(ctx.emu)).status).toBe(201);
  });
});
