/**
 * What a completed emulated job leaves behind: a predictions file in Blob storage (Azurite), as a
 * batch deployment with output action `append_row` writes one file of all predictions. Inputs on
 * a known datastore are read row by row; each row gets a deterministic score, so a demo shows
 * real data flowing from input to output.
 */
import { createHash } from "node:crypto";
import type { ContainerClient } from "@azure/storage-blob";
import { type DatastoreContainers, locateBlob } from "./datastoreBlobs";
import type { EmulatorJob } from "./types";

/** A batch deployment's default `output_file_name`. */
export const predictionsFileName = "predictions.csv";

/** A score in [0, 1) that depends only on the row, as a model's would. */
export function scoreOf(row: string): string {
  return (createHash("sha256").update(row).digest().readUInt32BE(0) / 2 ** 32).toFixed(4);
}

async function readRows(container: ContainerClient, blobName: string): Promise<string[]> {
  const text = (await container.getBlobClient(blobName).downloadToBuffer()).toString("utf8");
  return text.split(/\r?\n/).filter((line) => line.trim() !== "");
}

export function predictionsWriter(datastores: DatastoreContainers): (job: EmulatorJob) => Promise<void> {
  return async (job) => {
    const lines = ["file,row,score"];
    for (const input of Object.values(job.inputs)) {
      if (input.type === "literal") continue;
      const where = locateBlob(input.uri, datastores);
      if (!where) continue;
      const names: string[] = [];
      if (input.type === "uri_folder") {
        const prefix = where.path === "" || where.path.endsWith("/") ? where.path : `${where.path}/`;
        // Batch deployments read the folder's files, not nested folders.
        for await (const blob of where.container.listBlobsByHierarchy("/", { prefix })) if (blob.kind === "blob") names.push(blob.name);
      } else {
        names.push(where.path);
      }
      for (const name of names.sort()) {
        const rows = await readRows(where.container, name);
        // A CSV's first line names its columns; a model scores the rows after it.
        const data = name.toLowerCase().endsWith(".csv") ? rows.slice(1) : rows;
        data.forEach((row, i) => lines.push(`${name.split("/").pop()},${i},${scoreOf(row)}`));
      }
    }
    for (const output of Object.values(job.outputs)) {
      const where = locateBlob(output.uri, datastores);
      if (!where) continue;
      // A folder output gets the job's output file name (the invoke's outputFileName, else the deployment's default).
      const fileName = job.settings.outputFileName ?? predictionsFileName;
      const file = output.type === "uri_folder" || where.path.endsWith("/") ? `${where.path.replace(/\/?$/, "/")}${fileName}` : where.path;
      const body = `${lines.join("\n")}\n`;
      await where.container
        .getBlockBlobClient(file.replace(/^\//, ""))
        .upload(body, Buffer.byteLength(body), { blobHTTPHeaders: { blobContentType: "text/csv" } });
    }
  };
}
