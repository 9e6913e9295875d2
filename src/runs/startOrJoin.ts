/**
 * Starting a run under an id that names it (an Idempotency-Key, a request, a blob version), or
 * finding the run already there. One start per id: a second request with the same body joins
 * the run, one with another body is a conflict. Durable's own start would replace an ended run,
 * so the id is read first; and on Azure Storage two starts racing on one id can both answer
 * success while the later is dropped, so a start is read back before it is believed.
 * Starts of one id in this process run one after the other: otherwise a second start that read
 * the id before the first started it could replace the first's run if that run ended at once
 * (docs/azure-behaviour.md#starting-an-existing-instance). Across processes that window stays.
 */
import type { RunsClient } from "./durableRuns";
import { requestFingerprint } from "./runIds";
import type { ScoringRunInput } from "./runInput";
import type { DurableStatusLike } from "./runView";
import type { ScoringRunRequest } from "./types";

export type StartOutcome<Refusal> =
  | { kind: "started" }
  /** The id already named a run of this very request (before, or by winning a race). */
  | { kind: "joined"; existing: DurableStatusLike }
  /** The id names a run of another request. */
  | { kind: "conflict"; existing: DurableStatusLike }
  /** `beforeStart` refused to start a new run. */
  | { kind: "refused"; refusal: Refusal };

/** The last start under way per id in this process: a later one waits for it. Entries go when their start settles. */
const startsUnderWay = new Map<string, Promise<unknown>>();

export async function startOrJoin<Refusal = never>(
  runs: RunsClient,
  instanceId: string,
  input: ScoringRunInput,
  beforeStart?: () => Promise<Refusal | null>,
): Promise<StartOutcome<Refusal>> {
  const previous = startsUnderWay.get(instanceId) ?? Promise.resolve();
  const mine = previous.then(() => startOrJoinNow(runs, instanceId, input, beforeStart));
  const settled = mine.catch(() => undefined);
  startsUnderWay.set(instanceId, settled);
  try {
    return await mine;
  } finally {
    if (startsUnderWay.get(instanceId) === settled) startsUnderWay.delete(instanceId);
  }
}

async function startOrJoinNow<Refusal>(
  runs: RunsClient,
  instanceId: string,
  input: ScoringRunInput,
  beforeStart: (() => Promise<Refusal | null>) | undefined,
): Promise<StartOutcome<Refusal>> {
  const found = (existing: DurableStatusLike): StartOutcome<Refusal> =>
    sameRequest(existing, input.request) ? { kind: "joined", existing } : { kind: "conflict", existing };
  const existing = await runs.get(instanceId);
  if (existing) return found(existing);
  const refusal = beforeStart ? await beforeStart() : null;
  if (refusal !== null) return { kind: "refused", refusal };
  try {
    await runs.start(instanceId, input);
  } catch (err) {
    const raced = await runs.get(instanceId);
    if (raced) return found(raced);
    throw err;
  }
  const started = await runs.get(instanceId);
  return started && !sameRequest(started, input.request) ? { kind: "conflict", existing: started } : { kind: "started" };
}

/** Whether a run was started with this request (whatever body form it came in). */
export function sameRequest(existing: DurableStatusLike, request: ScoringRunRequest): boolean {
  const previous = (existing.input as Partial<ScoringRunInput> | null)?.request;
  return previous !== undefined && requestFingerprint(previous) === requestFingerprint(request);
}
