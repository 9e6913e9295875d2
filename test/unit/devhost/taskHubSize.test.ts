import { describe, expect, it } from "vitest";
import { events } from "../../../dev/host/history";
import type { InstanceRecord } from "../../../dev/host/instanceStore";
import { entitySize, executionSize, historyColumns, maxTablePropertyBytes, taskHubSize } from "../../../dev/host/taskHubSize";

const t = Date.UTC(2026, 0, 1);

describe("task hub size (Azure Table's entity formula)", () => {
  it("sizes an entity: keys, and per column its name and its value by type", () => {
    // 4 + 2×(2+2) keys; A: 8+2+4+4; B (Int32): 8+2+4; C (Boolean): 8+2+1; _Timestamp (DateTime): 8+20+8.
    expect(entitySize("pk", "rk", { A: "xy", B: 1, C: true, _Timestamp: "2026-01-01T00:00:00.000Z", D: null })).toEqual({ table: 91, blobs: 0, payload: 0 });
    expect(entitySize("pk", "rk", { Input: "xy" }).payload).toBe(4);
  });

  it("moves a string column over 60 KB of UTF-16 to a gzip blob, leaving its blob's name", () => {
    const big = "x".repeat(maxTablePropertyBytes / 2 + 1);
    const size = entitySize("pk", "rk", { Input: big });
    expect(size.blobs).toBeGreaterThan(0);
    expect(size.blobs).toBeLessThan(2000);
    expect(size.table).toBeLessThan(400);
    expect(size.payload).toBe(2 * big.length);
    expect(entitySize("pk", "rk", { Input: big.slice(1) }).blobs).toBe(0);
  });

  it("writes a history event as durabletask does: type names, _Timestamp, nested objects as JSON", () => {
    const started = events.executionStarted(t, "orch", '{"a":1}', "inst", "exec");
    expect(historyColumns(started, "exec")).toEqual({
      ExecutionId: "exec",
      EventType: "ExecutionStarted",
      EventId: -1,
      IsPlayed: false,
      _Timestamp: started.Timestamp,
      Name: "orch",
      Input: '{"a":1}',
      Version: "",
      OrchestrationInstance: '{"InstanceId":"inst","ExecutionId":"exec"}',
    });
  });

  it("adds up every execution's rows, a sentinel each, and the instance row", () => {
    const first = [
      events.orchestratorStarted(t),
      events.taskScheduled(t, 0, "act", '"in"'),
      events.orchestratorCompleted(t),
      events.continueAsNew(t, '{"n":2}'),
    ];
    const last = [events.orchestratorStarted(t), events.taskCompleted(t, 0, '{"ok":true}'), events.executionCompleted(t, "Completed", '"done"')];
    const record = {
      instanceId: "inst",
      name: "orch",
      executionId: "e2",
      createdTime: t,
      lastUpdatedTime: t,
      runtimeStatus: "Completed",
      input: { n: 2 },
      output: "done",
      customStatus: { phase: "Succeeded" },
      history: last,
      inbox: [],
      lastActions: [],
      pastExecutions: [{ executionId: "e1", history: first, actions: [] }],
      episodes: 2,
    } as InstanceRecord;
    const size = taskHubSize(record);
    const e1 = executionSize("inst", "e1", first);
    const e2 = executionSize("inst", "e2", last);
    expect(size.executions).toBe(2);
    expect(size.historyRows).toBe(first.length + last.length + 2);
    expect(size.historyBytes).toBe(e1.bytes + e2.bytes);
    expect(size.total).toBe(size.historyBytes + size.instanceRowBytes);
    expect(e1.byEventType["TaskScheduled act"]).toBeGreaterThan(0);
    // Payloads: the activity's input and result, the new input and the output, in history and instance row.
    const texts = ['"in"', '{"ok":true}', '{"n":2}', '"done"', '{"n":2}', '"done"', '{"phase":"Succeeded"}'];
    expect(size.payloadBytes).toBe(texts.reduce((n, s) => n + 2 * s.length, 0));
  });
});
