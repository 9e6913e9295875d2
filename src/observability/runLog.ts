/** The prefix every log line of a run carries: run id, Azure ML job name once known, correlation id. Pure. */
export interface RunLogFields {
  runId: string;
  jobName?: string | null;
  correlationId?: string | null;
}

export function runLogPrefix(fields: RunLogFields): string {
  const parts = [`run=${fields.runId}`];
  if (fields.jobName) parts.push(`job=${fields.jobName}`);
  if (fields.correlationId) parts.push(`correlationId=${fields.correlationId}`);
  return `[${parts.join(" ")}]`;
}
