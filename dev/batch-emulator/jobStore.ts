/**
 * The emulator's jobs and their scripted lifecycles. No HTTP here: handlers call these methods,
 * and tests script behaviour through the BatchEmulator facade.
 */
import { randomUUID } from "node:crypto";
import type { ParsedInvoke } from "./invokeBody";
import { nestedJobId, serviceTags, workspaceJobPath, type Scope } from "./fixtures";
import {
  DEFAULT_ERROR_CODE,
  DEFAULT_ERROR_MESSAGE,
  isTerminal,
  lifecycleFor,
  lifecycles,
  normalizeLifecycle,
  isTimed,
  simulationOf,
  statusAt,
  timedEnd,
} from "./lifecycle";
import { stepRunIdOf } from "./runHistory";
import type { EmulatorBehavior, EmulatorDeployment, EmulatorJob, HookError, JobStatus, Lifecycle, LifecycleInput } from "./types";

/** Azure ML does not overwrite an output: a job whose output path exists fails (docs/azure-behaviour.md#existing-outputs). */
export function outputExistsMessage(uri: string): string {
  return `UserError: The output path ${uri} cannot be written: the path already exists.`;
}

/** A job and where its script stands: what the store keeps and the state file saves. */
interface ScriptedJob {
  /** Creation order: breaks ties in "newest first" when the clock does not move. */
  seq: number;
  job: EmulatorJob;
  /** The running script and how many status GETs it has seen. */
  script: Lifecycle;
  scriptGets: number;
  /** clock() when the current script started (timed lifecycles count from here). */
  scriptStartedAt?: number;
}

export interface JobState extends ScriptedJob {
  /** Set once the job reached Completed or Failed: its end hooks' run (onJobCompleted, onJobEnded; never rejects). */
  completion: Promise<void> | null;
}

/** One job as the state file keeps it. */
export interface PersistedJob extends ScriptedJob {
  /** The end hooks (onJobCompleted, onJobEnded) were started for this job: they are not run again after a restart. */
  hookStarted: boolean;
}

export interface CreateParams {
  deployment: EmulatorDeployment;
  parsed: ParsedInvoke;
  repeatabilityId: string | null;
  hadAuthorization: boolean;
  /** An output URI that already holds data: the job fails on it. */
  outputTaken?: string | null;
}

export type CancelOutcome = "accepted" | "alreadyTerminal";

const terminalStatuses: readonly string[] = ["Completed", "Failed", "Canceled"];

export class JobStore {
  private readonly jobs = new Map<string, JobState>();
  private queued: Lifecycle[] = [];
  private defaultLifecycle: Lifecycle = lifecycles.standard();
  private seq = 0;
  readonly hookErrors: HookError[] = [];

  constructor(
    private readonly scope: Scope,
    private readonly clock: () => number,
    private readonly behavior: EmulatorBehavior,
    private readonly onCompleted: ((job: EmulatorJob) => Promise<void>) | undefined,
    /** Called after every change to the job set (create, counted GET, cancel, force, clear); persistence only. */
    private readonly onChange?: () => void,
    /** Where a job that names no output writes, `{job}` replaced (the service's default output folder). */
    private readonly defaultOutputFolder?: string,
  ) {}

  setDefaultLifecycle(input: LifecycleInput): void {
    this.defaultLifecycle = normalizeLifecycle(input);
  }

  enqueueLifecycle(input: LifecycleInput): void {
    this.queued.push(normalizeLifecycle(input));
  }

  /** Called with each job an invoke created. */
  onCreated: ((job: EmulatorJob) => void) | undefined;

  /** Called once when a job ends Failed, or Completed with failed items (after onCompleted): its logs. */
  onEnded: ((job: EmulatorJob) => Promise<void>) | undefined;

  create(p: CreateParams): JobState {
    const name = `batchjob-${randomUUID()}`;
    const keepTags = this.behavior.keepInvokeMarkers;
    const keepProperties = keepTags || p.deployment.type === "pipelineComponent";
    const scripted = p.outputTaken ? lifecycles.failsWith(outputExistsMessage(p.outputTaken), 1) : (this.queued.shift() ?? this.defaultLifecycle);
    // The settings in effect shape the run: failed items over the error threshold fail it, instances shorten a timed one.
    const simulation = simulationOf(p.parsed.settings, p.deployment.settings, scripted);
    const state: JobState = {
      seq: ++this.seq,
      job: {
        name,
        id: nestedJobId(this.scope, p.deployment.name, name),
        jobPath: workspaceJobPath(this.scope, name),
        deployment: p.deployment.name,
        deploymentType: p.deployment.type,
        status: "NotStarted",
        inputs: p.parsed.inputs,
        // A job that names no output still has one: the service's default folder for the `score` port.
        outputs:
          Object.keys(p.parsed.outputs).length > 0 || !this.defaultOutputFolder
            ? p.parsed.outputs
            : { score: { type: "uri_folder", uri: this.defaultOutputFolder.replace("{job}", name) } },
        settings: p.parsed.settings,
        simulation,
        stepRunId: stepRunIdOf(name),
        description: p.parsed.description,
        tags: { ...(keepTags ? p.parsed.tags : {}), ...serviceTags(p.deployment.name) },
        properties: keepProperties ? p.parsed.properties : {},
        repeatabilityId: p.repeatabilityId,
        createdAt: this.clock(),
        statusGets: 0,
        cancelRequests: 0,
        errorMessage: null,
        errorCode: null,
        invokeHadAuthorization: p.hadAuthorization,
      },
      script: lifecycleFor(scripted, simulation),
      scriptGets: 0,
      scriptStartedAt: this.clock(),
      completion: null,
    };
    state.job.endsAt = isTimed(state.script) ? timedEnd(state.script, state.job.createdAt) : null;
    state.job.endsAs = isTimed(state.script) ? (state.script.steps.at(-1)?.status ?? null) : null;
    this.jobs.set(name, state);
    this.peakLive = Math.max(this.peakLive, this.liveCount());
    this.refresh(state);
    this.onChange?.();
    this.onCreated?.(snapshot(state.job));
    return state;
  }

  get(name: string): JobState | undefined {
    return this.jobs.get(name);
  }

  findByRepeatabilityId(id: string): JobState | undefined {
    return [...this.jobs.values()].find((s) => s.job.repeatabilityId === id);
  }

  /** A status GET: counts it and advances the script. */
  poll(name: string): JobState | undefined {
    const state = this.jobs.get(name);
    if (state === undefined) return undefined;
    state.job.statusGets += 1;
    state.scriptGets += 1;
    this.refresh(state);
    this.onChange?.();
    return state;
  }

  /** Non-terminal → CancelRequested (for cancelPolls GETs) → Canceled; repeats and terminal jobs change nothing. */
  cancel(name: string): CancelOutcome | undefined {
    const state = this.jobs.get(name);
    if (state === undefined) return undefined;
    state.job.cancelRequests += 1;
    const outcome: CancelOutcome = isTerminal(state.job.status) ? "alreadyTerminal" : "accepted";
    if (outcome === "accepted" && state.job.status !== "CancelRequested") {
      this.switchScript(state, lifecycles.cancel(this.behavior.cancelPolls));
    }
    this.onChange?.();
    return outcome;
  }

  /** Forces a status that then holds until changed again. */
  force(name: string, status: JobStatus, details: { errorMessage?: string; errorCode?: string } = {}): void {
    const state = this.jobs.get(name);
    if (state === undefined) throw new Error(`no emulated job named ${name}`);
    this.switchScript(state, { steps: [{ status }], ...details });
    this.onChange?.();
  }

  /** Newest first. */
  list(): JobState[] {
    return [...this.jobs.values()].sort((a, b) => b.job.createdAt - a.job.createdAt || b.seq - a.seq);
  }

  snapshots(): EmulatorJob[] {
    return [...this.jobs.values()].sort((a, b) => a.seq - b.seq).map((s) => snapshot(s.job));
  }

  get size(): number {
    return this.jobs.size;
  }

  /** Jobs not ended yet (a job's status moves as it is read, as the scripted lifecycles say). */
  liveCount(): number {
    return [...this.jobs.values()].filter((s) => !terminalStatuses.includes(s.job.status)).length;
  }

  /** The most jobs live at once since the last clear: counted at each create, the only moment the number grows. */
  peakLive = 0;

  /** Resolves when every onJobCompleted call started so far has finished. */
  async settled(): Promise<void> {
    await Promise.all([...this.jobs.values()].map((s) => s.completion));
  }

  clear(): void {
    this.jobs.clear();
    this.peakLive = 0;
    this.queued = [];
    this.hookErrors.length = 0;
    this.onChange?.();
  }

  /** The jobs as the state file keeps them, in creation order (live objects: serialize, do not keep). */
  exportState(): PersistedJob[] {
    return [...this.jobs.values()]
      .sort((a, b) => a.seq - b.seq)
      .map((s) => ({
        seq: s.seq,
        job: s.job,
        script: s.script,
        scriptGets: s.scriptGets,
        scriptStartedAt: s.scriptStartedAt,
        hookStarted: s.completion !== null,
      }));
  }

  /**
   * Replaces the jobs with persisted ones (queued and default lifecycles stay). Each job's status is
   * recomputed from its script, as after any change; a Completed job whose hook was already started
   * does not run it again.
   */
  importState(persisted: PersistedJob[]): void {
    this.jobs.clear();
    for (const p of persisted) {
      const state: JobState = {
        seq: p.seq,
        job: structuredClone(p.job),
        script: p.script,
        scriptGets: p.scriptGets,
        scriptStartedAt: p.scriptStartedAt,
        completion: p.hookStarted ? Promise.resolve() : null,
      };
      this.jobs.set(state.job.name, state);
      this.seq = Math.max(this.seq, state.seq);
      this.refresh(state);
    }
  }

  private switchScript(state: JobState, script: Lifecycle): void {
    state.script = script;
    state.scriptGets = 0;
    state.scriptStartedAt = this.clock();
    this.refresh(state);
  }

  /** Recomputes the status from the script; fires the end hooks on the first Completed or Failed. */
  private refresh(state: JobState): void {
    const job = state.job;
    job.status = statusAt(state.script, state.scriptGets, this.clock() - (state.scriptStartedAt ?? job.createdAt));
    const failed = job.status === "Failed";
    job.errorMessage = failed ? (state.script.errorMessage ?? DEFAULT_ERROR_MESSAGE) : null;
    job.errorCode = failed ? (state.script.errorCode ?? DEFAULT_ERROR_CODE) : null;
    if ((job.status === "Completed" || failed) && state.completion === null) state.completion = this.runHooks(job);
  }

  /** A Completed job writes its outputs; a Failed one, or one with failed items, its logs. Never rejects. */
  private async runHooks(job: EmulatorJob): Promise<void> {
    const ended = snapshot(job);
    if (job.status === "Completed" && this.onCompleted !== undefined && this.behavior.writeOutputs) await this.guard(job, () => this.onCompleted!(ended));
    if (this.onEnded !== undefined && (job.status === "Failed" || job.simulation.failedItems > 0)) await this.guard(job, () => this.onEnded!(ended));
  }

  private async guard(job: EmulatorJob, hook: () => Promise<void>): Promise<void> {
    try {
      await hook();
    } catch (err) {
      this.hookErrors.push({ job: job.name, message: err instanceof Error ? err.message : String(err) });
    }
  }
}

function snapshot(job: EmulatorJob): EmulatorJob {
  return structuredClone(job);
}
