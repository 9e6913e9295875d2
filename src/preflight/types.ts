/** What the pre-flight and describe-output activities take and give. Plain JSON. */
import type { ActivityLogFields, JobInput, JobOutput } from "../batch/types";
import type { PreflightMode, RunOutput, RunWarning } from "../runs/preflightReport";

export interface PreflightRequest {
  inputs: Record<string, JobInput>;
  output: JobOutput | null;
  workspace: string | null;
  mode: PreflightMode;
  log?: ActivityLogFields;
}

/** The describe-output activity's input: what the request named and where the job says it wrote. */
export interface DescribeOutputRequest {
  output: JobOutput | null;
  jobOutputs: Record<string, { type: string | null; uri: string }> | null;
  workspace: string | null;
  log?: ActivityLogFields;
}

export interface DescribeOutputResult {
  output: RunOutput | null;
  warning: RunWarning | null;
}
