/**
 * A wrong app setting must not keep the app from loading: every function registers, a request
 * that needs the setting answers 500 and the log names the setting, and fixing it (a settings
 * change, which restarts the app on Azure; here the environment) heals the next request.
 * Each test file runs in its own process, so the app is loaded here with the wrong setting.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { names } from "../../src/runs/names";
import { type Stack, startStack } from "./stack";

describe("a wrong setting", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { SCORING_POLL_MODE: "slow" } });
  });
  afterAll(async () => stack?.stop());

  it("the app still loads all its functions, the retention timer among them", () => {
    const loaded = [...stack.host.functions.keys()];
    expect(loaded).toEqual(expect.arrayContaining([names.timers.purgeOldRuns, names.orchestrator]));
  });

  it("a start answers 500 without internals, starts nothing, and the log names the setting", async () => {
    const res = await stack.api("/api/scoring-runs", { json: stack.startBody() });
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).not.toContain("slow");
    expect(stack.logs.join("\n")).toContain("SCORING_POLL_MODE");
    expect(stack.emulator.jobs).toHaveLength(0);
  });

  it("fixed, the next request works", async () => {
    process.env.SCORING_POLL_MODE = "fixed";
    const res = await stack.api("/api/scoring-runs", { json: stack.startBody() });
    expect(res.status).toBe(202);
  });
});
