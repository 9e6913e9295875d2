/**
 * Faults ride through: a fault matrix driven through the batch emulator's fault
 * injection, end to end through the dev host on the virtual clock.
 *
 * Each row is {route, fault, expected outcome}. Status-read rows are also checked request by
 * request against an independent model (faultModel.ts): how many GETs the ARM pipeline sends per
 * read, which in-process sleeps it asks for, and when, in virtual time, the orchestrator reads
 * again (README "How a run behaves": 5 s doubling capped by the interval, never sooner than
 * Retry-After, 3 non-retryable reads in a row, never past timeoutSeconds).
 *
 * The pipeline's own in-process retry sleeps are shortened (pipelineSleeps.ts: recorded, then
 * slept ×0), except in the rows marked "real time", which prove the wall-clock behaviour.
 *
 * Rows named "regression: …" each caught a break of a documented rule when written (see the
 * note on the row) and guard the fix. afterAll prints the matrix with pass/fail
 * counts per group.
 *
 * The dev stack sets AML_WORKSPACE_ID, so the invoke activity searches the workspace for the
 * run's clientInvokeId before posting and after a lost answer (src/activities/ensureJob.ts);
 * invoke rows marked "(no workspace)" clear it to show the bare invoke.
 */
import * as diagnosticsChannel from "node:diagnostics_channel";
import type { IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FaultKind, type JobStatus, lifecycles, type RecordedRequest } from "../../dev/batch-emulator";
import { pipelineDeployment } from "../../dev/stack";
import { names } from "../../src/runs/names";
import { type Stack, startStack } from "../e2e/stack";
import { closedPort } from "../fixtures/ports";
import { armCall, type ExpectedSleep, feedOf, modelPolling, type Seen } from "./faultModel";
import { pipelineSleeps } from "./pipelineSleeps";

/** The job search of a lost invoke answer, and pre-flight's reads: the datastore, the endpoint and its deployment. */
const preflightRoutes: string[] = ["listJobs", "getDatastore", "getBatchEndpoint", "getBatchDeployment"];

// ---- the matrix record ----------------------------------------------------------------------

type Group = "status GET" | "cancel" | "invoke" | "token" | "job status" | "deadline";
interface MatrixEntry {
  group: Group;
  route: string;
  row: string;
  expected: string;
  actual: string;
  pass: boolean;
  bug: boolean;
}
const matrix: MatrixEntry[] = [];

function track(group: Group, route: string, row: string, expected: string, bug = false): MatrixEntry {
  const entry: MatrixEntry = { group, route, row, expected, actual: "(did not finish)", pass: false, bug };
  matrix.push(entry);
  return entry;
}

function printMatrix(): void {
  if (matrix.length === 0) return;
  const cols = [
    { h: "group", w: 10, v: (e: MatrixEntry) => e.group },
    { h: "route", w: 9, v: (e: MatrixEntry) => e.route },
    { h: "fault", w: 64, v: (e: MatrixEntry) => (e.bug ? "regression: " : "") + e.row },
    { h: "expected", w: 30, v: (e: MatrixEntry) => e.expected },
    { h: "actual", w: 64, v: (e: MatrixEntry) => e.actual },
    { h: "result", w: 6, v: (e: MatrixEntry) => (e.pass ? "pass" : "FAIL") },
  ];
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(cols[i]!.w)).join(" | ");
  const out = ["", "FAULT MATRIX: faults ride through", line(cols.map((c) => c.h)), cols.map((c) => "-".repeat(c.w)).join("-|-")];
  for (const e of matrix) out.push(line(cols.map((c) => c.v(e))));
  out.push("");
  const groups = [...new Set(matrix.map((e) => e.group))];
  for (const g of groups) {
    const rows = matrix.filter((e) => e.group === g);
    const passed = rows.filter((e) => e.pass).length;
    const bugs = rows.filter((e) => e.bug && !e.pass).length;
    out.push(`${g.padEnd(10)}  ${passed}/${rows.length} passed${bugs ? ` (${bugs} regression row${bugs > 1 ? "s" : ""})` : ""}`);
  }
  const passed = matrix.filter((e) => e.pass).length;
  out.push(`${"total".padEnd(10)}  ${passed}/${matrix.length} passed`);
  console.log(out.join("\n"));
}

// ---- the stack --------------------------------------------------------------------------------

/** Non-terminal status reads before Completed (lifecycles.completesAfter). */
const BUSY = 2;
const INTERVAL = 60;
const MAX_IN_PROCESS_RETRY_AFTER_MS = 30_000; // pipelines.ts: a longer Retry-After is never waited in-process

let stack: Stack;

beforeAll(async () => {
  pipelineSleeps.install(); // before the app loads (startStack loads the dist/app bundle; the REST pipeline stays external)
  stack = await startStack({ clock: "virtual" });
});
afterAll(async () => {
  printMatrix();
  await stack?.stop();
});
beforeEach(() => {
  stack.emulator.reset();
  pipelineSleeps.clear();
  pipelineSleeps.setScale(0);
});

const ended = (id: string) => () => {
  const s = stack.host.engine.get(id)?.runtimeStatus;
  return s === "Completed" || s === "Failed" || s === "Terminated";
};

async function startRun(body: Record<string, unknown>): Promise<string> {
  const res = await stack.api("/api/scoring-runs", { json: stack.startBody(body) });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body.id as string;
}

async function runToEnd(id: string): Promise<any> {
  expect(await stack.host.engine.runUntil(ended(id))).toBe(true);
  return (await stack.api(`/api/scoring-runs/${id}`)).body;
}

const outcomeOf = (view: any): string => (view.status === "Succeeded" ? "Succeeded" : `${view.status}/${view.error?.code}`);
const expectedOf = (result: string): string => (result === "Succeeded" ? "Succeeded" : `Failed/${result}`);

/** Virtual ms of the invoke: time zero of a run. */
function invokeAt(): number {
  const invokes = stack.emulator.requestsFor("invoke");
  expect(invokes.length).toBeGreaterThan(0);
  return invokes[0]!.at;
}

/** GETs grouped by their virtual receipt time (one group = one status-read activity). */
function groupsOf(requests: RecordedRequest[], t0: number): Array<{ atSeconds: number; requests: Seen[] }> {
  const groups: Array<{ atSeconds: number; requests: Seen[] }> = [];
  for (const r of requests) {
    const atSeconds = (r.at - t0) / 1000;
    const last = groups[groups.length - 1];
    const seen = r.status as Seen;
    if (last && last.atSeconds === atSeconds) last.requests.push(seen);
    else groups.push({ atSeconds, requests: [seen] });
  }
  return groups;
}

const describeGroups = (groups: Array<{ atSeconds: number; requests: Seen[] }>): string => groups.map((g) => `${g.atSeconds}s:${g.requests.length}`).join(" ");

/** The in-process sleeps the pipeline asked for, against the model's (exact, or a jitter window). */
function expectSleeps(expected: ExpectedSleep[]): void {
  const actual = pipelineSleeps.all.map((s) => s.requestedMs);
  expect(actual.length, `pipeline sleeps ${JSON.stringify(actual)}`).toBe(expected.length);
  expected.forEach((e, i) => {
    expect(actual[i]).toBeGreaterThanOrEqual(e.minMs);
    expect(actual[i]).toBeLessThanOrEqual(e.maxMs);
  });
}

function expectNoLongInProcessSleep(): void {
  const longest = Math.max(0, ...pipelineSleeps.all.map((s) => s.requestedMs));
  expect(
    longest,
    `the ARM pipeline slept ${longest / 1000} s in-process for one call; pipelines.ts promises a Retry-After over 30 s is never waited in-process (the call should fail at once, retryable, and the orchestrator wait on a durable timer)`,
  ).toBeLessThanOrEqual(MAX_IN_PROCESS_RETRY_AFTER_MS);
}

// ---- status GETs ------------------------------------------------------------------------------

interface Injection {
  times: number;
  kind: FaultKind;
}
interface StatusRow {
  row: string;
  faults: Injection[];
  expected: string;
  timeoutSeconds?: number;
  /** Seconds between reads, written out (the model checks every row; these make pollSchedule's rule visible). */
  gaps?: number[];
  /** Set on rows that show a bug: what the documented rule says, and where the code breaks it. */
  bug?: string;
}

const f = (times: number, kind: FaultKind): Injection => ({ times, kind });
const s429 = (ra?: number): FaultKind => (ra === undefined ? { status: 429 } : { status: 429, retryAfterSeconds: ra });
const s503 = (ra?: number): FaultKind => (ra === undefined ? { status: 503 } : { status: 503, retryAfterSeconds: ra });
const reset: FaultKind = { reset: true };
const slow: FaultKind = { delayMs: 2000 };

/** Reads as the model (and the emulator) see them, interval 60 s: */
const mixedStorm: Injection[] = [
  f(1, s429(2)),
  f(1, s503()),
  f(1, reset),
  f(1, slow), // read 1 (60 s): 429 waited 2 s, 503 backed off, reset retried, slow 200: ridden through in-process
  f(2, s503()),
  f(1, s429(300)), // read 2 (120 s): two 503s retried, a 429 asking 300 s ends it at once
  f(2, reset),
  f(1, { status: 500 }),
  f(1, s503(2)),
  f(4, s503()), // read 3 (420 s, ≥ 300 s later): 7 GETs, exhausted on 503s
  f(1, reset),
  f(1, s429(2)),
  f(1, { status: 408 }),
  f(3, s503()), // read 4 (430 s, backoff 10 s): 6 GETs, exhausted; read 5 (450 s, backoff 20 s): 503, then 200
];

const statusRows: StatusRow[] = [
  {
    row: "429 ×8, Retry-After 300 (each read fails at once, waits ≥ 300 s)",
    faults: [f(8, s429(300))],
    expected: "Succeeded",
    gaps: [...Array(8).fill(300), 60, 60],
  },
  { row: "429 ×4, no Retry-After (not retried in-process)", faults: [f(4, s429())], expected: "Succeeded", gaps: [5, 10, 20, 40, 60, 60] },
  { row: "503 ×8, Retry-After 300", faults: [f(8, s503(300))], expected: "Succeeded" },
  { row: "503 ×8, Retry-After 2 (waited in-process, 4 GETs a read)", faults: [f(8, s503(2))], expected: "Succeeded", gaps: [5, 10, 60, 60] },
  { row: "503 ×3, no Retry-After (absorbed by the pipeline)", faults: [f(3, s503())], expected: "Succeeded" },
  { row: "503 ×8, no Retry-After (two exhausted reads: 5 s, 10 s)", faults: [f(8, s503())], expected: "Succeeded", gaps: [5, 10, 60, 60] },
  { row: "500 ×3 (absorbed by the pipeline)", faults: [f(3, { status: 500 })], expected: "Succeeded" },
  { row: "500 ×8", faults: [f(8, { status: 500 })], expected: "Succeeded" },
  { row: "408 ×8", faults: [f(8, { status: 408 })], expected: "Succeeded" },
  { row: "reset ×3 (absorbed by the pipeline)", faults: [f(3, reset)], expected: "Succeeded" },
  { row: "reset ×12 (three exhausted reads: 5, 10, 20 s)", faults: [f(12, reset)], expected: "Succeeded", gaps: [5, 10, 20, 60, 60] },
  { row: "slow answer 2 s ×2 (real time, under the 30 s timeout)", faults: [f(2, slow)], expected: "Succeeded" },
  { row: "mixed storm: 429/503/500/408/reset/slow interleaved ×21", faults: mixedStorm, expected: "Succeeded", gaps: [60, 300, 10, 20, 60] },
  {
    row: "long outage: 503 ×100 (25 exhausted reads, ~21 min)",
    faults: [f(100, s503())],
    expected: "Succeeded",
    gaps: [5, 10, 20, 40, ...Array(21).fill(60), 60, 60],
  },
  { row: "403 ×2, then OK", faults: [f(2, { status: 403 })], expected: "Succeeded" },
  { row: "404 ×2, then OK", faults: [f(2, { status: 404 })], expected: "Succeeded" },
  { row: "403 ×3", faults: [f(3, { status: 403 })], expected: "Failed/JobStatusUnavailable" },
  { row: "404 ×3", faults: [f(3, { status: 404 })], expected: "Failed/JobStatusUnavailable" },
  { row: "401 ×3", faults: [f(3, { status: 401 })], expected: "Failed/JobStatusUnavailable" },
  { row: "403, 404, 401 in a row", faults: [f(1, { status: 403 }), f(1, { status: 404 }), f(1, { status: 401 })], expected: "Failed/JobStatusUnavailable" },
  {
    row: "503 ×8 (two exhausted reads), then one 403, then OK",
    faults: [f(8, s503()), f(1, { status: 403 })],
    expected: "Succeeded",
    bug:
      "README: non-retryable reads (401/403/404) end the run after 3 in a row. decideAfterPollError tests " +
      "state.consecutivePollErrors, which counts every failed read (the 503s too), so the first 403 after two " +
      "failed reads ends the run JobStatusUnavailable.",
  },
  {
    row: "500 ×4 with Retry-After 300 (retried in-process without waiting it; the next read waits it)",
    faults: [f(4, { status: 500, retryAfterSeconds: 300 })],
    expected: "Succeeded",
  },
];

async function runStatusRow(row: StatusRow): Promise<void> {
  const entry = track(row.timeoutSeconds ? "deadline" : "status GET", "getJob", row.row, row.expected, row.bug !== undefined);
  stack.emulator.enqueueLifecycle(lifecycles.completesAfter(BUSY));
  for (const fault of row.faults) stack.emulator.injectFault({ match: { route: "getJob" }, ...fault });
  const id = await startRun({ pollIntervalSeconds: INTERVAL, ...(row.timeoutSeconds ? { timeoutSeconds: row.timeoutSeconds } : {}) });
  const view = await runToEnd(id);
  const t0 = invokeAt();
  const observed = groupsOf(stack.emulator.requestsFor("getJob"), t0);
  const model = modelPolling({ feed: feedOf(row.faults), intervalSeconds: INTERVAL, busyPolls: BUSY, timeoutSeconds: row.timeoutSeconds });
  const gets = observed.reduce((n, g) => n + g.requests.length, 0);
  entry.actual = `${outcomeOf(view)}; ${gets} GETs in ${observed.length} reads, ended at ${(stack.host.engine.get(id)!.lastUpdatedTime - t0) / 1000} s`;

  // The row's own expectation agrees with the model (guards the table itself).
  expect(expectedOf(model.result)).toBe(row.expected);
  // Outcome.
  expect(outcomeOf(view), `${row.bug ? `regression: ${row.bug}\n` : ""}run error: ${JSON.stringify(view.error)}`).toBe(row.expected);
  // Request by request, in virtual time: GETs per read and when each read came.
  expect(describeGroups(observed)).toBe(describeGroups(model.groups));
  expect(observed).toEqual(model.groups.map(({ atSeconds, requests }) => ({ atSeconds, requests })));
  if (row.gaps) expect(observed.slice(1).map((g, i) => g.atSeconds - observed[i]!.atSeconds)).toEqual(row.gaps);
  // Never sooner than Retry-After, between reads (virtual time).
  model.groups.forEach((g, i) => {
    const next = observed[i + 1];
    if (next && !g.outcome.ok && g.outcome.retryAfterSeconds) {
      expect(next.atSeconds - observed[i]!.atSeconds).toBeGreaterThanOrEqual(g.outcome.retryAfterSeconds);
    }
  });
  // The run ended when the model says (no early failure during an outage).
  expect((stack.host.engine.get(id)!.lastUpdatedTime - t0) / 1000).toBe(model.endSeconds);
  // In-process: the sleeps the model expects, and none beyond the documented 30 s cap.
  expectNoLongInProcessSleep();
  expectSleeps(model.sleeps);
  // One invoke, one job, every fault used.
  expect(stack.emulator.requestsFor("invoke")).toHaveLength(1);
  expect(stack.emulator.createdJobCount).toBe(1);
  if (model.result === "DeadlineExceeded") {
    const cancels = stack.emulator.requestsFor("cancelJob");
    expect(cancels.map((c) => (c.at - t0) / 1000)).toEqual([row.timeoutSeconds]);
    expect(stack.emulator.jobs[0]!.cancelRequests).toBe(1);
    expect(["CancelRequested", "Canceled"]).toContain(stack.emulator.jobs[0]!.status);
  } else {
    expect(stack.emulator.pendingFaults).toBe(0);
    expect(stack.emulator.requestsFor("cancelJob")).toHaveLength(0);
  }
  entry.pass = true;
}

describe("fault matrix: status GETs (route getJob)", () => {
  it.each(statusRows.map((r) => [`${r.bug ? "regression: " : ""}${r.row} → ${r.expected}`, r] as const))("%s", async (_name, row) => {
    await runStatusRow(row);
  });

  it("429 ×8, Retry-After 2, real time: each retry comes ≥ 2 s after the last on the wall clock → Succeeded", async () => {
    const entry = track("status GET", "getJob", "429 ×8, Retry-After 2 (real time, wall-clock gaps)", "Succeeded");
    const faults = [f(8, s429(2))];
    // Receipt times on the wall clock, from Node's own HTTP server channel (the emulator's `.at` is virtual).
    const received: number[] = [];
    const onRequest = (message: unknown) => {
      const { request, server } = message as { request: IncomingMessage; server: Server };
      if ((server.address() as AddressInfo | null)?.port !== stack.emulator.port) return;
      if (request.method === "GET" && /\/jobs\/[^/?]+(\?|$)/.test(request.url ?? "")) received.push(performance.now());
    };
    diagnosticsChannel.subscribe("http.server.request.start", onRequest);
    const wallStart = performance.now();
    let view: any;
    let t0: number;
    try {
      view = await pipelineSleeps.real(async () => {
        stack.emulator.enqueueLifecycle(lifecycles.completesAfter(BUSY));
        for (const fault of faults) stack.emulator.injectFault({ match: { route: "getJob" }, ...fault });
        const id = await startRun({ pollIntervalSeconds: INTERVAL });
        return runToEnd(id);
      });
      t0 = invokeAt();
    } finally {
      diagnosticsChannel.unsubscribe("http.server.request.start", onRequest);
    }
    const wallMs = performance.now() - wallStart;
    const reads = stack.emulator.requestsFor("getJob");
    const observed = groupsOf(reads, t0);
    const model = modelPolling({ feed: feedOf(faults), intervalSeconds: INTERVAL, busyPolls: BUSY });
    entry.actual = `${outcomeOf(view)}; ${reads.length} GETs in ${observed.length} reads; wall ${(wallMs / 1000).toFixed(1)} s`;

    expect(outcomeOf(view)).toBe("Succeeded");
    expect(observed).toEqual(model.groups.map(({ atSeconds, requests }) => ({ atSeconds, requests })));
    expect(received).toHaveLength(reads.length);
    // Inside one read (same virtual instant) the pipeline waits the Retry-After on the wall clock:
    // the next GET reaches the emulator ≥ 2 s after the 429 did (1 ms allowed for timer granularity).
    const inProcessGaps: number[] = [];
    for (let i = 1; i < reads.length; i++) {
      if (reads[i]!.at !== reads[i - 1]!.at || reads[i - 1]!.status !== 429) continue;
      inProcessGaps.push(received[i]! - received[i - 1]!);
    }
    entry.actual += `; wall gaps after a 429 ${Math.min(...inProcessGaps).toFixed(0)}-${Math.max(...inProcessGaps).toFixed(0)} ms`;
    expect(inProcessGaps).toHaveLength(6); // 2 exhausted reads × 3 in-process retries
    for (const gap of inProcessGaps) expect(gap).toBeGreaterThanOrEqual(2000 - 1);
    expect(wallMs).toBeGreaterThanOrEqual(6 * 2000);
    expect(pipelineSleeps.all.map((s) => s.requestedMs)).toEqual(Array(6).fill(2000));
    for (const sleep of pipelineSleeps.all) expect(sleep.endedAt! - sleep.startedAt).toBeGreaterThanOrEqual(2000 - 1);
    entry.pass = true;
  }, 40_000);
});

// ---- deadlines during outages -----------------------------------------------------------------

describe("fault matrix: deadlines during outages", () => {
  it("503 on every GET (an outage past the deadline), timeoutSeconds 900 → DeadlineExceeded at 900 s, job canceled", async () => {
    await runStatusRow({ row: "503 on every GET, timeoutSeconds 900", faults: [f(100_000, s503())], expected: "Failed/DeadlineExceeded", timeoutSeconds: 900 });
  });

  it("regression: the deadline's cancel POST throttled once (503, Retry-After 300) → the job must still be canceled", async () => {
    const entry = track(
      "deadline",
      "cancelJob",
      "job Running past timeoutSeconds 900; the deadline's cancel POST gets 503 Retry-After 300 once",
      "Failed/DeadlineExceeded + job canceled",
      true,
    );
    stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Running"));
    stack.emulator.injectFault({ match: { route: "cancelJob" }, times: 1, kind: s503(300) });
    const id = await startRun({ pollIntervalSeconds: INTERVAL, timeoutSeconds: 900 });
    const view = await runToEnd(id);
    await stack.host.engine.runUntil(() => false, 3600_000); // anything still scheduled after the end
    const cancels = stack.emulator.requestsFor("cancelJob");
    const job = stack.emulator.jobs[0]!;
    entry.actual = `${outcomeOf(view)}; ${cancels.length} cancel POST(s) [${cancels.map((c) => c.status).join(",")}]; job ${job.status}; message "${view.error?.message}"`;
    expect(outcomeOf(view)).toBe("Failed/DeadlineExceeded");
    // README: deadlines "cancel the job and fail DeadlineExceeded"; the message says "it was canceled".
    expect(
      job.status,
      'the run ended DeadlineExceeded saying the job "was canceled", but its only cancel POST was refused (503) and never retried: the Azure ML job keeps running',
    ).not.toBe("Running");
    entry.pass = true;
  });
});

// ---- job statuses that are neither done nor queued --------------------------------------------

describe("fault matrix: NotResponding / Unknown / Paused", () => {
  const stuck: JobStatus[] = ["NotResponding", "Unknown", "Paused"];
  it.each(stuck)("a job stuck %s keeps the run polling until timeoutSeconds → DeadlineExceeded, job canceled", async (status) => {
    const entry = track(
      "job status",
      "getJob",
      `job stuck in ${status} (timeout 1800 s, queueTimeout 600 s, interval 300 s)`,
      "Failed/DeadlineExceeded at 1800 s",
    );
    stack.emulator.enqueueLifecycle(lifecycles.stuckIn(status));
    const id = await startRun({ pollIntervalSeconds: 300, timeoutSeconds: 1800, queueTimeoutSeconds: 600 });
    const view = await runToEnd(id);
    const t0 = invokeAt();
    const gets = stack.emulator.requestsFor("getJob").map((r) => (r.at - t0) / 1000);
    const cancels = stack.emulator.requestsFor("cancelJob").map((r) => (r.at - t0) / 1000);
    entry.actual = `${outcomeOf(view)} at ${cancels.join(",")} s; ${gets.length} GETs; jobStatus ${view.error?.jobStatus}`;
    expect(view.error).toMatchObject({ code: "DeadlineExceeded", jobStatus: status });
    // Not a queued status: queueTimeoutSeconds (600) does not apply; timeoutSeconds does.
    expect(view.error.message).toContain("timeoutSeconds=1800");
    expect(gets).toEqual([300, 600, 900, 1200, 1500, 1800]);
    expect(cancels).toEqual([1800]);
    expect(stack.emulator.jobs[0]!.cancelRequests).toBe(1);
    entry.actual = `${outcomeOf(view)} at ${cancels.join(",")} s + job canceled`;
    entry.pass = true;
  });

  it("a job NotResponding → Running → Completed → Succeeded", async () => {
    const entry = track("job status", "getJob", "NotResponding ×2 → Running → Completed", "Succeeded");
    stack.emulator.enqueueLifecycle([{ status: "NotResponding", polls: 2 }, { status: "Running", polls: 1 }, { status: "Completed" }]);
    const id = await startRun({ pollIntervalSeconds: INTERVAL });
    const view = await runToEnd(id);
    const t0 = invokeAt();
    const gets = stack.emulator.requestsFor("getJob").map((r) => (r.at - t0) / 1000);
    entry.actual = `${outcomeOf(view)}; GETs at ${gets.join(",")} s`;
    expect(outcomeOf(view)).toBe("Succeeded");
    expect(gets).toEqual([60, 120, 180, 240]);
    expect(stack.emulator.requestsFor("cancelJob")).toHaveLength(0);
    entry.pass = true;
  });
});

// ---- cancel -----------------------------------------------------------------------------------

interface CancelRow {
  row: string;
  faults: Injection[];
  expected: string;
  /** Cancel POSTs the emulator should see in all. */
  cancelPosts: number;
  timeoutSeconds?: number;
}

const cancelRows: CancelRow[] = [
  { row: "503 ×1 (retried in-process), then OK", faults: [f(1, s503())], expected: "Canceled/RunCanceled", cancelPosts: 2 },
  { row: "reset ×1 (retried in-process), then OK", faults: [f(1, reset)], expected: "Canceled/RunCanceled", cancelPosts: 2 },
  { row: "503 ×1 with Retry-After 300 (cancel activity fails), then OK", faults: [f(1, s503(300))], expected: "Canceled/RunCanceled", cancelPosts: 2 },
  { row: "503 ×4 (one exhausted cancel), then OK", faults: [f(4, s503())], expected: "Canceled/RunCanceled", cancelPosts: 5 },
  { row: "429 Retry-After 300 ×2, then OK", faults: [f(2, s429(300))], expected: "Canceled/RunCanceled", cancelPosts: 3 },
  {
    row: "403 on every cancel (bounded: 5 attempts + 1 at the deadline)",
    faults: [f(1000, { status: 403 })],
    expected: "Failed/DeadlineExceeded",
    cancelPosts: 6,
    timeoutSeconds: 1800,
  },
];

/** Cancel POSTs by the model: up to maxCancelAttempts (5) cancel activities, and one more at a deadline if none got through. */
function modelCancelPosts(faults: Injection[]): number {
  const feed = feedOf(faults);
  let posts = 0;
  for (let attempt = 0; attempt < 5; attempt++) {
    const call = armCall(feed);
    posts += call.requests.length;
    if (call.outcome.ok) return posts;
  }
  return posts + armCall(feed).requests.length;
}

describe("fault matrix: cancel (route cancelJob)", () => {
  it.each(cancelRows.map((r) => [`cancel POST: ${r.row} → ${r.expected}`, r] as const))("%s", async (_name, row) => {
    const entry = track("cancel", "cancelJob", row.row, `${row.expected}, ${row.cancelPosts} POSTs`);
    expect(modelCancelPosts(row.faults)).toBe(row.cancelPosts);
    stack.emulator.enqueueLifecycle(lifecycles.stuckIn("Running"));
    const id = await startRun({ pollIntervalSeconds: INTERVAL, timeoutSeconds: row.timeoutSeconds ?? 3600 });
    await stack.host.engine.runUntil(() => stack.emulator.requestsFor("getJob").length >= 1);
    for (const fault of row.faults) stack.emulator.injectFault({ match: { route: "cancelJob" }, ...fault });
    const cancel = await stack.api(`/api/scoring-runs/${id}/cancel`, { json: { reason: "fault matrix" } });
    expect(cancel.status).toBe(202);
    const view = await runToEnd(id);
    const posts = stack.emulator.requestsFor("cancelJob");
    const cancelAt = posts.map((p) => (p.at - posts[0]!.at) / 1000);
    entry.actual = `${outcomeOf(view)}, ${posts.length} POSTs [${posts.map((p) => p.status).join(",")}] at +[${cancelAt.join(",")}] s`;
    expect(outcomeOf(view)).toBe(row.expected);
    expect(posts).toHaveLength(row.cancelPosts);
    expectNoLongInProcessSleep();
    if (row.expected === "Canceled/RunCanceled") {
      expect(view.error.message).toContain("fault matrix");
      expect(stack.emulator.pendingFaults).toBe(0);
      expect(stack.emulator.jobs[0]!.status).toBe("Canceled");
    }
    expect(stack.emulator.requestsFor("invoke")).toHaveLength(1);
    entry.pass = true;
  });
});

// ---- invoke -----------------------------------------------------------------------------------

interface InvokeRow {
  row: string;
  route?: "invoke" | "listJobs";
  faults: Injection[];
  expected: string;
  jobs: number;
  /** Run with the workspace known (AML_WORKSPACE_ID, as the dev stack sets it): the invoke activity looks for this
   * run's job by its output path before posting and after a lost answer (at once, then after 2 and 5 s on durable
   * timers). Rows without it show the bare invoke. */
  workspace?: boolean;
  /** Text the error message must carry (Azure ML's message). */
  message?: string;
  /** A warning the run must carry. */
  warning?: string;
}

const invokeRows: InvokeRow[] = [
  { row: "503", faults: [f(1, s503())], expected: "Failed/InvokeOutcomeUnknown", jobs: 0 },
  { row: "503, Retry-After 2", faults: [f(1, s503(2))], expected: "Failed/InvokeOutcomeUnknown", jobs: 0 },
  { row: "429, Retry-After 2", faults: [f(1, s429(2))], expected: "Failed/InvokeOutcomeUnknown", jobs: 0 },
  { row: "408", faults: [f(1, { status: 408 })], expected: "Failed/InvokeOutcomeUnknown", jobs: 0 },
  { row: "500", faults: [f(1, { status: 500 })], expected: "Failed/InvokeOutcomeUnknown", jobs: 0 },
  { row: "reset before processing", faults: [f(1, reset)], expected: "Failed/InvokeOutcomeUnknown", jobs: 0 },
  {
    row: "reset after processing (job created, answer lost)",
    faults: [f(1, { resetAfterProcessing: true })],
    expected: "Failed/InvokeOutcomeUnknown",
    jobs: 1,
  },
  { row: "slow answer 500 ms", faults: [f(1, { delayMs: 500 })], expected: "Succeeded", jobs: 1 },
  {
    row: "400 UserError",
    faults: [f(1, { status: 400, code: "UserError", message: "Input path azureml://datastores/x/paths/y does not exist." })],
    expected: "Failed/InvokeRejected",
    jobs: 0,
    workspace: true,
    message: "Input path azureml://datastores/x/paths/y does not exist.",
  },
  {
    row: "401",
    faults: [f(1, { status: 401, message: "The access token is invalid (emulated)." })],
    expected: "Failed/InvokeRejected",
    jobs: 0,
    workspace: true,
    message: "The access token is invalid (emulated).",
  },
  {
    row: "403",
    faults: [f(1, { status: 403, message: "The identity lacks Microsoft.MachineLearningServices/workspaces/batchEndpoints/jobs/write." })],
    expected: "Failed/InvokeRejected",
    jobs: 0,
    workspace: true,
    message: "lacks Microsoft.MachineLearningServices/workspaces/batchEndpoints/jobs/write",
  },
  {
    row: "404",
    faults: [f(1, { status: 404, message: "Deployment green not found." })],
    expected: "Failed/InvokeRejected",
    jobs: 0,
    workspace: true,
    message: "Deployment green not found.",
  },
  {
    row: "workspace known: reset after processing → the job is found by its output path and adopted",
    faults: [f(1, { resetAfterProcessing: true })],
    expected: "Succeeded",
    jobs: 1,
    workspace: true,
  },
  {
    row: "workspace known: 503, no job anywhere → searched 0+2+5 s, still unknown",
    faults: [f(1, s503())],
    expected: "Failed/InvokeOutcomeUnknown",
    jobs: 0,
    workspace: true,
  },
  {
    row: "workspace known: job search before the POST gets 503 Retry-After 300 → a warning, then one POST",
    route: "listJobs",
    faults: [f(1, s503(300))],
    expected: "Succeeded",
    jobs: 1,
    workspace: true,
    warning: "JobSearchIncomplete",
  },
  {
    row: "workspace known: job search before the POST gets 404 (a service without Jobs List there) → a warning, never a rejection, then one POST",
    route: "listJobs",
    faults: [f(1, { status: 404 })],
    expected: "Succeeded",
    jobs: 1,
    workspace: true,
    warning: "JobSearchIncomplete",
  },
];

/** Runs `work` with settings changed, then puts them back. */
async function withEnv<T>(vars: Record<string, string | undefined>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  try {
    return await work();
  } finally {
    apply(saved);
  }
}

describe("fault matrix: invoke (route invoke)", () => {
  it.each(invokeRows.map((r) => [`${r.route ?? "invoke"} ${r.row} → ${r.expected}, ${r.jobs} job(s), one POST`, r] as const))(
    "%s",
    async (_name, row) => {
      const route = row.route ?? "invoke";
      const entry = track("invoke", route, `${row.row}${row.workspace ? "" : " (no workspace)"}`, `${row.expected}; 1 POST, ${row.jobs} job`);
      stack.emulator.enqueueLifecycle(lifecycles.completesAfter(1));
      for (const fault of row.faults) stack.emulator.injectFault({ match: { route }, ...fault });
      const view = await withEnv({ AML_WORKSPACE_ID: row.workspace ? stack.emulator.workspaceId : "" }, async () => {
        const id = await startRun({ pollIntervalSeconds: INTERVAL });
        const ended_ = await runToEnd(id);
        // Let any timer left behind fire: a second POST would show here.
        await stack.host.engine.runUntil(() => false, 24 * 3600_000);
        return ended_;
      });
      const posts = stack.emulator.requestsFor("invoke");
      const searches = stack.emulator.requestsFor("listJobs").length;
      entry.actual = `${outcomeOf(view)}; ${posts.length} POST, ${stack.emulator.createdJobCount} job${searches ? `, ${searches} job searches` : ""}`;
      expect(outcomeOf(view), JSON.stringify(view.error)).toBe(row.expected);
      expect(posts).toHaveLength(1);
      expect(stack.emulator.createdJobCount).toBe(row.jobs);
      expect(stack.emulator.pendingFaults).toBe(0);
      // The invoke pipeline never retries a request that may have been sent.
      expect(pipelineSleeps.all).toHaveLength(0);
      if (!row.workspace) expect(searches).toBe(0);
      if (row.expected === "Failed/InvokeOutcomeUnknown") {
        const invokeId = (posts[0]!.headers["repeatability_request-id"] ?? "") as string;
        expect(invokeId).not.toBe("");
        // Names what to look for: the run's output path, and when.
        expect(view.error.message).toContain(`writing ${view.request.outputs.score.uri}`);
        expect(view.job).toBeNull();
        if (row.jobs === 1) expect(stack.emulator.jobs[0]!.outputs.score!.uri).toBe(view.request.outputs.score.uri);
      }
      if (row.warning) expect(view.warnings.map((w: { code: string }) => w.code)).toContain(row.warning);
      if (row.expected === "Succeeded") expect(view.job.name).toBe(stack.emulator.jobs[0]!.name);
      if (row.message) expect(view.error.message).toContain(row.message);
      if (row.expected !== "Succeeded") expect(stack.emulator.requestsFor("getJob")).toHaveLength(0);
      entry.pass = true;
    },
    20_000,
  );

  it("workspace known and keeping markers: a 503 invoke with no job found is re-sent once, same clientInvokeId → Succeeded, 1 job", async () => {
    const entry = track(
      "invoke",
      "invoke",
      "workspace known, markers proven by an earlier job: 503, no job found after 0+2+5 s → POSTed again",
      "Succeeded; 2 POSTs (same id), 1 new job",
    );
    // An earlier run leaves a job carrying a clientInvokeId: the workspace demonstrably keeps the marker.
    // (A pipeline-component deployment: it keeps the properties an invoke sets.)
    const deployment = pipelineDeployment.name;
    stack.emulator.enqueueLifecycle(lifecycles.completesAfter(0));
    await runToEnd(await startRun({ pollIntervalSeconds: INTERVAL, deployment }));
    const before = stack.emulator.createdJobCount;
    const postsBefore = stack.emulator.requestsFor("invoke").length;
    stack.emulator.enqueueLifecycle(lifecycles.completesAfter(0));
    stack.emulator.injectFault({ match: { route: "invoke" }, times: 1, kind: s503() });
    const id = await startRun({ pollIntervalSeconds: INTERVAL, deployment });
    const view = await runToEnd(id);
    const posts = stack.emulator.requestsFor("invoke").slice(postsBefore);
    const ids = posts.map((p) => p.headers["repeatability_request-id"]);
    entry.actual = `${outcomeOf(view)}; ${posts.length} POSTs [${posts.map((p) => p.status).join(",")}], ${new Set(ids).size} id, ${stack.emulator.createdJobCount - before} new job`;
    expect(outcomeOf(view)).toBe("Succeeded");
    expect(posts.map((p) => p.status)).toEqual([503, 201]);
    expect(new Set(ids).size).toBe(1);
    expect(stack.emulator.createdJobCount - before).toBe(1);
    entry.pass = true;
  }, 20_000);

  it("connection refused (endpoint on a closed loopback port) is retried, bounded, then InvokeRejected with no job", async () => {
    const entry = track("invoke", "invoke", "connection refused (closed port)", "Failed/InvokeRejected after 5 attempts, 0 jobs");
    const port = await closedPort();
    const id = await startRun({ endpointUri: `http://127.0.0.1:${port}/endpoints/${stack.emulator.endpointName}/jobs` });
    const view = await runToEnd(id);
    const record = stack.host.engine.get(id)!;
    const invokes = record.history.filter((e: any) => e.Name === names.activities.invoke).map((e: any) => Date.parse(e.Timestamp as string));
    const gaps = invokes.slice(1).map((t: number, i: number) => (t - invokes[i]!) / 1000);
    entry.actual = `${outcomeOf(view)}; ${invokes.length} invoke activities (gaps ${gaps.join(",")} s), ${pipelineSleeps.all.length} in-process retries, ${stack.emulator.createdJobCount} jobs`;
    expect(outcomeOf(view)).toBe("Failed/InvokeRejected");
    expect(view.error.message).toContain("EndpointUnreachable");
    expect(view.job).toBeNull();
    // 5 invoke activities (maxInvokeAttempts) on durable timers 5, 10, 20, 40 s apart…
    expect(gaps).toEqual([5, 10, 20, 40]);
    // …each sending 1 + 3 attempts in-process (250 ms, 500 ms, 1 s apart).
    expect(pipelineSleeps.all.map((s) => s.requestedMs)).toEqual(Array(5).fill([250, 500, 1000]).flat());
    // Nothing reached the endpoint; the only requests the emulator saw are the job searches (ARM) before each attempt.
    expect(stack.emulator.requestsFor("invoke")).toHaveLength(0);
    // Besides the reconcile search, only pre-flight's reads: the datastore, the endpoint and its deployment (loopback: no token).
    expect(stack.emulator.requests.every((r) => preflightRoutes.includes(r.route))).toBe(true);
    expect(stack.emulator.createdJobCount).toBe(0);
    entry.pass = true;
  });
});

// ---- token acquisition ------------------------------------------------------------------------

describe("fault matrix: token acquisition", () => {
  it("a managed identity that cannot get a token fails the run AuthenticationFailed, naming the identity, no secret, no invoke sent", async () => {
    const clientId = "00000000-0000-0000-0000-0000000000aa";
    const identityHeader = "idh-9f3c2e71-not-to-be-logged";
    const entry = track(
      "token",
      "invoke",
      "ManagedIdentityCredential fails (IDENTITY_ENDPOINT on a closed port)",
      "Failed/AuthenticationFailed naming the identity",
    );
    const port = await closedPort();
    const env = {
      AZURE_CLIENT_ID: clientId,
      IDENTITY_ENDPOINT: `http://127.0.0.1:${port}/msi/token`, // App Service managed identity, on a port nobody listens on
      IDENTITY_HEADER: identityHeader,
      MSI_ENDPOINT: undefined,
      MSI_SECRET: undefined,
      IMDS_ENDPOINT: undefined,
      IDENTITY_SERVER_THUMBPRINT: undefined,
    };
    await withEnv(env, async () => {
      const id = await startRun({ endpointUri: "https://ep.westeurope.inference.ml.azure.com/jobs" });
      const view = await runToEnd(id);
      entry.actual = `${outcomeOf(view)}: "…${String(view.error?.message).slice(83, 230)}…"`;
      expect(outcomeOf(view)).toBe("Failed/AuthenticationFailed");
      const message = view.error.message as string;
      expect(message).toContain(`managed identity (client id ${clientId}`);
      expect(message).toContain("https://ml.azure.com/.default");
      expect(message).not.toContain(identityHeader);
      expect(message).not.toMatch(/Bearer|eyJ[\w-]{10,}|access_token/i);
      // Not retried: one invoke activity, the run ended at its start (virtual time).
      const record = stack.host.engine.get(id)!;
      expect(record.history.filter((e: any) => e.Name === names.activities.invoke)).toHaveLength(1);
      expect(record.lastUpdatedTime).toBe(record.createdTime);
      // No invoke left the process (the token comes first); at most the loopback ARM job search before it.
      expect(stack.emulator.requestsFor("invoke")).toHaveLength(0);
      // Besides the reconcile search, only pre-flight's reads (loopback: no token).
      expect(stack.emulator.requests.every((r) => preflightRoutes.includes(r.route))).toBe(true);
    });
    entry.pass = true;
  });
});
