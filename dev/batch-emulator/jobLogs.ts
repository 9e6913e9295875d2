/**
 * The logs an emulated batch job leaves when it fails or some of its items do
 * (docs/azure-behaviour.md#batch-job-logs): `logs/job_progress_overview.txt` and
 * `logs/user/error.txt` of its `batchscoring` step, in the workspace's artifact store
 * (`workspaceartifactstore`, under `ExperimentRun/dcid.<step run id>/`), as Azure ML keeps them.
 *
 * The input's files are the job's items, cut into mini-batches of the job's mini-batch size; the
 * lifecycle's failed items are the last ones. Azure ML publishes no sample of either file, so
 * their wording here is the emulator's own (one of the phrasings the app's reader accepts).
 */
import type { ContainerClient } from "@azure/storage-blob";
import { type DatastoreContainers, locateBlob } from "./datastoreBlobs";
import { DEFAULT_ITEM_ERROR, overErrorThreshold } from "./lifecycle";
import type { EmulatorJob } from "./types";

/** The datastore behind a run's artifacts (azure-ai-ml's fallback for a run's default outputs). */
export const ARTIFACT_DATASTORE = "workspaceartifactstore";
export const PROGRESS_LOG = "logs/job_progress_overview.txt";
export const ERROR_LOG = "logs/user/error.txt";

/** Where a job's step keeps its logs, inside the artifact store's container. */
export const stepLogsFolder = (job: Pick<EmulatorJob, "stepRunId">): string => `ExperimentRun/dcid.${job.stepRunId}/`;

export interface MiniBatchPlan {
  items: number;
  failedItems: number;
  miniBatches: number;
  /** Mini-batches whose items all scored. */
  processed: number;
  /** Mini-batches holding a failed item (or, for a job that failed as a whole, all of them). */
  failed: number;
}

/**
 * The input's `items` in mini-batches of the job's size, the last `failedItems` failing. A job
 * that failed for another reason than its items (its lifecycle's error) processed none.
 */
export function planMiniBatches(items: number, job: Pick<EmulatorJob, "simulation" | "status">): MiniBatchPlan {
  const { miniBatchSize, failedItems } = job.simulation;
  const total = Math.max(items, failedItems);
  const miniBatches = Math.ceil(total / miniBatchSize);
  if (job.status === "Failed" && failedItems === 0) return { items: total, failedItems, miniBatches, processed: 0, failed: miniBatches };
  const firstFailedBatch = Math.floor((total - failedItems) / miniBatchSize);
  const failed = failedItems === 0 ? 0 : miniBatches - firstFailedBatch;
  return { items: total, failedItems, miniBatches, processed: miniBatches - failed, failed };
}

export function progressOverviewText(job: EmulatorJob, plan: MiniBatchPlan): string {
  const sim = job.simulation;
  const lines = [
    `Job progress overview of ${job.name} (batch emulator; Azure ML publishes no sample of this file)`,
    `Total mini batches: ${plan.miniBatches}`,
    `Processed mini batches: ${plan.processed}`,
    `Failed mini batches: ${plan.failed}`,
    `Items: ${plan.items}, succeeded ${plan.items - plan.failedItems}, failed ${plan.failedItems}`,
    `Mini-batch size: ${sim.miniBatchSize}; instances: ${sim.instanceCount}; error threshold: ${sim.errorThreshold}`,
  ];
  if (job.status === "Failed") {
    lines.push(
      overErrorThreshold(sim)
        ? `Job failed: ${plan.failedItems} failed items exceed the error threshold ${sim.errorThreshold}. ${job.errorMessage ?? ""}`.trim()
        : `Job failed: ${job.errorMessage ?? "the scoring script failed"}`,
    );
  } else {
    lines.push(`Job completed with ${plan.failedItems} failed item(s).`);
  }
  return `${lines.join("\n")}\n`;
}

/** One line per failed item (the last files), else the job's error. */
export function errorSummaryText(job: EmulatorJob, failedFiles: readonly string[]): string {
  const itemError = job.simulation.itemError ?? DEFAULT_ITEM_ERROR;
  const lines =
    failedFiles.length > 0 ? failedFiles.map((f) => `Error processing input file ${f}: ${itemError}`) : [job.errorMessage ?? "The scoring script failed."];
  return `${lines.join("\n")}\n`;
}

/** The input's items: the files directly in a folder input (batch jobs read no nested folders), or the one file. */
async function inputItems(job: EmulatorJob, datastores: DatastoreContainers): Promise<string[]> {
  const names: string[] = [];
  for (const input of Object.values(job.inputs)) {
    if (input.type === "literal") continue;
    const where = locateBlob(input.uri, datastores);
    if (!where) continue;
    if (input.type === "uri_file") {
      names.push(where.path.split("/").pop() ?? where.path);
      continue;
    }
    const prefix = where.path === "" || where.path.endsWith("/") ? where.path : `${where.path}/`;
    for await (const blob of where.container.listBlobsByHierarchy("/", { prefix })) if (blob.kind === "blob") names.push(blob.name.slice(prefix.length));
  }
  return names.sort();
}

async function put(container: ContainerClient, name: string, text: string): Promise<void> {
  await container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text), { blobHTTPHeaders: { blobContentType: "text/plain" } });
}

/** The emulator's `onJobEnded` option for the stack: writes the job's two logs to the artifact store's container. */
export function jobLogsWriter(datastores: DatastoreContainers): (job: EmulatorJob) => Promise<void> {
  return async (job) => {
    const container = datastores(ARTIFACT_DATASTORE);
    if (!container) return;
    const files = await inputItems(job, datastores);
    const plan = planMiniBatches(files.length, job);
    // The last items fail; with fewer files than failed items, the rest are named by their number.
    const padded = [...files, ...Array.from({ length: Math.max(0, plan.failedItems - files.length) }, (_, i) => `item-${files.length + i + 1}`)];
    const failedFiles = plan.failedItems === 0 ? [] : padded.slice(-plan.failedItems);
    const folder = stepLogsFolder(job);
    await put(container, `${folder}${PROGRESS_LOG}`, progressOverviewText(job, plan));
    await put(container, `${folder}${ERROR_LOG}`, errorSummaryText(job, failedFiles));
  };
}
