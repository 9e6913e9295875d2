/**
 * A per-process cache of ARM reads of definitions that rarely change (endpoint, deployment,
 * component version, datastore, a workspace's API host). Every run reads them at its start and end,
 * so a fleet of runs on one endpoint would otherwise spend the fleet's ARM read budget on the same
 * answers (docs/operations.md#fleet-read-budget). Only successful reads are kept, for `ttlMs`;
 * concurrent reads of one key share one request; the oldest entries go first past `maxEntries`.
 * Callers get their own copy, so nothing they change reaches the next caller. A read in flight
 * when the cache is cleared still answers its callers, and its answer is kept.
 */
export interface ReadCache {
  get<T>(key: string, read: () => Promise<T>): Promise<T>;
  /** Drops every kept answer: the next read of each key asks ARM again. False when the cache is off (it never keeps one). */
  clear(): boolean;
}

export interface ReadCacheOptions {
  /** How long a read answers for; 0 turns the cache off. */
  ttlMs: number;
  maxEntries?: number;
  now?: () => number;
}

export function createReadCache(options: ReadCacheOptions): ReadCache {
  const { ttlMs } = options;
  const maxEntries = options.maxEntries ?? 500;
  const now = options.now ?? Date.now;
  const kept = new Map<string, { value: unknown; until: number }>();
  const reading = new Map<string, Promise<unknown>>();
  return {
    async get<T>(key: string, read: () => Promise<T>): Promise<T> {
      if (ttlMs <= 0) return read();
      const hit = kept.get(key);
      if (hit && hit.until > now()) return structuredClone(hit.value) as T;
      kept.delete(key);
      let pending = reading.get(key);
      if (!pending) {
        pending = read()
          .then((value) => {
            kept.set(key, { value, until: now() + ttlMs });
            while (kept.size > maxEntries) kept.delete(kept.keys().next().value as string);
            return value;
          })
          .finally(() => reading.delete(key));
        reading.set(key, pending);
      }
      return structuredClone(await pending) as T;
    },
    clear(): boolean {
      kept.clear();
      return ttlMs > 0;
    },
  };
}
