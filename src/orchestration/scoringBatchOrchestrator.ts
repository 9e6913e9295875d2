/**
 * One scoring batch: list the items (itemsFrom), then run each item as a child scoring run
 * (a sub-orchestration of scoringRunOrchestrator with id `<batchId>-<index>`), never more than
 * `maxConcurrentJobs` at once; stop starting items once failures pass the tolerance or a cancel
 * arrives (which goes on to every live child); end with the manifest. Deterministic: every
 * decision and state change is a pure function in batchState.ts.
 *
 * Bounded history: a child's completion is addressed to the execution that started it, and a
 * continueAsNew starts a new execution, so the batch continues as new only with no child live:
 * after starting `maxChildrenPerExecution` children it starts no more, waits for the live ones
 * (the drain), then continues as new with its state (docs/guarantees.md#batches).
 */
import type { OrchestrationContext, Task } from "durable-functions";
import { batchItems, childRequest, childRunId, itemsFromFolders } from "../runs/batches/childRuns";
import type { BatchItem, BatchProgress, BatchResult, CancelChildrenRequest, ListedFolders, ListItemsRequest, ScoringBatchInput } from "../runs/batches/types";
import { names } from "../runs/names";
import { newRunInput } from "../runs/runInput";
import type { CancelRequest } from "../runs/types";
import { callActivity } from "./activityCall";
import {
  batchCanceled,
  batchDone,
  batchProgress,
  batchResult,
  failedOutcome,
  initialBatchState,
  itemEnded,
  itemsStarted,
  itemsToStart,
  succeededOutcome,
} from "./batchState";

/** Looks at the children per execution before the batch drains and continues as new (each look is a timer in the history). */
export const maxWakesPerExecution = 300;

/** How often the batch looks at its earlier children: the template's poll interval, 5 to 60 seconds. */
export function lookSeconds(request: ScoringBatchInput["request"]): number {
  return Math.min(60, Math.max(5, request.template.pollIntervalSeconds));
}

export function* scoringBatchOrchestrator(context: OrchestrationContext): Generator<Task, BatchResult | undefined, any> {
  const df = context.df;
  const input = df.getInput<ScoringBatchInput>();
  const { request, batchId } = input;
  const now = () => df.currentUtcDateTime;
  let state = input.state ?? initialBatchState(now());
  // One waiter for the whole execution (see runEvents.ts: the SDK hands an event to the newest open waiter).
  const cancel = df.waitForExternalEvent(names.events.cancel);
  const live = new Map<number, Task>();
  let startedHere = 0;
  let wakesHere = 0;
  let items: BatchItem[] = batchItems(request, state.listed);
  const show = (phase: BatchProgress["phase"]) => df.setCustomStatus(batchProgress(batchId, state, items.length, live.size, phase));

  // 1. The items: given, or listed once (the listing travels in the state).
  if (request.itemsFrom && !state.listing) {
    show("Listing");
    const from = request.itemsFrom;
    const listed = yield* callActivity<ListedFolders>(
      df,
      names.batches.listItems,
      { prefix: from.prefix, maxItems: from.maxItems, workspace: request.template.workspace } satisfies ListItemsRequest,
      {
        outcomeUnknown: false,
      },
    );
    const folders = listed.ok ? listed.value.folders : [];
    state = {
      ...state,
      listed: itemsFromFolders(request.template, from, folders),
      listing: listed.ok
        ? { found: listed.value.found, truncated: listed.value.truncated, error: null }
        : { found: 0, truncated: false, error: listed.error.message },
    };
    items = batchItems(request, state.listed);
  }
  if (items.length === 0 && state.stop === null) state = { ...state, stop: "NoItems" };

  // 2. Children, at most maxConcurrentJobs live, until every item ran or the batch stopped.
  for (;;) {
    if (cancel.isCompleted && !state.cancel) {
      state = batchCanceled(state, ((cancel.result as CancelRequest | undefined) ?? {}).reason ?? "", now());
      yield* cancelLive();
    }
    const draining = startedHere >= input.maxChildrenPerExecution || wakesHere >= maxWakesPerExecution;
    // No more than maxChildrenPerExecution started per execution, however many end at once.
    const limit = Math.min(request.maxConcurrentJobs, live.size + input.maxChildrenPerExecution - startedHere);
    const starts = itemsToStart(state, items.length, live.size, limit, draining);
    const fresh: Task[] = [];
    for (let k = 0; k < starts; k++) {
      const index = state.nextIndex + k;
      const childInput = newRunInput(childRequest(request.template, items[index]!), input.runSettings, now(), input.correlationId);
      const child = df.callSubOrchestrator(names.orchestrator, childInput, childRunId(batchId, index));
      live.set(index, child);
      fresh.push(child);
    }
    state = itemsStarted(state, starts);
    startedHere += starts;
    if (batchDone(state, items.length, live.size)) {
      const result = batchResult(batchId, state, items.length, request, now());
      show(result.status);
      return result;
    }
    if (live.size === 0) {
      // Drained: no child can answer this execution any more, so the next one loses nothing.
      df.continueAsNew({ ...input, state: { ...state, executions: state.executions + 1 } } satisfies ScoringBatchInput);
      return undefined;
    }
    show(state.cancel ? "Canceling" : draining ? "Draining" : "Running");
    // Only children started now go into the race: a task already scheduled, put into a new Task.any,
    // is scheduled again by the extension (docs/guarantees.md#batches). Earlier children are seen
    // ended at the next look (their completion still lands on their task), a durable timer away.
    const look = df.createTimer(new Date(now().getTime() + lookSeconds(request) * 1000));
    const winner = yield df.Task.any([...fresh, look, ...(cancel.isCompleted ? [] : [cancel])]);
    if (winner !== look) look.cancel();
    wakesHere++;
    for (const [index, task] of [...live]) {
      if (!task.isCompleted && !task.isFaulted) continue;
      live.delete(index);
      const outcome = task.isFaulted ? failedOutcome(task.result) : succeededOutcome(task.result as never);
      state = itemEnded(state, index, outcome, items.length, request);
    }
  }

  /** Asks every live child to cancel (the run's own cancel event, as POST /api/scoring-runs/{id}/cancel raises it). */
  function* cancelLive(): Generator<Task, void, any> {
    const runIds = [...live.keys()].map((i) => childRunId(batchId, i));
    if (runIds.length === 0) return;
    show("Canceling");
    const ask: CancelChildrenRequest = { runIds, reason: `batch ${batchId} canceled${state.cancel?.reason ? `: ${state.cancel.reason}` : ""}` };
    const sent = yield* callActivity<{ notReached: string[] }>(df, names.batches.cancelChildren, ask, { outcomeUnknown: false });
    const missed = sent.ok ? sent.value.notReached : runIds;
    if (missed.length === 0) return;
    // A child created in the same moment may not exist yet: once more, a little later.
    yield df.createTimer(new Date(now().getTime() + 5_000));
    yield* callActivity<{ notReached: string[] }>(df, names.batches.cancelChildren, { ...ask, runIds: missed } satisfies CancelChildrenRequest, {
      outcomeUnknown: false,
    });
  }
}
