import { describe, expect, it } from "vitest";
import { createJob, getJob, useEmulator } from "./helpers";

describe("batch emulator: bounded request log", () => {
  const ctx = useEmulator({ maxRecordedRequests: 5 });

  it("keeps the newest requests, counts every one, and forgets the counts on reset", async () => {
    const name = await createJob(ctx.emu);
    for (let i = 0; i < 11; i++) await getJob(ctx.emu, name);
    // Trimmed in slices: never more than the bound and a tenth, never fewer than the bound.
    expect(ctx.emu.requests.length).toBeGreaterThanOrEqual(5);
    expect(ctx.emu.requests.length).toBeLessThanOrEqual(6);
    expect(ctx.emu.requests.every((r) => r.route === "getJob")).toBe(true);
    expect(ctx.emu.requestCount("getJob")).toBe(11);
    expect(ctx.emu.requestCount("invoke")).toBe(1);
    expect(ctx.emu.requestCount()).toBe(12);
    ctx.emu.reset();
    expect(ctx.emu.requestCount()).toBe(0);
    expect(ctx.emu.requests).toEqual([]);
  });
});

describe("batch emulator: request log by default", () => {
  const ctx = useEmulator();

  it("keeps every request", async () => {
    const name = await createJob(ctx.emu);
    for (let i = 0; i < 20; i++) await getJob(ctx.emu, name);
    expect(ctx.emu.requests).toHaveLength(21);
    expect(ctx.emu.requestCount()).toBe(21);
  });
});
