/** Scoring batches: the HTTP routes, the batch orchestrator, its activities and the per-endpoint slots entity. */
import { app, type HttpRequest, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { cancelBatchChildren, listBatchItems } from "../activities/batchItems";
import { getConfig } from "../config";
import { type BatchDeps, cancelScoringBatch, getScoringBatch, startScoringBatch } from "../http/batches";
import type { ApiRequest, ApiResponse } from "../http/types";
import { acquire, type AcquireRequest, emptySlots, release, type SlotsState } from "../orchestration/endpointSlots";
import { scoringBatchOrchestrator } from "../orchestration/scoringBatchOrchestrator";
import { batchesClient } from "../runs/batches/durableBatches";
import type { CancelChildrenRequest, ListItemsRequest } from "../runs/batches/types";
import { runsClient } from "../runs/durableRuns";
import { names } from "../runs/names";
import { durableClientInput, toApiRequest, toHttpResponse } from "./httpAdapter";
import { sharedPreflightDeps } from "./sharedClients";

function batchHandler(logic: (req: ApiRequest, deps: BatchDeps) => Promise<ApiResponse>) {
  return async (request: HttpRequest, context: InvocationContext) => {
    try {
      const client = df.getClient(context);
      return toHttpResponse(await logic(await toApiRequest(request), { runs: runsClient(client), batches: batchesClient(client) }));
    } catch (err) {
      context.error(`${context.functionName} failed: ${err instanceof Error ? err.message : String(err)}`);
      return { status: 500, jsonBody: { error: { code: "InternalError", message: "The request could not be processed; see the function logs." } } };
    }
  };
}

const common = { authLevel: "function" as const, extraInputs: [durableClientInput] };
app.http(names.batches.start, {
  ...common,
  methods: ["POST"],
  route: "scoring-batches",
  handler: batchHandler((req, deps) => startScoringBatch(req, deps, getConfig())),
});
app.http(names.batches.status, { ...common, methods: ["GET"], route: "scoring-batches/{id}", handler: batchHandler(getScoringBatch) });
app.http(names.batches.cancel, { ...common, methods: ["POST"], route: "scoring-batches/{id}/cancel", handler: batchHandler(cancelScoringBatch) });

df.app.orchestration(names.batches.orchestrator, scoringBatchOrchestrator);
df.app.activity(names.batches.listItems, {
  handler: (request: ListItemsRequest) => {
    const deps = sharedPreflightDeps();
    return listBatchItems(request, { client: deps.client, allowLoopback: deps.allowLoopback, blobs: deps.blobs });
  },
});
df.app.activity(names.batches.cancelChildren, {
  extraInputs: [durableClientInput],
  handler: (request: CancelChildrenRequest, context) => cancelBatchChildren(request, runsClient(df.getClient(context))),
});

/** The per-endpoint semaphore: `acquire` answers granted or the caller's place; `release` frees a slot. */
df.app.entity<SlotsState>(names.batches.slotsEntity, (context) => {
  const state = context.df.getState(emptySlots) ?? emptySlots();
  switch (context.df.operationName) {
    case "acquire": {
      const { state: next, answer } = acquire(state, context.df.getInput<AcquireRequest>() as AcquireRequest);
      context.df.setState(next);
      context.df.return(answer);
      break;
    }
    case "release":
      context.df.setState(release(state, (context.df.getInput<{ runId: string }>() ?? { runId: "" }).runId));
      context.df.return(null);
      break;
    default:
      context.df.return(null);
  }
});
