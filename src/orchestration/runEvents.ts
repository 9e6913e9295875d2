/**
 * The run's two external events (cancel, job status changed) and the race of a timer against
 * them. One waiter per event name for the whole execution: the SDK hands an event to the newest
 * open waiter of its name, so a fresh waiter per loop would leave the ones that lost their race
 * open, and an event arriving while nobody waits (during an activity) would go to a stale one and
 * be lost. A waiter that already fired is seen through isCompleted.
 */
import type { DurableOrchestrationContext, Task, TimerTask } from "durable-functions";
import { names } from "../runs/names";
import type { CancelRequest, JobStatusSignal } from "../runs/types";

export type WokenBy = "timer" | "cancel" | "status";

export class RunEvents {
  private readonly cancel: Task;
  private status: Task;

  constructor(private readonly df: DurableOrchestrationContext) {
    this.cancel = df.waitForExternalEvent(names.events.cancel);
    this.status = df.waitForExternalEvent(names.events.jobStatusChanged);
  }

  /** The cancel request, once one has arrived. */
  get cancelRequest(): CancelRequest | undefined {
    return this.cancel.isCompleted ? ((this.cancel.result as CancelRequest | undefined) ?? {}) : undefined;
  }

  /** The job status signal that arrived, and a new waiter for the next one. */
  takeStatusSignal(): JobStatusSignal | undefined {
    if (!this.status.isCompleted) return undefined;
    const signal = this.status.result as JobStatusSignal | undefined;
    this.status = this.df.waitForExternalEvent(names.events.jobStatusChanged);
    return signal;
  }

  /**
   * Waits until `until`, or until a cancel arrives (unless `cancelSeen`), or a status signal
   * (with `withStatus`); a timer that lost the race is canceled (it still fires later, on Azure).
   */
  *wait(until: Date, opts: { withStatus: boolean; cancelSeen: boolean }): Generator<Task, WokenBy, Task> {
    if (this.cancel.isCompleted && !opts.cancelSeen) return "cancel";
    if (opts.withStatus && this.status.isCompleted) return "status";
    const timer: TimerTask = this.df.createTimer(until);
    const racers: Task[] = [timer];
    if (!this.cancel.isCompleted) racers.push(this.cancel);
    if (opts.withStatus) racers.push(this.status);
    const winner = yield this.df.Task.any(racers);
    if (winner === timer) return "timer";
    timer.cancel();
    return winner === this.cancel ? "cancel" : "status";
  }
}
