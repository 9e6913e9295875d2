/**
 * The local stack: the batch emulator, optionally Azurite (the emulator then writes each
 * completed job's predictions file there), and the dev host loading the built app. Used by
 * `npm run dev`, `npm run demo` and the tests, so all three run the same thing.
 */
import * as path from "node:path";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { type AzuriteBlob, devAccount, startAzuriteBlob } from "./azurite";
import { BatchEmulator, type EmulatorDatastore, type EmulatorJob, type Lifecycle, lifecycles } from "./batch-emulator";
import { outputExistsIn } from "./batch-emulator/datastoreBlobs";
import { jobLogsWriter } from "./batch-emulator/jobLogs";
import { predictionsWriter } from "./batch-emulator/predictions";
import { type Clock, clockFor } from "./host/clock";
import { DevHost, type DevHostOptions } from "./host/devHost";

/** The repository root, whether this file runs from dev/ (tests) or dist/dev/ (npm run dev). */
export const repoRoot = path.basename(path.dirname(__dirname)) === "dist" ? path.resolve(__dirname, "../..") : path.resolve(__dirname, "..");
/** The built app, as Azure loads it (package.json `main`: the bundle). */
export const appEntry = path.join(repoRoot, "dist", "app", "index.js");
/** The workspace's default datastore, and the Azurite container standing in for it. */
export const defaultDatastore = { name: "workspaceblobstore", container: "azureml-blobstore" };
/** A small customers file to score: what `npm run demo` and `npm run dev` put in their input folders. */
export const sampleInputCsv = ["age,income,tenure_months", "34,52000,18", "51,87000,64", "27,31000,5", "45,66000,40", "39,58000,22"].join("\n");

/**
 * Besides its default model deployment ("blue"), the emulated endpoint has a pipeline-component
 * deployment: the kind that takes several inputs, literals and several outputs.
 */
export const pipelineDeployment = { name: "pipeline-scorer", type: "pipelineComponent" } as const;

/**
 * A third deployment: a pipeline component that declares what it takes (ComponentVersions Get
 * answers it, so pre-flight compares a request's names and kinds with it): data input
 * `input_data`, literal `threshold` (with a default), folder output `scores`, file output
 * `summary`. `pipelineDeployment` declares nothing, so any names pass on it.
 */
export const declaredPipelineDeployment = {
  name: "pipeline-declared",
  type: "pipelineComponent",
  component: {
    name: "batch_scoring",
    version: "1",
    inputs: { input_data: { type: "uri_folder" }, threshold: { type: "number", default: 0.5 } },
    outputs: { scores: { type: "uri_folder" }, summary: { type: "uri_file" } },
  },
} as const;

/** An ADLS Gen2 datastore (a filesystem on the same Azurite account): inputs read through its blob endpoint, outputs refused. */
export const lakeDatastore = { name: "lakestore", filesystem: "lake" };

/**
 * The workspace's artifact store (a Blob datastore on the workspace's storage account, container
 * `azureml`): where jobs keep their logs, `ExperimentRun/dcid.<run id>/logs/…`
 * (docs/azure-behaviour.md#batch-job-logs).
 */
export const artifactDatastore = { name: "workspaceartifactstore", container: "azureml" };

/** The emulator's datastores when Azurite runs: Datastores Get answers these, pointing at Azurite. */
function azuriteDatastores(azurite: AzuriteBlob): Record<string, EmulatorDatastore> {
  const endpoint = new URL(azurite.blobEndpoint).origin;
  return {
    [defaultDatastore.name]: {
      datastoreType: "AzureBlob",
      accountName: devAccount.name,
      containerName: defaultDatastore.container,
      endpoint,
      protocol: "http",
    },
    [lakeDatastore.name]: {
      datastoreType: "AzureDataLakeGen2",
      accountName: devAccount.name,
      filesystem: lakeDatastore.filesystem,
      endpoint,
      protocol: "http",
    },
    [artifactDatastore.name]: {
      datastoreType: "AzureBlob",
      accountName: devAccount.name,
      containerName: artifactDatastore.container,
      endpoint,
      protocol: "http",
    },
  };
}

export interface DevStackOptions {
  clock?: "wall" | "virtual" | Clock;
  autoAdvance?: boolean;
  port?: number;
  emulatorPort?: number;
  /** Start Azurite and write predictions files there. */
  azurite?: boolean | { port?: number; location?: string };
  /** Persist host instances (and emulator jobs) here. */
  stateDir?: string;
  defaultLifecycle?: Lifecycle;
  /** Called with each job the emulator creates. */
  onJobCreated?: (job: EmulatorJob) => void;
  /** The emulated endpoint's default deployment (default "blue"); null: it has none. */
  defaultDeployment?: string | null;
  /**
   * The emulator emits `RunStatusChanged` for each timed job when it ends, to the host's Event
   * Grid route for `jobStatusChangedTrigger`, `latencyMs` after the end, as Event Grid delivers
   * Azure ML's events (docs/azure-behaviour.md#azure-ml-events). As on Azure, only a job that
   * completes raises one: "Failed or canceled Azure Machine Learning operations don't trigger an
   * event" (same section); `alsoFailedAndCanceled` is the lenient option that sends one for every end.
   */
  jobEvents?: { latencyMs: number; alsoFailedAndCanceled?: boolean };
  /** Keep past executions' histories (default true). */
  keepPastExecutions?: boolean;
  /** Recorded emulator requests to keep, the newest (default: all; see BatchEmulatorOptions). */
  maxRecordedRequests?: number;
  /** The app bundle to load (default: this tree's `appEntry`); the bench loads another commit's to measure its format. */
  appEntry?: string;
  log?: DevHostOptions["log"];
  /** Settings to set before the app loads; settings already in the environment win when `keepEnv`. */
  env?: Record<string, string>;
  keepEnv?: boolean;
}

export interface DevStack {
  host: DevHost;
  emulator: BatchEmulator;
  clock: Clock;
  azurite: AzuriteBlob | undefined;
  /** The container behind `azureml://datastores/workspaceblobstore/...`, when Azurite runs. */
  datastore: ContainerClient | undefined;
  stop(): Promise<void>;
}

export async function startDevStack(options: DevStackOptions = {}): Promise<DevStack> {
  const clock = clockFor(options.clock);
  let azurite: AzuriteBlob | undefined;
  let datastore: ContainerClient | undefined;
  let blobService: BlobServiceClient | undefined;
  if (options.azurite) {
    azurite = await startAzuriteBlob(typeof options.azurite === "object" ? options.azurite : {});
    blobService = BlobServiceClient.fromConnectionString(azurite.connectionString);
    datastore = blobService.getContainerClient(defaultDatastore.container);
    await datastore.createIfNotExists();
    await blobService.getContainerClient(lakeDatastore.filesystem).createIfNotExists();
    await blobService.getContainerClient(artifactDatastore.container).createIfNotExists();
  }
  // A completed job writes its predictions to whichever Azurite container its output's datastore names.
  const containerOf = (name: string): ContainerClient | undefined => {
    const ds = emulator.datastore(name);
    if (!blobService || !ds || ds.datastoreType === "AzureFile") return undefined;
    return blobService.getContainerClient(ds.datastoreType === "AzureBlob" ? ds.containerName : ds.filesystem);
  };
  const emulator: BatchEmulator = new BatchEmulator({
    port: options.emulatorPort,
    clock: () => clock.now(),
    stateFile: options.stateDir ? path.join(options.stateDir, "batch-emulator.json") : undefined,
    datastores: azurite ? azuriteDatastores(azurite) : {},
    deployments: [pipelineDeployment, declaredPipelineDeployment],
    maxRecordedRequests: options.maxRecordedRequests,
    defaultDeployment: options.defaultDeployment,
    outputExists: blobService ? outputExistsIn(containerOf) : undefined,
    onJobCompleted: blobService ? predictionsWriter(containerOf) : undefined,
    // A failed job, or one with failed items, leaves its logs in the artifact store.
    onJobEnded: blobService ? jobLogsWriter(containerOf) : undefined,
    onJobCreated: (job) => {
      options.onJobCreated?.(job);
      if (options.jobEvents && typeof job.endsAt === "number") emitWhenEnded(job, options.jobEvents);
    },
  });
  emulator.setDefaultLifecycle(options.defaultLifecycle ?? lifecycles.standard());
  await emulator.start();

  const settings: Record<string, string> = {
    AML_ARM_ENDPOINT: emulator.armEndpoint,
    // The emulated workspace stands for one in public Azure: its hosts and audiences
    // (docs/azure-behaviour.md#token-audiences-per-cloud).
    SCORING_ALLOWED_HOSTS: "*.inference.ml.azure.com",
    AML_ARM_AUDIENCE: "https://management.azure.com",
    AML_DATA_PLANE_AUDIENCE: "https://ml.azure.com",
    // The emulator's workspace: pre-flight resolves datastores there, and a lost invoke answer is found there.
    AML_WORKSPACE_ID: emulator.workspaceId,
    SCORING_ALLOW_LOOPBACK: "true",
    ...(azurite ? { AzureWebJobsStorage: azurite.connectionString } : {}),
    ...options.env,
  };
  for (const [k, v] of Object.entries(settings)) {
    if (options.keepEnv && process.env[k] !== undefined) continue;
    process.env[k] = v;
  }
  const host = new DevHost({
    appEntry: options.appEntry ?? appEntry,
    port: options.port,
    clock,
    autoAdvance: options.autoAdvance,
    stateDir: options.stateDir,
    log: options.log,
    keepPastExecutions: options.keepPastExecutions,
  });
  function emitWhenEnded(job: EmulatorJob, events: NonNullable<DevStackOptions["jobEvents"]>): void {
    const endsAt = job.endsAt as number;
    host.engine.atTime(endsAt + events.latencyMs, async () => {
      // The job's own end (a cancel may have ended it sooner); its stored status moves only when it is read.
      const canceled = emulator.job(job.name)?.status === "Canceled";
      const status = canceled ? "Canceled" : (job.endsAs ?? "Completed");
      if (status !== "Completed" && !events.alsoFailedAndCanceled) return;
      const event = {
        id: `evt-${job.name}`,
        topic: emulator.workspaceId,
        subject: `experiments/${emulator.endpointName}/runs/${job.name}`,
        eventType: "Microsoft.MachineLearningServices.RunStatusChanged",
        eventTime: new Date(endsAt).toISOString(),
        dataVersion: "2",
        metadataVersion: "1",
        data: {
          experimentId: emulator.endpointName,
          experimentName: emulator.endpointName,
          runId: job.name,
          runType: "azureml.batchjob",
          runTags: job.tags,
          runProperties: job.properties,
          runStatus: status,
        },
      };
      await fetch(`${host.baseUrl}/runtime/webhooks/eventgrid?functionName=jobStatusChangedTrigger`, {
        method: "POST",
        headers: { "content-type": "application/json", "aeg-event-type": "Notification" },
        body: JSON.stringify([event]),
      });
    });
  }
  try {
    await host.start();
  } catch (err) {
    await emulator.stop();
    await azurite?.stop();
    throw err;
  }
  return {
    host,
    emulator,
    clock,
    azurite,
    datastore,
    async stop() {
      await host.stop();
      await emulator.whenHooksSettled();
      await emulator.stop();
      await azurite?.stop();
    },
  };
}
