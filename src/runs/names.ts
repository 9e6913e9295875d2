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
  },
  eventGrid: {
    blobCreated: "blobCreatedTrigger",
    jobStatusChanged: "jobStatusChangedTrigger",
  },
  timers: {
    /** Purges the durable history of finished runs past SCORING_RETENTION_DAYS. */
    purgeOldRuns: "purgeOldRuns",
  },
} as const;
