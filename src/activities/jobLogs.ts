/**
 * Reading a batch job's two summary logs, leniently. Pure.
 *
 * `logs/job_progress_overview.txt` "provides high-level information about the current number of
 * mini-batches (also known as tasks) created and the current number of processed mini-batches …
 * If the job fails, the log shows the error message"; `logs/user/error.txt` "provides a summary of
 * errors in your script" (docs/azure-behaviour.md#batch-job-logs). No sample of either file's text
 * is published, so the counts are read from several phrasings ("Total mini batches: 12",
 * "12 mini batches created", "5/12 mini batches processed", "Failed tasks: 2", …), the last
 * mention of each winning (the file grows as the job goes), and whatever is not recognised is left
 * null rather than guessed. The format is inferred, not documented.
 */
import { sanitizeText } from "../batch/sanitize";
import { MAX_ERROR_LINE_LENGTH, MAX_ERROR_LINES, type MiniBatchCounts } from "../runs/diagnostics";

/** "mini batch(es)", "mini-batch", "minibatch", "mini_batches", or their other name, "task(s)". A mention never spans lines. */
const MB = String.raw`(?:mini[ \t_-]?batch(?:es)?|tasks?)`;
const NUM = String.raw`(\d{1,12})`;
const IS = String.raw`[ \t]*(?:[:=]|\bis\b|\bare\b)?[ \t]*`;
const BEEN = String.raw`(?:were[ \t]+|have[ \t]+been[ \t]+|has[ \t]+been[ \t]+|are[ \t]+|got[ \t]+)?`;
const DONE = String.raw`(?:processed|completed|finished|succeeded|done)`;

type Field = keyof MiniBatchCounts;

/** Each pattern names the capture group of each count it gives. */
const patterns: { re: RegExp; groups: Partial<Record<Field, number>> }[] = [
  // "5/12 mini batches processed", "processed 5 of 12 mini batches", "5 out of 12 tasks completed"
  {
    re: new RegExp(String.raw`${NUM}[ \t]*(?:\/|\bof\b|\bout[ \t]+of\b)[ \t]*${NUM}[ \t]+${MB}[ \t]+${BEEN}${DONE}`, "gi"),
    groups: { processed: 1, total: 2 },
  },
  { re: new RegExp(String.raw`${DONE}[ \t]+${NUM}[ \t]*(?:\/|\bof\b|\bout[ \t]+of\b)[ \t]*${NUM}[ \t]+${MB}`, "gi"), groups: { processed: 1, total: 2 } },
  // "Total mini batches: 12", "total number of tasks is 12", "Total mini-batches created: 12"
  { re: new RegExp(String.raw`\btotal[ \t]+(?:number[ \t]+of[ \t]+)?${MB}(?:[ \t]+created)?${IS}${NUM}`, "gi"), groups: { total: 1 } },
  // "12 mini batches created", "12 tasks in total"
  { re: new RegExp(String.raw`${NUM}[ \t]+${MB}[ \t]+${BEEN}(?:created|scheduled|in[ \t]+total)`, "gi"), groups: { total: 1 } },
  // "mini batches created: 12"
  { re: new RegExp(String.raw`${MB}[ \t]+created${IS}${NUM}`, "gi"), groups: { total: 1 } },
  // "Processed mini batches: 5", "completed tasks = 5"
  { re: new RegExp(String.raw`${DONE}[ \t]+${MB}${IS}${NUM}`, "gi"), groups: { processed: 1 } },
  // "5 mini batches processed", "5 tasks have been completed"
  { re: new RegExp(String.raw`${NUM}[ \t]+${MB}[ \t]+${BEEN}${DONE}`, "gi"), groups: { processed: 1 } },
  // "mini batches processed: 5"
  { re: new RegExp(String.raw`${MB}[ \t]+${DONE}${IS}${NUM}`, "gi"), groups: { processed: 1 } },
  // "Failed mini batches: 2"
  { re: new RegExp(String.raw`\bfailed[ \t]+${MB}${IS}${NUM}`, "gi"), groups: { failed: 1 } },
  // "2 mini batches failed", "2 tasks have failed"
  { re: new RegExp(String.raw`${NUM}[ \t]+${MB}[ \t]+(?:have[ \t]+|has[ \t]+|were[ \t]+)?failed`, "gi"), groups: { failed: 1 } },
  // "mini batches failed: 2"
  { re: new RegExp(String.raw`${MB}[ \t]+failed${IS}${NUM}`, "gi"), groups: { failed: 1 } },
];

/** Mini-batch counts from `logs/job_progress_overview.txt`; null when the text gives none. */
export function parseProgressOverview(text: string): MiniBatchCounts | null {
  const last: Record<Field, { at: number; value: number } | null> = { total: null, processed: null, failed: null };
  for (const { re, groups } of patterns) {
    for (const m of text.matchAll(re)) {
      for (const [field, group] of Object.entries(groups) as [Field, number][]) {
        const value = Number(m[group]);
        // Where the mention ends: a later one wins; at the same place the more specific (earlier) pattern stays.
        const at = (m.index ?? 0) + m[0].length;
        if (Number.isSafeInteger(value) && (last[field] === null || at > last[field].at)) last[field] = { at, value };
      }
    }
  }
  const counts = { total: last.total?.value ?? null, processed: last.processed?.value ?? null, failed: last.failed?.value ?? null };
  return counts.total === null && counts.processed === null && counts.failed === null ? null : counts;
}

const isCountLine = (line: string): boolean => patterns.some(({ re }) => new RegExp(re.source, "i").test(line));
const ERRORISH = /\b(error|exception|failed|failure|traceback)\b/i;

/** A line as it may be shown: secrets scrubbed, whitespace collapsed, at most 300 characters. */
const shown = (line: string): string => sanitizeText(line, MAX_ERROR_LINE_LENGTH);

/**
 * The first lines worth showing: the error summary's first non-empty lines; without one, the
 * progress log's lines that speak of an error (not its count lines). At most 10, each at most
 * 300 characters, secrets scrubbed.
 */
export function firstErrorLines(errorSummary: string | null, progressOverview: string | null): string[] {
  const lines = (text: string | null) =>
    (text ?? "")
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== "");
  const fromSummary = lines(errorSummary);
  const chosen = fromSummary.length > 0 ? fromSummary : lines(progressOverview).filter((l) => ERRORISH.test(l) && !isCountLine(l));
  return chosen
    .slice(0, MAX_ERROR_LINES)
    .map(shown)
    .filter((l) => l !== "");
}
