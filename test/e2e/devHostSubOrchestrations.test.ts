import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as df from "durable-functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DevHost } from "../../dev/host/devHost";
import { EventType } from "../../dev/host/history";
import { appEntry, type Stack, startStack } from "./stack";

/** Sub-orchestrations as the Durable extension runs them (docs/azure-behaviour.md#sub-orchestrations). */
describe("dev host: sub-orchestrations", () => {
  let stack: Stack;
  const ended = (id: string) => () => ["Completed", "Failed", "Terminated"].includes(stack.host.engine.get(id)?.runtimeStatus ?? "");
  const hourLater = (context: df.OrchestrationContext) => new Date(context.df.currentUtcDateTime.getTime() + 3600_000);
  let flaky = 0;

  beforeAll(async () => {
    stack = await startStack({ clock: "virtual" });
    df.app.orchestration("subChildDouble", function* (context) {
      yield context.df.createTimer(hourLater(context));
      return (context.df.getInput<number>() ?? 0) * 2;
    });
    df.app.orchestration("subChildFails", function* (context) {
      yield context.df.createTimer(hourLater(context));
      throw new Error("child broke");
    });
    df.app.orchestration("subChildFlaky", function* () {
      // Fails on its first two attempts (process state is fine here: each attempt is a new instance).
      if (flaky++ < 2) throw new Error(`attempt ${flaky} failed`);
      yield* [];
      return "third time lucky";
    });
    df.app.orchestration("subChildWaits", function* (context) {
      yield context.df.waitForExternalEvent("Go");
      return "released";
    });
    df.app.orchestration("subParentOne", function* (context) {
      const doubled: number = yield context.df.callSubOrchestrator("subChildDouble", 21, `${context.df.instanceId}-child`);
      return { doubled, parent: context.df.parentInstanceId ?? null };
    });
    df.app.orchestration("subParentAll", function* (context) {
      const results: number[] = yield context.df.Task.all([1, 2, 3].map((n) => context.df.callSubOrchestrator("subChildDouble", n)));
      return results;
    });
    df.app.orchestration("subParentAny", function* (context) {
      const slow = context.df.callSubOrchestrator("subChildWaits", null, `${context.df.instanceId}-slow`);
      const fast = context.df.callSubOrchestrator("subChildDouble", 5, `${context.df.instanceId}-fast`);
      const winner: df.Task = yield context.df.Task.any([slow, fast]);
      return winner === fast ? winner.result : "slow won";
    });
    df.app.orchestration("subParentCatches", function* (context) {
      try {
        yield context.df.callSubOrchestrator("subChildFails", null, `${context.df.instanceId}-child`);
        return "no error";
      } catch (err) {
        return (err as Error).message;
      }
    });
    df.app.orchestration("subParentRetries", function* (context) {
      return yield context.df.callSubOrchestratorWithRetry("subChildFlaky", new df.RetryOptions(60_000, 3), null, `${context.df.instanceId}-child`);
    });
    df.app.orchestration("subParentRetriesOut", function* (context) {
      try {
        yield context.df.callSubOrchestratorWithRetry("subChildFails", new df.RetryOptions(60_000, 2));
        return "no error";
      } catch (err) {
        return (err as Error).message;
      }
    });
    df.app.orchestration("subParentWaits", function* (context) {
      return yield context.df.callSubOrchestrator("subChildWaits", null, `${context.df.instanceId}-child`);
    });
    df.app.orchestration("subParentUnknown", function* (context) {
      return yield context.df.callSubOrchestrator("noSuchOrchestrator");
    });
    df.app.orchestration("subParentSameId", function* (context) {
      return yield context.df.callSubOrchestrator("subChildDouble", 1, context.df.instanceId);
    });
    df.app.orchestration("subParentAtId", function* (context) {
      return yield context.df.callSubOrchestrator("subChildDouble", 1, "@counter@x");
    });
  });
  afterAll(async () => stack?.stop());

  it("runs a child as a real instance and hands its output to the parent", async () => {
    const engine = stack.host.engine;
    engine.start("subParentOne", "sub-one", null);
    await engine.runUntil(ended("sub-one"));
    expect(engine.get("sub-one")).toMatchObject({ runtimeStatus: "Completed", output: { doubled: 42, parent: null } });
    const child = engine.get("sub-one-child")!;
    expect(child).toMatchObject({ name: "subChildDouble", runtimeStatus: "Completed", output: 42 });
    expect(child.parent).toMatchObject({ instanceId: "sub-one", name: "subParentOne", taskScheduleId: 0 });
    // The parent's history as the JS library reads it; the child's start names its parent.
    const types = engine.get("sub-one")!.history.map((e) => e.EventType);
    expect(types).toContain(EventType.SubOrchestrationInstanceCreated);
    expect(types).toContain(EventType.SubOrchestrationInstanceCompleted);
    const created = engine.get("sub-one")!.history.find((e) => e.EventType === EventType.SubOrchestrationInstanceCreated)!;
    expect(created).toMatchObject({ EventId: 0, Name: "subChildDouble", InstanceId: "sub-one-child", Input: "21" });
    expect(child.history[1]).toMatchObject({ EventType: EventType.ExecutionStarted, ParentInstance: { OrchestrationInstance: { InstanceId: "sub-one" } } });
    // The child is listed and read through the durable client's HTTP API like any instance.
    const status = await (await fetch(`${stack.host.baseUrl}/runtime/webhooks/durabletask/instances/sub-one-child`)).json();
    expect(status).toMatchObject({ name: "subChildDouble", runtimeStatus: "Completed", output: 42 });
    const list = (await (await fetch(`${stack.host.baseUrl}/durabletask/instances/?instanceIdPrefix=sub-one`)).json()) as Array<{ instanceId: string }>;
    expect(list.map((s) => s.instanceId).sort()).toEqual(["sub-one", "sub-one-child"]);
    for (const r of await engine.verifyReplay("sub-one")) expect(r.identical, r.detail).toBe(true);
  });

  it("gives children without an id durabletask's <execution id>:<sequence number>, and Task.all waits for all", async () => {
    const engine = stack.host.engine;
    engine.start("subParentAll", "sub-all", null);
    await engine.runUntil(ended("sub-all"));
    const parent = engine.get("sub-all")!;
    expect(parent).toMatchObject({ runtimeStatus: "Completed", output: [2, 4, 6] });
    const ids = [0, 1, 2].map((n) => `${parent.executionId}:${n}`);
    for (const id of ids) expect(engine.get(id)?.runtimeStatus).toBe("Completed");
    expect(parent.executionId).toMatch(/^[0-9a-f]{32}$/);
  });

  it("Task.any returns the first child to finish while the other runs on", async () => {
    const engine = stack.host.engine;
    engine.start("subParentAny", "sub-any", null);
    await engine.runUntil(ended("sub-any"));
    expect(engine.get("sub-any")).toMatchObject({ runtimeStatus: "Completed", output: 10 });
    expect(engine.get("sub-any-slow")!.runtimeStatus).toBe("Running");
    // Its answer later reaches a parent that has ended, and is dropped.
    engine.raiseEvent("sub-any-slow", "Go", null);
    await engine.idle();
    expect(engine.get("sub-any-slow")!.runtimeStatus).toBe("Completed");
    expect(engine.get("sub-any")!.runtimeStatus).toBe("Completed");
  });

  it("fails the parent's task with the extension's reason and details when a child fails", async () => {
    const engine = stack.host.engine;
    engine.start("subParentCatches", "sub-fail", null);
    await engine.runUntil(ended("sub-fail"));
    expect(engine.get("sub-fail-child")).toMatchObject({ runtimeStatus: "Failed", output: "Orchestrator function 'subChildFails' failed: child broke" });
    const message = String(engine.get("sub-fail")!.output);
    // durable-functions builds the error from the event's Reason and Details: `${Reason} \n ${Details}`.
    expect(message).toMatch(/^Orchestrator function 'subChildFails' failed: child broke \n Message: child broke, StackTrace: /);
  });

  it("callSubOrchestratorWithRetry retries with durabletask's timers, one child per attempt", async () => {
    const engine = stack.host.engine;
    flaky = 0;
    const t0 = engine.now();
    engine.start("subParentRetries", "sub-retry", null);
    await engine.runUntil(ended("sub-retry"));
    const parent = engine.get("sub-retry")!;
    expect(parent).toMatchObject({ runtimeStatus: "Completed", output: "third time lucky" });
    expect(engine.now() - t0).toBe(120_000);
    // attempt 0, timer 1, attempt 2, timer 3, attempt 4; the same child id each time (a failed one is replaced).
    const scheduled = parent.history.filter((e) => e.EventType === EventType.SubOrchestrationInstanceCreated || e.EventType === EventType.TimerCreated);
    expect(scheduled.map((e) => [e.EventType, e.EventId])).toEqual([
      [EventType.SubOrchestrationInstanceCreated, 0],
      [EventType.TimerCreated, 1],
      [EventType.SubOrchestrationInstanceCreated, 2],
      [EventType.TimerCreated, 3],
      [EventType.SubOrchestrationInstanceCreated, 4],
    ]);
    for (const r of await engine.verifyReplay("sub-retry")) expect(r.identical, r.detail).toBe(true);
  });

  it("after the last failed attempt durabletask fires a timer at once, then the parent sees the failure", async () => {
    const engine = stack.host.engine;
    engine.start("subParentRetriesOut", "sub-retry-out", null);
    await engine.runUntil(ended("sub-retry-out"));
    const parent = engine.get("sub-retry-out")!;
    expect(String(parent.output)).toContain("Orchestrator function 'subChildFails' failed: child broke");
    const timers = parent.history.filter((e) => e.EventType === EventType.TimerCreated).map((e) => Date.parse(e.FireAt as string) - Date.parse(e.Timestamp));
    expect(timers).toEqual([60_000, 0]);
  });

  it("terminating a parent leaves its child running; a terminated child fails its parent's task", async () => {
    const engine = stack.host.engine;
    engine.start("subParentWaits", "sub-term", null);
    await engine.idle();
    expect(engine.terminate("sub-term", "stop")).toBe("terminated");
    await engine.idle();
    expect(engine.get("sub-term-child")!.runtimeStatus).toBe("Running");

    engine.start("subParentWaits", "sub-term2", null);
    await engine.idle();
    engine.terminate("sub-term2-child", "operator stop");
    await engine.idle();
    const parent = engine.get("sub-term2")!;
    // durabletask sends the reason with no details; durable-functions cannot read that as an error.
    expect(parent.runtimeStatus).toBe("Failed");
    expect(String(parent.output)).toContain("failed but we could not parse its exception data");
    const failed = parent.history.find((e) => e.EventType === EventType.SubOrchestrationInstanceFailed)!;
    expect(failed).toMatchObject({ Reason: "operator stop", Details: null });
  });

  it("applies the extension's checks: a known orchestrator, an id other than the parent's, no '@'", async () => {
    const engine = stack.host.engine;
    for (const name of ["subParentUnknown", "subParentSameId", "subParentAtId"]) engine.start(name, `check-${name}`, null);
    await engine.idle();
    expect(String(engine.get("check-subParentUnknown")!.output)).toContain(
      "The function 'noSuchOrchestrator' doesn't exist, is disabled, or is not an orchestrator function.",
    );
    expect(String(engine.get("check-subParentSameId")!.output)).toContain(
      "The instance ID of a sub-orchestration must be different than the instance ID of a parent orchestration.",
    );
    expect(String(engine.get("check-subParentAtId")!.output)).toContain("Orchestration instance ids must not start with @");
    for (const name of ["subParentUnknown", "subParentSameId", "subParentAtId"]) expect(engine.get(`check-${name}`)!.runtimeStatus).toBe("Failed");
  });

  it("children survive a host restart and still answer their parent", async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "sub-restart-"));
    const clock = stack.clock;
    const first = new DevHost({ appEntry, clock, stateDir, log: () => undefined });
    await first.start();
    try {
      first.engine.start("subParentAll", "sub-restart", null);
      await first.engine.idle();
      expect(first.engine.all().filter((r) => r.parent?.instanceId === "sub-restart")).toHaveLength(3);
    } finally {
      await first.stop();
    }
    const again = new DevHost({ appEntry, clock, stateDir, log: () => undefined });
    await again.start();
    try {
      await again.engine.runUntil(() => again.engine.get("sub-restart")?.runtimeStatus === "Completed");
      expect(again.engine.get("sub-restart")!.output).toEqual([2, 4, 6]);
      for (const r of await again.engine.verifyReplay("sub-restart")) expect(r.identical, r.detail).toBe(true);
    } finally {
      await again.stop();
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
