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
