/**
 * When a run read its job's status, for its timeline: the latest reads as whole seconds after the
 * run started, so a week of polls stays a few hundred bytes of custom status. The run's poll count
 * says how many older ones were dropped. Pure.
 */
export interface PollMarks {
  /** The run's start: what the seconds count from. */
  from: string;
  /** Seconds after `from`, oldest first. */
  seconds: number[];
}

export const maxPollMarks = 60;

export function markPoll(marks: PollMarks | undefined, from: string, at: Date, max = maxPollMarks): PollMarks {
  const start = marks?.from ?? from;
  const second = Math.max(0, Math.round((at.getTime() - Date.parse(start)) / 1000));
  const seconds = [...(marks?.seconds ?? []), second];
  return { from: start, seconds: seconds.length > max ? seconds.slice(seconds.length - max) : seconds };
}

/** The marks as times, oldest first; whatever a stored value lacks reads as none. */
export function pollTimes(value: unknown, max = maxPollMarks): string[] {
  if (typeof value !== "object" || value === null) return [];
  const { from, seconds } = value as Partial<Record<keyof PollMarks, unknown>>;
  const start = typeof from === "string" ? Date.parse(from) : Number.NaN;
  if (Number.isNaN(start) || !Array.isArray(seconds)) return [];
  return seconds
    .filter((s): s is number => typeof s === "number" && Number.isFinite(s) && s >= 0)
    .slice(-max)
    .map((s) => new Date(start + s * 1000).toISOString());
}
