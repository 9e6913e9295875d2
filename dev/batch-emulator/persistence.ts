/**
 * Optional on-disk job state (`BatchEmulatorOptions.stateFile`), so `npm run dev` survives a
 * `kill -9`: the whole job set is rewritten after every change (write a temp file, rename it over
 * the state file), and loaded again by the next emulator's start().
 *
 * What persists is what a job needs to go on exactly where it was: the job itself (status, counters,
 * tags, properties, repeatability id, createdAt, error details) and its running script with the GETs
 * that script has seen. Not persisted: the default and queued lifecycles, faults, recorded requests,
 * hook errors, behaviour options (a cancel already requested keeps the cancelPolls it was given).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isPlainObject } from "../../src/json";
import { writeFileAtomic } from "../shared/writeFileAtomic";
import type { Scope } from "./fixtures";
import type { PersistedJob } from "./jobStore";
import { normalizeLifecycle } from "./lifecycle";
import type { EmulatorJob, JobStatus, Lifecycle } from "./types";

/** 4: jobs keep what they were simulated with (`simulation`) and their step run id; end hooks cover Failed jobs. */
export const STATE_VERSION = 4;

export interface StateFileContent {
  version: typeof STATE_VERSION;
  /** The endpoint the jobs belong to: a file written for another one is not loaded. */
  scope: Scope;
  jobs: PersistedJob[];
}

// A Record over JobStatus: adding a status to the type without adding it here does not compile.
const STATUSES: Record<JobStatus, true> = {
  NotStarted: true,
  Starting: true,
  Provisioning: true,
  Preparing: true,
  Queued: true,
  Running: true,
  Finalizing: true,
  CancelRequested: true,
  Completed: true,
  Failed: true,
  Canceled: true,
  NotResponding: true,
  Paused: true,
  Unknown: true,
};

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;
const isStatus = (v: unknown): v is JobStatus => typeof v === "string" && Object.hasOwn(STATUSES, v);
const isStringOrNull = (v: unknown): boolean => v === null || typeof v === "string";
const isStringMap = (v: unknown): boolean => isPlainObject(v) && Object.values(v).every((x) => typeof x === "string");

function checkSimulation(sim: unknown, where: string): void {
  if (!isPlainObject(sim)) throw new Error(`${where} is not an object`);
  for (const k of ["instanceCount", "miniBatchSize", "failedItems"] as const) if (!isCount(sim[k])) throw new Error(`${where}.${k} is not an integer >= 0`);
  if (!Number.isInteger(sim.errorThreshold) || (sim.errorThreshold as number) < -1) throw new Error(`${where}.errorThreshold is not an integer >= -1`);
  if (!isStringOrNull(sim.itemError)) throw new Error(`${where}.itemError is not a string or null`);
}

/** Throws a message naming the first thing wrong. */
function checkJob(entry: unknown, i: number): PersistedJob {
  const where = `jobs[${i}]`;
  if (!isPlainObject(entry)) throw new Error(`${where} is not an object`);
  const { seq, job, script, scriptGets, hookStarted } = entry;
  if (!Number.isInteger(seq) || (seq as number) < 1) throw new Error(`${where}.seq is not a positive integer`);
  if (!isCount(scriptGets)) throw new Error(`${where}.scriptGets is not an integer >= 0`);
  if (typeof hookStarted !== "boolean") throw new Error(`${where}.hookStarted is not a boolean`);
  if (!isPlainObject(job)) throw new Error(`${where}.job is not an object`);
  for (const k of ["name", "id", "jobPath", "deployment"] as const) {
    if (typeof job[k] !== "string" || job[k] === "") throw new Error(`${where}.job.${k} is not a non-empty string`);
  }
  if (job.deploymentType !== "model" && job.deploymentType !== "pipelineComponent")
    throw new Error(`${where}.job.deploymentType is not model or pipelineComponent`);
  if (!isStatus(job.status)) throw new Error(`${where}.job.status is not a job status`);
  if (!isPlainObject(job.inputs) || !isPlainObject(job.outputs)) throw new Error(`${where}.job inputs/outputs are not objects`);
  if (!isStringMap(job.tags) || !isStringMap(job.properties)) throw new Error(`${where}.job tags/properties are not string maps`);
  if (!isStringOrNull(job.repeatabilityId)) throw new Error(`${where}.job.repeatabilityId is not a string or null`);
  if (typeof job.createdAt !== "number" || !Number.isFinite(job.createdAt)) throw new Error(`${where}.job.createdAt is not a number`);
  if (!isCount(job.statusGets) || !isCount(job.cancelRequests)) throw new Error(`${where}.job counters are not integers >= 0`);
  if (!isStringOrNull(job.errorMessage) || !isStringOrNull(job.errorCode)) throw new Error(`${where}.job error fields are not strings or null`);
  if (typeof job.invokeHadAuthorization !== "boolean") throw new Error(`${where}.job.invokeHadAuthorization is not a boolean`);
  if (typeof job.stepRunId !== "string" || job.stepRunId === "") throw new Error(`${where}.job.stepRunId is not a non-empty string`);
  checkSimulation(job.simulation, `${where}.job.simulation`);
  if (!isPlainObject(script) || !Array.isArray(script.steps)) throw new Error(`${where}.script has no steps`);
  if (!script.steps.every((s: unknown) => isPlainObject(s) && isStatus(s.status))) throw new Error(`${where}.script has a step without a job status`);
  for (const k of ["errorMessage", "errorCode"] as const) {
    if (script[k] !== undefined && typeof script[k] !== "string") throw new Error(`${where}.script.${k} is not a string`);
  }
  let lifecycle: Lifecycle;
  try {
    lifecycle = normalizeLifecycle(script as unknown as Lifecycle);
  } catch (err) {
    throw new Error(`${where}.script: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return { seq: seq as number, job: job as unknown as EmulatorJob, script: lifecycle, scriptGets, hookStarted };
}

function parseState(text: string, scope: Scope): PersistedJob[] {
  const data: unknown = JSON.parse(text);
  if (!isPlainObject(data)) throw new Error("not a JSON object");
  if (data.version !== STATE_VERSION) throw new Error(`unknown version ${JSON.stringify(data.version)} (expected ${STATE_VERSION})`);
  const s = data.scope;
  if (!isPlainObject(s)) throw new Error("no scope");
  for (const k of ["subscriptionId", "resourceGroup", "workspace", "endpointName"] as const) {
    if (s[k] !== scope[k]) {
      throw new Error(`written for ${k} ${JSON.stringify(s[k])}, this emulator has ${JSON.stringify(scope[k])}`);
    }
  }
  if (!Array.isArray(data.jobs)) throw new Error("jobs is not an array");
  const jobs = data.jobs.map(checkJob);
  const names = new Set<string>();
  for (const j of jobs) {
    if (names.has(j.job.name)) throw new Error(`job ${j.job.name} appears twice`);
    names.add(j.job.name);
  }
  return jobs;
}

export class StateFile {
  readonly file: string;
  /** Set after a failed write, so a broken disk warns once, not on every poll. */
  private failing = false;

  constructor(file: string) {
    this.file = path.resolve(file);
  }

  /** The persisted jobs; none when the file does not exist, or (with one warning) cannot be used. */
  load(scope: Scope): PersistedJob[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
      this.warnUnusable(err);
      return [];
    }
    try {
      return parseState(text, scope);
    } catch (err) {
      this.warnUnusable(err);
      return [];
    }
  }

  /** Writes the whole job set atomically. A failure warns (once until a write succeeds) and is not thrown. */
  save(scope: Scope, jobs: PersistedJob[]): void {
    const content: StateFileContent = { version: STATE_VERSION, scope, jobs };
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      writeFileAtomic(this.file, JSON.stringify(content));
      this.failing = false;
    } catch (err) {
      if (!this.failing) {
        console.warn(`[batch-emulator] could not write state file ${this.file}: ${message(err)}; job changes are not being saved`);
      }
      this.failing = true;
    }
  }

  private warnUnusable(err: unknown): void {
    console.warn(`[batch-emulator] ignoring state file ${this.file} (${message(err)}): starting with no jobs; it is replaced on the next job change`);
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
