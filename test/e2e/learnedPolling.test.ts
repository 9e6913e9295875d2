import { afterAll, describe, expect, it } from "vitest";
import { lifecycles } from "../../dev/batch-emulator";
import type { JobDurationsState } from "../../src/runs/jobDurations";
import { names } from "../../src/runs/names";
import { useStack } from "./stack";

/** Learned polling (docs/operations.md#learned-polling) through the dev host on the virtual clock. */
describe("SCORING_POLL_MODE=learned", () => {
  const ctx = useStack();
  const saved = process.env.SCORING_POLL_MODE;
  afterAll(() => {
    if (saved === undefined) delete process.env.SCORING_POLL_MODE;
    else process.env.SCORING_POLL_MODE = saved;
  });
  const job = (runMinutes: number) =>
    lifecycles.timed([
      ["Queued", 60_000],
      ["Running", runMinutes * 60_000],
      ["Finalizing", 120_000],
    ]);

  async function runOne(runMinutes: number): Promise<{ id: string; reads: number[]; endsAt: number; startedAt: number }> {
    const { stack } = ctx;
    stack.emulator.enqueueLifecycle(job(runMinutes));
    const before = stack.emulator.requestsFor("getJob").length;
    const startedAt = stack.clock.now();
    const id = (await stack.api("/api/scoring-runs", { json: stack.startBody({ pollIntervalSeconds: 120 }) })).body.id as string;
    await stack.host.engine.runUntil(() => stack.host.engine.get(id)?.runtimeStatus === "Completed");
    const reads = stack.emulator
      .requestsFor("getJob")
      .slice(before)
      .map((r) => r.at - startedAt);
    return { id, reads, endsAt: stack.emulator.jobs.at(-1)!.endsAt! - startedAt, startedAt };
  }

  it("without history a run polls on the adaptive curve; with 3 finished jobs of an endpoint, the next polls sparsely until their durations' window, then densely", async () => {
    const { stack } = ctx;
    process.env.SCORING_POLL_MODE = "learned";
    const first = await runOne(60);
    // No history: adaptive (10 s, 20 s, 30 s, …).
    expect(first.reads.slice(0, 3)).toEqual([10_000, 20_000, 30_000]);
    await runOne(55);
    await runOne(65);
    const [durations] = stack.host.engine.entities(names.jobDurations);
    const history = JSON.parse(durations?.state ?? "null") as JobDurationsState | null;
    expect(history?.seconds).toHaveLength(3);

    const learned = await runOne(60);
    // The window opens at 0.9 × the shortest of the three (about 55 + 3 minutes): few reads before it, one every 90 s inside it.
    const windowOpensMs = 0.9 * Math.min(...history!.seconds) * 1000;
    const before = learned.reads.filter((at) => at < windowOpensMs);
    expect(before.length).toBeLessThanOrEqual(8);
    expect(before.length).toBeLessThan(first.reads.filter((at) => at < windowOpensMs).length / 3);
    const inside = learned.reads.filter((at) => at >= windowOpensMs);
    for (let i = 1; i < inside.length; i++) expect(inside[i]! - inside[i - 1]!).toBeLessThanOrEqual(90_000);
    // Seen within seconds of its end (it was Finalizing, read every 10 s).
    expect(learned.reads.at(-1)! - learned.endsAt).toBeLessThanOrEqual(10_000);
  });
});
