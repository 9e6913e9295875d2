/**
 * BatchEmulator: a loopback stand-in for an Azure ML batch endpoint (invoke) and the ARM Jobs API
 * (get, cancel, list), with scripted job lifecycles and fault injection for tests and `npm run dev`.
 */
import { findByName, sameName } from "./armNames";
import { FaultQueue } from "./faults";
import { workspaceId, workspaceJobPath, type Scope } from "./fixtures";
import { JobStore } from "./jobStore";
import { StateFile } from "./persistence";
import { EmulatorServer } from "./server";
import type {
  BatchEmulatorOptions,
  EmulatorBehavior,
  EmulatorDatastore,
  EmulatorDeployment,
  EmulatorDataVersion,
  EmulatorJob,
  Fault,
  HookError,
  JobStatus,
  LifecycleInput,
  RecordedRequest,
  Route,
} from "./types";

export { lifecycles, isTerminal, TERMINAL_STATUSES } from "./lifecycle";
export type * from "./types";

/** What the real service does, or where that is unknown, what is hardest on a client. */
export function strictBehavior(): EmulatorBehavior {
  return {
    cancelPolls: 1,
    listPageSize: 50,
    listOrder: "newestFirst",
    dedupeRepeatability: false,
    keepInvokeMarkers: false,
    failureText: "none",
    writeOutputs: true,
    maxLiveJobsPerEndpoint: 0,
  };
}

function definedOnly(options: BatchEmulatorOptions): Partial<EmulatorBehavior> {
  const keys = Object.keys(strictBehavior()) as Array<keyof EmulatorBehavior>;
  return Object.fromEntries(keys.filter((k) => options[k] !== undefined).map((k) => [k, options[k]]));
}

/** The endpoint's deployments: names alone are model deployments; the default one is always there. */
function deploymentsOf(defaultDeployment: string | null, given: Array<string | EmulatorDeployment>): EmulatorDeployment[] {
  const all = given.map((d): EmulatorDeployment => (typeof d === "string" ? { name: d, type: "model" } : d));
  if (defaultDeployment !== null && !all.some((d) => sameName(d.name, defaultDeployment))) {
    all.unshift({ name: defaultDeployment, type: "model" });
  }
  return all;
}

function checkBehavior(b: EmulatorBehavior): void {
  if (!Number.isInteger(b.cancelPolls) || b.cancelPolls < 0) throw new Error("cancelPolls must be an integer >= 0");
  if (!Number.isInteger(b.maxLiveJobsPerEndpoint) || b.maxLiveJobsPerEndpoint < 0) throw new Error("maxLiveJobsPerEndpoint must be an integer >= 0");
  if (!Number.isInteger(b.listPageSize) || b.listPageSize < 1) throw new Error("listPageSize must be an integer >= 1");
}

export class BatchEmulator {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly workspace: string;
  readonly endpointName: string;
  /** null: the endpoint has no default deployment. */
  readonly defaultDeployment: string | null;
  readonly host: string;

  private readonly scope: Scope;
  private readonly requestedPort: number;
  private readonly behavior: EmulatorBehavior;
  private readonly store: JobStore;
  private readonly faults = new FaultQueue();
  private readonly recorded: RecordedRequest[] = [];
  private readonly maxRecorded: number;
  /** Requests received per route since the last reset, including those the bounded log dropped. */
  private readonly counts = new Map<Route, number>();
  private readonly server: EmulatorServer;
  private boundPort: number | null = null;
  /** Set with the stateFile option; jobs load from it at the first start(). */
  private readonly stateFile: StateFile | null;
  private stateLoaded = false;
  private readonly datastores = new Map<string, EmulatorDatastore>();
  private readonly dataAssets = new Map<string, Map<string, EmulatorDataVersion>>();

  constructor(options: BatchEmulatorOptions = {}) {
    this.subscriptionId = options.subscriptionId ?? "sub-0000";
    this.resourceGroup = options.resourceGroup ?? "rg-scoring";
    this.workspace = options.workspace ?? "ws-scoring";
    this.endpointName = options.endpointName ?? "ep-scoring";
    this.defaultDeployment = options.defaultDeployment === undefined ? "blue" : options.defaultDeployment;
    this.host = options.host ?? "127.0.0.1";
    this.requestedPort = options.port ?? 0;
    this.scope = {
      subscriptionId: this.subscriptionId,
      resourceGroup: this.resourceGroup,
      workspace: this.workspace,
      endpointName: this.endpointName,
    };
    this.behavior = { ...strictBehavior(), ...definedOnly(options) };
    this.maxRecorded = options.maxRecordedRequests ?? Number.POSITIVE_INFINITY;
    checkBehavior(this.behavior);
    for (const [name, ds] of Object.entries(options.datastores ?? {})) this.datastores.set(name, ds);
    for (const [name, versions] of Object.entries(options.dataAssets ?? {})) this.dataAssets.set(name, new Map(Object.entries(versions)));
    const clock = options.clock ?? Date.now;
    const deployments = deploymentsOf(this.defaultDeployment, options.deployments ?? []);
    const stateFile = options.stateFile === undefined ? null : new StateFile(options.stateFile);
    this.stateFile = stateFile;
    // Without a stateFile the store gets no change callback at all: nothing is serialized or written.
    // Before the file is loaded (a reset() before start()) nothing is written, lest it erase saved jobs.
    const persist =
      stateFile === null
        ? undefined
        : () => {
            if (this.stateLoaded) stateFile.save(this.scope, this.store.exportState());
          };
    this.store = new JobStore(
      this.scope,
      clock,
      this.behavior,
      options.onJobCompleted,
      persist,
      options.defaultOutputFolder ?? "azureml://datastores/workspaceblobstore/paths/azureml/{job}/score/",
    );
    this.store.onCreated = options.onJobCreated;
    this.store.onEnded = options.onJobEnded;
    this.server = new EmulatorServer({
      clock,
      faults: this.faults,
      record: (r) => this.record(r),
      context: {
        scope: this.scope,
        store: this.store,
        behavior: this.behavior,
        deployments,
        defaultDeployment: this.defaultDeployment,
        baseUrl: () => this.baseUrl,
        datastores: this.datastores,
        dataAssets: this.dataAssets,
        outputExists: options.outputExists,
      },
    });
  }

  /**
   * Listens on `host` (loopback by default). With `stateFile`, the first start() first loads the jobs
   * saved there (later starts of the same instance keep its jobs, which are what it saved).
   */
  async start(): Promise<void> {
    if (this.stateFile !== null && !this.stateLoaded) {
      this.store.importState(this.stateFile.load(this.scope));
      this.stateLoaded = true;
    }
    this.boundPort = await this.server.listen(this.requestedPort, this.host);
  }

  /** Closes the server and every open connection; pending fault delays end at once. */
  async stop(): Promise<void> {
    await this.server.close();
    this.boundPort = null;
  }

  get port(): number {
    if (this.boundPort === null) throw new Error("the batch emulator is not started");
    return this.boundPort;
  }

  get baseUrl(): string {
    return `http://${this.host}:${this.port}`;
  }

  /** The invoke URL, `http://127.0.0.1:<port>/endpoints/<endpointName>/jobs`. */
  get scoringUri(): string {
    return `${this.baseUrl}/endpoints/${this.endpointName}/jobs`;
  }

  /** Base for ARM calls: what the app's AML_ARM_ENDPOINT is set to. */
  get armEndpoint(): string {
    return `${this.baseUrl}/arm`;
  }

  /** `/subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<ws>` */
  get workspaceId(): string {
    return workspaceId(this.scope);
  }

  /** Workspace-level job path (no host): append to armEndpoint for Jobs Get / cancel. */
  jobPath(name: string): string {
    return workspaceJobPath(this.scope, name);
  }

  /** Adds or replaces a datastore (Datastores Get answers it from now on). */
  setDatastore(name: string, datastore: EmulatorDatastore): void {
    this.removeDatastore(name);
    this.datastores.set(name, datastore);
  }

  /** A datastore by name (in any case, as ARM finds it). */
  datastore(name: string): EmulatorDatastore | undefined {
    return findByName(this.datastores, name)?.[1];
  }

  /** Removes the datastore by that name in any case. */
  removeDatastore(name: string): void {
    for (const key of [...this.datastores.keys()]) if (sameName(key, name)) this.datastores.delete(key);
  }

  /** Adds or replaces one version of a data asset. */
  setDataVersion(name: string, version: string, data: EmulatorDataVersion): void {
    const key = findByName(this.dataAssets, name)?.[0] ?? name;
    const versions = this.dataAssets.get(key) ?? new Map<string, EmulatorDataVersion>();
    versions.set(version, data);
    this.dataAssets.set(key, versions);
  }

  setDefaultLifecycle(lifecycle: LifecycleInput): void {
    this.store.setDefaultLifecycle(lifecycle);
  }

  /** The next created job takes this lifecycle (FIFO), else the default one. */
  enqueueLifecycle(lifecycle: LifecycleInput): void {
    this.store.enqueueLifecycle(lifecycle);
  }

  /** Forces a job's status; it holds until changed again (a cancel still applies to non-terminal ones). */
  setJobStatus(name: string, status: JobStatus, details?: { errorMessage?: string; errorCode?: string }): void {
    this.store.force(name, status, details);
  }

  injectFault(fault: Fault): void {
    this.faults.add(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Fault applications still to come (sum of remaining `times`). */
  get pendingFaults(): number {
    return this.faults.pending;
  }

  /** Changes behaviour for the following requests (e.g. drop invoke markers in one test). */
  configure(patch: Partial<EmulatorBehavior>): void {
    const next = { ...this.behavior, ...patch };
    checkBehavior(next);
    Object.assign(this.behavior, next);
  }

  /** The requests received, oldest first: the latest `maxRecordedRequests` of them. */
  get requests(): RecordedRequest[] {
    return [...this.recorded];
  }

  /** How many requests were received (on `route`, or on any), the ones the bounded log dropped included. */
  requestCount(route?: Route): number {
    if (route) return this.counts.get(route) ?? 0;
    let all = 0;
    for (const n of this.counts.values()) all += n;
    return all;
  }

  private record(request: RecordedRequest): void {
    this.counts.set(request.route, (this.counts.get(request.route) ?? 0) + 1);
    this.recorded.push(request);
    // Dropped in slices of a tenth, so trimming costs O(1) a request on average.
    if (this.recorded.length > this.maxRecorded * 1.1) this.recorded.splice(0, this.recorded.length - this.maxRecorded);
  }

  requestsFor(route: Route): RecordedRequest[] {
    return this.recorded.filter((r) => r.route === route);
  }

  /** Copies of the jobs, in creation order. */
  get jobs(): EmulatorJob[] {
    return this.store.snapshots();
  }

  job(name: string): EmulatorJob | undefined {
    return this.jobs.find((j) => j.name === name);
  }

  get createdJobCount(): number {
    return this.store.size;
  }

  /** Jobs live (not Completed, Failed or Canceled) now, and the most at once since the last reset: tests and the bench assert limits on it. */
  get liveJobCount(): number {
    return this.store.liveCount();
  }

  get peakLiveJobs(): number {
    return this.store.peakLive;
  }

  /** Errors thrown by onJobCompleted (the job still reports Completed). */
  get hookErrors(): HookError[] {
    return [...this.store.hookErrors];
  }

  /** Resolves when every onJobCompleted call started so far has finished. */
  whenHooksSettled(): Promise<void> {
    return this.store.settled();
  }

  /**
   * Clears jobs, requests, faults and queued lifecycles (the default lifecycle and behaviour stay);
   * with `stateFile`, the now empty job set is saved.
   */
  reset(): void {
    this.store.clear();
    this.recorded.length = 0;
    this.counts.clear();
    this.faults.clear();
  }
}
