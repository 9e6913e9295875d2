/**
 * The durable part of the dev host: runs orchestrators through durable-functions' own replay
 * (the registered handler is `new Orchestrator(fn).handle`) with real history events, runs
 * activities at least once, fires timers on the host's clock, delivers external events, and
 * handles continueAsNew and terminate — the way the Durable extension drives an out-of-process
 * worker, reduced to one process.
 */
import { randomUUID } from "node:crypto";
import type { InvocationContext } from "@azure/functions";
import type { Clock } from "./clock";
import type { RegisteredFunction } from "./functionsCore";
import {
  type Action,
  ActionType,
  answeredTaskId,
  EventType,
  type HistoryEvent,
  events,
  flattenActions,
  isSequencedAction,
  type ParentInstance,
} from "./history";
import type { InstanceRecord, InstanceStore, OutboxMessage, ParentRef, RuntimeStatus } from "./instanceStore";
import { activityFailure, customStatusFailure, customStatusProblem, type DurableLeniency, type StartConflictMode, utf16JsonBytes } from "./durableRules";
import {
  entityFromSchedulerId,
  entityKeyProblem,
  entityRef,
  isEntityInstanceId,
  requestEventName,
  requestMessage,
  type RequestMessage,
  schedulerId,
  unknownEntityMessage,
} from "./entities";
import { batchOutcome, runEntityFunction } from "./entityBatch";
import { type EpisodeCaller, retryFollowUps, scheduleAction } from "./episodeActions";
import { deliverMessage } from "./instanceMessages";
import { type Logger, newInvocationContext } from "./invocation";
import {
  determinismMismatch,
  failureOutput,
  firstScheduled,
  lastEpisodeStart,
  orchestrationTrigger,
  runOrchestratorHandler,
  sequenceMap,
  unsupportedAction,
} from "./orchestratorRun";
import { childFailureDetails, type ChildEnding, takesRetryId } from "./subOrchestrations";
import { TimerQueue } from "./timerQueue";

export type { Logger };

/**
 * Lets tests interfere with an activity: `before` runs before the handler, `after` after it
 * succeeded and before its result is recorded. Throwing from either simulates a crash or a
 * failure at that point; a crash (`ActivityCrash`) means the result is lost and the activity is
 * run again, as the Durable runtime does when a worker dies mid-activity.
 */
export interface ActivityInterceptor {
  before?(name: string, input: unknown, attempt: number): void | Promise<void>;
  after?(name: string, input: unknown, result: unknown, attempt: number): void | Promise<void>;
}

export class ActivityCrash extends Error {
  constructor(message = "simulated worker crash") {
    super(message);
    this.name = "ActivityCrash";
  }
}

export class InstanceConflictError extends Error {
  constructor(
    instanceId: string,
    readonly status: RuntimeStatus,
  ) {
    super(`An Orchestration instance with the status ${status} already exists (${instanceId}).`);
  }
}

export interface EngineOptions {
  clock: Clock;
  store: InstanceStore;
  functions: () => ReadonlyMap<string, RegisteredFunction>;
  log: Logger;
  /** Extra inputs (durable client data) supplied to functions that declare them. */
  extraInputsFor: (fn: RegisteredFunction) => Map<string, unknown>;
  maxConcurrentActivities?: number;
  /** Virtual clock only: jump to the next timer whenever nothing else is running. */
  autoAdvance?: boolean;
  /**
   * Keep the histories of executions that are over, past executions and an ended instance's last
   * one (for verifyReplay and showHistory); default true. Off: as on Azure, where they stay in
   * storage, not in a worker's memory (a bench at scale measures the worker).
   */
  keepPastExecutions?: boolean;
  /** Rules of the real extension to relax (default: none, strict). */
  leniency?: DurableLeniency;
  /** How a start on an existing id is handled (default `checked`). */
  startConflicts?: StartConflictMode;
}

interface PendingTimer {
  key: string;
  instanceId: string;
  executionId: string;
  timerId: number;
  fireAt: number;
  handle?: NodeJS.Timeout;
  /** A driver's callback (atTime) instead of a durable timer. */
  callback?: () => void | Promise<void>;
  /** The orchestrator stopped waiting for it; it still fires (docs/azure-behaviour.md#canceled-timers). */
  canceled?: boolean;
}

export const terminal = (s: RuntimeStatus) => s === "Completed" || s === "Failed" || s === "Terminated";

export class DurableEngine {
  private readonly timers = new TimerQueue<PendingTimer>();
  private readonly runningEpisodes = new Set<string>();
  private readonly queuedEpisodes = new Set<string>();
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private activitySlots: number;
  private readonly activityQueue: Array<() => void> = [];
  private stopped = false;
  private autoAdvanceArmed = false;
  private autoAdvanceOn: boolean;
  interceptor: ActivityInterceptor | undefined;
  private readonly attempts = new Map<string, number>();
  /** Counters tests and the bench read. */
  readonly stats = {
    episodes: 0,
    activities: 0,
    replayedEvents: 0,
    orchestratorCpuMicros: 0,
    canceledTimersFired: 0,
    canceledTimersDiscarded: 0,
    entityBatches: 0,
  };
  /** The largest custom status each instance set, in UTF-16 bytes of JSON (tests and the bench read it). */
  readonly customStatusHighWater = new Map<string, number>();
  /** Rules of the real extension relaxed for this host; tests may change it between cases. */
  leniency: DurableLeniency;
  startConflicts: StartConflictMode;

  constructor(private readonly opts: EngineOptions) {
    this.activitySlots = opts.maxConcurrentActivities ?? 10;
    this.autoAdvanceOn = opts.autoAdvance ?? false;
    this.leniency = { ...opts.leniency };
    this.startConflicts = opts.startConflicts ?? "checked";
  }

  /** Virtual clock only: jump to the next timer whenever idle (tests may hold time still for a moment). */
  get autoAdvance(): boolean {
    return this.autoAdvanceOn;
  }

  set autoAdvance(on: boolean) {
    this.autoAdvanceOn = on;
    if (on && this.isIdle()) this.maybeAutoAdvance();
  }

  get clock(): Clock {
    return this.opts.clock;
  }

  // ---- client operations -------------------------------------------------------------------

  start(name: string, instanceId: string, input: unknown): InstanceRecord {
    const fn = this.orchestrator(name);
    if (!fn) throw new Error(`No orchestrator function named '${name}'.`);
    // Instance ids starting with @ belong to entities (extension DurableClient.StartNewAsync;
    // docs/azure-behaviour.md#entities).
    if (isEntityInstanceId(instanceId)) throw new Error("instanceId (Parameter 'Orchestration instance ids must not start with @.')");
    const existing = this.opts.store.get(instanceId);
    // As in Azure: a running or pending instance is never replaced; a finished one is. Under the
    // Azure Storage race the losing start reports success and its message is dropped
    // (docs/azure-behaviour.md#starting-an-existing-instance).
    if (existing && !terminal(existing.runtimeStatus)) {
      if (this.startConflicts === "azureStorageRace") return existing;
      throw new InstanceConflictError(instanceId, existing.runtimeStatus);
    }
    const record = this.newExecution(instanceId, name, JSON.stringify(input ?? null), undefined);
    this.opts.store.save(record);
    this.schedule(instanceId);
    return record;
  }

  /** A first execution of `name` under `instanceId`, replacing whatever was there (its timers go). */
  private newExecution(instanceId: string, name: string, input: string, parent: ParentRef | undefined): InstanceRecord {
    this.clearTimers(instanceId);
    const now = this.now();
    const executionId = newExecutionId();
    const parentInstance: ParentInstance | undefined = parent && {
      OrchestrationInstance: { InstanceId: parent.instanceId, ExecutionId: parent.executionId },
      Name: parent.name,
      Version: "",
      TaskScheduleId: parent.taskScheduleId,
    };
    return {
      instanceId,
      name,
      executionId,
      createdTime: now,
      lastUpdatedTime: now,
      runtimeStatus: "Pending",
      input: JSON.parse(input),
      output: null,
      customStatus: null,
      history: [],
      inbox: [events.executionStarted(now, name, input, instanceId, executionId, parentInstance)],
      lastActions: [],
      pastExecutions: [],
      episodes: 0,
      ...(parent ? { parent } : {}),
    };
  }

  /**
   * Returns false when the instance is unknown; true when delivered (or dropped because it has
   * ended, as Azure does). The dev host raises no events on entities.
   */
  raiseEvent(instanceId: string, eventName: string, data: unknown): "delivered" | "notFound" | "gone" | "unsupported" {
    const record = this.opts.store.get(instanceId);
    if (!record) return "notFound";
    if (record.entity) return "unsupported";
    if (terminal(record.runtimeStatus)) return "gone";
    record.inbox.push(events.eventRaised(this.now(), eventName, data === undefined ? undefined : JSON.stringify(data)));
    this.opts.store.save(record);
    this.schedule(instanceId);
    return "delivered";
  }

  /**
   * Ends an instance as Terminated. Its sub-orchestrations and activities run on (learn:
   * "Terminating an orchestration instance has no effect on any in-flight activity function
   * executions or sub-orchestrations"); a terminated sub-orchestration fails its parent's task
   * with the reason and no details (docs/azure-behaviour.md#sub-orchestrations).
   */
  terminate(instanceId: string, reason: string): "terminated" | "notFound" | "gone" | "unsupported" {
    const record = this.opts.store.get(instanceId);
    if (!record) return "notFound";
    if (record.entity) return "unsupported";
    if (terminal(record.runtimeStatus)) return "gone";
    const now = this.now();
    record.history.push(events.executionTerminated(now, reason));
    record.inbox = [];
    record.runtimeStatus = "Terminated";
    record.output = reason;
    record.lastUpdatedTime = now;
    this.clearTimers(instanceId);
    this.forgetEndedExecution(record);
    if (record.parent) this.answerParent(record, { status: "Terminated", reason });
    this.opts.store.save(record);
    this.flushOutbox(record);
    return "terminated";
  }

  purge(instanceId: string): boolean {
    this.clearTimers(instanceId);
    return this.opts.store.delete(instanceId);
  }

  get(instanceId: string): InstanceRecord | undefined {
    return this.opts.store.get(instanceId);
  }

  all(): InstanceRecord[] {
    return this.opts.store.all();
  }

  // ---- entities (client side) ---------------------------------------------------------------

  /**
   * A client's signal (`POST entities/<name>/<key>?op=`): checked as the extension checks it
   * (`DurableClient.SignalEntityAsyncInternal`: the key's characters, then a registered entity
   * function), then queued for the entity as an `op` event (docs/azure-behaviour.md#entities).
   * Throws the extension's ArgumentException text.
   */
  signalEntity(name: string, key: string, operation: string, input: string | undefined): void {
    const keyProblem = entityKeyProblem(key);
    if (keyProblem) throw new Error(keyProblem);
    const entity = entityRef(name, key);
    if (!this.entityFunction(entity.name))
      throw new Error(unknownEntityMessage(entity.name, this.namesOf("entityTrigger"), this.namesOf("orchestrationTrigger")));
    const request = requestMessage({ op: operation, signal: true, input, id: randomUUID() });
    this.deliver({
      kind: "entityRequest",
      target: schedulerId(entity),
      requestId: request.id,
      event: events.eventRaised(this.now(), requestEventName, JSON.stringify(request)),
    });
  }

  /** An entity's state as `readEntityState` reads it: undefined when the entity does not exist. */
  readEntity(name: string, key: string): { state: string | null } | undefined {
    const record = this.opts.store.get(schedulerId(entityRef(name, key)));
    return record?.entity?.exists ? { state: record.entity.state } : undefined;
  }

  /** Tests: an entity's state, parsed, or undefined when the entity does not exist. */
  entityState<T = unknown>(name: string, key: string): T | undefined {
    const read = this.readEntity(name, key);
    return read && read.state !== null ? (JSON.parse(read.state) as T) : undefined;
  }

  /** The entities of one entity function that exist, for the extension's list route. */
  entities(name: string): Array<{ key: string; name: string; lastOperationTime: number; state: string | null }> {
    const prefix = `@${name.toLowerCase()}@`;
    return this.opts.store
      .all()
      .filter((r) => r.entity?.exists && r.instanceId.startsWith(prefix))
      .map((r) => ({ ...entityFromSchedulerId(r.instanceId), lastOperationTime: r.entity!.lastOperationTime, state: r.entity!.state }));
  }

  /** After a restart: deliver undelivered messages, re-arm timers, re-run activities whose results never arrived, run pending work. */
  resumeAll(): void {
    for (const record of this.opts.store.all()) if (record.outbox?.length) this.flushOutbox(record);
    for (const record of this.opts.store.all()) {
      if (record.entity) {
        if (record.inbox.length > 0) this.schedule(record.instanceId);
        continue;
      }
      if (terminal(record.runtimeStatus)) continue;
      const answered = new Set<number>();
      for (const e of [...record.history, ...record.inbox]) {
        const id = answeredTaskId(e);
        if (id !== undefined) answered.add(id);
      }
      // A canceled timer is still scheduled in Azure (it fires later); only a lenient host forgets it
      // (docs/azure-behaviour.md#canceled-timers).
      const canceledTimers = new Set<number>();
      if (this.leniency.dropCanceledTimers) {
        const sequenced = flattenActions(record.lastActions).filter(isSequencedAction);
        sequenceMap(record.history, record.retries).primary.forEach((e, i) => {
          if (sequenced[i]?.actionType === ActionType.CreateTimer && sequenced[i]?.isCanceled) canceledTimers.add(e.EventId);
        });
      }
      for (const e of record.history) {
        if (answered.has(e.EventId)) continue;
        if (e.EventType === EventType.TaskScheduled) {
          this.dispatchActivity(record.instanceId, record.executionId, e.EventId, e.Name as string, e.Input as string | undefined);
        } else if (e.EventType === EventType.TimerCreated && !canceledTimers.has(e.EventId)) {
          this.armTimer({ instanceId: record.instanceId, executionId: record.executionId, timerId: e.EventId, fireAt: Date.parse(e.FireAt as string) });
        }
      }
      if (record.inbox.length > 0) this.schedule(record.instanceId);
    }
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) if (t.handle) clearTimeout(t.handle);
    this.timers.clear();
    this.releaseIdleWaiters();
  }

  // ---- time ---------------------------------------------------------------------------------

  now(): number {
    return this.opts.clock.now();
  }

  /** Resolves once no episode or activity is running or queued (timers may be pending), or at once when stopped: a stopped host does no more work (a killed host's queued work waits for the next one). */
  idle(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.isIdle()) return new Promise((resolve) => setImmediate(() => (this.isIdle() ? resolve() : this.idle().then(resolve))));
    return new Promise<void>((resolve) => this.idleWaiters.push(() => resolve())).then(() => this.idle());
  }

  /**
   * Runs `callback` when the clock reaches `at` (virtual: in order with durable timers), as work
   * the host waits for: a bench or test starts runs and delivers events at exact instants.
   */
  atTime(at: number, callback: () => void | Promise<void>): void {
    this.armTimer({ instanceId: "", executionId: `driver-${++this.driverTimers}`, timerId: 0, fireAt: at, callback });
  }
  private driverTimers = 0;

  /** Timers an instance waits on (canceled ones, which still fire, are not among them). */
  pendingTimers(instanceId: string): number[] {
    return this.timers
      .forInstance(instanceId)
      .filter((t) => !t.canceled)
      .map((t) => t.fireAt)
      .sort((a, b) => a - b);
  }

  /** Timers an instance stopped waiting on that will still fire (docs/azure-behaviour.md#canceled-timers). */
  canceledTimers(instanceId: string): number[] {
    return this.timers
      .forInstance(instanceId)
      .filter((t) => t.canceled)
      .map((t) => t.fireAt)
      .sort((a, b) => a - b);
  }

  nextTimerAt(): number | undefined {
    return this.timers.peek()?.fireAt;
  }

  /** Virtual clock: moves time to `target`, firing every timer due on the way, each after the host went idle. */
  async advanceTo(target: number): Promise<void> {
    const clock = this.virtualClock();
    for (;;) {
      await this.idle();
      const next = this.nextTimerAt();
      if (next === undefined || next > target) break;
      clock.set(next);
      this.fireDueTimers();
    }
    clock.set(target);
    await this.idle();
  }

  /** Virtual clock: fires timers one time-step at a time until `done()` or no timer is left or `limit` (virtual ms) passed. */
  async runUntil(done: () => boolean, limitMs = 30 * 24 * 3600_000): Promise<boolean> {
    const clock = this.virtualClock();
    const end = clock.now() + limitMs;
    for (;;) {
      await this.idle();
      if (done()) return true;
      if (this.stopped) return false;
      const next = this.nextTimerAt();
      if (next === undefined || next > end) return done();
      clock.set(next);
      this.fireDueTimers();
    }
  }

  private virtualClock(): { set(to: number): void } & Clock {
    const clock = this.opts.clock as Clock & { set?(to: number): void };
    if (!clock.virtual || !clock.set) throw new Error("Only a host on the virtual clock can move time.");
    return clock as { set(to: number): void } & Clock;
  }

  private isIdle(): boolean {
    return this.inFlight === 0 && this.queuedEpisodes.size === 0 && this.runningEpisodes.size === 0;
  }

  private begin(): void {
    this.inFlight++;
  }

  private end(): void {
    this.inFlight--;
    this.settleIfIdle();
  }

  /** Once nothing runs: wake whoever waits for idle, and (virtual clock) let time jump. */
  private settleIfIdle(): void {
    if (this.isIdle()) {
      this.releaseIdleWaiters();
      this.maybeAutoAdvance();
    }
  }

  private releaseIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private maybeAutoAdvance(): void {
    if (!this.autoAdvanceOn || !this.opts.clock.virtual || this.autoAdvanceArmed || this.stopped) return;
    this.autoAdvanceArmed = true;
    // Let callers that are about to add work (an HTTP request mid-flight) do so before time jumps.
    setTimeout(() => {
      this.autoAdvanceArmed = false;
      if (this.stopped || !this.autoAdvanceOn || !this.isIdle()) return;
      const next = this.nextTimerAt();
      if (next === undefined) return;
      this.virtualClock().set(next);
      this.fireDueTimers();
    }, 2);
  }

  // ---- timers -------------------------------------------------------------------------------

  private armTimer(spec: Omit<PendingTimer, "key">): void {
    const key = taskKey(spec.instanceId, spec.executionId, spec.timerId);
    if (this.timers.has(key)) return;
    const timer: PendingTimer = { ...spec, key };
    this.timers.add(timer);
    if (!this.opts.clock.virtual) this.armWallTimer(key, timer);
    else if (this.isIdle()) this.maybeAutoAdvance();
  }

  private armWallTimer(key: string, timer: PendingTimer): void {
    const delay = Math.min(Math.max(0, timer.fireAt - this.now()), 2 ** 31 - 1);
    timer.handle = setTimeout(() => {
      if (this.timers.get(key) !== timer) return;
      if (timer.fireAt > this.now()) return this.armWallTimer(key, timer);
      this.timers.delete(key);
      this.deliverTimer(timer);
    }, delay);
  }

  /**
   * The orchestrator stopped waiting for a timer. Azure keeps it scheduled: it fires later, adds a
   * TimerFired to the history and costs an episode (docs/azure-behaviour.md#canceled-timers).
   */
  private cancelTimer(instanceId: string, executionId: string, timerId: number): void {
    const key = taskKey(instanceId, executionId, timerId);
    const timer = this.timers.get(key);
    if (!timer) return;
    if (!this.leniency.dropCanceledTimers) {
      timer.canceled = true;
      return;
    }
    if (timer.handle) clearTimeout(timer.handle);
    this.timers.delete(key);
  }

  private clearTimers(instanceId: string): void {
    for (const t of this.timers.forInstance(instanceId)) {
      if (t.handle) clearTimeout(t.handle);
      this.timers.delete(t.key);
    }
  }

  private fireDueTimers(): void {
    for (const t of this.timers.takeDue(this.now())) this.deliverTimer(t);
  }

  private deliverTimer(timer: PendingTimer): void {
    if (timer.callback) {
      this.begin();
      void Promise.resolve()
        .then(timer.callback)
        .catch((err) => this.opts.log("error", `dev host: a driver callback failed: ${(err as Error).stack ?? err}`))
        .finally(() => this.end());
      return;
    }
    const record = this.opts.store.get(timer.instanceId);
    if (!record || record.executionId !== timer.executionId || terminal(record.runtimeStatus)) {
      // Azure still delivers the message and discards it: a queue read, no replay
      // (docs/azure-behaviour.md#timers-and-continueasnew).
      if (timer.canceled) this.stats.canceledTimersDiscarded++;
      return;
    }
    if (timer.canceled) this.stats.canceledTimersFired++;
    record.inbox.push(events.timerFired(this.now(), timer.timerId, new Date(timer.fireAt).toISOString()));
    this.opts.store.save(record);
    this.schedule(timer.instanceId);
  }

  // ---- episodes -----------------------------------------------------------------------------

  private schedule(instanceId: string): void {
    if (this.stopped || this.queuedEpisodes.has(instanceId) || this.runningEpisodes.has(instanceId)) return;
    this.queuedEpisodes.add(instanceId);
    setImmediate(() => void this.drain(instanceId));
  }

  private async drain(instanceId: string): Promise<void> {
    this.queuedEpisodes.delete(instanceId);
    if (this.runningEpisodes.has(instanceId) || this.stopped) return;
    this.runningEpisodes.add(instanceId);
    try {
      for (;;) {
        const record = this.opts.store.get(instanceId);
        if (!record || record.inbox.length === 0 || terminal(record.runtimeStatus) || this.stopped) break;
        if (record.entity) await this.runEntityBatch(record);
        else await this.runEpisode(record);
      }
    } catch (err) {
      this.opts.log("error", `dev host: episode of ${instanceId} crashed: ${(err as Error).stack ?? err}`);
    } finally {
      this.runningEpisodes.delete(instanceId);
      this.settleIfIdle();
    }
  }

  private async runEpisode(record: InstanceRecord): Promise<void> {
    const fn = this.opts.functions().get(record.name);
    if (!fn) throw new Error(`orchestrator ${record.name} is not registered`);
    const now = this.now();
    // A message a retry answers opens its episode, so the retry's next sequence number is taken
    // before any the orchestrator takes in the same episode, as durable-functions numbers them.
    const cut = record.inbox.findIndex((e, i) => i > 0 && takesRetryId(record.retries, e));
    const inboxCount = cut < 0 ? record.inbox.length : cut;
    const newEvents = [events.orchestratorStarted(now), ...record.inbox.slice(0, inboxCount)];
    const history = [...record.history, ...newEvents];
    const started: HistoryEvent | undefined = history.find((e) => e.EventType === EventType.ExecutionStarted);
    if (!started) {
      // Messages for an execution that has not started (cannot happen unless the state was edited).
      throw new Error(`instance ${record.instanceId} has no ExecutionStarted event`);
    }
    this.stats.episodes++;
    this.stats.replayedEvents += history.length;

    // The recorded events are sent as played (the wire copy is marked, the record is not copied).
    const played = record.history.length;
    const trigger = orchestrationTrigger(record.instanceId, history, started, played > 0, record.parent?.instanceId ?? null, played);
    const context = this.invocationContext(fn, "orchestrationTrigger");
    this.opts.log("info", `Executing 'Functions.${fn.name}' (Reason='(null)', Id=${context.invocationId})`);
    const cpu = process.cpuUsage();
    const ran = await runOrchestratorHandler(fn, trigger, context);
    const used = process.cpuUsage(cpu);
    this.stats.orchestratorCpuMicros += used.user + used.system;
    const state = ran.state ?? { isDone: false, actions: [], customStatus: record.customStatus };
    let failure = ran.failure;
    // Who raised the failure: the worker (its thrown error) or the extension (a rule it enforces).
    let failureSource: "worker" | "host" = "worker";

    // A stopped host behaves like a killed one: nothing from this episode is recorded.
    if (this.stopped) return;
    // The episode consumed the inbox messages it was given; later ones stay for the next episode.
    record.inbox = record.inbox.slice(inboxCount);
    for (const e of newEvents) record.history.push({ ...e, IsPlayed: true });
    record.episodes++;
    record.lastUpdatedTime = now;
    if (record.runtimeStatus === "Pending") record.runtimeStatus = "Running";
    // The extension sets the custom status before it looks at the actions: one over the limit
    // fails the whole episode, whatever the orchestrator did (docs/azure-behaviour.md#custom-status-limit).
    const statusBytes = utf16JsonBytes(state.customStatus ?? null);
    if (statusBytes > (this.customStatusHighWater.get(record.instanceId) ?? 0)) this.customStatusHighWater.set(record.instanceId, statusBytes);
    const statusProblem = this.leniency.oversizedCustomStatus ? null : customStatusProblem(state.customStatus);
    if (statusProblem) {
      failure = customStatusFailure(statusProblem, firstScheduled(record.history));
      failureSource = "host";
      record.customStatus = null;
    } else if ("customStatus" in state) {
      record.customStatus = state.customStatus ?? null;
    }

    const actions = flattenActions(state.actions);
    record.lastActions = actions;
    const sequenced = actions.filter(isSequencedAction);
    const { primary, nextId } = sequenceMap(record.history, record.retries);
    const mismatch = failure === undefined ? determinismMismatch(sequenced, primary) : undefined;
    if (mismatch) {
      failure = mismatch;
      failureSource = "host";
    }

    const newWork: Array<() => void> = [];
    const outbox: OutboxMessage[] = [];
    if (failure === undefined) {
      const caller = this.caller(record, now);
      const followUps = retryFollowUps((record.retries ??= []), newEvents.slice(1), caller, nextId);
      record.history.push(...followUps.events);
      outbox.push(...followUps.messages);
      for (const t of followUps.timers) newWork.push(this.timerWork(record, t.id, t.fireAt, false));
      let id = followUps.nextId;
      for (let i = 0; i < sequenced.length; i++) {
        const action = sequenced[i]!;
        if (i < primary.length) {
          if (action.actionType === ActionType.CreateTimer && action.isCanceled) this.cancelTimer(record.instanceId, record.executionId, primary[i]!.EventId);
          continue;
        }
        const seq = id++;
        const unsupported = unsupportedAction(action);
        if (unsupported) {
          failure = unsupported;
          failureSource = "host";
          break;
        }
        if (action.actionType === ActionType.CallActivity) {
          const input = action.input === undefined ? undefined : typeof action.input === "string" ? action.input : JSON.stringify(action.input);
          record.history.push(events.taskScheduled(now, seq, action.functionName as string, input));
          const executionId = record.executionId;
          newWork.push(() => this.dispatchActivity(record.instanceId, executionId, seq, action.functionName as string, input));
        } else if (action.actionType === ActionType.CreateTimer) {
          const fireAt = new Date(action.fireAt as string).toISOString();
          record.history.push(events.timerCreated(now, seq, fireAt));
          if (!action.isCanceled || !this.leniency.dropCanceledTimers)
            newWork.push(this.timerWork(record, seq, Date.parse(fireAt), action.isCanceled === true));
        } else {
          const scheduled = scheduleAction(action, seq, caller);
          if ("problem" in scheduled) {
            failure = scheduled.problem;
            failureSource = "host";
            break;
          }
          record.history.push(...scheduled.events);
          outbox.push(...scheduled.messages);
          if (scheduled.retry) record.retries.push(scheduled.retry);
        }
      }
    }
    record.history.push(events.orchestratorCompleted(now));

    const continueAsNew = actions.find((a) => a.actionType === ActionType.ContinueAsNew);
    if (failure !== undefined) {
      const output = failureOutput(record.name, failure);
      this.finish(record, "Failed", output, { status: "Failed", reason: output, details: childFailureDetails({ source: failureSource, message: failure }) });
      newWork.length = 0;
      outbox.length = 0;
      this.opts.log("info", `Executed 'Functions.${fn.name}' (Failed, Id=${context.invocationId}): ${failure.split("\n")[0]}`);
    } else if (state.isDone && continueAsNew) {
      this.continueAsNew(record, continueAsNew);
      newWork.length = 0;
    } else if (state.isDone) {
      const output = state.output === undefined ? null : state.output;
      this.finish(record, "Completed", output, { status: "Completed", result: JSON.stringify(output) });
    }
    if (failure === undefined) this.opts.log("info", `Executed 'Functions.${fn.name}' (Succeeded, Id=${context.invocationId})`);
    // Messages to other instances are saved with the step and sent after it (the parent's answer
    // was queued by finish()); a host killed in between sends them on restart.
    if (outbox.length > 0) record.outbox = [...(record.outbox ?? []), ...outbox];
    this.opts.store.save(record);
    this.flushOutbox(record);
    for (const work of newWork) work();
    if (record.inbox.length > 0 && !terminal(record.runtimeStatus)) this.schedule(record.instanceId);
  }

  private timerWork(record: InstanceRecord, timerId: number, fireAt: number, canceled: boolean): () => void {
    const timer = { instanceId: record.instanceId, executionId: record.executionId, timerId, fireAt, canceled };
    return () => this.armTimer(timer);
  }

  private caller(record: InstanceRecord, now: number): EpisodeCaller {
    return {
      instanceId: record.instanceId,
      executionId: record.executionId,
      name: record.name,
      parentInstanceId: record.parent?.instanceId,
      now,
      orchestrators: this.namesOf("orchestrationTrigger"),
      entities: this.namesOf("entityTrigger"),
    };
  }

  /**
   * Replays every execution of an instance from its full recorded history, without running
   * anything, and compares the actions and the outcome with what the live episodes produced.
   * A difference means the orchestrator is not deterministic.
   */
  async verifyReplay(instanceId: string): Promise<Array<{ executionId: string; identical: boolean; detail: string }>> {
    const record = this.opts.store.get(instanceId);
    if (!record) throw new Error(`No instance ${instanceId}`);
    const fn = this.opts.functions().get(record.name);
    if (!fn) throw new Error(`orchestrator ${record.name} is not registered`);
    const executions = [...record.pastExecutions, { executionId: record.executionId, history: record.history, actions: record.lastActions }];
    const endings = new Set<number>([EventType.ExecutionCompleted, EventType.ContinueAsNew, EventType.ExecutionTerminated]);
    const results = [];
    for (const execution of executions) {
      const history = execution.history.filter((e) => !endings.has(e.EventType)).map((e) => ({ ...e, IsPlayed: true }));
      const started: HistoryEvent | undefined = history.find((e) => e.EventType === EventType.ExecutionStarted);
      if (!started) continue;
      const trigger = orchestrationTrigger(instanceId, history, started, true);
      const ran = await runOrchestratorHandler(fn, trigger, this.invocationContext(fn, "orchestrationTrigger"));
      const statusProblem = this.leniency.oversizedCustomStatus ? null : customStatusProblem(ran.state?.customStatus);
      const actions = flattenActions(ran.state?.actions);
      const failure = statusProblem ? customStatusFailure(statusProblem, firstScheduled(history.slice(0, lastEpisodeStart(history)))) : ran.failure;
      const outcome =
        failure !== undefined
          ? `failed:${failureOutput(record.name, failure)}`
          : ran.state?.isDone
            ? `done:${JSON.stringify(ran.state.output ?? null)}`
            : "running";
      const ending = execution.history.find((e) => endings.has(e.EventType));
      const expected = !ending
        ? "running"
        : ending.EventType === EventType.ContinueAsNew
          ? "done:null"
          : ending.EventType === EventType.ExecutionTerminated
            ? outcome
            : ending.OrchestrationStatus === "Completed"
              ? `done:${ending.Result}`
              : `failed:${JSON.parse(ending.Result as string)}`;
      const sameActions = JSON.stringify(actions) === JSON.stringify(execution.actions);
      results.push({
        executionId: execution.executionId,
        identical: sameActions && outcome === expected,
        detail: sameActions
          ? `outcome ${outcome} vs ${expected}`
          : `actions differ: ${JSON.stringify(actions).slice(0, 300)} vs ${JSON.stringify(execution.actions).slice(0, 300)}`,
      });
    }
    return results;
  }

  private finish(record: InstanceRecord, status: "Completed" | "Failed", output: unknown, ending: ChildEnding): void {
    const now = this.now();
    record.history.push(events.executionCompleted(now, status, JSON.stringify(output)));
    record.runtimeStatus = status;
    record.output = output;
    record.inbox = [];
    record.lastUpdatedTime = now;
    this.discardTimers(record.instanceId);
    if (record.parent) this.answerParent(record, ending);
    this.forgetEndedExecution(record);
  }

  /** An ended instance's last history, unless the host keeps finished executions' histories. */
  private forgetEndedExecution(record: InstanceRecord): void {
    if (this.opts.keepPastExecutions !== false) return;
    record.history = [];
    record.lastActions = [];
  }

  /**
   * Queues a sub-orchestration's answer to its parent: durabletask's dispatcher sends
   * SubOrchestrationInstanceCompleted, or Failed with the failure's reason and details, also when
   * the child was terminated (reason, no details) (docs/azure-behaviour.md#sub-orchestrations).
   */
  private answerParent(record: InstanceRecord, ending: ChildEnding): void {
    const parent = record.parent!;
    const now = this.now();
    const event =
      ending.status === "Completed"
        ? events.subOrchestrationCompleted(now, parent.taskScheduleId, ending.result)
        : events.subOrchestrationFailed(now, parent.taskScheduleId, ending.reason, ending.status === "Failed" ? ending.details : null);
    record.outbox = [...(record.outbox ?? []), { kind: "toOrchestration", target: parent.instanceId, executionId: parent.executionId, event }];
  }

  // ---- messages between instances -----------------------------------------------------------

  /** Sends a record's saved messages, then forgets them (each receiver drops a duplicate). */
  private flushOutbox(record: InstanceRecord): void {
    if (!record.outbox?.length || this.stopped) return;
    for (const message of record.outbox) this.deliver(message);
    record.outbox = [];
    this.opts.store.save(record);
  }

  private deliver(message: OutboxMessage): void {
    deliverMessage(message, {
      store: this.opts.store,
      now: this.now(),
      log: this.opts.log,
      schedule: (id) => this.schedule(id),
      newExecution: (id, name, input, parent) => this.newExecution(id, name, input, parent),
    });
  }

  /**
   * Runs every queued operation of one entity in one call of its function, in arrival order, as
   * the extension's entity scheduler does for an out-of-process worker; the drain loop guarantees
   * one batch at a time per entity (docs/azure-behaviour.md#entities).
   */
  private async runEntityBatch(record: InstanceRecord): Promise<void> {
    const now = this.now();
    const entity = entityFromSchedulerId(record.instanceId);
    const fn = this.entityFunction(entity.name);
    const count = record.inbox.length;
    const batch = record.inbox.map((e) => JSON.parse(e.Input as string) as RequestMessage);
    this.stats.entityBatches++;
    let outcome: Awaited<ReturnType<typeof runEntityFunction>>;
    if (!fn) {
      outcome = { problem: unknownEntityMessage(entity.name, this.namesOf("entityTrigger"), this.namesOf("orchestrationTrigger")) };
    } else {
      const context = this.invocationContext(fn, "entityTrigger");
      this.opts.log("info", `Executing 'Functions.${fn.name}' (Reason='(null)', Id=${context.invocationId})`);
      outcome = await runEntityFunction(fn, entity, record.entity!, batch, context);
      this.opts.log("info", `Executed 'Functions.${fn.name}' (${"problem" in outcome ? "Failed" : "Succeeded"}, Id=${context.invocationId})`);
    }
    if (this.stopped) return;
    const { state, messages } = batchOutcome(record.instanceId, record.entity!, batch, outcome, now);
    record.entity = state;
    record.inbox = record.inbox.slice(count);
    record.lastUpdatedTime = now;
    record.episodes++;
    record.outbox = [...(record.outbox ?? []), ...messages];
    this.opts.store.save(record);
    this.flushOutbox(record);
  }

  private orchestrator(name: string): RegisteredFunction | undefined {
    const fn = this.opts.functions().get(name);
    return fn?.trigger.type === "orchestrationTrigger" ? fn : undefined;
  }

  /** Entity functions are found by their lower-cased name, as the extension's EntityId stores it. */
  private entityFunction(name: string): RegisteredFunction | undefined {
    for (const fn of this.opts.functions().values()) if (fn.trigger.type === "entityTrigger" && fn.name.toLowerCase() === name.toLowerCase()) return fn;
    return undefined;
  }

  private namesOf(triggerType: string): string[] {
    return [...this.opts.functions().values()].filter((fn) => fn.trigger.type === triggerType).map((fn) => fn.name);
  }

  /**
   * An execution ended: its timers will find it gone. Canceled ones still cost a delivery on Azure
   * (docs/azure-behaviour.md#timers-and-continueasnew).
   */
  private discardTimers(instanceId: string): void {
    this.stats.canceledTimersDiscarded += this.timers.forInstance(instanceId).filter((t) => t.canceled).length;
    this.clearTimers(instanceId);
  }

  private continueAsNew(record: InstanceRecord, action: Action): void {
    const now = this.now();
    const input = action.input === undefined ? "null" : typeof action.input === "string" ? action.input : JSON.stringify(action.input);
    record.history.push(events.continueAsNew(now, input));
    if (this.opts.keepPastExecutions !== false)
      record.pastExecutions.push({ executionId: record.executionId, history: record.history, actions: record.lastActions });
    this.discardTimers(record.instanceId);
    record.executionId = newExecutionId();
    record.history = [];
    record.lastActions = [];
    record.retries = [];
    record.input = JSON.parse(input);
    // The Azure Storage backend rewrites CreatedTime from each new execution's start
    // (docs/azure-behaviour.md#createdtime-and-continueasnew).
    if (!this.leniency.stableCreatedTime) record.createdTime = now;
    // Events that arrived while the last episode ran are kept for the new execution.
    const carried = record.inbox.filter((e) => e.EventType === EventType.EventRaised);
    // durabletask keeps the parent across continueAsNew: the last execution answers it.
    const parent = record.parent && {
      OrchestrationInstance: { InstanceId: record.parent.instanceId, ExecutionId: record.parent.executionId },
      Name: record.parent.name,
      Version: "",
      TaskScheduleId: record.parent.taskScheduleId,
    };
    record.inbox = [events.executionStarted(now, record.name, input, record.instanceId, record.executionId, parent), ...carried];
    record.runtimeStatus = "Running";
  }

  // ---- activities ---------------------------------------------------------------------------

  private dispatchActivity(instanceId: string, executionId: string, taskId: number, name: string, input: string | undefined): void {
    this.begin();
    const run = async () => {
      try {
        await this.runActivity(instanceId, executionId, taskId, name, input);
      } finally {
        this.activitySlots++;
        this.activityQueue.shift()?.();
        this.end();
      }
    };
    if (this.activitySlots > 0) {
      this.activitySlots--;
      void run();
    } else {
      this.activityQueue.push(() => {
        this.activitySlots--;
        void run();
      });
    }
  }

  private async runActivity(instanceId: string, executionId: string, taskId: number, name: string, input: string | undefined): Promise<void> {
    const attemptKey = taskKey(instanceId, executionId, taskId);
    const fn = this.opts.functions().get(name);
    const parsedInput = input === undefined ? undefined : JSON.parse(input);
    for (;;) {
      if (this.stopped) return;
      const attempt = (this.attempts.get(attemptKey) ?? 0) + 1;
      this.attempts.set(attemptKey, attempt);
      let completion: HistoryEvent;
      this.stats.activities++;
      const context = fn ? this.invocationContext(fn, "activityTrigger") : undefined;
      try {
        if (!fn || !context || fn.trigger.type !== "activityTrigger")
          throw new Error(`The function '${name}' doesn't exist, is disabled, or is not an activity function.`);
        this.opts.log("info", `Executing 'Functions.${name}' (Reason='(null)', Id=${context.invocationId})`);
        await this.interceptor?.before?.(name, parsedInput, attempt);
        const result = await fn.handler(parsedInput, context);
        await this.interceptor?.after?.(name, parsedInput, result, attempt);
        this.opts.log("info", `Executed 'Functions.${name}' (Succeeded, Id=${context.invocationId})`);
        completion = events.taskCompleted(this.now(), taskId, result === undefined ? "null" : JSON.stringify(result));
      } catch (err) {
        if (err instanceof ActivityCrash) {
          // The worker "died": nothing is recorded, and the runtime runs the activity again.
          this.opts.log("warn", `dev host: activity ${name} crashed (${err.message}); running it again`);
          continue;
        }
        const e = err instanceof Error ? err : new Error(String(err));
        this.opts.log("info", `Executed 'Functions.${name}' (Failed, Id=${context?.invocationId}): ${e.message}`);
        const failed = activityFailure(name, e);
        completion = events.taskFailed(this.now(), taskId, failed.reason, failed.details);
      }
      this.attempts.delete(attemptKey);
      if (this.stopped) return; // as if the worker died before reporting the result
      const record = this.opts.store.get(instanceId);
      if (!record || record.executionId !== executionId || terminal(record.runtimeStatus)) return;
      record.inbox.push(completion);
      this.opts.store.save(record);
      this.schedule(instanceId);
      return;
    }
  }

  private invocationContext(fn: RegisteredFunction, triggerType: string): InvocationContext {
    return newInvocationContext(fn, this.opts.log, this.opts.extraInputsFor(fn), triggerType);
  }
}

/** durabletask's execution ids are GUIDs without dashes (`Guid.NewGuid().ToString("N")`). */
function newExecutionId(): string {
  return randomUUID().replace(/-/g, "");
}

/** A scheduled task's key within its execution (timers and activity attempts). */
function taskKey(instanceId: string, executionId: string, taskId: number): string {
  return `${instanceId}\u0000${executionId}\u0000${taskId}`;
}
