/**
 * The process's pre-flight dependencies: the Azure ML client (workspace reads) and a blob
 * inspector on the app's identity. One per configuration, built on first use.
 */
import { createLazyCredential } from "../batch/credential";
import { sharedBatchClient } from "../batch/sharedClient";
import { getConfig } from "../config";
import type { PreflightDeps } from "./checks";

let cached: { config: ReturnType<typeof getConfig>; deps: PreflightDeps } | undefined;

export function sharedPreflightDeps(): PreflightDeps {
  const config = getConfig();
  if (cached?.config !== config) {
    const { createBlobInspector } = require("../storage/blobInspector") as typeof import("../storage/blobInspector");
    cached = { config, deps: { client: sharedBatchClient(), blobs: createBlobInspector(createLazyCredential(config)), allowLoopback: config.allowLoopback } };
  }
  return cached.deps;
}
