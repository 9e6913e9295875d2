/**
 * The stored-bytes rows: what a typical 2 h run writes to its task hub (bench/storedBytes.ts),
 * against the format of the commit before the lean state (status reads that carry only the
 * status, the carried state without its defaults). That commit's app is built and measured in
 * the same run when git has it; otherwise its recorded figures stand in, and the target says so.
 */
import { baselineAppEntry } from "./baselineApp";
import { inFreshProcess } from "./freshProcess";
import { type Row, row } from "./rows";
import type { StoredBytesFigures } from "./storedBytes";

/** The last commit before the lean state (`git rev-parse HEAD` when it was measured). */
export const baselineCommit = "e347fcabcc1bf110ac9933056012218484b624a9";

/**
 * Measured at `baselineCommit` with this bench's code (dev/host/taskHubSize.ts): its app bundle on
 * today's dev host and emulator. Deterministic on the virtual clock, within a few bytes (the
 * emulator's port is part of the endpoint URI the run stores).
 */
export const recordedBaseline: Record<"typical" | "events", Pick<StoredBytesFigures, "total" | "payloadBytes">> = {
  typical: { total: 513_576, payloadBytes: 234_824 },
  events: { total: 77_947, payloadBytes: 40_904 },
};

type Mode = keyof typeof recordedBaseline;
const kb = (bytes: number) => bytes / 1024;

/** The baseline commit's figures, measured now if its app can be built and run, else as recorded. */
function baseline(mode: Mode): { figures: Pick<StoredBytesFigures, "total" | "payloadBytes">; measured: boolean } {
  try {
    const app = baselineAppEntry(baselineCommit);
    if (app) return { figures: inFreshProcess<StoredBytesFigures>("storedBytes", [mode, app]), measured: true };
  } catch {
    // An old app that no longer runs on today's host: the recorded figures stand in.
  }
  return { figures: recordedBaseline[mode], measured: false };
}

export function measureStoredBytesRows(): Row[] {
  const typical = inFreshProcess<StoredBytesFigures>("storedBytes", ["typical", ""]);
  const events = inFreshProcess<StoredBytesFigures>("storedBytes", ["events", ""]);
  const before = baseline("typical");
  const eventsBefore = baseline("events");
  const at = `${baselineCommit.slice(0, 7)}${before.measured ? "" : " (recorded)"}`;
  return [
    row(
      "stored bytes per run, typical 2 h job (adaptive, no events): history rows and instance row, KB",
      kb(typical.total),
      kb(before.figures.total),
      `≤ 0.5 × ${at}`,
      typical.total <= 0.5 * before.figures.total,
    ),
    row(
      "stored bytes per run, typical 2 h job: of which payloads (inputs, results, custom status, output), KB",
      kb(typical.payloadBytes),
      kb(before.figures.payloadBytes),
      `report (vs ${at})`,
      true,
    ),
    row("stored bytes per run, typical 2 h job: history rows written", typical.historyRows, null, "report", true),
    row(
      "stored bytes per run, 2 h job with job events (canceled timers' rows included), KB",
      kb(events.total),
      kb(eventsBefore.figures.total),
      `report (vs ${baselineCommit.slice(0, 7)}${eventsBefore.measured ? "" : " (recorded)"})`,
      true,
    ),
    row(
      "stored bytes per run, 2 h job with job events: canceled timers that still fire",
      events.canceledTimersFired,
      null,
      "report (each a row and an episode)",
      true,
    ),
  ];
}
