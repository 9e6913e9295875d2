/** What the pre-flight and describe-output activities take and give. Plain JSON. */
import type { ActivityLogFields, JobInput, JobOutput } from "../batch/types";
import type { OutputManifest, PreflightMode, RunOutput, RunWarning } from "../runs/preflightReport";

export interface PreflightRequest {
  inputs: Record<string, JobInput>;
  outputs: JobOutput[];
  workspace: string | null;
  mode: PreflightMode;
  log?: ActivityLogFields;
  /** The endpoint the run invokes, and what the job is asked that only some deployments take: the deployment check (absent: not made). */
  endpoint?: EndpointTarget;
}

/** What the deployment check compares with the endpoint's deployment, besides inputs and outputs. */
export interface EndpointTarget {
  /** The scoring URI. */
  uri: string;
  /** The request's deployment; null: the endpoint's default. */
  deployment: string | null;
  experimentName: string | null;
  displayName: string | null;
}

/** The describe-output activity's input: what the request named and where the job says it wrote. */
export interface DescribeOutputRequest {
  outputs: JobOutput[];
  /** The predictions file's name in a folder (the request's `settings.outputFileName`); null: the default. */
  outputFileName: string | null;
  jobOutputs: Record<string, { type: string | null; uri: string }> | null;
  workspace: string | null;
  log?: ActivityLogFields;
}

export interface DescribeOutputResult {
  /** The predictions file, when there is one. */
  output: RunOutput | null;
  /** What each output holds. */
  outputs: OutputManifest[];
  warnings: RunWarning[];
}
