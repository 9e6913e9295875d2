/**
 * The one adapter over durable-functions' client, narrowed to what a scoring run is: the HTTP
 * routes, the Event Grid triggers and retention all use it. Keeps durable-functions' quirks (a
 * 404 as an exception, status objects, ids put into URLs unencoded) in one place.
 *
 * What the client really sends (durable-functions 3.x `DurableClient`):
 * - `getStatusBy({ createdTimeTo, runtimeStatus })` → `GET {rpcBaseUrl}instances/?createdTimeTo=…&runtimeStatus=…`;
 *   it follows every `x-ms-continuation-token` itself and resolves to all pages at once (no page
 *   size), and filters on creation time only;
 * - `purgeInstanceHistory(id)` → `DELETE {rpcBaseUrl}instances/<id>`: 200 with `instancesDeleted`,
 *   404 → 0; the extension answers 412 for an instance that has not ended.
 * Times come back as the extension's JSON strings, not Date objects, whatever the types say.
 */
import { type DurableClient, type DurableOrchestrationStatus, EntityId, type OrchestrationRuntimeStatus } from "durable-functions";
import { endedRuntimeStatuses } from "./runtimeStatus";
import { isRunId } from "./runIds";
import type { DurableStatusLike } from "./runView";
import { names } from "./names";
import type { ScoringRunInput } from "./runInput";
import type { JobStatusSignal } from "./types";
import { applyRunLinksOperation, type RunLinksState, runLinksOperations } from "./runLinks";

export interface RunsClient {
  get(instanceId: string): Promise<DurableStatusLike | undefined>;
  start(instanceId: string, input: ScoringRunInput): Promise<void>;
  raiseCancel(instanceId: string, reason: string): Promise<void>;
  raiseJobStatusChanged(instanceId: string, signal: JobStatusSignal): Promise<void>;
  list(runtimeStatuses: string[] | undefined): Promise<DurableStatusLike[]>;
  /** Every run that ended, created before `createdBefore` (the last update is the caller's to check). */
  listEnded(createdBefore: Date): Promise<InstanceSummary[]>;
  /** Purges one run's history; resolves to the number of instances deleted (0: already gone). */
  purge(instanceId: string): Promise<number>;
  /** The reruns linked to a run (oldest first); [] when none. */
  readReruns(instanceId: string): Promise<string[]>;
  /** Links a rerun to its original (idempotent). */
  linkRerun(instanceId: string, rerunId: string): Promise<void>;
}

export interface InstanceSummary {
  instanceId: string;
  runtimeStatus: string;
  /** When the instance last changed (its end, for an ended run): a Date or an ISO string. */
  lastUpdatedTime: Date | string;
}

export function toStatusLike(s: DurableOrchestrationStatus): DurableStatusLike {
  return {
    instanceId: s.instanceId,
    name: s.name,
    runtimeStatus: String(s.runtimeStatus),
    createdTime: s.createdTime,
    lastUpdatedTime: s.lastUpdatedTime,
    input: s.input,
    output: s.output,
    customStatus: s.customStatus,
  };
}

export function runsClient(client: DurableClient): RunsClient {
  return {
    async get(instanceId) {
      if (!isRunId(instanceId)) return undefined;
      try {
        const status = await client.getStatus(instanceId, { showInput: true });
        return status && status.name === names.orchestrator ? toStatusLike(status) : undefined;
      } catch (err) {
        // durable-functions turns the extension's 404 into an Error naming it.
        if (err instanceof Error && /HTTP 404/.test(err.message)) return undefined;
        throw err;
      }
    },
    async start(instanceId, input) {
      if (!isRunId(instanceId)) throw new Error("not a run id");
      await client.startNew(names.orchestrator, { instanceId, input });
    },
    async raiseCancel(instanceId, reason) {
      if (!isRunId(instanceId)) throw new Error("not a run id");
      await client.raiseEvent(instanceId, names.events.cancel, { reason });
    },
    async raiseJobStatusChanged(instanceId, signal) {
      if (!isRunId(instanceId)) throw new Error("not a run id");
      await client.raiseEvent(instanceId, names.events.jobStatusChanged, signal);
    },
    async list(runtimeStatuses) {
      const statuses = await client.getStatusBy(runtimeStatuses ? { runtimeStatus: runtimeStatuses as never } : {});
      return statuses.filter((s) => s.name === names.orchestrator).map(toStatusLike);
    },
    async listEnded(createdBefore) {
      const found = await client.getStatusBy({
        createdTimeTo: createdBefore,
        runtimeStatus: [...endedRuntimeStatuses] as unknown as OrchestrationRuntimeStatus[],
      });
      return found
        .filter((s) => s.name === names.orchestrator && isRunId(s.instanceId))
        .map((s) => ({ instanceId: s.instanceId, runtimeStatus: String(s.runtimeStatus), lastUpdatedTime: s.lastUpdatedTime }));
    },
    async purge(instanceId) {
      if (!isRunId(instanceId)) return 0;
      const result = await client.purgeInstanceHistory(instanceId);
      return Number(result?.instancesDeleted ?? 0);
    },
    async readReruns(instanceId) {
      if (!isRunId(instanceId)) return [];
      const read = await client.readEntityState<RunLinksState>(new EntityId(names.runLinks, instanceId));
      return read.entityExists ? applyRunLinksOperation(read.entityState, undefined, undefined).reruns : [];
    },
    async linkRerun(instanceId, rerunId) {
      if (!isRunId(instanceId) || !isRunId(rerunId)) throw new Error("not a run id");
      await client.signalEntity(new EntityId(names.runLinks, instanceId), runLinksOperations.addRerun, rerunId);
    },
  };
}
