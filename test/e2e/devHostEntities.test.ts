import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as df from "durable-functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DevHost } from "../../dev/host/devHost";
import { EventType } from "../../dev/host/history";
import { appEntry, type Stack, startStack } from "./stack";

/** Durable entities as the Durable extension runs them for a JS worker (docs/azure-behaviour.md#entities). */
describe("dev host: entities", () => {
  let stack: Stack;
  const ended = (id: string) => () => ["Completed", "Failed", "Terminated"].includes(stack.host.engine.get(id)?.runtimeStatus ?? "");
  /** Operation names in the order the entity ran them, per entity key. */
  const ran: Record<string, string[]> = {};
  let batches = 0;

  beforeAll(async () => {
    stack = await startStack({ clock: "virtual" });
    df.app.entity<number>("Counter", (context) => {
      (ran[context.df.entityKey] ??= []).push(context.df.operationName ?? "");
      if (context.df.operationName === "add") context.df.setState(context.df.getState(() => 0)! + context.df.getInput<number>()!);
      if (context.df.operationName === "get") context.df.return(context.df.getState(() => 0));
      if (context.df.operationName === "addThenFail") {
        context.df.setState(context.df.getState(() => 0)! + 1000);
        throw new Error("refused");
      }
      if (context.df.operationName === "failWithText") throw "plain text";
      if (context.df.operationName === "forward") context.df.signalEntity(new df.EntityId("Counter", "forwarded"), "add", context.df.getInput<number>());
      if (context.df.operationName === "delete") context.df.destructOnExit();
    });
    df.app.entity<string[]>("Slow", async (context) => {
      batches++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      context.df.setState([...(context.df.getState(() => []) ?? []), String(context.df.getInput())]);
    });
    df.app.orchestration("entCallCounter", function* (context) {
      const id = new df.EntityId("Counter", context.df.getInput<string>()!);
      context.df.signalEntity(id, "add", 2);
      yield context.df.callEntity(id, "add", 3);
      const total: number = yield context.df.callEntity(id, "get");
      return total;
    });
    df.app.orchestration("entCatches", function* (context) {
      const id = new df.EntityId("Counter", "fails");
      yield context.df.callEntity(id, "add", 1);
      const messages: string[] = [];
      for (const op of ["addThenFail", "failWithText"]) {
        try {
          yield context.df.callEntity(id, op);
        } catch (err) {
          messages.push((err as Error).message);
        }
      }
      const total: number = yield context.df.callEntity(id, "get");
      return { messages, total };
    });
    df.app.orchestration("entUnknown", function* (context) {
      return yield context.df.callEntity(new df.EntityId("NoSuchEntity", "k"), "get");
    });
    df.app.orchestration("entWaitsThenReads", function* (context) {
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 3600_000));
      return yield context.df.callEntity(new df.EntityId("Counter", "restart"), "get");
    });
    df.app.client.http("entClientRoute", {
      route: "test-entities/{key}",
      methods: ["GET", "POST"],
      handler: async (request, client) => {
        const id = new df.EntityId("Counter", request.params.key!);
        if (request.method === "POST") {
          await client.signalEntity(id, "add", Number(request.query.get("n")));
          return { status: 202 };
        }
        const read = await client.readEntityState<number>(id);
        return { jsonBody: { exists: read.entityExists, state: read.entityState ?? null } };
      },
    });
  });
  afterAll(async () => stack?.stop());

  it("an orchestrator signals and calls an entity; operations run in order and the state persists", async () => {
    const engine = stack.host.engine;
    engine.start("entCallCounter", "ent-call", "k1");
    await engine.runUntil(ended("ent-call"));
    expect(engine.get("ent-call")).toMatchObject({ runtimeStatus: "Completed", output: 5 });
    expect(ran.k1).toEqual(["add", "add", "get"]);
    expect(engine.entityState("Counter", "k1")).toBe(5);
    // The entity is the scheduler instance @<lower-cased name>@<key>.
    expect(engine.get("@counter@k1")?.entity).toMatchObject({ exists: true, state: "5" });
    // The orchestrator's history: EventSent for each message, the answer as an event named by the request id.
    const history = engine.get("ent-call")!.history;
    const sent = history.filter((e) => e.EventType === EventType.EventSent);
    expect(sent.map((e) => [e.EventId, e.InstanceId, e.Name])).toEqual([
      [0, "@counter@k1", "op"],
      [1, "@counter@k1", "op"],
      [2, "@counter@k1", "op"],
    ]);
    expect(JSON.parse(sent[0]!.Input as string)).toMatchObject({ op: "add", signal: true, input: "2", parent: "ent-call" });
    const requestId = JSON.parse(sent[2]!.Input as string).id as string;
    const answer = history.find((e) => e.EventType === EventType.EventRaised && e.Name === requestId)!;
    expect(JSON.parse(answer.Input as string)).toEqual({ result: "5" });
    for (const r of await engine.verifyReplay("ent-call")) expect(r.identical, r.detail).toBe(true);
    // Entities are not orchestration instances for queries.
    const list = (await (await fetch(`${stack.host.baseUrl}/durabletask/instances/?instanceIdPrefix=@`)).json()) as unknown[];
    expect(list).toEqual([]);
  });

  it("a failing operation fails only its call; the worker's state after the batch is kept, as for any JS entity", async () => {
    const engine = stack.host.engine;
    engine.start("entCatches", "ent-fail", null);
    await engine.runUntil(ended("ent-fail"));
    const out = engine.get("ent-fail")!.output as { messages: string[]; total: number };
    // durable-functions sends JSON.stringify(error): an Error becomes "{}", read back as Error({}).
    expect(out.messages).toEqual(["[object Object]", "plain text"]);
    // No rollback: durable-functions' setState writes the batch state directly and the extension
    // stores what the worker returns (TaskEntityShim.ExecuteOutOfProcBatch).
    expect(out.total).toBe(1001);
    expect(engine.entityState("Counter", "fails")).toBe(1001);
  });

  it("queued operations on one entity run one batch at a time, in delivery order", async () => {
    const engine = stack.host.engine;
    for (let i = 0; i < 5; i++) engine.signalEntity("Slow", "one", "push", JSON.stringify(i));
    await engine.idle();
    for (let i = 5; i < 8; i++) engine.signalEntity("Slow", "one", "push", JSON.stringify(i));
    await engine.idle();
    expect(engine.entityState("slow", "one")).toEqual(["0", "1", "2", "3", "4", "5", "6", "7"]);
    expect(batches).toBeGreaterThanOrEqual(2);
  });

  it("the durable client signals and reads an entity, over the RPC routes and the public webhooks", async () => {
    const base = stack.host.baseUrl;
    expect((await fetch(`${base}/api/test-entities/c1`)).status).toBe(200);
    expect(await (await fetch(`${base}/api/test-entities/c1`)).json()).toEqual({ exists: false, state: null });
    expect((await fetch(`${base}/api/test-entities/c1?n=7`, { method: "POST" })).status).toBe(202);
    await stack.host.engine.idle();
    expect(await (await fetch(`${base}/api/test-entities/c1`)).json()).toEqual({ exists: true, state: 7 });
    // The management webhooks serve the same entity routes.
    const hook = `${base}/runtime/webhooks/durabletask/entities/Counter/c1`;
    const post = await fetch(`${hook}?op=add`, { method: "POST", headers: { "content-type": "application/json" }, body: "3" });
    expect(post.status).toBe(202);
    await stack.host.engine.idle();
    expect(await (await fetch(hook)).json()).toBe(10);
    expect((await fetch(`${base}/runtime/webhooks/durabletask/entities/Counter/nobody`)).status).toBe(404);
    // Signals from an entity reach their target.
    stack.host.engine.signalEntity("Counter", "c1", "forward", "4");
    await stack.host.engine.idle();
    expect(stack.host.engine.entityState("Counter", "forwarded")).toBe(4);
    // delete: destructOnExit removes the entity.
    expect((await fetch(hook, { method: "DELETE" })).status).toBe(202);
    await stack.host.engine.idle();
    expect((await fetch(hook)).status).toBe(404);
  });

  it("applies the extension's checks on entity names and keys", async () => {
    const engine = stack.host.engine;
    expect(() => engine.signalEntity("NoSuchEntity", "k", "add", undefined)).toThrow(/doesn't exist, is disabled, or is not an entity function/);
    expect(() => engine.signalEntity("Counter", "a/b", "add", undefined)).toThrow(/Entity keys must not contain/);
    expect(() => engine.start("entCallCounter", "@counter@x", null)).toThrow(/must not start with @/);
    engine.start("entUnknown", "ent-unknown", null);
    await engine.idle();
    expect(engine.get("ent-unknown")!.runtimeStatus).toBe("Failed");
    expect(String(engine.get("ent-unknown")!.output)).toContain("The function 'nosuchentity' doesn't exist");
  });

  it("entity state and queued operations survive a host restart", async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "ent-restart-"));
    const clock = stack.clock;
    const first = new DevHost({ appEntry, clock, stateDir, log: () => undefined });
    await first.start();
    try {
      first.engine.signalEntity("Counter", "restart", "add", "40");
      await first.engine.idle();
      first.engine.start("entWaitsThenReads", "ent-restart", null);
      await first.engine.idle();
      // Killed with a signal queued and not yet run.
      first.engine.signalEntity("Counter", "restart", "add", "2");
      await first.stop();
    } catch (err) {
      await first.stop();
      throw err;
    }
    const again = new DevHost({ appEntry, clock, stateDir, log: () => undefined });
    await again.start();
    try {
      await again.engine.runUntil(() => again.engine.get("ent-restart")?.runtimeStatus === "Completed");
      expect(again.engine.get("ent-restart")!.output).toBe(42);
      expect(again.engine.entityState("Counter", "restart")).toBe(42);
    } finally {
      await again.stop();
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
