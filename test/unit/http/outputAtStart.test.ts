import { afterEach, describe, expect, it, vi } from "vitest";
import { type OutputCheck, outputCheckBudgetMs, refuseUnusableOutput } from "../../../src/http/outputAtStart";
import type { PreflightCheck } from "../../../src/runs/preflightReport";
import { scoringRequest } from "../../fixtures/scoringRequest";

const WS = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws";
const request = scoringRequest({ preflight: "strict", workspace: WS });
const OUT = { name: "score", ...request.outputs.score! };
const named = (field: string) => () => field;

const check = (result: PreflightCheck["result"], code: string | null, message: string): PreflightCheck => ({
  target: "output",
  uri: OUT.uri,
  blobUrl: "https://acct.blob.core.windows.net/data/out/p.csv",
  result,
  code,
  message,
});

/** An output check answering `answer`, recording what it was asked. */
function checking(answer: () => Promise<PreflightCheck>) {
  const asked: Array<[unknown, unknown]> = [];
  const fn: OutputCheck = (output, workspace) => {
    asked.push([output, workspace]);
    return answer();
  };
  return { fn, asked };
}

describe("refuseUnusableOutput", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("an output file that exists is a 409 OutputAlreadyExists naming the output field", async () => {
    const message = "The output file https://acct.blob.core.windows.net/data/out/p.csv exists (15 bytes).";
    const { fn, asked } = checking(async () => check("failed", "OutputAlreadyExists", message));
    expect(await refuseUnusableOutput(request, named("endpoint_output_uri"), fn)).toEqual({
      status: 409,
      body: { error: { code: "OutputAlreadyExists", message, details: [{ field: "endpoint_output_uri", message }] } },
    });
    expect(asked).toEqual([[OUT, WS]]);
  });

  it("an output path that is a folder is a 400 naming the field, with the check's code", async () => {
    const { fn } = checking(async () => check("failed", "OutputIsFolder", "Blobs lie under out/p.csv/."));
    const response = await refuseUnusableOutput(request, named("output.uri"), fn);
    expect(response).toMatchObject({
      status: 400,
      body: { error: { code: "InvalidRequest", details: [{ field: "output.uri", message: "OutputIsFolder: Blobs lie under out/p.csv/." }] } },
    });
  });

  it("any other failed check (a datastore that is not Blob) is a 400 naming the field", async () => {
    const { fn } = checking(async () => check("failed", "OutputDatastoreNotSupported", "AzureFile has no blob endpoint."));
    expect(await refuseUnusableOutput(request, named("output.uri"), fn)).toMatchObject({
      status: 400,
      body: { error: { details: [{ field: "output.uri" }] } },
    });
  });

  it.each(["passed", "skipped", "warning"] as const)("a %s check lets the run start (null)", async (result) => {
    const { fn } = checking(async () => check(result, null, "fine"));
    expect(await refuseUnusableOutput(request, named("output.uri"), fn)).toBeNull();
  });

  it("a check that throws lets the run start: its own pre-flight looks again", async () => {
    const { fn } = checking(async () => {
      throw new Error("Datastores Get failed");
    });
    expect(await refuseUnusableOutput(request, named("output.uri"), fn)).toBeNull();
  });

  it("no answer within the budget: null at the budget, and the timer is cleared", async () => {
    vi.useFakeTimers();
    const { fn } = checking(() => new Promise<PreflightCheck>(() => undefined));
    let settled: unknown = "pending";
    const answer = refuseUnusableOutput(request, named("output.uri"), fn).then((r) => (settled = r));
    await vi.advanceTimersByTimeAsync(outputCheckBudgetMs - 1);
    expect(settled).toBe("pending");
    await vi.advanceTimersByTimeAsync(1);
    await answer;
    expect(settled).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("an answer in time clears the budget's timer", async () => {
    vi.useFakeTimers();
    const { fn } = checking(async () => check("failed", "OutputAlreadyExists", "exists"));
    expect((await refuseUnusableOutput(request, named("output.uri"), fn))?.status).toBe(409);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a late answer that would refuse is not waited for", async () => {
    const { fn } = checking(() => new Promise<PreflightCheck>((resolve) => setTimeout(() => resolve(check("failed", "OutputAlreadyExists", "exists")), 200)));
    expect(await refuseUnusableOutput(request, named("output.uri"), fn, 20)).toBeNull();
  });

  it("several outputs: each is checked; taken ones are one 409 naming each field, other failures one 400", async () => {
    const two = { ...request, outputs: { score: request.outputs.score!, extra: { type: "uri_folder" as const, uri: "azureml://datastores/ds/paths/extra/" } } };
    const byName = (output: { name: string }) => `outputs.${output.name}.uri`;
    const taken: OutputCheck = async (output) =>
      output.type === "uri_folder" ? check("failed", "OutputFolderNotEmpty", "holds 2 files") : check("failed", "OutputAlreadyExists", "exists");
    expect(await refuseUnusableOutput(two, byName, taken)).toMatchObject({
      status: 409,
      body: { error: { code: "OutputFolderNotEmpty", details: [{ field: "outputs.extra.uri", message: "holds 2 files" }, { field: "outputs.score.uri" }] } },
    });
    const oneBad: OutputCheck = async (output) => (output.type === "uri_folder" ? check("failed", "OutputIsFile", "a file") : check("passed", null, "free"));
    expect(await refuseUnusableOutput(two, byName, oneBad)).toMatchObject({
      status: 400,
      body: { error: { details: [{ field: "outputs.extra.uri", message: "OutputIsFile: a file" }] } },
    });
  });

  it("nothing is checked without an output, or when pre-flight is warn or off", async () => {
    const { fn, asked } = checking(async () => check("failed", "OutputAlreadyExists", "exists"));
    expect(await refuseUnusableOutput({ ...request, outputs: {} }, named("output.uri"), fn)).toBeNull();
    expect(await refuseUnusableOutput({ ...request, preflight: "warn" }, named("output.uri"), fn)).toBeNull();
    expect(await refuseUnusableOutput({ ...request, preflight: "off" }, named("output.uri"), fn)).toBeNull();
    expect(asked).toEqual([]);
  });
});
