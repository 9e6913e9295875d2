/**
 * The process's clients, one per configuration (bearer policies cache tokens per client; settings
 * change only when a dev host or a test changes the environment), built on first use: the REST
 * pipeline and the storage SDK are not needed to register functions (cold start).
 */
import type { BatchEndpointClient } from "../batch/types";
import { getConfig, webhookSecret } from "../config";
import type { DiagnoseJobDeps } from "../activities/diagnoseJob";
import type { NoticeDeps } from "../notify/deliverNotice";
import type { PreflightDeps } from "../preflight/checks";

let cachedClient: { config: ReturnType<typeof getConfig>; client: BatchEndpointClient } | undefined;
let cachedDeps: { config: ReturnType<typeof getConfig>; deps: PreflightDeps } | undefined;

/** The Azure ML client. */
export function sharedBatchClient(): BatchEndpointClient {
  const config = getConfig();
  if (cachedClient?.config !== config) {
    const { createBatchEndpointClient } = require("../batch/client") as typeof import("../batch/client");
    cachedClient = { config, client: createBatchEndpointClient({ config }) };
  }
  return cachedClient.client;
}

/** What pre-flight reads with: the Azure ML client (workspace, endpoint and deployment reads) and a blob inspector on the app's identity. */
export function sharedPreflightDeps(): PreflightDeps {
  const config = getConfig();
  if (cachedDeps?.config !== config) {
    const { createLazyCredential } = require("../batch/credential") as typeof import("../batch/credential");
    const { createBlobInspector } = require("../storage/blobInspector") as typeof import("../storage/blobInspector");
    cachedDeps = {
      config,
      deps: {
        client: sharedBatchClient(),
        endpoints: sharedBatchClient(),
        blobs: createBlobInspector(createLazyCredential(config)),
        allowLoopback: config.allowLoopback,
      },
    };
  }
  return cachedDeps.deps;
}

let cachedDiagnostics: { config: ReturnType<typeof getConfig>; deps: DiagnoseJobDeps } | undefined;

/** What the diagnostics activity reads with: Run History (its own bounded ARM pipeline), Datastores Get and the blob inspector. */
export function sharedDiagnosticsDeps(): DiagnoseJobDeps {
  const config = getConfig();
  if (cachedDiagnostics?.config !== config) {
    const { createRunHistoryClient } = require("../batch/runHistory") as typeof import("../batch/runHistory");
    const { client, blobs } = sharedPreflightDeps();
    cachedDiagnostics = { config, deps: { runHistory: createRunHistoryClient({ config }), client, blobs, allowLoopback: config.allowLoopback } };
  }
  return cachedDiagnostics.deps;
}

let cachedNotice: { config: ReturnType<typeof getConfig>; deps: NoticeDeps } | undefined;

/** What the run-end notice activity sends with: its own no-auth pipeline, and the app's identity for Event Grid only. */
export function sharedNoticeDeps(): NoticeDeps {
  const config = getConfig();
  if (cachedNotice?.config !== config) {
    const { createNoticeHttpClient, createNoticePipeline, DEFAULT_NOTICE_RETRY } =
      require("../notify/noticePipeline") as typeof import("../notify/noticePipeline");
    const { createLazyCredential } = require("../batch/credential") as typeof import("../batch/credential");
    cachedNotice = {
      config,
      deps: {
        pipeline: createNoticePipeline(),
        httpClient: createNoticeHttpClient(),
        credential: createLazyCredential(config),
        hostSettings: () => ({ callbackHosts: getConfig().callbackHosts, allowLoopback: getConfig().allowLoopback }),
        webhookSecret: (name) => webhookSecret(name),
        nowMs: () => Date.now(),
        timeoutMs: DEFAULT_NOTICE_RETRY.timeoutMs,
      },
    };
  }
  return cachedNotice.deps;
}
