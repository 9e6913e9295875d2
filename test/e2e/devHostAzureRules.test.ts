import * as df from "durable-functions";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { devSystemKey } from "../../dev/host/durableRoutes";
import { type Stack, startStack } from "./stack";

/**
 * The dev host enforces what the real Durable extension enforces: each rule fails here when it
 * is broken, and its named leniency turns it off.
 */
describe("dev host: the Durable extension's rules", () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ clock: "virtual" });
    df.app.activity("ruleThrowingActivity", {
      handler: async () => {
        throw new Error("the disk is full\nsecond line of the cause");
      },
    });
    df.app.orchestration("ruleStatusOf", function* (context) {
      const bytes = context.df.getInput<number>();
      context.df.setCustomStatus({ text: "x".repeat(bytes) });
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 1000));
      return "done";
    });
    df.app.orchestration("ruleGrowingStatus", function* (context) {
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 1000));
      context.df.setCustomStatus({ text: "x".repeat(9000) });
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 1000));
      return "done";
    });
    df.app.orchestration("ruleContinueOnce", function* (context) {
      const round = context.df.getInput<number>() ?? 0;
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 60_000));
      if (round === 0) {
        context.df.continueAsNew(1);
        return undefined;
      }
      return "done";
    });
    df.app.orchestration("ruleRaceTimer", function* (context) {
      const timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 3600_000));
      const event = context.df.waitForExternalEvent("Go");
      const winner: unknown = yield context.df.Task.any([timer, event]);
      if (winner !== timer) timer.cancel();
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 2 * 3600_000));
      return "done";
    });
    df.app.orchestration("ruleCatchActivity", function* (context) {
      try {
        yield context.df.callActivity("ruleThrowingActivity");
        return "no error";
      } catch (err) {
        return (err as Error).message;
      }
    });
    df.app.orchestration("ruleThrows", function* (context) {
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 1000));
      throw new Error("JobFailed: the job failed");
    });
  });
  afterAll(async () => stack?.stop());
  beforeEach(() => {
    stack.host.engine.leniency = {};
    stack.host.engine.startConflicts = "checked";
  });

  const engine = () => stack.host.engine;
  let n = 0;
  const id = (prefix: string) => `${prefix}-${++n}`;
  const ended = (instanceId: string) => () => ["Completed", "Failed", "Terminated"].includes(engine().get(instanceId)?.runtimeStatus ?? "");

  describe("custom status is at most 16 KB of UTF-16 JSON", () => {
    it("17 KB fails the first episode with the extension's message", async () => {
      const instanceId = id("status");
      engine().start("ruleStatusOf", instanceId, 8700); // {"text":"x…"}: 8,711 characters, 17,422 bytes
      await engine().runUntil(ended(instanceId));
      const record = engine().get(instanceId)!;
      expect(record.runtimeStatus).toBe("Failed");
      expect(record.output).toBe(
        "Orchestrator function 'ruleStatusOf' failed: The UTF-16 size of the JSON-serialized payload must not exceed 16 KB. The current payload size is 17 KB.",
      );
      expect(record.customStatus).toBeNull();
    });

    it("on a later episode the replay finds its tasks unscheduled: non-determinism", async () => {
      const instanceId = id("status");
      engine().start("ruleGrowingStatus", instanceId, null);
      await engine().runUntil(ended(instanceId));
      const record = engine().get(instanceId)!;
      expect(record.runtimeStatus).toBe("Failed");
      expect(String(record.output)).toMatch(/^Non-Deterministic workflow detected: .*timer task with sequence ID 0/);
      expect((await engine().verifyReplay(instanceId)).every((r) => r.identical)).toBe(true);
    });

    it("16.9 KB is kept (the extension truncates to whole KB)", async () => {
      const instanceId = id("status");
      engine().start("ruleStatusOf", instanceId, 8690);
      await engine().runUntil(ended(instanceId));
      expect(engine().get(instanceId)!.runtimeStatus).toBe("Completed");
    });

    it("the named leniency accepts it", async () => {
      engine().leniency = { oversizedCustomStatus: true };
      const instanceId = id("status");
      engine().start("ruleStatusOf", instanceId, 9000);
      await engine().runUntil(ended(instanceId));
      expect(engine().get(instanceId)!.runtimeStatus).toBe("Completed");
    });
  });

  describe("createdTime is rewritten at every continueAsNew (Azure Storage)", () => {
    it("moves to the new execution's start", async () => {
      const instanceId = id("continue");
      const startedAt = stack.clock.now();
      engine().start("ruleContinueOnce", instanceId, 0);
      await engine().runUntil(ended(instanceId));
      const record = engine().get(instanceId)!;
      expect(record.runtimeStatus).toBe("Completed");
      expect(record.createdTime).toBe(startedAt + 60_000);
    });

    it("stays put with the named leniency", async () => {
      engine().leniency = { stableCreatedTime: true };
      const instanceId = id("continue");
      const startedAt = stack.clock.now();
      engine().start("ruleContinueOnce", instanceId, 0);
      await engine().runUntil(ended(instanceId));
      expect(engine().get(instanceId)!.createdTime).toBe(startedAt);
    });
  });

  describe("a canceled timer still fires", () => {
    async function raceAndCancel(instanceId: string) {
      const t0 = stack.clock.now();
      engine().start("ruleRaceTimer", instanceId, null);
      await engine().idle();
      engine().raiseEvent(instanceId, "Go", null);
      await engine().idle();
      return t0;
    }

    it("fires at its time, adds a TimerFired and costs an episode", async () => {
      const instanceId = id("race");
      const t0 = await raceAndCancel(instanceId);
      expect(engine().canceledTimers(instanceId)).toEqual([t0 + 3600_000]);
      expect(engine().pendingTimers(instanceId)).toEqual([t0 + 2 * 3600_000]);
      const episodes = engine().get(instanceId)!.episodes;
      const fired = engine().stats.canceledTimersFired;
      await engine().advanceTo(t0 + 3600_000);
      expect(engine().stats.canceledTimersFired).toBe(fired + 1);
      const record = engine().get(instanceId)!;
      expect(record.episodes).toBe(episodes + 1);
      expect(record.history.filter((e) => e.EventType === 11 /* TimerFired */ && e.TimerId === 0)).toHaveLength(1);
      await engine().runUntil(ended(instanceId));
      expect(engine().get(instanceId)!.runtimeStatus).toBe("Completed");
    });

    it("is forgotten with the named leniency", async () => {
      engine().leniency = { dropCanceledTimers: true };
      const instanceId = id("race");
      await raceAndCancel(instanceId);
      expect(engine().canceledTimers(instanceId)).toEqual([]);
      const episodes = engine().get(instanceId)!.episodes;
      await engine().runUntil(ended(instanceId));
      expect(engine().get(instanceId)!.episodes).toBe(episodes + 1); // only the second timer's episode
    });
  });

  describe("failure texts have the real shape", () => {
    it("a failed activity reads `Activity function '<name>' failed: …` with the cause on later lines", async () => {
      const instanceId = id("activity");
      engine().start("ruleCatchActivity", instanceId, null);
      await engine().runUntil(ended(instanceId));
      const message = String(engine().get(instanceId)!.output);
      // Reason, " \n ", then the details: the .NET exception serialized with its type.
      const [first, second] = message.split("\n");
      expect(first).toBe("Activity function 'ruleThrowingActivity' failed:  the disk is full");
      expect(second).toBe("second line of the cause ");
      const details = JSON.parse(message.slice(message.indexOf(" \n ") + 3));
      expect(details).toMatchObject({ $type: "System.Exception, System.Private.CoreLib", Message: " the disk is full\nsecond line of the cause" });
    });

    it("a failed orchestration's output comes from its error", async () => {
      const instanceId = id("throws");
      engine().start("ruleThrows", instanceId, null);
      await engine().runUntil(ended(instanceId));
      const record = engine().get(instanceId)!;
      expect(record.runtimeStatus).toBe("Failed");
      expect(String(record.output)).toBe("Orchestrator function 'ruleThrows' failed: JobFailed: the job failed");
      expect((await engine().verifyReplay(instanceId)).every((r) => r.identical)).toBe(true);
    });
  });

  describe("management URLs carry the task hub's system key, as on Azure", () => {
    it("createHttpManagementPayload's URLs hold code=<system key>", async () => {
      const client = df.getClient(fakeContextWithClient(stack));
      const payload = client.createHttpManagementPayload("any-id") as unknown as Record<string, string>;
      expect(payload.statusQueryGetUri).toContain(`code=${devSystemKey}`);
      expect(payload.terminatePostUri).toContain(`code=${devSystemKey}`);
    });
  });

  describe("starts racing on one id", () => {
    it("checked (default): a start on a live instance is refused", async () => {
      const instanceId = id("racestart");
      engine().start("ruleStatusOf", instanceId, 10);
      expect(() => engine().start("ruleStatusOf", instanceId, 20)).toThrow(/An Orchestration instance with the status Pending already exists/);
    });

    it("azureStorageRace: the second start answers success and is dropped", async () => {
      engine().startConflicts = "azureStorageRace";
      const instanceId = id("racestart");
      engine().start("ruleStatusOf", instanceId, 10);
      expect(() => engine().start("ruleStatusOf", instanceId, 20)).not.toThrow();
      expect(engine().get(instanceId)!.input).toBe(10);
    });
  });
});

/** The minimal InvocationContext `df.getClient` reads: a durable client input and the host's data for it. */
function fakeContextWithClient(stack: Stack) {
  const input = df.input.durableClient();
  return { options: { extraInputs: [input] }, extraInputs: { get: () => stack.host.durableClientData } } as never;
}
