/** What Azure ML job statuses mean for a scoring run: kept in runs/, which the status activity shares. */
export { isQueuedJobStatus, isTerminalJobStatus } from "../runs/jobStatus";
