/**
 * The in-process sleeps of the app's HTTP pipelines (core-rest-pipeline's retry policies), seen
 * and, when asked, shortened.
 *
 * Why: the dev host's virtual clock drives the durable timers, but a retry policy inside one
 * activity sleeps on the wall clock (ARM: 0.5-1 s, 1-2 s, 2-4 s between the 4 attempts at a
 * 5xx/408 or a reset; a 429/503's Retry-After up to 30 s; invoke: 250/500/1000 ms per refused
 * connection). A fault matrix with a 100-response outage would spend minutes asleep. This module
 * swaps the `delay` helper those policies call (in the CommonJS build the app loads from dist/)
 * for one that records every requested sleep and then sleeps `requested × scale` ms (scale 0:
 * the next macrotask). It changes how long the app's own retry sleeps last, never whether or how
 * often it retries, nor anything the emulator, the host or the orchestrator does. `real()` puts
 * real-time sleeps back (scale 1) for the rows that prove wall-clock behaviour.
 *
 * It must be installed before the app is loaded (before startStack): the retry policy module
 * binds the helper module when it is first required. install() checks that and throws otherwise.
 */
import Module = require("node:module");
import * as path from "node:path";

export interface PipelineSleep {
  /** What the retry policy asked for, in ms. */
  requestedMs: number;
  /** Wall clock when the sleep began and ended (Date.now()). */
  startedAt: number;
  endedAt: number | null;
}

interface HelpersModule {
  delay(ms: number, value?: unknown, options?: { abortSignal?: AbortSignal; abortErrorMsg?: string }): Promise<unknown>;
  parseHeaderValueAsNumber(response: unknown, header: string): number | undefined;
}

const sleeps: PipelineSleep[] = [];
let scale = 0;
let installed = false;

/** The CommonJS files the app's `require("@azure/core-rest-pipeline")` ends up in. */
function runtimePaths(): { helpers: string; retryPolicy: string } {
  const appRequire = Module.createRequire(path.resolve(__dirname, "../../dist/src/batch/pipelines.js"));
  const corePipeline = appRequire.resolve("@azure/core-rest-pipeline");
  const fromCore = Module.createRequire(corePipeline);
  const internalPolicies = fromCore.resolve("@typespec/ts-http-runtime/internal/policies");
  const policiesDir = path.dirname(internalPolicies);
  return {
    helpers: path.resolve(policiesDir, "../util/helpers.js"),
    retryPolicy: path.resolve(policiesDir, "retryPolicy.js"),
  };
}

export const pipelineSleeps = {
  install(): void {
    if (installed) return;
    const { helpers, retryPolicy } = runtimePaths();
    const cache = (Module as unknown as { _cache: Record<string, { exports: unknown } | undefined> })._cache;
    if (cache[retryPolicy] !== undefined) {
      throw new Error("pipelineSleeps.install() came too late: the retry policy module is already loaded.");
    }
    const appRequire = Module.createRequire(helpers);
    const original = appRequire(helpers) as HelpersModule;
    const entry = cache[helpers];
    if (!entry) throw new Error(`pipelineSleeps: ${helpers} is not in the require cache`);
    const patched: HelpersModule = {
      parseHeaderValueAsNumber: (response, header) => original.parseHeaderValueAsNumber(response, header),
      async delay(ms, value, options) {
        const sleep: PipelineSleep = { requestedMs: ms, startedAt: Date.now(), endedAt: null };
        sleeps.push(sleep);
        const result = await original.delay(Math.round(ms * scale), value, options);
        sleep.endedAt = Date.now();
        return result;
      },
    };
    entry.exports = patched;
    installed = true;
  },
  /** Sleeps requested so far (since the last clear). */
  get all(): PipelineSleep[] {
    return [...sleeps];
  },
  clear(): void {
    sleeps.length = 0;
  },
  /** Retry sleeps last `requested × factor` (0 = as short as possible; 1 = real). */
  setScale(factor: number): void {
    scale = factor;
  },
  /** Runs `work` with real-time sleeps, then goes back to the previous scale. */
  async real<T>(work: () => Promise<T>): Promise<T> {
    const before = scale;
    scale = 1;
    try {
      return await work();
    } finally {
      scale = before;
    }
  },
};
