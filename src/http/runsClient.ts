/**
 * The durable client calls the HTTP logic needs, narrowed to what a scoring run is. Keeps
 * durable-functions' quirks (404 as an exception, status objects) in one place.
 */
import type { DurableClient, DurableOrchestrationStatus } from "durable-functions";
import type { DurableStatusLike } from "../api/runView";
import { names } from "../orchestration/names";
import type { ScoringRunInput } from "../orchestration/runState";
import type { JobStatusSignal } from "../orchestration/scoringRunOrchestrator";

export interface RunsClient {
  get(instanceId: string): Promise<DurableStatusLike | undefined>;
  start(instanceId: string, input: ScoringRunInput): Promise<void>;
  raiseCancel(instanceId: string, reason: string): Promise<void>;
  raiseJobStatusChanged(instanceId: string, signal: JobStatusSignal): Promise<void>;
  list(runtimeStatuses: string[] | undefined): Promise<DurableStatusLike[]>;
}

/**
 * Every run id the app issues or accepts has this form (random hex, `key-`/`req-`/`blob-` + hex,
 * or a validated instanceId). durable-functions puts ids into URLs unencoded, so anything else
 * (`/`, `..`, `?`, `#`, NUL) could address another instance: such an id names no run.
 */
const runIdForm = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;
export const isRunId = (id: string): boolean => runIdForm.test(id);

function toStatusLike(s: DurableOrchestrationStatus): DurableStatusLike {
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
  };
}
