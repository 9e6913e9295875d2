import { describe, expect, it } from "vitest";
import { TimerQueue } from "../../../dev/host/timerQueue";

const t = (key: string, instanceId: string, fireAt: number) => ({ key, instanceId, fireAt });

describe("TimerQueue", () => {
  it("gives the earliest timer and takes the due ones in order, skipping deleted ones", () => {
    const q = new TimerQueue();
    [t("a", "i1", 30), t("b", "i1", 10), t("c", "i2", 20), t("d", "i2", 10)].forEach((x) => q.add(x));
    q.delete("b");
    expect(q.peek()?.key).toBe("d");
    expect(q.takeDue(20).map((x) => x.key)).toEqual(["d", "c"]);
    expect(q.size).toBe(1);
    expect(q.peek()?.fireAt).toBe(30);
  });

  it("drops one instance's timers without touching the others", () => {
    const q = new TimerQueue();
    for (let i = 0; i < 1000; i++) q.add(t(`k${i}`, `i${i % 10}`, 1000 - i));
    for (const x of q.forInstance("i3")) q.delete(x.key);
    expect(q.size).toBe(900);
    const due = q.takeDue(2000);
    expect(due).toHaveLength(900);
    expect(due.every((x) => x.instanceId !== "i3")).toBe(true);
    for (let i = 1; i < due.length; i++) expect(due[i]!.fireAt).toBeGreaterThanOrEqual(due[i - 1]!.fireAt);
  });
});
