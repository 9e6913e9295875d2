import { describe, expect, it } from "vitest";
import { ARTIFACT_DATASTORE, MAX_LOG_BYTES, diagnoseJob, scoringStep, type DiagnoseJobDeps } from "../../../src/activities/diagnoseJob";
import { createDiagnosticsActivities } from "../../../src/activities/diagnosticsActivities";
import { BatchEndpointError } from "../../../src/batch/errors";
import type { ChildRun } from "../../../src/batch/runHistory";
import type { DatastoreInfo } from "../../../src/batch/types";
import type { DiagnoseJobRequest } from "../../../src/runs/diagnostics";
import { type BlobInspector, BlobReadError, type BlobText } from "../../../src/storage/blobInspector";
import type { BlobLocation } from "../../../src/storage/blobLocation";

const WS = "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/ws-main";
const JOB = "batchjob-7";
const STEP = "0f1e2d3c-aaaa-4bbb-8ccc-123456789abc";
const STUDIO = "https://ml.azure.com/runs/batchjob-7?wsid=/subscriptions/sub-1/resourcegroups/rg-1/workspaces/ws-main&tid=t-1";
const FOLDER = `ExperimentRun/dcid.${STEP}/`;
const PROGRESS = `${FOLDER}logs/job_progress_overview.txt`;
const ERRORS = `${FOLDER}logs/user/error.txt`;

const artifactStore: DatastoreInfo = {
  name: ARTIFACT_DATASTORE,
  datastoreType: "AzureBlob",
  accountName: "wsstorage",
  container: "azureml",
  endpoint: "core.windows.net",
  protocol: "https",
};

type BlobAnswer = string | Error;

/** Fakes: Run History answers `children`, the workspace has `datastores`, the artifact store holds `blobs` (path → text or error). */
function fakes(options: { children?: ChildRun[] | Error; datastores?: DatastoreInfo[]; blobs?: Record<string, BlobAnswer> } = {}) {
  const reads: { path: string; maxBytes: number; offset: number; accountUrl: string }[] = [];
  const childCalls: { workspace: string; runId: string }[] = [];
  const datastoreCalls: string[] = [];
  const children = options.children ?? [{ runId: STEP, name: null, displayName: "batchscoring", status: "Failed" }];
  const datastores = options.datastores ?? [artifactStore];
  const blobs = options.blobs ?? {};
  const notUsed = () => Promise.reject(new Error("not used by diagnostics"));
  const inspector: BlobInspector = {
    properties: notUsed,
    listFolder: notUsed,
    isFolder: notUsed,
    listFiles: notUsed,
    async readText(location: BlobLocation, maxBytes: number, offset = 0): Promise<BlobText | null> {
      reads.push({ path: location.path, maxBytes, offset, accountUrl: location.accountUrl });
      const answer = blobs[location.path];
      if (answer === undefined) return null;
      if (answer instanceof Error) throw answer;
      const bytes = Buffer.from(answer);
      const part = bytes.subarray(offset, offset + maxBytes);
      return { text: part.toString("utf8"), offset, totalBytes: bytes.length, truncated: offset + part.length < bytes.length };
    },
  };
  const deps: DiagnoseJobDeps = {
    runHistory: {
      async childRuns(workspace, runId) {
        childCalls.push({ workspace, runId });
        if (children instanceof Error) throw children;
        return children;
      },
    },
    client: {
      async getDatastore(workspace, name) {
        datastoreCalls.push(`${workspace}|${name}`);
        const found = datastores.find((d) => d.name === name);
        if (!found) throw new BatchEndpointError("UserError", `Get datastore ${name} failed: HTTP 404`, { httpStatus: 404 });
        return found;
      },
    },
    blobs: inspector,
    allowLoopback: false,
  };
  return { deps, reads, childCalls, datastoreCalls };
}

const request = (overrides: Partial<DiagnoseJobRequest> = {}): DiagnoseJobRequest => ({
  jobPath: `${WS}/jobs/${JOB}`,
  jobStatus: "Failed",
  studioUrl: STUDIO,
  ...overrides,
});

const overview = "Total mini batches: 3\nProcessed mini batches: 2\nFailed mini batches: 1\nJob failed: 3 failed items exceed the error threshold 1.\n";
const errors = "Error processing input file f23.csv: ValueError: bad row\nError processing input file f24.csv: ValueError: bad row\n";

describe("diagnoseJob", () => {
  it("a failed job: the step from run history, both logs from the artifact store, counts and first error lines", async () => {
    const { deps, reads, childCalls, datastoreCalls } = fakes({ blobs: { [PROGRESS]: overview, [ERRORS]: errors } });
    const result = await diagnoseJob(request(), deps);
    expect(result).toEqual({
      miniBatches: { total: 3, processed: 2, failed: 1 },
      errorLines: ["Error processing input file f23.csv: ValueError: bad row", "Error processing input file f24.csv: ValueError: bad row"],
      logs: {
        studioUrl: STUDIO,
        step: "batchscoring",
        files: ["logs/job_progress_overview.txt", "logs/user/error.txt"],
        folder: `azureml://datastores/workspaceartifactstore/paths/${FOLDER}`,
      },
      source: "logs",
      warnings: [],
    });
    expect(childCalls).toEqual([{ workspace: WS, runId: JOB }]);
    expect(datastoreCalls).toEqual([`${WS}|workspaceartifactstore`]);
    expect(reads).toEqual([
      { path: PROGRESS, maxBytes: MAX_LOG_BYTES, offset: 0, accountUrl: "https://wsstorage.blob.core.windows.net" },
      { path: ERRORS, maxBytes: MAX_LOG_BYTES, offset: 0, accountUrl: "https://wsstorage.blob.core.windows.net" },
    ]);
  });

  it("a Completed job with no failed mini-batch: the error summary is not read", async () => {
    const { deps, reads } = fakes({ blobs: { [PROGRESS]: "Total mini batches: 3\nProcessed mini batches: 3\nFailed mini batches: 0\n" } });
    const result = await diagnoseJob(request({ jobStatus: "Completed" }), deps);
    expect(result.miniBatches).toEqual({ total: 3, processed: 3, failed: 0 });
    expect(result.warnings).toEqual([]);
    expect(reads.map((r) => r.path)).toEqual([PROGRESS]);
  });

  it("a Completed job with failed mini-batches: the error summary is read", async () => {
    const { deps, reads } = fakes({ blobs: { [PROGRESS]: overview, [ERRORS]: errors } });
    const result = await diagnoseJob(request({ jobStatus: "Completed" }), deps);
    expect(result.errorLines).toHaveLength(2);
    expect(reads.map((r) => r.path)).toEqual([PROGRESS, ERRORS]);
  });

  it("a progress log longer than 64 KiB: its head and its tail are read, never more, and the tail's counts win", async () => {
    const long = `Total mini batches: 900\n${"Processed mini batches: 1\n".repeat(6000)}Processed mini batches: 899\nFailed mini batches: 1\n`;
    const { deps, reads } = fakes({ blobs: { [PROGRESS]: long, [ERRORS]: errors } });
    const result = await diagnoseJob(request(), deps);
    expect(result.miniBatches).toEqual({ total: 900, processed: 899, failed: 1 });
    const progressReads = reads.filter((r) => r.path === PROGRESS);
    expect(progressReads).toEqual([
      expect.objectContaining({ offset: 0, maxBytes: MAX_LOG_BYTES }),
      expect.objectContaining({ offset: Buffer.byteLength(long) - MAX_LOG_BYTES, maxBytes: MAX_LOG_BYTES }),
    ]);
  });

  it("the step is found by name among several children, else it is the only child", () => {
    const child = (runId: string, displayName: string | null, name: string | null = null): ChildRun => ({ runId, name, displayName, status: "Completed" });
    expect(scoringStep([child("a", "prep"), child("b", "BatchScoring")])?.runId).toBe("b");
    expect(scoringStep([child("a", null, "batchscoring"), child("b", "other")])?.runId).toBe("a");
    expect(scoringStep([child("only", null)])?.runId).toBe("only");
    expect(scoringStep([child("a", "x"), child("b", "y")])).toBeNull();
    expect(scoringStep([])).toBeNull();
  });

  it.each([
    [
      "run history denies the read (403)",
      new BatchEndpointError("AuthorizationFailed", "List the steps failed: HTTP 403", { httpStatus: 403 }),
      /may not read the steps of job batchjob-7 in run history \(HTTP 403\)/,
    ],
    ["run history does not know the job (404)", new BatchEndpointError("UserError", "HTTP 404", { httpStatus: 404 }), /run history was not found \(HTTP 404\)/],
    [
      "the workspace API host is not Azure ML's",
      new BatchEndpointError("EndpointNotAllowed", 'the workspace\'s api host "evil.example.com" is not an Azure ML host of this cloud'),
      /evil\.example\.com/,
    ],
    ["a timeout", new BatchEndpointError("Timeout", "List the steps of job batchjob-7: the request timed out", { retryable: true }), /timed out/],
    ["something odd", new TypeError("Cannot read properties of undefined"), /Cannot read properties of undefined/],
  ])("%s: no counts, the Studio pointer, and a DiagnosticsUnavailable warning naming why", async (_what, error, why) => {
    const { deps, reads } = fakes({ children: error });
    const result = await diagnoseJob(request(), deps);
    expect(result.source).toBe("none");
    expect(result.miniBatches).toBeNull();
    expect(result.errorLines).toEqual([]);
    expect(result.logs).toEqual({ studioUrl: STUDIO, step: "batchscoring", files: ["logs/job_progress_overview.txt", "logs/user/error.txt"], folder: null });
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]!.code).toBe("DiagnosticsUnavailable");
    expect(result.warnings[0]!.message).toMatch(why);
    expect(result.warnings[0]!.message).toContain("batchscoring step, then Outputs + logs: logs/job_progress_overview.txt and logs/user/error.txt");
    expect(reads).toEqual([]);
  });

  it("a job with no step yet (it failed before scoring) or no batchscoring step among several", async () => {
    const none = await diagnoseJob(request(), fakes({ children: [] }).deps);
    expect(none.warnings[0]!.message).toMatch(/has no steps in run history/);
    const several = await diagnoseJob(
      request(),
      fakes({
        children: [
          { runId: "a", name: null, displayName: "prep", status: "Completed" },
          { runId: "b", name: null, displayName: "post", status: "Completed" },
        ],
      }).deps,
    );
    expect(several.warnings[0]!.message).toMatch(/none of the 2 steps of job batchjob-7 is batchscoring/);
  });

  it("the artifact store datastore cannot be read: a warning, the folder still named", async () => {
    const result = await diagnoseJob(request(), fakes({ datastores: [] }).deps);
    expect(result.source).toBe("none");
    expect(result.warnings[0]!.message).toMatch(/datastore workspaceartifactstore was not found \(HTTP 404\)/);
    expect(result.logs.folder).toBe(`azureml://datastores/workspaceartifactstore/paths/${FOLDER}`);
  });

  it("the artifact store is not Azure Blob storage this app may address: a warning, no read", async () => {
    const odd: DatastoreInfo = { ...artifactStore, endpoint: "evil.example.com" };
    const { deps, reads } = fakes({ datastores: [odd] });
    const result = await diagnoseJob(request(), deps);
    expect(result.warnings[0]!.message).toMatch(/not an Azure Storage endpoint/);
    expect(reads).toEqual([]);
  });

  it("storage denies the logs (403): no counts, a warning naming the permission", async () => {
    const denied = new BlobReadError(
      "denied",
      "the app's identity may not read wsstorage/azureml (HTTP 403 AuthorizationPermissionMismatch); grant it Storage Blob Data Reader on the account",
    );
    const result = await diagnoseJob(request(), fakes({ blobs: { [PROGRESS]: denied, [ERRORS]: denied } }).deps);
    expect(result.source).toBe("none");
    expect(result.miniBatches).toBeNull();
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]!.message).toMatch(/logs\/job_progress_overview\.txt: the app's identity may not read wsstorage\/azureml \(HTTP 403/);
    expect(result.warnings[0]!.message).toMatch(/Storage Blob Data Reader/);
  });

  it("the progress log is missing but the error summary is there: its lines, and a warning about the other", async () => {
    const result = await diagnoseJob(request(), fakes({ blobs: { [ERRORS]: errors } }).deps);
    expect(result.source).toBe("logs");
    expect(result.miniBatches).toBeNull();
    expect(result.errorLines).toHaveLength(2);
    expect(result.warnings[0]!.message).toMatch(/logs\/job_progress_overview\.txt was not found under azureml:\/\/datastores\/workspaceartifactstore/);
  });

  it("a failed job with no error summary: the progress log's error line, no warning", async () => {
    const result = await diagnoseJob(request(), fakes({ blobs: { [PROGRESS]: overview } }).deps);
    expect(result.errorLines).toEqual(["Job failed: 3 failed items exceed the error threshold 1."]);
    expect(result.warnings).toEqual([]);
  });

  it("secrets in the logs never come back", async () => {
    const leaky = "Failed to open https://acct.blob.core.windows.net/c/f.csv?sv=2022-11-02&sig=TOPSECRET\nAccountKey=ALSOSECRET";
    const result = await diagnoseJob(request(), fakes({ blobs: { [PROGRESS]: overview, [ERRORS]: leaky } }).deps);
    expect(JSON.stringify(result)).not.toMatch(/TOPSECRET|ALSOSECRET/);
  });

  it("a job path that is not a workspace-level job: a warning, nothing read", async () => {
    const { deps, childCalls } = fakes();
    const result = await diagnoseJob(request({ jobPath: "/subscriptions/x/jobs/y", studioUrl: "javascript:alert(1)" }), deps);
    expect(result.warnings[0]!.message).toMatch(/not a workspace-level Azure ML job path/);
    expect(result.logs.studioUrl).toBeNull();
    expect(childCalls).toEqual([]);
  });
});

describe("createDiagnosticsActivities", () => {
  it("returns an ActivityResult and logs one line; a read that fails is a warning, not a failure", async () => {
    const lines: string[] = [];
    const { deps } = fakes({ children: new BatchEndpointError("AuthorizationFailed", "HTTP 403", { httpStatus: 403 }) });
    const activities = createDiagnosticsActivities(() => deps);
    const result = await activities.diagnoseBatchJob(request(), (m) => lines.push(m));
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.value.warnings[0]!.code).toBe("DiagnosticsUnavailable");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^diagnostics from no log: 0 error line\(s\); DiagnosticsUnavailable: .*HTTP 403/);
  });

  it("never throws, even when its clients cannot be built", async () => {
    const activities = createDiagnosticsActivities(() => {
      throw new Error("Setting AML_ARM_ENDPOINT is not a URL");
    });
    const result = await activities.diagnoseBatchJob(request(), () => undefined);
    expect(result.ok).toBe(false);
  });
});
