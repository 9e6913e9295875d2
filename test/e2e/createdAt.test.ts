import { describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import { useStack } from "./stack";

/**
 * The Azure Storage backend rewrites an instance's createdTime at every continueAsNew, and the
 * dev host does the same. A run's `createdAt` comes from the run itself, so it never jumps, and
 * the list's order and paging stay stable while runs continue as new.
 */
describe("a run's createdAt across continueAsNew", () => {
  const ctx = useStack({ env: { SCORING_MAX_POLLS_PER_EXECUTION: "2" } });

  it("stays the run's start; list order and paging neither skip nor repeat a run", async () => {
    const { stack } = ctx;
    const engine = stack.host.engine;
    engine.autoAdvance = false;
    try {
      stack.emulator.setDefaultLifecycle(lifecycles.stuckIn("Running"));
      const t0 = stack.clock.now();
      const first = await stack.api("/api/scoring-runs", { json: stack.startBody({ pollIntervalSeconds: 60 }) });
      await engine.advanceTo(t0 + 30_000);
      const second = await stack.api("/api/scoring-runs", { json: stack.startBody({ pollIntervalSeconds: 600 }) });
      const [a, b] = [first.body.id as string, second.body.id as string];
      const createdA = (await stack.api(`/api/scoring-runs/${a}`)).body.createdAt as string;
      const createdB = (await stack.api(`/api/scoring-runs/${b}`)).body.createdAt as string;
      expect(createdA < createdB).toBe(true);

      // Run A polls every 60 s and continues as new after 2 polls: its durable createdTime moves past B's.
      await engine.advanceTo(t0 + 10 * 60_000);
      const record = engine.get(a)!;
      expect(record.pastExecutions.length).toBeGreaterThanOrEqual(2);
      expect(record.createdTime).toBeGreaterThan(engine.get(b)!.createdTime);

      expect((await stack.api(`/api/scoring-runs/${a}`)).body.createdAt).toBe(createdA);
      const all = await stack.api("/api/scoring-runs?top=100");
      const ids = (all.body.value as Array<{ id: string }>).map((v) => v.id);
      expect(ids.indexOf(b)).toBeLessThan(ids.indexOf(a));

      const paged: string[] = [];
      let token: string | null = null;
      do {
        const page: { body: { value: Array<{ id: string }>; continuationToken: string | null } } = await stack.api(
          `/api/scoring-runs?top=1${token ? `&continuationToken=${token}` : ""}`,
        );
        paged.push(...page.body.value.map((v) => v.id));
        token = page.body.continuationToken;
        await engine.advanceTo(stack.clock.now() + 5 * 60_000); // runs keep continuing as new between pages
      } while (token);
      expect(paged).toEqual(ids);
    } finally {
      engine.autoAdvance = true;
    }
  });
});
