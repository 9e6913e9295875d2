import { describe, expect, it } from "vitest";
import { createJob, getJob, invoke, jobUrl, pascalBody, useEmulator } from "./helpers";

describe("batch emulator: fault injection", () => {
  const ctx = useEmulator();

  it("429 with Retry-After and an ARM error body, for `times` matching requests only", async () => {
    ctx.emu.injectFault({ match: { route: "invoke" }, times: 2, kind: { status: 429, retryAfterSeconds: 7 } });
    for (let i = 0; i < 2; i++) {
      const res = await invoke(ctx.emu);
      expect(res.status).toBe(429);
      expect(res.headers.get("retry-after")).toBe("7");
      expect(res.json.error.code).toBe("TooManyRequests");
      expect(typeof res.json.error.message).toBe("string");
    }
    expect(ctx.emu.createdJobCount).toBe(0);
    expect((await invoke(ctx.emu)).status).toBe(201);
    expect(ctx.emu.pendingFaults).toBe(0);
  });

  it("status faults do not run the operation (a faulted GET does not advance the job)", async () => {
    const name = await createJob(ctx.emu);
    ctx.emu.injectFault({ match: { route: "getJob" }, times: 1, kind: { status: 503 } });
    const faulted = await getJob(ctx.emu, name);
    expect(faulted.status).toBe(503);
    expect(faulted.json).toEqual({ error: { code: "ServiceUnavailable", message: expect.any(String) } });
    expect(ctx.emu.job(name)!.statusGets).toBe(0);
    expect((await getJob(ctx.emu, name)).json.properties.status).toBe("Preparing");
  });

  it("sends the unwrapped {code, message} body, or a custom body", async () => {
    ctx.emu.injectFault({ match: { route: "any" }, times: 1, kind: { status: 500, unwrapped: true } });
    ctx.emu.injectFault({ match: { route: "any" }, times: 1, kind: { status: 400, body: { weird: true } } });
    const a = await invoke(ctx.emu);
    expect(a.status).toBe(500);
    expect(a.json).toEqual({ code: "InternalServerError", message: expect.any(String) });
    const b = await invoke(ctx.emu);
    expect(b.status).toBe(400);
    expect(b.json).toEqual({ weird: true });
  });

  it("matches on method and consumes faults in the order injected", async () => {
    ctx.emu.injectFault({ match: { route: "any", method: "GET" }, times: 1, kind: { status: 404 } });
    ctx.emu.injectFault({ match: { route: "invoke" }, times: 1, kind: { status: 401 } });
    ctx.emu.injectFault({ match: { route: "invoke" }, times: 1, kind: { status: 403 } });
    expect((await invoke(ctx.emu)).status).toBe(401); // the GET fault does not match a POST
    expect((await invoke(ctx.emu)).status).toBe(403);
    const name = await createJob(ctx.emu);
    expect((await getJob(ctx.emu, name)).status).toBe(404);
    ctx.emu.injectFault({ match: { route: "invoke" }, times: 5, kind: { status: 408 } });
    ctx.emu.clearFaults();
    expect(ctx.emu.pendingFaults).toBe(0);
    expect((await invoke(ctx.emu)).status).toBe(201);
  });

  it("reset: fetch rejects and no job is created", async () => {
    ctx.emu.injectFault({ match: { route: "invoke" }, times: 1, kind: { reset: true } });
    await expect(invoke(ctx.emu)).rejects.toThrow();
    expect(ctx.emu.createdJobCount).toBe(0);
    const recorded = ctx.emu.requestsFor("invoke");
    expect(recorded).toHaveLength(1);
    expect(recorded[0]!.status).toBe("reset");
    expect((await invoke(ctx.emu)).status).toBe(201);
  });

  it("resetAfterProcessing: the job exists but fetch rejects", async () => {
    ctx.emu.injectFault({ match: { route: "invoke" }, times: 1, kind: { resetAfterProcessing: true } });
    await expect(
      fetch(ctx.emu.scoringUri, {
        method: "POST",
        headers: { "repeatability_request-id": "rid-lost" },
        body: JSON.stringify(pascalBody),
      }),
    ).rejects.toThrow();
    expect(ctx.emu.createdJobCount).toBe(1);
    expect(ctx.emu.jobs[0]!.repeatabilityId).toBe("rid-lost");
    expect(ctx.emu.requestsFor("invoke")[0]!.status).toBe("reset");
  });

  it("resetAfterProcessing on a GET still counts the poll", async () => {
    const name = await createJob(ctx.emu);
    ctx.emu.injectFault({ match: { route: "getJob" }, times: 1, kind: { resetAfterProcessing: true } });
    await expect(fetch(jobUrl(ctx.emu, name))).rejects.toThrow();
    expect(ctx.emu.job(name)!.statusGets).toBe(1);
    expect((await getJob(ctx.emu, name)).json.properties.status).toBe("Queued");
  });

  it("delayMs: answers normally after the delay", async () => {
    ctx.emu.injectFault({ match: { route: "invoke" }, times: 1, kind: { delayMs: 150 } });
    const started = performance.now();
    const res = await invoke(ctx.emu);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(res.status).toBe(201);
  });

  it("a client timeout during a delay leaves the job created (outcome unknown)", async () => {
    ctx.emu.injectFault({ match: { route: "invoke" }, times: 1, kind: { delayMs: 300 } });
    await expect(fetch(ctx.emu.scoringUri, { method: "POST", body: JSON.stringify(pascalBody), signal: AbortSignal.timeout(50) })).rejects.toThrow();
    // The delayed request goes on after the client gave up: wait for it (a fixed sleep flakes on a loaded machine), then check it made exactly one job.
    for (let waited = 0; ctx.emu.createdJobCount === 0 && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 100));
    expect(ctx.emu.createdJobCount).toBe(1);
  });

  it("rejects a fault with times < 1", () => {
    expect(() => ctx.emu.injectFault({ match: { route: "any" }, times: 0, kind: { status: 500 } })).toThrow(/times/);
  });
});
