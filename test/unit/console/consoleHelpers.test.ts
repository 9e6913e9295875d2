import { describe, expect, it } from "vitest";
import { batchOfRun, endpointName, formatAge, formatBytes, formatDuration, formatTime, runDurationMs } from "../../../console/src/format";
import { nextRefreshDelay, refreshPace } from "../../../console/src/refresh";
import { emptyFilter, formatRoute, listQuery, parseRoute } from "../../../console/src/route";
import { safeHref } from "../../../console/src/safeHref";

describe("console formats", () => {
  it.each([
    [0, "0 s"],
    [42_500, "42 s"],
    [60_000, "1 min"],
    [184_000, "3 min 4 s"],
    [7_500_000, "2 h 5 min"],
    [273_600_000, "3 d 4 h"],
    [-1, "–"],
  ])("%i ms reads %s", (ms, text) => expect(formatDuration(ms)).toBe(text));

  it("ages, times, sizes", () => {
    expect(formatAge("2026-12-02T10:00:00.000Z", Date.parse("2026-12-02T10:05:00.000Z"))).toBe("5 min ago");
    expect(formatAge("2026-12-02T10:00:00.000Z", Date.parse("2026-12-02T10:00:00.500Z"))).toBe("just now");
    expect(formatTime("2026-12-02T10:00:00.123Z")).toBe("2026-12-02 10:00:00 UTC");
    expect(formatTime(null)).toBe("–");
    expect([formatBytes(130), formatBytes(4300), formatBytes(1_572_864), formatBytes(null)]).toEqual(["130 B", "4.2 KB", "1.5 MB", "–"]);
  });

  it("a run's duration: to its end when it ended, to now while it goes on", () => {
    const run = { createdAt: "2026-12-02T10:00:00.000Z", lastUpdatedAt: "2026-12-02T10:01:00.000Z" };
    expect(runDurationMs({ ...run, status: "Failed" }, Date.parse("2026-12-02T11:00:00.000Z"))).toBe(60_000);
    expect(runDurationMs({ ...run, status: "Running" }, Date.parse("2026-12-02T10:02:00.000Z"))).toBe(120_000);
  });

  it("endpoint names from scoring URIs, and batches from child run ids", () => {
    expect(endpointName("https://heart-ep.westeurope.inference.ml.azure.com/jobs")).toBe("heart-ep");
    expect(endpointName("http://127.0.0.1:7171/endpoints/ep-scoring/jobs")).toBe("ep-scoring");
    expect(endpointName(null)).toBe("–");
    expect(batchOfRun("batch-5f0c0123456789abcdef0123456789ab-0007")).toBe("batch-5f0c0123456789abcdef0123456789ab");
    expect(batchOfRun("req-5f0c-0007")).toBeNull();
  });
});

describe("the live refresh backs off", () => {
  it("quick while the data changes, slower while it does not, slower still after failures, within bounds", () => {
    expect(nextRefreshDelay(null, "changed")).toBe(refreshPace.minMs);
    let delay: number = refreshPace.minMs;
    const idle: number[] = [];
    for (let i = 0; i < 12; i++) idle.push((delay = nextRefreshDelay(delay, "unchanged")));
    expect(idle[0]).toBe(3_000);
    expect(idle.every((d, i) => i === 0 || d >= idle[i - 1]!)).toBe(true);
    expect(idle.at(-1)).toBe(refreshPace.maxMs);
    expect(nextRefreshDelay(refreshPace.maxMs, "changed")).toBe(refreshPace.minMs);
    expect(nextRefreshDelay(40_000, "failed")).toBe(80_000);
    expect(nextRefreshDelay(100_000, "failed")).toBe(refreshPace.maxAfterErrorMs);
  });
});

describe("console routes live in the fragment and hold no key", () => {
  it("round-trip a filtered list, a run and a batch", () => {
    const list = {
      page: "runs" as const,
      filter: { statuses: ["Failed" as const, "Canceled" as const], endpoint: "ep-scoring", since: "24h" as const },
      token: "abc",
    };
    expect(formatRoute(list)).toBe("#/runs?status=Failed%2CCanceled&endpoint=ep-scoring&since=24h&page=abc");
    expect(parseRoute(formatRoute(list))).toEqual(list);
    expect(parseRoute(formatRoute({ page: "run", id: "req-1/2" }))).toEqual({ page: "run", id: "req-1/2" });
    expect(parseRoute("#/batches/batch-1?page=t")).toEqual({ page: "batch", id: "batch-1", token: "t" });
    expect(parseRoute("")).toEqual({ page: "runs", filter: emptyFilter, token: null });
    expect(parseRoute("#/runs?status=Nope,Failed&since=forever").page === "runs" && parseRoute("#/runs?status=Nope,Failed&since=forever")).toMatchObject({
      filter: { statuses: ["Failed"], since: "" },
    });
  });

  it("the list API's query: statuses, endpoint, a created-after time counted back from now, the page", () => {
    const now = Date.parse("2026-12-02T12:00:00.000Z");
    const query = new URLSearchParams(listQuery({ statuses: ["Running"], endpoint: " ep ", since: "1h" }, "tok", 25, now));
    expect(Object.fromEntries(query)).toEqual({
      top: "25",
      status: "Running",
      endpoint: "ep",
      createdAfter: "2026-12-02T11:00:00.000Z",
      continuationToken: "tok",
    });
    expect(listQuery(emptyFilter, null, 25, now)).toBe("top=25");
  });
});

describe("links from run data", () => {
  it.each([
    ["https://ml.azure.com/runs/x?wsid=1", "https://ml.azure.com/runs/x?wsid=1"],
    ["http://127.0.0.1:10000/devstoreaccount1/c/p.csv", "http://127.0.0.1:10000/devstoreaccount1/c/p.csv"],
    ["javascript:alert(1)", null],
    ["JaVaScRiPt:alert(1)", null],
    ["data:text/html,<script>alert(1)</script>", null],
    ["https://user:pw@example.com/", null],
    ["not a url", null],
    [null, null],
  ])("%j → %j", (url, href) => expect(safeHref(url)).toBe(href));
});
