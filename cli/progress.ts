/**
 * The progress of a run being waited on, on stderr. On an interactive terminal: one live
 * nanospinner line, redrawn with elapsed time ticking. Otherwise (CI, pipes, files): a plain line
 * each time the run's status, phase, job status or poll count changes.
 */
import { createSpinner } from "nanospinner";
import type { RunView } from "../src/runs/types";
import { progressKey, progressText } from "./format";
import type { Io } from "./io";

export type ProgressEnd = "success" | "error" | "warn";

export interface Progress {
  /** The view from the latest look. */
  update(view: RunView): void;
  /** A passing message (e.g. a failed look being retried), kept above the live line. */
  note(text: string): void;
  /** The run ended: the last line shows its final view. */
  finish(view: RunView): void;
  /** Waiting stopped before the run ended (or failed): the last line says why. */
  stop(end: ProgressEnd, text: string): void;
}

export interface ProgressOptions {
  now?: () => number;
  /** Redraw period of the live line (ms). */
  frameMs?: number;
}

export function createProgress(io: Io, first: RunView, options: ProgressOptions = {}): Progress {
  return io.interactive ? liveProgress(io, first, options) : plainProgress(io, first, options);
}

function plainProgress(io: Io, first: RunView, { now = Date.now }: ProgressOptions): Progress {
  const t0 = now();
  let lastKey = "";
  const update = (view: RunView) => {
    const key = progressKey(view);
    if (key === lastKey) return;
    lastKey = key;
    io.err(progressText(view, now() - t0));
  };
  update(first);
  return {
    update,
    finish: update,
    note: (text) => io.err(text),
    stop: (_end, text) => io.err(text),
  };
}

function liveProgress(io: Io, first: RunView, { now = Date.now, frameMs = 100 }: ProgressOptions): Progress {
  const t0 = now();
  let view = first;
  const text = () => io.redact(progressText(view, now() - t0));
  // Driven by our own timer, not spinner.start(): start() installs SIGINT/SIGTERM handlers that
  // exit the process, and Ctrl-C must only stop the wait (the command says how to cancel).
  const spinner = createSpinner(text(), { stream: io.errStream });
  spinner.spin();
  const timer = setInterval(() => spinner.update(text()).spin(), frameMs);
  timer.unref();
  return {
    update(next) {
      view = next;
      spinner.update(text()).spin();
    },
    note(message) {
      spinner.write(`${io.redact(message)}\n`, true);
      spinner.spin();
    },
    finish(last) {
      view = last;
      clearInterval(timer);
      spinner[last.status === "Succeeded" ? "success" : "error"]({ text: text() });
    },
    stop(end, message) {
      clearInterval(timer);
      spinner[end]({ text: io.redact(message) });
    },
  };
}
