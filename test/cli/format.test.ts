import { describe, expect, it } from "vitest";
import { formatBytes, formatDiagnostics, formatManifest, formatView } from "../../cli/format";
import type { OutputManifest } from "../../src/runs/preflightReport";
import type { RunView } from "../../src/runs/types";
import { quietViewFields } from "../fixtures/runView";

const FOLDER = "azureml://datastores/workspaceblobstore/paths/out/run1/";

function view(overrides: Partial<RunView> = {}): RunView {
  const base: RunView = {
    id: "req-1",
    status: "Succeeded",
    createdAt: "2026-12-02T12:00:00.000Z",
    lastUpdatedAt: "2026-12-02T12:01:00.000Z",
    request: {
      endpointUri: "https://ep.westeurope.inference.ml.azure.com/jobs",
      deployment: null,
      apiVersion: "2022-10-01",
      pollIntervalSeconds: 5,
      inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/in/" } },
      outputs: { score: { type: "uri_folder", uri: FOLDER } },
      settings: {},
      displayName: null,
      description: null,
      experimentName: null,
      timeoutSeconds: 604800,
      queueTimeoutSeconds: null,
      tags: {},
      workspace: null,
      preflight: "strict",
    },
    job: { name: "job-1", id: "/x/jobs/job-1", status: "Completed", studioUrl: null },
    progress: { phase: "Succeeded", polls: 3, lastPolledAt: null, nextPollAt: null, recentPolls: [] },
    ...quietViewFields,
  };
  return { ...base, ...overrides };
}

const manifest = (over: Partial<OutputManifest> = {}): OutputManifest => ({
  name: "score",
  type: "uri_folder",
  uri: FOLDER,
  blobUrl: null,
  fileCount: 2,
  totalBytes: 3000,
  files: [
    { name: "a.csv", sizeBytes: 1000 },
    { name: "b.csv", sizeBytes: 2000 },
  ],
  truncated: false,
  ...over,
});

describe("format", () => {
  it("formatBytes: bytes, then KB/MB/GB", () => {
    expect(formatBytes(130)).toBe("130 bytes");
    expect(formatBytes(2048)).toBe("2.0 KB");
    expect(formatBytes(5 * 1024 * 1024 + 1)).toBe("5.0 MB");
  });

  it("a manifest line: name, type, URI, count, size, first file names; unreadable and truncated said so", () => {
    expect(formatManifest(manifest())).toBe(`score uri_folder ${FOLDER}: 2 files, 2.9 KB (a.csv, b.csv)`);
    const many = manifest({ fileCount: 5000, truncated: true, files: ["a", "b", "c", "d"].map((n) => ({ name: n, sizeBytes: 1 })) });
    expect(formatManifest(many)).toBe(`score uri_folder ${FOLDER}: 5000+ files, 2.9 KB (a, b, c, …)`);
    expect(formatManifest(manifest({ fileCount: null, totalBytes: null, files: [] }))).toBe(`score uri_folder ${FOLDER}: not readable`);
    expect(formatManifest(manifest({ type: "uri_file", uri: `${FOLDER}p.csv`, fileCount: 1, totalBytes: 10, files: [{ name: "p.csv", sizeBytes: 10 }] }))).toBe(
      `score uri_file ${FOLDER}p.csv: 1 file, 10 bytes`,
    );
  });

  it("a view shows the settings, display name, experiment, each folder or named output, and every warning", () => {
    const lines = formatView(
      view({
        request: {
          ...view().request!,
          deployment: "pipeline-scorer",
          outputs: { scores: { type: "uri_folder", uri: FOLDER }, summary: { type: "uri_file", uri: `${FOLDER}summary.csv` } },
          settings: { instanceCount: 2, errorThreshold: -1 },
          displayName: "nightly",
          experimentName: "nightly-scoring",
        },
        outputs: [manifest({ name: "scores" }), manifest({ name: "summary", type: "uri_file", uri: `${FOLDER}summary.csv`, fileCount: 1, totalBytes: 10 })],
        warnings: [
          { code: "OverrideNotDocumented", message: "settings.loggingLevel: …" },
          { code: "ServicePrincipalIgnored", message: "tenant_id was ignored …" },
        ],
      }),
    );
    expect(lines).toContain("name:       nightly");
    expect(lines).toContain("experiment: nightly-scoring");
    expect(lines).toContain("settings:   instanceCount=2, errorThreshold=-1");
    expect(lines).toContain(`outputs:    scores uri_folder ${FOLDER}: 2 files, 2.9 KB (a.csv, b.csv)`);
    expect(lines).toContain(`            summary uri_file ${FOLDER}summary.csv: 1 file, 10 bytes`);
    expect(lines).toContain("warning:    OverrideNotDocumented: settings.loggingLevel: …");
    expect(lines).toContain("warning:    ServicePrincipalIgnored: tenant_id was ignored …");
    expect(lines.some((l) => l.startsWith("output:"))).toBe(false);
  });

  it("before the end, several outputs are listed from the request; one file output is the output line; no settings, no settings line", () => {
    const running = view({
      status: "Running",
      request: { ...view().request!, outputs: { a: { type: "uri_file", uri: `${FOLDER}a.csv` }, b: { type: "uri_folder", uri: `${FOLDER}b/` } } },
    });
    expect(formatView(running)).toEqual(expect.arrayContaining([`outputs:    a uri_file ${FOLDER}a.csv`, `            b uri_folder ${FOLDER}b/`]));
    const one = formatView(view({ request: { ...view().request!, outputs: { score: { type: "uri_file", uri: `${FOLDER}p.csv` } } } }));
    expect(one).toContain(`output:     ${FOLDER}p.csv`);
    expect(one.some((l) => l.startsWith("settings:") || l.startsWith("outputs:") || l.startsWith("warning:"))).toBe(false);
    const done = formatView(
      view({ output: { uri: `${FOLDER}scores.csv`, blobUrl: null, sizeBytes: 130, lastModified: null, contentType: null }, outputs: [manifest()] }),
    );
    expect(done).toContain(`output:     ${FOLDER}scores.csv (130 bytes)`);
    expect(done).toContain(`outputs:    score uri_folder ${FOLDER}: 2 files, 2.9 KB (a.csv, b.csv)`);
  });

  it("a failed job's diagnostics: its figures, each error line from its logs, where the logs are", () => {
    const logs = {
      studioUrl: null,
      step: "batchscoring" as const,
      files: [],
      folder: "azureml://datastores/workspaceartifactstore/paths/ExperimentRun/dcid.x/",
    };
    const lines = formatView(
      view({
        status: "Failed",
        diagnostics: {
          queuedSeconds: 120,
          runningSeconds: 240,
          miniBatches: { total: 5, processed: 3, failed: 2 },
          errorLines: ["ValueError: a", "ValueError: b"],
          logs,
          source: "logs",
        },
      }),
    );
    expect(lines).toContain("diagnosis:  mini-batches 3 of 5 processed, 2 failed; queued 120 s; running 240 s");
    expect(lines).toContain("log error:  ValueError: a");
    expect(lines).toContain("            ValueError: b");
    expect(lines).toContain(`logs:       ${logs.folder}`);
    expect(
      formatDiagnostics({ queuedSeconds: 5, runningSeconds: null, miniBatches: null, errorLines: [], logs: { ...logs, folder: null }, source: "none" }),
    ).toBe("logs not read; queued 5 s");
  });
});
