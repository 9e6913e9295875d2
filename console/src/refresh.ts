/**
 * The live refresh's pace: quick while something changes, slower while nothing does, slower still
 * after a failed read, so an idle console left open all night costs almost nothing. Pure.
 */
export const refreshPace = { minMs: 2_000, maxMs: 60_000, maxAfterErrorMs: 120_000, idleFactor: 1.5, errorFactor: 2 } as const;

export type RefreshOutcome = "changed" | "unchanged" | "failed";

/** The wait before the next read, after a read that `outcome`d following a wait of `previousMs`. */
export function nextRefreshDelay(previousMs: number | null, outcome: RefreshOutcome): number {
  const previous = previousMs ?? refreshPace.minMs;
  if (outcome === "changed") return refreshPace.minMs;
  if (outcome === "failed") return Math.min(refreshPace.maxAfterErrorMs, Math.max(refreshPace.minMs, previous * refreshPace.errorFactor));
  return Math.min(refreshPace.maxMs, Math.round(previous * refreshPace.idleFactor));
}
