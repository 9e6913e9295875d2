/**
 * A run is never refused on kept answers: the client keeps endpoint, deployment and datastore
 * definitions for a while (SCORING_DEFINITION_CACHE_SECONDS), and one may have changed since.
 * A judgement that would refuse is made again once on fresh reads, and that one stands.
 */
import type { WorkspaceDataClient } from "../batch/types";

export async function judgedOnFreshReads<T>(judge: () => Promise<T>, refuses: (judgement: T) => boolean, client: WorkspaceDataClient): Promise<T> {
  const first = await judge();
  // With the cache off, the first judgement was made on fresh reads.
  if (!refuses(first) || !client.forgetKeptDefinitions?.()) return first;
  return judge();
}
