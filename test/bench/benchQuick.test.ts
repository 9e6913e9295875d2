import { describe, expect, it } from "vitest";
import { formatTable, runBench } from "../../bench/run";

/** `npm run bench -- --quick`, run by npm test so the bench never rots. */
describe("bench (quick)", () => {
  it("measures all three configurations on the same day and prints the table", async () => {
    const rows = await runBench(true);
    expect(rows.length).toBeGreaterThanOrEqual(15);
    for (const r of rows) expect(Number.isFinite(r.value), r.figure).toBe(true);
    const byName = Object.fromEntries(rows.map((r) => [r.figure, r]));
    // Deterministic on the virtual clock: events make detection take one delivery + one GET.
    expect(byName["(c) adaptive + events: median detection delay, s"]!.value).toBe(2);
    expect(byName["(c) adaptive + events: status calls per job-hour"]!.pass).toBe(true);
    expect(byName["(b) adaptive: median detection delay, s"]!.pass).toBe(true);
    expect(byName["replay, 6 h job at 120 s: history events per execution"]!.pass).toBe(true);
    expect(byName["replay, 6 h job at 120 s: events replayed in all"]!.ratio).toBeLessThan(0.1);
    // Peak RSS depends on the machine: its target is judged by `npm run bench` only; here it must just be measured.
    const rss = byName["scale, 100 concurrent runs: peak RSS, MB"]!.value;
    expect(Number.isFinite(rss) && rss > 0, String(rss)).toBe(true);
    expect(formatTable(rows)).toContain("(a) fixed 120 s: median detection delay, s");
    // A batch of 60 items at limit 10: never more than 10 jobs live.
    expect(byName["batch, 60 items at limit 10: peak live jobs"]!.value).toBe(10);
  }, 240_000);
});
