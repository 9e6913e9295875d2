/**
 * The retention client over durable-functions' DurableClient (3.x), type imports only.
 *
 * What the client really sends (node_modules/durable-functions/lib/src/durableClient/DurableClient.js):
 * - `getStatusBy({ createdTimeTo, runtimeStatus })` → `GET {rpcBaseUrl}instances/?createdTimeTo=<ISO>&runtimeStatus=Completed,Failed,Terminated`
 *   (the extension's "query instances"). It filters on *creation* time only, so the last update is
 *   checked by the caller. It exposes no page size and no continuation token: getStatusInternal
 *   follows every `x-ms-continuation-token` itself and resolves to all pages at once. So the
 *   listing is every finished run created before the cutoff, and the purge is bounded to a
 *   batch after that (listing is one read per page of 100 in the Azure Storage
 *   backend; purging is the expensive part). `showInput` is only sent when true on the RPC path,
 *   so inputs come along (a run's input is its small request).
 * - `purgeInstanceHistory(id)` → `DELETE {rpcBaseUrl}instances/<id>` (the id unencoded in the
 *   path); 200 → the body `{ instancesDeleted }`, 404 → `instancesDeleted: 0`, anything else
 *   rejects. The extension answers 412 for an instance that is not in a terminal state
 *   (HttpApiHandler.HandleDeleteHistoryByIdRequestAsync), so a run that is somehow alive again is
 *   refused there too.
 * Times come back as the extension's JSON strings, not Date objects, whatever the types say.
 */
import type { DurableClient, OrchestrationRuntimeStatus } from "durable-functions";
import { isRunId } from "../http/runsClient";
import { names } from "../orchestration/names";
import type { RetentionClient } from "./purgeFinishedRuns";

export function retentionClient(client: DurableClient): RetentionClient {
  return {
    async listFinished({ createdBefore, statuses }) {
      const found = await client.getStatusBy({
        createdTimeTo: createdBefore,
        // The enum's values are these same strings.
        runtimeStatus: [...statuses] as unknown as OrchestrationRuntimeStatus[],
      });
      // Only scoring runs, and only ids a run can have (durable-functions puts the id into the URL as it is).
      return found
        .filter((s) => s.name === names.orchestrator && isRunId(s.instanceId))
        .map((s) => ({ instanceId: s.instanceId, runtimeStatus: String(s.runtimeStatus), lastUpdatedTime: s.lastUpdatedTime }));
    },
    async purge(instanceId) {
      const result = await client.purgeInstanceHistory(instanceId);
      return Number(result?.instancesDeleted ?? 0);
    },
  };
}
