/**
 * What one orchestration instance stores in an Azure Storage task hub, in bytes, computed from
 * the dev host's record of it (docs/azure-behaviour.md#what-a-run-stores):
 * - per execution, one History table row per history event (durabletask writes each event's
 *   data members as columns, adds `ExecutionId`, keys the row by instance id and a 16-hex-digit
 *   sequence number) and one `sentinel` row;
 * - one Instances table row: input, custom status, output and a few fixed columns;
 * - string columns over 60 KB of UTF-16 go to a gzip blob and leave the blob's name behind.
 * Entity sizes follow Azure Table's published billing formula: 4 bytes + 2 × the key lengths,
 * and per property 8 bytes + 2 × the name's length + the value (string: 4 + 2 × its length,
 * DateTime 8, Int32 4, Boolean 1). Null columns are not stored. Dev only (uses zlib).
 */
import { gzipSync } from "node:zlib";
import { EventType, type HistoryEvent } from "./history";
import type { InstanceRecord } from "./instanceStore";

/** durabletask `MaxTablePropertySizeInBytes`: larger string columns go to a blob (UTF-16 bytes). */
export const maxTablePropertyBytes = 60 * 1024;
/** durabletask's `VariableSizeEntityProperties`: the only columns that may move to a blob. */
const blobbable = new Set(["Name", "Input", "Result", "Output", "Reason", "Details", "Correlation", "FailureDetails", "Tags"]);
/** Columns that durabletask types as DateTime (the dev host keeps them as ISO strings). */
const dateColumns = new Set(["_Timestamp", "FireAt", "CreatedTime", "LastUpdatedTime", "CompletedTime", "CheckpointCompletedTimestamp"]);
/** A blob name as durabletask makes it: `<instance>/history-<seq>-<type>-<random>-<property>.json.gz`. */
const blobNameOverhead = "/history-0000000000000000-TaskCompleted-00000000-Result.json.gz".length;
/** Columns holding what the app chose to store (inputs, results, outputs, custom status, failures): the rest is fixed per row. */
const payloadColumns = new Set(["Input", "Result", "Output", "CustomStatus", "Reason", "Details", "FailureDetails"]);
const eventTypeNames = Object.fromEntries(Object.entries(EventType).map(([name, value]) => [value, name])) as Record<number, string>;

export interface EntitySize {
  /** Bytes of the table entity (what the table bills). */
  table: number;
  /** Bytes of blobs holding its oversized columns (gzip). */
  blobs: number;
  /** UTF-16 bytes of its payload columns' text, wherever it is stored. */
  payload: number;
}

type Column = string | number | boolean | null | undefined;

/** One table entity's size, its oversized string columns moved to blobs as durabletask does. */
export function entitySize(partitionKey: string, rowKey: string, columns: Record<string, Column>): EntitySize {
  let table = 4 + 2 * (partitionKey.length + rowKey.length);
  let blobs = 0;
  let payload = 0;
  for (const [name, raw] of Object.entries(columns)) {
    if (raw === null || raw === undefined) continue;
    if (typeof raw === "string" && payloadColumns.has(name)) payload += 2 * raw.length;
    let value: Column = raw;
    if (typeof value === "string" && blobbable.has(name) && value.length * 2 > maxTablePropertyBytes) {
      blobs += gzipSync(Buffer.from(value, "utf8")).length;
      table += 8 + 2 * `${name}BlobName`.length + 4 + 2 * (partitionKey.length + blobNameOverhead);
      value = "";
    }
    table += 8 + 2 * name.length + valueBytes(name, value);
  }
  return { table, blobs, payload };
}

function valueBytes(name: string, value: string | number | boolean): number {
  if (typeof value === "boolean") return 1;
  if (typeof value === "number") return 4;
  if (dateColumns.has(name)) return 8;
  return 4 + 2 * value.length;
}

/** A history event as durabletask's TableEntityConverter writes it: enum names, `_Timestamp`, nested objects as JSON. */
export function historyColumns(event: HistoryEvent, executionId: string): Record<string, Column> {
  const columns: Record<string, Column> = { ExecutionId: executionId };
  for (const [name, value] of Object.entries(event)) {
    if (name === "EventType") columns.EventType = eventTypeNames[event.EventType] ?? String(event.EventType);
    else if (name === "Timestamp") columns._Timestamp = value as string;
    else if (value !== null && typeof value === "object") columns[name] = JSON.stringify(value);
    else columns[name] = value as Column;
  }
  return columns;
}

export interface ExecutionSize {
  executionId: string;
  rows: number;
  bytes: number;
  payloadBytes: number;
  /** Bytes by event type name, for finding where they go. */
  byEventType: Record<string, number>;
}

/** One execution's history rows and its sentinel row. */
export function executionSize(instanceId: string, executionId: string, history: readonly HistoryEvent[]): ExecutionSize {
  const byEventType: Record<string, number> = {};
  const activityNames = new Map<number, string>();
  let bytes = 0;
  let payloadBytes = 0;
  history.forEach((event, i) => {
    const size = entitySize(instanceId, i.toString(16).toUpperCase().padStart(16, "0"), historyColumns(event, executionId));
    if (event.EventType === EventType.TaskScheduled) activityNames.set(event.EventId, String(event.Name));
    // Activity inputs and results are keyed by activity, the largest part of most histories.
    const activity = activityNames.get((event.EventType === EventType.TaskScheduled ? event.EventId : event.TaskScheduledId) as number);
    const type = `${eventTypeNames[event.EventType] ?? String(event.EventType)}${activity ? ` ${activity}` : ""}`;
    byEventType[type] = (byEventType[type] ?? 0) + size.table + size.blobs;
    bytes += size.table + size.blobs;
    payloadBytes += size.payload;
  });
  const sentinel = entitySize(instanceId, "sentinel", { ExecutionId: executionId, IsCheckpointComplete: true, CheckpointCompletedTimestamp: "date" });
  byEventType.sentinel = (byEventType.sentinel ?? 0) + sentinel.table;
  return { executionId, rows: history.length + 1, bytes: bytes + sentinel.table, payloadBytes, byEventType };
}

const json = (value: unknown): string => JSON.stringify(value ?? null);

/** The Instances table row as it stands at the end (latest execution's input, custom status, output). */
export function instanceRowSize(record: InstanceRecord, taskHub = "BatchScoringHub"): { bytes: number; payloadBytes: number; columns: Record<string, number> } {
  const columns: Record<string, Column> = {
    Name: record.name,
    Version: "",
    CreatedTime: "date",
    RuntimeStatus: record.runtimeStatus,
    Generation: 0,
    ExecutionId: record.executionId,
    LastUpdatedTime: "date",
    TaskHubName: taskHub,
    CustomStatus: json(record.customStatus),
    Input: json(record.input),
    Output: record.output === null ? null : json(record.output),
    CompletedTime: record.runtimeStatus === "Completed" || record.runtimeStatus === "Failed" ? "date" : null,
  };
  const size = entitySize(record.instanceId, "", columns);
  const byColumn: Record<string, number> = {};
  for (const name of ["CustomStatus", "Input", "Output"]) byColumn[name] = entitySize("", "", { [name]: columns[name] }).table - 4;
  return { bytes: size.table + size.blobs, payloadBytes: size.payload, columns: byColumn };
}

export interface TaskHubSize {
  executions: number;
  historyRows: number;
  /** History rows written over the run's life, every execution's, sentinels included. */
  historyBytes: number;
  instanceRowBytes: number;
  total: number;
  /** Of `total`, the payload columns' text (inputs, results, outputs, custom status): what the app's formats decide. */
  payloadBytes: number;
  byEventType: Record<string, number>;
  instanceColumns: Record<string, number>;
}

/**
 * Everything an instance stored: every execution's history (the host must keep past executions)
 * and the instance row. On Azure a new execution reuses its predecessor's row keys, so fewer rows
 * remain at the end; this counts every row written, which is what the run costs in writes.
 */
export function taskHubSize(record: InstanceRecord, taskHub?: string): TaskHubSize {
  const executions = [
    ...record.pastExecutions.map((e) => executionSize(record.instanceId, e.executionId, e.history)),
    executionSize(record.instanceId, record.executionId, record.history),
  ];
  const byEventType: Record<string, number> = {};
  for (const e of executions) for (const [type, bytes] of Object.entries(e.byEventType)) byEventType[type] = (byEventType[type] ?? 0) + bytes;
  const historyBytes = executions.reduce((n, e) => n + e.bytes, 0);
  const instance = instanceRowSize(record, taskHub);
  return {
    executions: executions.length,
    historyRows: executions.reduce((n, e) => n + e.rows, 0),
    historyBytes,
    instanceRowBytes: instance.bytes,
    total: historyBytes + instance.bytes,
    payloadBytes: executions.reduce((n, e) => n + e.payloadBytes, 0) + instance.payloadBytes,
    byEventType,
    instanceColumns: instance.columns,
  };
}
