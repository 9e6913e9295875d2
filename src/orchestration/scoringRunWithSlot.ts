/**
 * The registered scoring run: the run's story (scoringRunOrchestrator), and, when
 * SCORING_MAX_JOBS_PER_ENDPOINT limits the endpoint, the slot it took given back at every end:
 * success, failure, cancel and deadline all leave the story by its return or its throw. A
 * continueAsNew keeps the slot (the next execution is the same run). A run terminated from
 * outside never gets here: its lease ends at its deadline instead (endpointSlots.ts).
 */
import type { OrchestrationContext, Task } from "durable-functions";
import type { ScoringRunInput } from "../runs/runInput";
import type { ScoringRunResult } from "../runs/types";
import { scoringRunOrchestrator } from "./scoringRunOrchestrator";
import { releaseSlot } from "./slotWait";

export function* scoringRun(context: OrchestrationContext): Generator<Task, ScoringRunResult | undefined, any> {
  const input = context.df.getInput<ScoringRunInput>();
  if (!((input.maxJobsPerEndpoint ?? 0) > 0)) return yield* scoringRunOrchestrator(context);
  let result: ScoringRunResult | undefined;
  try {
    result = yield* scoringRunOrchestrator(context);
  } catch (err) {
    yield* releaseSlot(context.df, input.request, context.df.instanceId);
    throw err;
  }
  // undefined: the run continued as new, still holding its slot.
  if (result !== undefined) yield* releaseSlot(context.df, input.request, context.df.instanceId);
  return result;
}
