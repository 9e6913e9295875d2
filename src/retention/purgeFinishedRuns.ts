/**
 * Retention: purging the durable history of runs that ended, a bounded batch per invocation, so
 * the task hub does not grow forever and a large backlog is worked off over several invocations
 * instead of one that outlives the function timeout. It talks to the runs' durable adapter
 * (runs/durableRuns.ts) through the two calls it needs.
 */
import type { InstanceSummary, RunsClient } from "../runs/durableRuns";
import { hasEnded } from "../runs/runtimeStatus";
import type { Retention } from "./retentionSettings";

export type RetentionClient = Pick<RunsClient, "listEnded" | "purge">;

const dayMs = 24 * 3600_000;

export interface PurgeOptions {
  now: Date;
  /** Purge finished runs whose last update is more than this many days before `now`. */
  days: number;
  /** At most this many purges in one call. */
  batchSize: number;
  /** Purges in flight at once (default 4). */
  concurrency?: number;
}

export interface PurgeOutcome {
  cutoff: Date;
  batchSize: number;
  /** Runs whose history was deleted by this call. */
  purged: number;
  /** Runs listed as purgeable that were gone by the time of their purge (another invocation, a user). */
  alreadyGone: number;
  /** Purges that failed (the runs stay, for the next invocation). */
  failed: number;
  firstError: string | undefined;
  /** Purgeable runs left for later invocations (beyond the batch, plus failed purges). */
  remaining: number;
}

/** The instant before which a finished run's last update makes it purgeable. */
export function retentionCutoff(now: Date, days: number): Date {
  if (!Number.isInteger(days) || days < 1) throw new Error(`retention days must be a whole number ≥ 1, got ${days}`);
  return new Date(now.getTime() - days * dayMs);
}

function timeOf(value: Date | string): number {
  return value instanceof Date ? value.getTime() : Date.parse(value);
}

/** A run is purged when it has ended and its last update is strictly before the cutoff. Unreadable times never qualify. */
export function isPurgeable(instance: InstanceSummary, cutoff: Date): boolean {
  const updated = timeOf(instance.lastUpdatedTime);
  return hasEnded(instance.runtimeStatus) && Number.isFinite(updated) && updated < cutoff.getTime();
}

/** A batch size as given, checked: a whole number ≥ 1. */
export function checkedBatchSize(batchSize: number): number {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`retention batch size must be a whole number ≥ 1, got ${batchSize}`);
  return batchSize;
}

/**
 * The time an invocation stands for: the occurrence the host scheduled it for
 * (`scheduleStatus.next` of the timer input, which the Functions host fills in from its schedule
 * monitor before the invocation), never later than the wall clock; the wall clock when the host
 * gives none (no monitor, an invocation through the admin API). A past-due invocation thus
 * counts from its missed occurrence: an earlier cutoff, which purges less, never more.
 */
export function occurrenceTime(timer: { scheduleStatus?: { next?: string | null } | null } | null | undefined, wallNow: Date): Date {
  const next = Date.parse(timer?.scheduleStatus?.next ?? "");
  return Number.isFinite(next) && next < wallNow.getTime() ? new Date(next) : wallNow;
}

/** Lists purgeable runs (oldest last update first), purges at most `batchSize` of them, and says how many are left. */
export async function purgeFinishedRuns(client: RetentionClient, options: PurgeOptions): Promise<PurgeOutcome> {
  const batchSize = checkedBatchSize(options.batchSize);
  const cutoff = retentionCutoff(options.now, options.days);
  const found = new Map<string, number>();
  for (const instance of await client.listEnded(cutoff)) {
    if (isPurgeable(instance, cutoff)) found.set(instance.instanceId, timeOf(instance.lastUpdatedTime));
  }

  const batch = [...found]
    .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
    .slice(0, batchSize)
    .map(([id]) => id);
  const outcome: PurgeOutcome = {
    cutoff,
    batchSize,
    purged: 0,
    alreadyGone: 0,
    failed: 0,
    firstError: undefined,
    remaining: found.size - batch.length,
  };
  let next = 0;
  const worker = async () => {
    while (next < batch.length) {
      const id = batch[next++] as string;
      try {
        if ((await client.purge(id)) > 0) outcome.purged++;
        else outcome.alreadyGone++;
      } catch (err) {
        outcome.failed++;
        outcome.firstError ??= err instanceof Error ? err.message : String(err);
      }
    }
  };
  const workers = Math.max(1, Math.min(options.concurrency ?? 4, batch.length));
  await Promise.all(Array.from({ length: workers }, worker));
  // A failed purge leaves its run for a later invocation.
  outcome.remaining += outcome.failed;
  return outcome;
}

/** One log line for an invocation: counts only (no run ids). */
export function describeOutcome(outcome: PurgeOutcome): string {
  const parts = [`purged ${outcome.purged} finished run(s) last updated before ${outcome.cutoff.toISOString()} (batch of at most ${outcome.batchSize})`];
  if (outcome.alreadyGone > 0) parts.push(`${outcome.alreadyGone} already gone`);
  if (outcome.failed > 0) parts.push(`${outcome.failed} failed (${outcome.firstError})`);
  parts.push(outcome.remaining === 0 ? "none left" : `${outcome.remaining} more left for the next invocation(s)`);
  return parts.join("; ");
}

/** What the timer does with the retention settings: nothing when off, fail on a bad setting, else one bounded purge. */
export async function runRetention(retention: Retention, client: () => RetentionClient, now: Date, log: (message: string) => void): Promise<void> {
  // A wrong setting fails the invocation (visible in the host's logs), and purges nothing.
  if ("problem" in retention) throw new Error(retention.problem);
  if ("off" in retention) {
    log(`retention is off: ${retention.off}`);
    return;
  }
  const outcome = await purgeFinishedRuns(client(), { now, ...retention.settings });
  log(describeOutcome(outcome));
  if (outcome.failed > 0) throw new Error(`${outcome.failed} purge(s) failed, first: ${outcome.firstError}`);
}
