/** What Azure ML job statuses mean for a scoring run. Pure. */

const terminal = new Set(["Completed", "Failed", "Canceled"]);

/**
 * Statuses before the job runs: waiting for compute or for its environment. `queueTimeoutSeconds`
 * bounds the time a job may stay in these. NotResponding, Paused and Unknown are not queued and
 * not terminal: the run keeps polling them until the overall deadline.
 */
const queued = new Set(["NotStarted", "Starting", "Provisioning", "Preparing", "Queued"]);

export function isTerminalJobStatus(status: string): boolean {
  return terminal.has(status);
}

export function isQueuedJobStatus(status: string): boolean {
  return queued.has(status);
}
