/** Every function, activity and event name in one place: registrations and the orchestrator share them. */
export const names = {
  orchestrator: "scoringRunOrchestrator",
  activities: {
    invoke: "invokeBatchEndpoint",
    findJob: "findInvokedJob",
    getStatus: "getBatchJobStatus",
    cancel: "cancelBatchJob",
    preflight: "preflightScoringRun",
    describeOutput: "describeRunOutput",
    /** Reads a finished job's logs: mini-batch counts, first error lines, where the logs are. */
    diagnose: "diagnoseBatchJob",
    /** Posts the run's end to one place that asked for it (callBackUri, notify webhook, Event Grid topic). */
    notify: "sendRunEndNotice",
  },
  events: {
    cancel: "CancelRequested",
    jobStatusChanged: "JobStatusChanged",
  },
  http: {
    start: "startScoringRun",
    status: "getScoringRun",
    cancel: "cancelScoringRun",
    list: "listScoringRuns",
    events: "receiveScoringEvents",
    rerun: "rerunScoringRun",
    /** The runs console's page and its assets (docs/console.md): anonymous, they hold no data. */
    console: "scoringConsole",
    consoleAsset: "scoringConsoleAsset",
  },
  /** The fleet's live-run count and ARM throttling (docs/operations.md#fleet-read-budget), one entity (key FLEET_KEY). */
  fleet: "fleetRuns",
  /** Recent job durations per endpoint and deployment, for learned polling (docs/operations.md#learned-polling). */
  jobDurations: "jobDurations",
  /** A run's reruns (docs/api.md#rerun-a-run), one entity per run. */
  runLinks: "runLinks",
  eventGrid: {
    blobCreated: "blobCreatedTrigger",
    jobStatusChanged: "jobStatusChangedTrigger",
  },
  /** Scoring batches: one request, many runs (docs/api.md#batches). */
  batches: {
    orchestrator: "scoringBatchOrchestrator",
    listItems: "listBatchItems",
    cancelChildren: "cancelBatchChildren",
    /** The per-endpoint semaphore (SCORING_MAX_JOBS_PER_ENDPOINT), one entity per endpoint. */
    slotsEntity: "endpointSlots",
    start: "startScoringBatch",
    status: "getScoringBatch",
    cancel: "cancelScoringBatch",
  },
  /** Batched blob events (docs/api.md#batched-events): one entity per folder, its closer, and the activity that starts a window's run. */
  blobWindows: {
    entity: "blobWindow",
    closer: "blobWindowCloser",
    startRun: "startBlobWindowRun",
    /** Raised to a running closer when a file arrives, so a new window is timed from now. */
    wake: "BlobWindowWake",
    /** One entity (key "all") listing folders whose file may have come as their closer ended; the sweep starts a closer for them. */
    watch: "blobWindowWatch",
  },
  timers: {
    /** Purges the durable history of finished runs past SCORING_RETENTION_DAYS. */
    purgeOldRuns: "purgeOldRuns",
    /** Starts a closer for a folder holding files with no closer live (docs/api.md#batched-events). */
    sweepBlobWindows: "sweepBlobWindows",
  },
} as const;
