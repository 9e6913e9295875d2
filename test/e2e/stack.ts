/**
 * A loopback stack for end-to-end tests: the batch emulator and the dev host (loading the built
 * app) sharing one clock. Settings are set in process.env before the host starts, as Azure sets
 * app settings before the worker loads the app.
 */
import * as path from "node:path";
import { BatchEmulator } from "../../dev/batch-emulator";
import { type Clock, VirtualClock, WallClock } from "../../dev/host/clock";
import { DevHost } from "../../dev/host/devHost";

export const appEntry = path.resolve(__dirname, "../../dist/src/index.js");

export interface StackOptions {
  clock?: "virtual" | "wall";
  autoAdvance?: boolean;
  env?: Record<string, string>;
  stateDir?: string;
}

export interface Stack {
  host: DevHost;
  emulator: BatchEmulator;
  clock: Clock;
  logs: string[];
  api(path: string, init?: RequestInit & { json?: unknown }): Promise<{ status: number; headers: Headers; body: any }>;
  /** A valid start body for the emulator's endpoint (camelCase form). */
  startBody(overrides?: Record<string, unknown>): Record<string, unknown>;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const clock = options.clock === "wall" ? new WallClock() : new VirtualClock();
  const emulator = new BatchEmulator({ clock: () => clock.now() });
  await emulator.start();
  Object.assign(process.env, {
    AML_ARM_ENDPOINT: emulator.armEndpoint,
    SCORING_ALLOW_LOOPBACK: "true",
    SCORING_ALLOWED_HOSTS: "*.inference.ml.azure.com",
    SCORING_DEFAULT_POLL_SECONDS: "120",
    SCORING_MAX_POLLS_PER_EXECUTION: "50",
    ...options.env,
  });
  const logs: string[] = [];
  const host = new DevHost({
    appEntry,
    clock,
    autoAdvance: options.autoAdvance,
    stateDir: options.stateDir,
    log: (level, message) => {
      logs.push(`${level}: ${message}`);
      if (process.env.DEV_HOST_LOG) console.log(message);
    },
  });
  await host.start();
  const api: Stack["api"] = async (p, init = {}) => {
    const { json, ...rest } = init;
    const res = await fetch(new URL(p, host.baseUrl), {
      ...rest,
      ...(json !== undefined ? { body: JSON.stringify(json), method: rest.method ?? "POST", headers: { "content-type": "application/json", ...(rest.headers as Record<string, string> | undefined) } } : {}),
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
    host, emulator, clock, logs, api,
    startBody: (overrides = {}) => ({
      endpointUri: emulator.scoringUri,
      inputs: { input_data: { type: "uri_folder", uri: "azureml://datastores/workspaceblobstore/paths/scoring/input/" } },
      output: { name: "score", uri: "azureml://datastores/workspaceblobstore/paths/scoring/output/predictions.csv" },
      pollIntervalSeconds: 120,
      ...overrides,
    }),
    async stop() {
      await host.stop();
      await emulator.stop();
    },
  };
}
