/**
 * The links between a run and its reruns. A rerun names its original in its own input
 * (`rerunOf`); the original's reruns are kept by a durable entity per run (`runLinks`, keyed by
 * the run id), since an ended orchestration cannot change. Pure: the entity's one operation.
 */

/** At most this many reruns are listed on a run (the oldest first). */
export const MAX_LINKED_RERUNS = 100;

export interface RunLinksState {
  reruns: string[];
}

export const runLinksOperations = { addRerun: "addRerun" } as const;

/** The entity's state after an operation; an unknown operation or input leaves it as it was. */
export function applyRunLinksOperation(state: RunLinksState | undefined, operation: string | undefined, input: unknown): RunLinksState {
  const current: RunLinksState = { reruns: Array.isArray(state?.reruns) ? state.reruns.filter((r) => typeof r === "string") : [] };
  if (operation !== runLinksOperations.addRerun || typeof input !== "string" || input === "") return current;
  if (current.reruns.includes(input) || current.reruns.length >= MAX_LINKED_RERUNS) return current;
  return { reruns: [...current.reruns, input] };
}
