/**
 * The process's Azure ML client: one per configuration (bearer policies cache tokens per
 * client; settings change only when a dev host or a test changes the environment).
 */
import { getConfig } from "../config";
import type { BatchEndpointClient } from "./types";

let cached: { config: ReturnType<typeof getConfig>; client: BatchEndpointClient } | undefined;

export function sharedBatchClient(): BatchEndpointClient {
  const config = getConfig();
  if (cached?.config !== config) {
    // Loaded on first use, not at start-up: the REST pipeline is not needed to register functions (cold start).
    const { createBatchEndpointClient } = require("./client") as typeof import("./client");
    cached = { config, client: createBatchEndpointClient({ config }) };
  }
  return cached.client;
}
