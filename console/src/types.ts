/** The API's shapes, taken from the app's own types so the console cannot drift from them. */
export type { RunStatus, RunView } from "../../src/runs/types";
export type { BatchView } from "../../src/runs/batches/batchView";
export type { ManifestEntry } from "../../src/runs/batches/types";
export type { TimelineEntry } from "../../src/observability/timeline";

/** GET /api/scoring-runs. */
export interface RunPage {
  value: import("../../src/runs/types").RunView[];
  continuationToken: string | null;
}

/** The API's error body. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: Array<{ field: string; message: string }> };
}
