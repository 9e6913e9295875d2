import { describe, expect, it } from "vitest";
import type { RunsClient } from "../../../src/runs/durableRuns";
import { newRunInput, type ScoringRunInput } from "../../../src/runs/runInput";
import { sameRequest, startOrJoin } from "../../../src/runs/startOrJoin";
import { scoringRequest } from "../../fixtures/scoringRequest";
import { durableStatus, fakeRuns } from "../../fixtures/runsClient";

const settings = { maxPollsPerExecution: 10, pollPolicy: { mode: "adaptive" as const, eventSafetySeconds: 900 }, queuedWarningSeconds: 1800 };
const input = (over = {}): ScoringRunInput => newRunInput(scoringRequest(over), settings, new Date("2026-03-01T10:00:00.000Z"));
const ours = input();
const theirs = input({ pollIntervalSeconds: 60 });
const runOf = (i: ScoringRunInput) => durableStatus({ instanceId: "key-1", runtimeStatus: "Running", input: i });

/** A `beforeStart` that records its calls and answers `refusal`. */
function gate<R>(refusal: R | null) {
  const calls: number[] = [];
  return { calls, fn: async () => (calls.push(1), refusal) };
}

describe("startOrJoin", () => {
  it("no run under the id: checks first, starts it, reads it back: started", async () => {
    const runs = fakeRuns();
    const before = gate(null);
    expect(await startOrJoin(runs, "key-1", ours, before.fn)).toEqual({ kind: "started" });
    expect(runs.calls.starts).toEqual([{ instanceId: "key-1", input: ours }]);
    expect(before.calls).toHaveLength(1);
    expect(runs.calls.gets).toEqual(["key-1", "key-1"]);
  });

  it("without a beforeStart, a new run simply starts", async () => {
    const runs = fakeRuns();
    expect(await startOrJoin(runs, "key-1", ours)).toEqual({ kind: "started" });
    expect(runs.calls.starts).toHaveLength(1);
  });

  it("a run of the same request under the id: joined, nothing started, nothing checked", async () => {
    const existing = runOf(input());
    const runs = fakeRuns([existing]);
    const before = gate("refused");
    expect(await startOrJoin(runs, "key-1", ours, before.fn)).toEqual({ kind: "joined", existing });
    expect(runs.calls.starts).toEqual([]);
    expect(before.calls).toEqual([]);
  });

  it("a run that ended is joined too, never replaced", async () => {
    const existing = durableStatus({ instanceId: "key-1", runtimeStatus: "Failed", input: ours });
    const runs = fakeRuns([existing]);
    expect(await startOrJoin(runs, "key-1", ours)).toMatchObject({ kind: "joined" });
    expect(runs.calls.starts).toEqual([]);
  });

  it("a run of another request under the id: conflict, nothing started", async () => {
    const existing = runOf(theirs);
    const runs = fakeRuns([existing]);
    expect(await startOrJoin(runs, "key-1", ours)).toEqual({ kind: "conflict", existing });
    expect(runs.calls.starts).toEqual([]);
  });

  it("beforeStart refuses: refused with its answer, nothing started", async () => {
    const runs = fakeRuns();
    const refusal = { status: 409 };
    expect(await startOrJoin(runs, "key-1", ours, gate(refusal).fn)).toEqual({ kind: "refused", refusal });
    expect(runs.calls.starts).toEqual([]);
  });

  it("the start throws but the same request's run is there (a race won by the same body): joined", async () => {
    const runs = fakeRuns([], {
      onStart: (id, _input, stored) => {
        stored.set(id, runOf(input()));
        throw new Error("An instance with ID 'key-1' already exists.");
      },
    });
    expect(await startOrJoin(runs, "key-1", ours)).toMatchObject({ kind: "joined", existing: { instanceId: "key-1" } });
  });

  it("the start throws and another request's run is there (a race won by another body): conflict", async () => {
    const runs = fakeRuns([], {
      onStart: (id, _input, stored) => {
        stored.set(id, runOf(theirs));
        throw new Error("An instance with ID 'key-1' already exists.");
      },
    });
    expect(await startOrJoin(runs, "key-1", ours)).toMatchObject({ kind: "conflict", existing: { input: theirs } });
  });

  it("the start throws and no run is there: the error is the caller's", async () => {
    const runs = fakeRuns([], {
      onStart: () => {
        throw new Error("task hub unavailable");
      },
    });
    await expect(startOrJoin(runs, "key-1", ours)).rejects.toThrow("task hub unavailable");
  });

  it("the start answers success but another body was written first (Azure Storage drops the later start): conflict", async () => {
    const runs = fakeRuns([], { onStart: (id, _input, stored) => void stored.set(id, runOf(theirs)) });
    expect(await startOrJoin(runs, "key-1", ours)).toMatchObject({ kind: "conflict", existing: { input: theirs } });
  });

  it("the start answers success and the run is not readable yet: started", async () => {
    const runs = fakeRuns([], { onStart: () => undefined });
    expect(await startOrJoin(runs, "key-1", ours)).toEqual({ kind: "started" });
  });

  it("two starts of one id at once, whose run ends at once: one run, the other joins it (an ended run is never replaced)", async () => {
    // Durable's rules: a start on a live instance fails, on an ended one replaces it
    // (docs/azure-behaviour.md#starting-an-existing-instance). This run fails the moment it starts.
    const runs = fakeRuns([], {
      onStart: (id, started, stored) => {
        const existing = stored.get(id);
        if (existing && !["Completed", "Failed", "Terminated"].includes(existing.runtimeStatus)) throw new Error("already exists");
        stored.set(id, durableStatus({ instanceId: id, runtimeStatus: "Failed", input: started }));
      },
    });
    const outcomes = await Promise.all([startOrJoin(runs, "blob-1", ours), startOrJoin(runs, "blob-1", ours)]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["joined", "started"]);
    expect(runs.calls.starts).toHaveLength(1);
  });

  it("starts of different ids do not wait for each other", async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const runs = fakeRuns([], {
      onStart: async (id, started, stored) => {
        if (id === "blob-slow") await held;
        stored.set(id, durableStatus({ instanceId: id, runtimeStatus: "Pending", input: started }));
      },
    });
    const slow = startOrJoin(runs, "blob-slow", ours);
    expect(await startOrJoin(runs, "blob-fast", ours)).toEqual({ kind: "started" });
    release();
    expect(await slow).toEqual({ kind: "started" });
  });

  it("works on any RunsClient: only get and start are used", async () => {
    const calls: string[] = [];
    const minimal = {
      get: async () => (calls.push("get"), undefined),
      start: async () => void calls.push("start"),
    } as unknown as RunsClient;
    expect(await startOrJoin(minimal, "key-1", ours)).toEqual({ kind: "started" });
    expect(calls).toEqual(["get", "start", "get"]);
  });
});

describe("sameRequest", () => {
  it("the same request, whatever the key order of the stored input, is the same", () => {
    const reordered = Object.fromEntries(Object.entries(scoringRequest()).reverse());
    expect(sameRequest(runOf({ ...ours, request: reordered as never }), scoringRequest())).toBe(true);
  });

  it("only the request counts: the settings and the time it was asked for do not", () => {
    const later = newRunInput(scoringRequest(), { ...settings, maxPollsPerExecution: 5 }, new Date("2026-03-02T00:00:00.000Z"));
    expect(sameRequest(runOf(later), scoringRequest())).toBe(true);
  });

  it("another request, or a run whose input has no request, is not the same", () => {
    expect(sameRequest(runOf(theirs), scoringRequest())).toBe(false);
    expect(sameRequest(durableStatus({ input: null }), scoringRequest())).toBe(false);
    expect(sameRequest(durableStatus({ input: { createdAt: "x" } }), scoringRequest())).toBe(false);
  });
});
