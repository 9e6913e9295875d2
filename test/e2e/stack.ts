/**
 * The loopback stack for end-to-end tests: dev/stack.ts (batch emulator, optional Azurite, dev
 * host loading the built app) on a virtual clock by default, with the host's log captured and a
 * small fetch helper. Settings are set in process.env before the host starts, as Azure sets app
 * settings before the worker loads the app.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, expect } from "vitest";
import type { ContainerClient } from "@azure/storage-blob";
import { type BatchEmulator, strictBehavior } from "../../dev/batch-emulator";
import type { Clock } from "../../dev/host/clock";
import type { DevHost } from "../../dev/host/devHost";
import { appEntry, sampleInputCsv, startDevStack } from "../../dev/stack";
import { getConfig } from "../../src/config";
import { names } from "../../src/runs/names";
import { validateStartRequest } from "../../src/runs/request/validateStartRequest";
import { newRunInput } from "../../src/runs/runInput";

export { appEntry };

export interface StackOptions {
  clock?: "virtual" | "wall";
  autoAdvance?: boolean;
  env?: Record<string, string>;
  stateDir?: string;
  azurite?: boolean;
  /** The emulator emits RunStatusChanged to the host when timed jobs end. */
  jobEvents?: { latencyMs: number };
  /** The emulated endpoint's default deployment (default "blue"); null: none. */
  defaultDeployment?: string | null;
}

export interface Stack {
  host: DevHost;
  emulator: BatchEmulator;
  clock: Clock;
  datastore: ContainerClient | undefined;
  logs: string[];
  api(path: string, init?: RequestInit & { json?: unknown }): Promise<{ status: number; headers: Headers; body: any }>;
  /** A valid start body for the emulator's endpoint (camelCase form), with a new output file each call (as each real run needs). */
  startBody(overrides?: Record<string, unknown>): Record<string, unknown>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const logs: string[] = [];
  const dev = await startDevStack({
    clock: options.clock ?? "virtual",
    autoAdvance: options.autoAdvance,
    stateDir: options.stateDir,
    azurite: options.azurite,
    jobEvents: options.jobEvents,
    defaultDeployment: options.defaultDeployment,
    env: {
      SCORING_ALLOWED_HOSTS: "*.inference.ml.azure.com",
      SCORING_DEFAULT_POLL_SECONDS: "120",
      SCORING_MAX_POLLS_PER_EXECUTION: "50",
      // Suites assert exact poll spacing; adaptive and events modes have their own tests.
      SCORING_POLL_MODE: "fixed",
      SCORING_JOB_EVENTS: "false",
      ...options.env,
    },
    log: (level, message) => {
      logs.push(`${level}: ${message}`);
      if (process.env.DEV_HOST_LOG) console.log(message);
    },
  });
  const { host, emulator } = dev;
  // startBody's input folder holds a file, as a real one would (pre-flight refuses an empty one).
  await dev.datastore?.getBlockBlobClient("scoring/input/customers.csv").upload(sampleInputCsv, Buffer.byteLength(sampleInputCsv));
  const api: Stack["api"] = async (p, init = {}) => {
    const { json, ...rest } = init;
    const res = await fetch(new URL(p, host.baseUrl), {
      ...rest,
      ...(json !== undefined
        ? {
            body: JSON.stringify(json),
            method: rest.method ?? "POST",
            headers: { "content-type": "application/json", ...(rest.headers as Record<string, string> | undefined) },
          }
        : {}),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text === "" ? null : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body };
  };
  return {
    host,
    emulator,
    clock: dev.clock,
    datastore: dev.datastore,
    logs,
    api,
    startBody: (overrides = {}) => ({
      endpointUri: emulator.scoringUri,
      inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/scoring/input/" } },
      output: { name: "score", uri: `azureml://datastores/workspaceblobstore/paths/scoring/output/predictions-${randomUUID()}.csv` },
      pollIntervalSeconds: 120,
      ...overrides,
    }),
    stop: () => dev.stop(),
  };
}

/**
 * One stack for a suite (started before its tests, stopped after), with the emulator reset
 * before each test: no jobs, no faults, the strict (Azure-like) behaviour. `ctx.stack` is the
 * stack once started.
 */
export function useStack(options: StackOptions = {}, eachTest?: (stack: Stack) => void): { readonly stack: Stack } {
  const ctx = {} as { stack: Stack };
  beforeAll(async () => {
    ctx.stack = await startStack({ clock: "virtual", ...options });
  });
  afterAll(async () => ctx.stack?.stop());
  beforeEach(() => {
    ctx.stack.emulator.reset();
    ctx.stack.emulator.configure(strictBehavior());
    eachTest?.(ctx.stack);
  });
  return ctx;
}

/** Whether a run's orchestration has ended (completed, failed or terminated). */
export const runEnded = (stack: Stack, id: string) => () => ["Completed", "Failed", "Terminated"].includes(stack.host.engine.get(id)?.runtimeStatus ?? "");

/** Starts a run through the HTTP API (a 202 is expected), runs it to its end, and answers its view. */
export async function runToEnd(stack: Stack, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<any> {
  const res = await stack.api("/api/scoring-runs", { json: body, headers });
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await stack.host.engine.runUntil(runEnded(stack, res.body.id));
  return (await stack.api(`/api/scoring-runs/${res.body.id}`)).body;
}

/** Starts the orchestration without the HTTP route's quick looks (as a blob event's run does), runs it to its end, and answers its view. */
export async function runDirect(stack: Stack, body: Record<string, unknown>): Promise<any> {
  const validation = validateStartRequest(body, getConfig());
  if (!validation.ok) throw new Error(JSON.stringify(validation.details));
  const id = randomUUID().replace(/-/g, "");
  stack.host.engine.start(names.orchestrator, id, newRunInput(validation.request, getConfig(), new Date(stack.clock.now())));
  await stack.host.engine.runUntil(runEnded(stack, id));
  return (await stack.api(`/api/scoring-runs/${id}`)).body;
}
