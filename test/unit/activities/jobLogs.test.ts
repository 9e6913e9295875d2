import { describe, expect, it } from "vitest";
import { firstErrorLines, parseProgressOverview } from "../../../src/activities/jobLogs";

describe("parseProgressOverview: the format is not published, so several phrasings", () => {
  it.each([
    ["Total mini batches: 12\nProcessed mini batches: 10\nFailed mini batches: 2", { total: 12, processed: 10, failed: 2 }],
    ["total number of tasks is 7. completed tasks = 7. failed tasks = 0", { total: 7, processed: 7, failed: 0 }],
    ["12 mini-batches created\n5/12 mini batches processed\n2 minibatches failed", { total: 12, processed: 5, failed: 2 }],
    ["Processed 9 of 12 mini_batches", { total: 12, processed: 9, failed: null }],
    ["mini batches created: 4; mini batches processed: 3; mini batches failed: 1", { total: 4, processed: 3, failed: 1 }],
    ["3 tasks have been completed, 1 task has failed", { total: null, processed: 3, failed: 1 }],
  ])("%j", (text, expected) => {
    expect(parseProgressOverview(text)).toEqual(expected);
  });

  it("the file grows as the job goes: the last mention of each count wins", () => {
    const text = [
      "2024-05-01 10:00 Total mini batches: 12",
      "2024-05-01 10:01 Processed mini batches: 3",
      "2024-05-01 10:05 Processed mini batches: 11",
      "2024-05-01 10:06 Failed mini batches: 1",
      "2024-05-01 10:07 12/12 mini batches processed",
    ].join("\n");
    expect(parseProgressOverview(text)).toEqual({ total: 12, processed: 12, failed: 1 });
  });

  it("in '5/12 mini batches processed' 12 is the total, not what was processed", () => {
    expect(parseProgressOverview("5/12 mini batches processed")).toEqual({ total: 12, processed: 5, failed: null });
  });

  it("text with no counts gives null, and item counts are not mini-batch counts", () => {
    expect(parseProgressOverview("")).toBeNull();
    expect(parseProgressOverview("Job started.\nFailed items: 3\nTotal items: 25")).toBeNull();
  });
});

describe("firstErrorLines", () => {
  it("the error summary's first non-empty lines, at most 10, each at most 300 characters", () => {
    const summary = ["", "  Error processing input file a.csv: ValueError  ", "", ...Array.from({ length: 12 }, (_, i) => `line ${i} ${"x".repeat(400)}`)].join(
      "\r\n",
    );
    const lines = firstErrorLines(summary, "Total mini batches: 1");
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe("Error processing input file a.csv: ValueError");
    expect(lines.every((l) => l.length <= 300)).toBe(true);
  });

  it("scrubs secrets: SAS signatures, keys, bearer tokens", () => {
    const lines = firstErrorLines(
      "Failed to read https://acct.blob.core.windows.net/c/in.csv?sv=2022&sig=SECRETSIG\nAuthorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefgh\nAccountKey=SECRETKEY",
      null,
    );
    const text = lines.join("\n");
    expect(text).not.toContain("SECRETSIG");
    expect(text).not.toContain("eyJhbGci");
    expect(text).not.toContain("SECRETKEY");
  });

  it("without an error summary, the progress log's error lines (not its counts)", () => {
    const overview = "Total mini batches: 3\nFailed mini batches: 3\nJob failed: User program failed with Exception: Run failed.\nDone.";
    expect(firstErrorLines(null, overview)).toEqual(["Job failed: User program failed with Exception: Run failed."]);
    expect(firstErrorLines("", null)).toEqual([]);
  });
});
