import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { type Stack, startStack } from "./stack";

/** Every finished orchestration must replay from its full history with identical actions and outcome. */
describe("replay determinism", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ clock: "virtual", env: { SCORING_MAX_POLLS_PER_EXECUTION: "4" } });
  });
  afterAll(async () => stack?.stop());

  it("completed, failed, canceled, deadline and continued-as-new runs all replay identically", async () => {
    const { emulator, host, api } = stack;
    const ids: string[] = [];
    const start = async (body: Record<string, unknown> = {}) => {
      const res = await api("/api/scoring-runs", { json: stack.startBody(body) });
      expect(res.status).toBe(202);
      ids.push(res.body.id);
      return res.body.id as string;
    };
    emulator.enqueueLifecycle(lifecycles.completesAfter(10)); // crosses several continueAsNew
    await start({ pollIntervalSeconds: 30 });
    emulator.enqueueLifecycle(lifecycles.failsWith("bad rows", 1));
    await start();
    emulator.enqueueLifecycle(lifecycles.stuckIn("Running"));
    await start({ timeoutSeconds: 1800, pollIntervalSeconds: 300 });
    emulator.enqueueLifecycle(lifecycles.stuckIn("Running"));
    const toCancel = await start();
    await host.engine.idle();
    await api(`/api/scoring-runs/${toCancel}/cancel`, { method: "POST" });

    const allEnded = () => ids.every((id) => ["Completed", "Failed"].includes(host.engine.get(id)?.runtimeStatus ?? ""));
    expect(await host.engine.runUntil(allEnded)).toBe(true);

    const first = host.engine.get(ids[0])!;
    expect(first.pastExecutions.length).toBeGreaterThanOrEqual(2);
    for (const id of ids) {
      const results = await host.engine.verifyReplay(id);
      expect(results.length).toBeGreaterThan(0);
      for (const r of results) expect(r, `${id} ${r.detail}`).toMatchObject({ identical: true });
    }
  });
});
