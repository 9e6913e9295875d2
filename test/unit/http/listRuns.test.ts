import { describe, expect, it } from "vitest";
import { listScoringRuns } from "../../../src/http/listRuns";
import type { DurableStatusLike } from "../../../src/runs/runView";
import type { RunView } from "../../../src/runs/types";
import { durableStatus, fakeRuns } from "../../fixtures/runsClient";
import { apiRequest, detailFields } from "./apiRequest";

/** A run created `minute` minutes after 10:00 (its own createdAt, in its input). */
const run = (id: string, minute: number, over: Partial<DurableStatusLike> = {}) =>
  durableStatus({ instanceId: id, input: { createdAt: new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString() }, ...over });

const canceledByRequest = (id: string, minute: number) =>
  run(id, minute, { runtimeStatus: "Failed", output: "Orchestrator function 'scoringRunOrchestrator' failed: RunCanceled: Canceled on request." });
const failedRun = (id: string, minute: number) =>
  run(id, minute, { runtimeStatus: "Failed", output: "Orchestrator function 'scoringRunOrchestrator' failed: JobFailed: The job failed." });

const list = (query = "") => apiRequest({ url: `/api/scoring-runs${query}` });
type Page = { value: RunView[]; continuationToken: string | null };
const page = (body: unknown) => body as Page;
const ids = (body: unknown) => page(body).value.map((v) => v.id);

describe("listScoringRuns", () => {
  it("lists every run newest first (by the run's own createdAt), with no continuation token when all fit", async () => {
    const runs = fakeRuns([run("a", 1), run("c", 3), run("b", 2)]);
    const response = await listScoringRuns(list(), runs);
    expect(response.status).toBe(200);
    expect(response.headers).toEqual({ "Content-Type": "application/json" });
    expect(ids(response.body)).toEqual(["c", "b", "a"]);
    expect(page(response.body).continuationToken).toBeNull();
    expect(runs.calls.lists).toEqual([undefined]);
  });

  it("runs created at the same moment are ordered by id, newest-first order kept", async () => {
    expect(ids((await listScoringRuns(list(), fakeRuns([run("x1", 5), run("x3", 5), run("x2", 5)]))).body)).toEqual(["x3", "x2", "x1"]);
  });

  it("a status filter asks only for the runtime statuses that can hold it, and tells Canceled from Failed by the error", async () => {
    const runs = fakeRuns([run("live", 1), failedRun("failed", 2), canceledByRequest("canceled", 3), run("terminated", 4, { runtimeStatus: "Terminated" })]);
    const canceled = await listScoringRuns(list("?status=Canceled"), runs);
    expect(ids(canceled.body)).toEqual(["terminated", "canceled"]);
    expect(runs.calls.lists.at(-1)).toEqual(["Failed", "Terminated", "Canceled"]);
    expect(ids((await listScoringRuns(list("?status=Failed"), runs)).body)).toEqual(["failed"]);
  });

  it("several statuses, comma-separated with spaces, are all listed", async () => {
    const runs = fakeRuns([
      run("live", 1),
      failedRun("failed", 2),
      run("done", 3, { runtimeStatus: "Completed", output: {} }),
      run("waiting", 4, { runtimeStatus: "Pending" }),
    ]);
    const response = await listScoringRuns(list("?status=Succeeded,%20Failed"), runs);
    expect(ids(response.body)).toEqual(["done", "failed"]);
    expect(runs.calls.lists.at(-1)).toEqual(["Completed", "Failed"]);
  });

  it("Running covers ContinuedAsNew and Suspended runs", async () => {
    const runs = fakeRuns([
      run("r", 1),
      run("c", 2, { runtimeStatus: "ContinuedAsNew" }),
      run("s", 3, { runtimeStatus: "Suspended" }),
      run("p", 4, { runtimeStatus: "Pending" }),
    ]);
    expect(ids((await listScoringRuns(list("?status=Running"), runs)).body)).toEqual(["s", "c", "r"]);
  });

  it("an unknown status is a 400 naming the field and the statuses there are; the task hub is not asked", async () => {
    const runs = fakeRuns([run("a", 1)]);
    const response = await listScoringRuns(list("?status=Running,Done"), runs);
    expect(response.status).toBe(400);
    expect(detailFields(response.body)).toEqual(["status"]);
    expect(JSON.stringify(response.body)).toContain("unknown status Done; use Pending, Running, Succeeded, Failed, Canceled.");
    expect(runs.calls.lists).toEqual([]);
  });

  it("top pages the list: 50 by default, any whole number from 1 to 100", async () => {
    const many = Array.from({ length: 120 }, (_, i) => run(`r${String(i).padStart(3, "0")}`, i));
    const runs = fakeRuns(many);
    expect(page((await listScoringRuns(list(), runs)).body).value).toHaveLength(50);
    expect(page((await listScoringRuns(list("?top=1"), runs)).body).value.map((v) => v.id)).toEqual(["r119"]);
    expect(page((await listScoringRuns(list("?top=100"), runs)).body).value).toHaveLength(100);
  });

  it.each(["0", "101", "1.5", "ten", "", "-1", "1e1x"])("top=%j is a 400 naming top", async (top) => {
    const response = await listScoringRuns(list(`?top=${top}`), fakeRuns());
    expect(response.status).toBe(400);
    expect(detailFields(response.body)).toEqual(["top"]);
  });

  it.each(["1e1", "0x10", "%207", "7%20", "+7", "07.0"])("top=%s is a 400 naming top: digits only, as ?wait= and the OpenAPI integer say", async (top) => {
    const response = await listScoringRuns(list(`?top=${top}`), fakeRuns());
    expect(response.status).toBe(400);
    expect(detailFields(response.body)).toEqual(["top"]);
  });

  it("the continuation token gives the next page, each run once, and null after the last", async () => {
    const runs = fakeRuns(["a", "b", "c", "d", "e"].map((id, i) => run(id, i)));
    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const query: string = `?top=2${token ? `&continuationToken=${encodeURIComponent(token)}` : ""}`;
      const body = page((await listScoringRuns(list(query), runs)).body);
      seen.push(...body.value.map((v) => v.id));
      token = body.continuationToken;
      pages++;
    } while (token !== null && pages < 10);
    expect(seen).toEqual(["e", "d", "c", "b", "a"]);
    expect(pages).toBe(3);
  });

  it("a run started between two pages neither shifts nor repeats the next page", async () => {
    const runs = fakeRuns(["a", "b", "c", "d"].map((id, i) => run(id, i)));
    const first = page((await listScoringRuns(list("?top=2"), runs)).body);
    expect(first.value.map((v) => v.id)).toEqual(["d", "c"]);
    runs.runs.set("new", run("new", 30));
    const second = page((await listScoringRuns(list(`?top=2&continuationToken=${first.continuationToken}`), runs)).body);
    expect(second.value.map((v) => v.id)).toEqual(["b", "a"]);
    expect(second.continuationToken).toBeNull();
  });

  it("a page that ends exactly at the last run has no continuation token", async () => {
    const body = page((await listScoringRuns(list("?top=2"), fakeRuns([run("a", 1), run("b", 2)]))).body);
    expect(body.value).toHaveLength(2);
    expect(body.continuationToken).toBeNull();
  });

  it.each([
    ["not base64 JSON", "garbage"],
    ["JSON without the cursor's fields", Buffer.from(JSON.stringify({ x: 1 })).toString("base64url")],
    ["a cursor with a number for its id", Buffer.from(JSON.stringify({ c: "2026-03-01T10:00:00.000Z", i: 7 })).toString("base64url")],
    ["JSON null", Buffer.from("null").toString("base64url")],
  ])("a continuation token that is %s is a 400 naming continuationToken", async (_what, token) => {
    const runs = fakeRuns([run("a", 1)]);
    const response = await listScoringRuns(list(`?continuationToken=${encodeURIComponent(token)}`), runs);
    expect(response.status).toBe(400);
    expect(detailFields(response.body)).toEqual(["continuationToken"]);
    expect(runs.calls.lists).toEqual([]);
  });

  it("an empty continuation token is the first page", async () => {
    expect(ids((await listScoringRuns(list("?continuationToken="), fakeRuns([run("a", 1)]))).body)).toEqual(["a"]);
  });

  describe("endpoint and creation-time filters", () => {
    const on = (id: string, minute: number, endpointUri: string) =>
      durableStatus({ instanceId: id, input: { createdAt: new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString(), request: { endpointUri } } });
    const azure = "https://heart-ep.westeurope.inference.ml.azure.com/jobs";
    const loopback = "http://127.0.0.1:7171/endpoints/ep-scoring/jobs";
    const runs = () => fakeRuns([on("a", 1, azure), on("b", 2, loopback), on("c", 3, azure), run("no-request", 4)]);

    it("endpoint matches the endpoint's name or its whole scoring URI, in any case", async () => {
      expect(ids((await listScoringRuns(list("?endpoint=HEART-EP"), runs())).body)).toEqual(["c", "a"]);
      expect(ids((await listScoringRuns(list("?endpoint=ep-scoring"), runs())).body)).toEqual(["b"]);
      expect(ids((await listScoringRuns(list(`?endpoint=${encodeURIComponent(`${azure}/`)}`), runs())).body)).toEqual(["c", "a"]);
      expect(ids((await listScoringRuns(list("?endpoint=heart"), runs())).body)).toEqual([]);
    });

    it("createdAfter is inclusive, createdBefore exclusive, on the run's own createdAt", async () => {
      const q = `?createdAfter=${encodeURIComponent("2026-03-01T10:02:00Z")}&createdBefore=${encodeURIComponent("2026-03-01T11:03:00+01:00")}`;
      expect(ids((await listScoringRuns(list(q), runs())).body)).toEqual(["b"]);
    });

    it("filters and pages together: the token continues the filtered list", async () => {
      const first = page((await listScoringRuns(list("?endpoint=heart-ep&top=1"), runs())).body);
      expect(first.value.map((v) => v.id)).toEqual(["c"]);
      const next = page((await listScoringRuns(list(`?endpoint=heart-ep&top=1&continuationToken=${first.continuationToken}`), runs())).body);
      expect(next.value.map((v) => v.id)).toEqual(["a"]);
      expect(next.continuationToken).toBeNull();
    });

    it.each(["yesterday", "2026-03-01", "2026-03-01T10:00:00", "1700000000", "2026-13-01T00:00:00Z"])("createdAfter=%s is a 400 naming it", async (value) => {
      const response = await listScoringRuns(list(`?createdAfter=${encodeURIComponent(value)}`), runs());
      expect(response.status).toBe(400);
      expect(detailFields(response.body)).toEqual(["createdAfter"]);
    });

    it("an endpoint over 500 characters is a 400 naming it", async () => {
      const response = await listScoringRuns(list(`?endpoint=${"e".repeat(501)}&createdBefore=nope`), runs());
      expect(detailFields(response.body)).toEqual(["endpoint", "createdBefore"]);
    });
  });

  it("every bad parameter is named in one 400", async () => {
    const response = await listScoringRuns(list("?status=Nope&top=0&continuationToken=x"), fakeRuns());
    expect(response.status).toBe(400);
    expect(detailFields(response.body)).toEqual(["status", "top", "continuationToken"]);
  });
});
