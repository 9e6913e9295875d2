/** Learned polling (docs/operations.md#learned-polling): the per-endpoint durations entity, and the invoke's answer carrying the expected duration. */
import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { getConfig } from "../config";
import { endpointKey } from "../orchestration/endpointSlots";
import { applyJobDurationsOperation, emptyJobDurations, type ExpectedDuration, expectedDuration, type JobDurationsState } from "../runs/jobDurations";
import { names } from "../runs/names";

df.app.entity<JobDurationsState>(names.jobDurations, (context) => {
  const state = context.df.getState(emptyJobDurations) ?? emptyJobDurations();
  context.df.setState(applyJobDurationsOperation(state, context.df.operationName ?? "", context.df.getInput()));
});

/** Each endpoint's expected duration, read at most once a minute per worker (many runs start on one endpoint); no history yet is not kept. */
const READ_EVERY_MS = 60_000;
const seen = new Map<string, { at: number; expected: ExpectedDuration }>();

/** The invoke's answer, with the endpoint's expected duration when learned polling is on and there is history; a failed read just leaves it out. */
export async function withExpectedDuration<T extends object>(
  answer: Promise<T>,
  target: { endpointUri: string; deployment?: string | null },
  context: InvocationContext,
): Promise<T & { expected?: ExpectedDuration }> {
  const result = await answer;
  if (getConfig().pollPolicy.mode !== "learned") return result;
  const key = endpointKey(target.endpointUri, target.deployment ?? null);
  let cached = seen.get(key);
  if (!cached || Date.now() - cached.at >= READ_EVERY_MS) {
    try {
      const read = await df.getClient(context).readEntityState<JobDurationsState>(new df.EntityId(names.jobDurations, key));
      const expected = expectedDuration(read.entityExists ? read.entityState : undefined);
      if (!expected) return result;
      seen.set(key, (cached = { at: Date.now(), expected }));
    } catch {
      return result;
    }
  }
  return { ...result, expected: cached.expected };
}
