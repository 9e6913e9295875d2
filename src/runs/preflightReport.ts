/**
 * What a run records about its data: the pre-flight checks and their report, warnings, and the
 * predictions file of a completed run. Plain JSON, part of the run's progress and result.
 */
/** `strict` (default): failures end the run before a job exists; `warn`: record and invoke anyway; `off`: no checks. */
export type PreflightMode = "strict" | "warn" | "off";
export const PREFLIGHT_MODES: readonly PreflightMode[] = ["strict", "warn", "off"];

export type CheckResult = "passed" | "failed" | "warning" | "skipped";

export interface PreflightCheck {
  /** `output` or `inputs.<name>`. */
  target: string;
  /** The URI as the request gave it. */
  uri: string;
  /** Where it was looked for (never with a SAS); null when it could not be resolved. */
  blobUrl: string | null;
  result: CheckResult;
  /** Why it failed or warns (`OutputAlreadyExists`, `InputEmpty`, …); null when passed or skipped. */
  code: string | null;
  message: string;
  /** Folder checks: entries listed, and whether the listing stopped at its bound. */
  listed?: number;
  truncated?: boolean;
}

export interface PreflightReport {
  mode: PreflightMode;
  checks: PreflightCheck[];
  /**
   * Present while the run is under way: its custom status (capped in size) lists only the checks
   * that matter most, and these counts cover all of them. The result lists every check.
   */
  counts?: Partial<Record<CheckResult, number>>;
}

/** Something the caller should know that did not fail the run. */
export interface RunWarning {
  code: string;
  message: string;
}

/** What a completed job wrote in one output: a file, or a folder's files (bounded), with count and total size. */
export interface OutputManifest {
  name: string;
  type: "uri_file" | "uri_folder";
  uri: string;
  /** The file's or folder's URL, without any SAS; null when it could not be resolved. */
  blobUrl: string | null;
  /** null when the place could not be read (a warning says why). */
  fileCount: number | null;
  totalBytes: number | null;
  /** The first files, by name relative to the folder (a file output: its own name). */
  files: { name: string; sizeBytes: number | null }[];
  /** More files than were listed: count and size cover the listed ones. */
  truncated: boolean;
}

/** The predictions file of a completed run. */
export interface RunOutput {
  /** The datastore URI of the file (the request's, or the job's own output location). */
  uri: string;
  /** The blob's URL, without any SAS; null when it could not be resolved. */
  blobUrl: string | null;
  sizeBytes: number | null;
  lastModified: string | null;
  contentType: string | null;
}
