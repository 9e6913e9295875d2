/**
 * Orchestration instances and their histories. In memory, and optionally persisted to a directory
 * with atomic writes, so a host killed at any point and started again on the same directory finds
 * every instance as it was after its last completed step.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeFileAtomic } from "../shared/writeFileAtomic";
import type { HistoryEvent } from "./history";

export type RuntimeStatus = "Pending" | "Running" | "Completed" | "Failed" | "Terminated" | "ContinuedAsNew";

export interface ExecutionRecord {
  executionId: string;
  history: HistoryEvent[];
  /** The leaf actions the orchestrator returned in its last episode (for the replay check). */
  actions: unknown[];
}

/** The parent a sub-orchestration answers when an execution of it ends (docs/azure-behaviour.md#sub-orchestrations). */
export interface ParentRef {
  instanceId: string;
  executionId: string;
  name: string;
  /** The parent's sequence number of the SubOrchestrationInstanceCreated this child answers. */
  taskScheduleId: number;
}

/**
 * A `...WithRetry` action the host retries as durabletask's RetryInterceptor does: one sequence
 * number per attempt and per timer between attempts (docs/azure-behaviour.md#sub-orchestrations).
 */
export interface RetryState {
  /** Sequence number of the first attempt: the one the orchestrator's action maps to. */
  firstId: number;
  kind: "activity" | "subOrchestration";
  name: string;
  /** The input as recorded on each attempt's scheduling event. */
  input: string | undefined;
  /** The sub-orchestration instance id the orchestrator gave, if any. */
  instanceId?: string;
  options: RetryOptionsJson;
  firstAttemptAt: number;
  attempts: number;
  /** The attempt in flight (`attempt`) or the timer waited on (`timer`, `finalTimer`). */
  currentId: number;
  waiting: "attempt" | "timer" | "finalTimer" | "done" | "stuck";
  /** Sequence numbers taken after the first attempt (timers and later attempts). */
  ids: number[];
}

/** `RetryOptions` as durable-functions sends them (extension `RetryOptionsConverter.cs`). */
export interface RetryOptionsJson {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

/** An entity's own state, beside the scheduler instance that carries it (docs/azure-behaviour.md#entities). */
export interface EntityRecordState {
  exists: boolean;
  /** The state as the entity serialized it (JSON text), or null. */
  state: string | null;
  lastOperationTime: number;
  /** Request ids already processed (bounded), so a redelivered request is not run twice. */
  recentRequestIds: string[];
}

/**
 * A message to another instance, saved with the step that produced it and delivered after the
 * save; a host killed in between delivers it on restart, and the receiver drops duplicates.
 */
export type OutboxMessage =
  | { kind: "startChild"; target: string; name: string; input: string; parent: ParentRef }
  | { kind: "toOrchestration"; target: string; executionId: string; event: HistoryEvent }
  | { kind: "entityRequest"; target: string; requestId: string; event: HistoryEvent };

export interface InstanceRecord {
  instanceId: string;
  name: string;
  executionId: string;
  createdTime: number;
  lastUpdatedTime: number;
  runtimeStatus: RuntimeStatus;
  /** Input of the current execution (parsed JSON). */
  input: unknown;
  output: unknown;
  customStatus: unknown;
  /** History of the current execution. */
  history: HistoryEvent[];
  /** Messages delivered but not yet processed by an episode. */
  inbox: HistoryEvent[];
  /** Leaf actions of the current execution's last episode. */
  lastActions: unknown[];
  /** Earlier executions (continueAsNew), oldest first. */
  pastExecutions: ExecutionRecord[];
  episodes: number;
  /** Sub-orchestrations: the parent to answer (kept across continueAsNew, as durabletask does). */
  parent?: ParentRef;
  /** `...WithRetry` actions of the current execution. */
  retries?: RetryState[];
  /** Entities only (instance id `@name@key`): the entity's state. */
  entity?: EntityRecordState;
  /** Messages to other instances not yet delivered. */
  outbox?: OutboxMessage[];
}

export class InstanceStore {
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly dir: string | undefined;

  constructor(stateDir?: string) {
    this.dir = stateDir ? path.join(stateDir, "instances") : undefined;
    if (this.dir) {
      fs.mkdirSync(this.dir, { recursive: true });
      for (const file of fs.readdirSync(this.dir)) {
        if (!file.endsWith(".json")) continue; // leftovers of an interrupted write end in .tmp
        const record = JSON.parse(fs.readFileSync(path.join(this.dir, file), "utf8")) as InstanceRecord;
        this.instances.set(record.instanceId, record);
      }
    }
  }

  get persistent(): boolean {
    return this.dir !== undefined;
  }

  get(instanceId: string): InstanceRecord | undefined {
    return this.instances.get(instanceId);
  }

  all(): InstanceRecord[] {
    return [...this.instances.values()];
  }

  save(record: InstanceRecord): void {
    this.instances.set(record.instanceId, record);
    if (!this.dir) return;
    writeFileAtomic(path.join(this.dir, fileNameFor(record.instanceId)), JSON.stringify(record));
  }

  delete(instanceId: string): boolean {
    const existed = this.instances.delete(instanceId);
    if (this.dir) fs.rmSync(path.join(this.dir, fileNameFor(instanceId)), { force: true });
    return existed;
  }
}

function fileNameFor(instanceId: string): string {
  return `${encodeURIComponent(instanceId)}.json`;
}
