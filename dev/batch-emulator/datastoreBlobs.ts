/**
 * Where a job's `azureml://datastores/<datastore>/paths/<path>` URI lands in Blob storage
 * (Azurite), and whether something is there already: the storage side of the emulated jobs.
 */
import type { ContainerClient } from "@azure/storage-blob";
import type { EmulatorJobOutput } from "./types";

/** A datastore name → the Blob container it stands for (undefined: not a Blob datastore here). */
export type DatastoreContainers = (datastore: string) => ContainerClient | undefined;

const datastorePath = /^azureml:\/\/datastores\/([^/]+)\/paths\/(.*)$/;

/** The container and blob path a datastore URI names; undefined when it names no Blob datastore here. */
export function locateBlob(uri: string | null, datastores: DatastoreContainers): { container: ContainerClient; path: string } | undefined {
  const m = uri ? datastorePath.exec(uri) : null;
  const container = m ? datastores(m[1]!) : undefined;
  return m && container ? { container, path: decodeURIComponent(m[2]!) } : undefined;
}

/** The emulator's `outputExists` option: whether a file, or anything under a folder, is at an output URI. */
export function outputExistsIn(datastores: DatastoreContainers): (uri: string, type: EmulatorJobOutput["type"]) => Promise<boolean> {
  return async (uri, type) => {
    const where = locateBlob(uri, datastores);
    if (!where) return false;
    const { container, path } = where;
    if (type === "uri_file" && !path.endsWith("/")) return container.getBlobClient(path).exists();
    const first = await container
      .listBlobsFlat({ prefix: path.replace(/\/?$/, "/") })
      .byPage({ maxPageSize: 1 })
      .next();
    return !first.done && first.value.segment.blobItems.length > 0;
  };
}
