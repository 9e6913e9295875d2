/**
 * The sweep of batched blob events (docs/api.md#batched-events): a file can reach its folder just
 * as the folder's closer ends, and the event handler's wake to that closer is then dropped. The
 * folder's entity sees such a file come with no closer live and puts the folder on the watch
 * list; the sweep (a timer) starts a closer for each folder there that still holds files.
 */
import type { AppConfig } from "../config";
import type { BlobWindowClient } from "../runs/blobWindowClient";
import { hasPendingFiles } from "../runs/blobWindows";

/** Folders one sweep looks at (two entity reads and a status read each); the rest wait for the next. */
export const SWEEP_FOLDERS_PER_RUN = 200;

export interface SweepOutcome {
  /** Closers started for folders holding files with none live. */
  started: number;
  /** Folders dropped from the list: nothing pending, or a closer live to serve it. */
  forgotten: number;
  /** Folders left for the next sweep (a closer still ending, or a read failed). */
  kept: number;
}

export async function sweepBlobWindows(windows: BlobWindowClient, config: AppConfig, log: (message: string) => void): Promise<SweepOutcome> {
  const outcome: SweepOutcome = { started: 0, forgotten: 0, kept: 0 };
  if ("problem" in config.blobTrigger || config.blobTrigger.settings.batchWindowSeconds === 0) return outcome;
  const { batchWindowSeconds: windowSeconds, batchMaxFiles: maxFiles } = config.blobTrigger.settings;
  const watched = await windows.readWatch();
  for (const { folderKey, seq } of watched.slice(0, SWEEP_FOLDERS_PER_RUN)) {
    try {
      const state = await windows.readFolder(folderKey);
      let served = !state || !hasPendingFiles(state);
      if (!served) {
        // A status read tells a live closer (it will look again) from one that has ended, or is ending now.
        const closer = await windows.ensureCloser({ folderKey, windowSeconds, maxFiles });
        if (closer === "started") outcome.started++;
        served = closer === "started" || state?.closer === "live";
      }
      if (served) {
        await windows.forget({ folderKey, seq });
        outcome.forgotten++;
      } else outcome.kept++;
    } catch (err) {
      log(`blob window sweep: folder ${folderKey} is kept for the next sweep: ${(err as Error).message}`);
      outcome.kept++;
    }
  }
  if (outcome.started + outcome.kept > 0 || watched.length > SWEEP_FOLDERS_PER_RUN)
    log(
      `blob window sweep: ${outcome.started} closers started, ${outcome.forgotten} folders served, ${outcome.kept + Math.max(0, watched.length - SWEEP_FOLDERS_PER_RUN)} left for the next sweep`,
    );
  return outcome;
}
