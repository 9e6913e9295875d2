/**
 * Runs `work` on every item, at most `limit` at once, and answers each outcome in the items'
 * order. Every item is tried even when some fail, so one failure does not leave the others of a
 * batch half done; the caller decides what a failure means.
 */
export async function settleWithLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const settled: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        settled[index] = { status: "fulfilled", value: await work(items[index] as T) };
      } catch (reason) {
        settled[index] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return settled;
}
