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
import { type Action, ActionType, EventType, type HistoryEvent, events, flattenActions, isScheduleEvent, isSequencedAction } from "./history";
import type { InstanceRecord, InstanceStore, RuntimeStatus } from "./instanceStore";
import { activityFailure, customStatusFailure, customStatusProblem, type DurableLeniency, type StartConflictMode, utf16JsonBytes } from "./durableRules";
import { type Logger, newInvocationContext } from "./invocation";
import {
  determinismMismatch,
  failureOutput,
  firstScheduled,
  lastEpisodeStart,
  orchestrationTrigger,
  runOrchestratorHandler,
  unsupportedAction,
} from "./orchestratorRun";
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
  /** Keep every past execution's history (for verifyReplay and showHistory); default true. */
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
  readonly stats = { episodes: 0, activities: 0, replayedEvents: 0, orchestratorCpuMicros: 0, canceledTimersFired: 0, canceledTimersDiscarded: 0 };
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
    const fn = this.opts.functions().get(name);
    if (!fn || fn.trigger.type !== "orchestrationTrigger") throw new Error(`No orchestrator function named '${name}'.`);
    const existing = this.opts.store.get(instanceId);
    // As in Azure: a running or pending instance is never replaced; a finished one is. Under the
    // Azure Storage race the losing start reports success and its message is dropped
    // (docs/azure-behaviour.md#starting-an-existing-instance).
    if (existing && !terminal(existing.runtimeStatus)) {
      if (this.startConflicts === "azureStorageRace") return existing;
      throw new InstanceConflictError(instanceId, existing.runtimeStatus);
    }
    this.clearTimers(instanceId);
    const now = this.now();
    const executionId = randomUUID();
    const record: InstanceRecord = {
      instanceId,
      name,
      executionId,
      createdTime: now,
      lastUpdatedTime: now,
      runtimeStatus: "Pending",
      input: input ?? null,
      output: null,
      customStatus: null,
      history: [],
      inbox: [events.executionStarted(now, name, JSON.stringify(input ?? null), instanceId, executionId)],
      lastActions: [],
      pastExecutions: [],
      episodes: 0,
    };
    this.opts.store.save(record);
    this.schedule(instanceId);
    return record;
  }

  /** Returns false when the instance is unknown; true when delivered (or dropped because it has ended, as Azure does). */
  raiseEvent(instanceId: string, eventName: string, data: unknown): "delivered" | "notFound" | "gone" {
    const record = this.opts.store.get(instanceId);
    if (!record) return "notFound";
    if (terminal(record.runtimeStatus)) return "gone";
    record.inbox.push(events.eventRaised(this.now(), eventName, data === undefined ? undefined : JSON.stringify(data)));
    this.opts.store.save(record);
    this.schedule(instanceId);
    return "delivered";
  }

  terminate(instanceId: string, reason: string): "terminated" | "notFound" | "gone" {
    const record = this.opts.store.get(instanceId);
    if (!record) return "notFound";
    if (terminal(record.runtimeStatus)) return "gone";
    const now = this.now();
    record.history.push(events.executionTerminated(now, reason));
    record.inbox = [];
    record.runtimeStatus = "Terminated";
    record.output = reason;
    record.lastUpdatedTime = now;
    this.clearTimers(instanceId);
    this.opts.store.save(record);
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

  /** After a restart: re-arm timers, re-run activities whose results never arrived, run pending episodes. */
  resumeAll(): void {
    for (const record of this.opts.store.all()) {
      if (terminal(record.runtimeStatus)) continue;
      const answered = new Set<number>();
      for (const e of [...record.history, ...record.inbox]) {
        if (e.EventType === EventType.TaskCompleted || e.EventType === EventType.TaskFailed) answered.add(e.TaskScheduledId as number);
        if (e.EventType === EventType.TimerFired) answered.add(e.TimerId as number);
      }
      // A canceled timer is still scheduled in Azure (it fires later); only a lenient host forgets it
      // (docs/azure-behaviour.md#canceled-timers).
      const canceledTimers = new Set(
        this.leniency.dropCanceledTimers
          ? flattenActions(record.lastActions)
              .filter(isSequencedAction)
              .map((a, i) => (a.actionType === ActionType.CreateTimer && a.isCanceled ? i : -1))
              .filter((i) => i >= 0)
          : [],
      );
      for (const e of record.history) {
        if (!isScheduleEvent(e) || answered.has(e.EventId)) continue;
        if (e.EventType === EventType.TaskScheduled) {
          this.dispatchActivity(record.instanceId, record.executionId, e.EventId, e.Name as string, e.Input as string | undefined);
        } else if (!canceledTimers.has(e.EventId)) {
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

  /** Resolves once no episode or activity is running or queued (timers may be pending). */
  idle(): Promise<void> {
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
        await this.runEpisode(record);
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
    const newEvents = [events.orchestratorStarted(now), ...record.inbox];
    const inboxCount = record.inbox.length;
    const past = record.history.map((e) => ({ ...e, IsPlayed: true }));
    const history = [...past, ...newEvents];
    const started: HistoryEvent | undefined = history.find((e) => e.EventType === EventType.ExecutionStarted);
    if (!started) {
      // Messages for an execution that has not started (cannot happen unless the state was edited).
      throw new Error(`instance ${record.instanceId} has no ExecutionStarted event`);
    }
    this.stats.episodes++;
    this.stats.replayedEvents += history.length;

    const trigger = orchestrationTrigger(record.instanceId, history, started, past.length > 0);
    const context = this.invocationContext(fn, "orchestrationTrigger");
    this.opts.log("info", `Executing 'Functions.${fn.name}' (Reason='(null)', Id=${context.invocationId})`);
    const cpu = process.cpuUsage();
    const ran = await runOrchestratorHandler(fn, trigger, context);
    const used = process.cpuUsage(cpu);
    this.stats.orchestratorCpuMicros += used.user + used.system;
    const state = ran.state ?? { isDone: false, actions: [], customStatus: record.customStatus };
    let failure = ran.failure;

    // A stopped host behaves like a killed one: nothing from this episode is recorded.
    if (this.stopped) return;
    // The episode consumed the inbox messages it was given; later ones stay for the next episode.
    record.inbox = record.inbox.slice(inboxCount);
    record.history = [...record.history, ...newEvents.map((e) => ({ ...e, IsPlayed: true }))];
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
      record.customStatus = null;
    } else if ("customStatus" in state) {
      record.customStatus = state.customStatus ?? null;
    }

    const actions = flattenActions(state.actions);
    record.lastActions = actions;
    const sequenced = actions.filter(isSequencedAction);
    const scheduled = record.history.filter(isScheduleEvent);
    const mismatch = failure === undefined ? determinismMismatch(sequenced, scheduled) : undefined;
    if (mismatch) failure = `Non-Deterministic workflow detected: ${mismatch}`;

    const newWork: Array<() => void> = [];
    if (failure === undefined) {
      for (let id = 0; id < sequenced.length; id++) {
        const action = sequenced[id];
        if (id < scheduled.length) {
          if (action.actionType === ActionType.CreateTimer && action.isCanceled) this.cancelTimer(record.instanceId, record.executionId, id);
          continue;
        }
        const unsupported = unsupportedAction(action);
        if (unsupported) {
          failure = unsupported;
          break;
        }
        if (action.actionType === ActionType.CallActivity) {
          const input = action.input === undefined ? undefined : typeof action.input === "string" ? action.input : JSON.stringify(action.input);
          record.history.push(events.taskScheduled(now, id, action.functionName as string, input));
          const executionId = record.executionId;
          newWork.push(() => this.dispatchActivity(record.instanceId, executionId, id, action.functionName as string, input));
        } else {
          const fireAt = new Date(action.fireAt as string).toISOString();
          record.history.push(events.timerCreated(now, id, fireAt));
          if (!action.isCanceled || !this.leniency.dropCanceledTimers) {
            const timer = {
              instanceId: record.instanceId,
              executionId: record.executionId,
              timerId: id,
              fireAt: Date.parse(fireAt),
              canceled: action.isCanceled === true,
            };
            newWork.push(() => this.armTimer(timer));
          }
        }
      }
    }
    record.history.push(events.orchestratorCompleted(now));

    const continueAsNew = actions.find((a) => a.actionType === ActionType.ContinueAsNew);
    if (failure !== undefined) {
      this.finish(record, "Failed", failureOutput(record.name, failure));
      newWork.length = 0;
      this.opts.log("info", `Executed 'Functions.${fn.name}' (Failed, Id=${context.invocationId}): ${failure.split("\n")[0]}`);
    } else if (state.isDone && continueAsNew) {
      this.continueAsNew(record, continueAsNew);
      newWork.length = 0;
    } else if (state.isDone) {
      this.finish(record, "Completed", state.output === undefined ? null : state.output);
    }
    if (failure === undefined) this.opts.log("info", `Executed 'Functions.${fn.name}' (Succeeded, Id=${context.invocationId})`);
    this.opts.store.save(record);
    for (const work of newWork) work();
    if (record.inbox.length > 0 && !terminal(record.runtimeStatus)) this.schedule(record.instanceId);
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

  private finish(record: InstanceRecord, status: "Completed" | "Failed", output: unknown): void {
    const now = this.now();
    record.history.push(events.executionCompleted(now, status, JSON.stringify(output)));
    record.runtimeStatus = status;
    record.output = output;
    record.inbox = [];
    record.lastUpdatedTime = now;
    this.discardTimers(record.instanceId);
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
    record.executionId = randomUUID();
    record.history = [];
    record.lastActions = [];
    record.input = JSON.parse(input);
    // The Azure Storage backend rewrites CreatedTime from each new execution's start
    // (docs/azure-behaviour.md#createdtime-and-continueasnew).
    if (!this.leniency.stableCreatedTime) record.createdTime = now;
    // Events that arrived while the last episode ran are kept for the new execution.
    const carried = record.inbox.filter((e) => e.EventType === EventType.EventRaised);
    record.inbox = [events.executionStarted(now, record.name, input, record.instanceId, record.executionId), ...carried];
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

/** A scheduled task's key within its execution (timers and activity attempts). */
function taskKey(instanceId: string, executionId: string, taskId: number): string {
  return `${instanceId}\u0000${executionId}\u0000${taskId}`;
}
