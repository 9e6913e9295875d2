/**
 * Pre-flight against a real Azurite (in-process, ephemeral port): a fake workspace whose
 * datastores point at it, and the real blob inspector. Each test gets its own container.
 */
import { randomUUID } from "node:crypto";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { afterAll, beforeAll, expect } from "vitest";
import { type AzuriteBlob, devAccount, startAzuriteBlob } from "../../../dev/azurite";
import { BatchEndpointError } from "../../../src/batch/errors";
import type { DatastoreInfo, WorkspaceDataClient } from "../../../src/batch/types";
import type { PreflightDeps } from "../../../src/preflight/checks";
import { createBlobInspector } from "../../../src/storage/blobInspector";

export const WS = "/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.MachineLearningServices/workspaces/ws-main";

/** Loopback reads use Azurite's shared key: the app's credential must never be asked. */
export const throwingCredential: TokenCredential = {
  getToken(): Promise<AccessToken | null> {
    throw new Error("the app's credential must not be used for Azurite");
  },
};

export interface AzuriteFixture {
  readonly azurite: AzuriteBlob;
  readonly service: BlobServiceClient;
  /** A fresh container (random name). */
  container(): Promise<ContainerClient>;
  /** The datastore `name` as Datastores Get would describe it, pointing at `container` on Azurite. */
  datastore(name: string, container: string, datastoreType?: string): DatastoreInfo;
  /** Deps whose workspace has the given datastores (any other name: 404). */
  deps(datastores: DatastoreInfo[]): PreflightDeps;
}

/** Starts Azurite before the file's tests, stops it after. */
export function useAzurite(): AzuriteFixture {
  let azurite: AzuriteBlob | undefined;
  let service: BlobServiceClient | undefined;
  beforeAll(async () => {
    azurite = await startAzuriteBlob();
    service = BlobServiceClient.fromConnectionString(azurite.connectionString);
  });
  afterAll(async () => {
    await azurite?.stop();
  });
  const started = (): { azurite: AzuriteBlob; service: BlobServiceClient } => {
    if (!azurite || !service) throw new Error("Azurite is not started");
    return { azurite, service };
  };
  return {
    get azurite() {
      return started().azurite;
    },
    get service() {
      return started().service;
    },
    async container() {
      const c = started().service.getContainerClient(`c-${randomUUID()}`);
      await c.create();
      return c;
    },
    datastore(name, container, datastoreType = "AzureBlob") {
      return { name, datastoreType, accountName: devAccount.name, container, endpoint: new URL(started().azurite.blobEndpoint).origin, protocol: "http" };
    },
    deps(datastores) {
      const client: WorkspaceDataClient = {
        async getDatastore(_workspace, name) {
          const found = datastores.find((d) => d.name.toLowerCase() === name.toLowerCase());
          if (!found) throw new BatchEndpointError("UserError", `datastore ${name} not found`, { httpStatus: 404 });
          return found;
        },
        async getDataVersion(_workspace, name) {
          throw new BatchEndpointError("UserError", `data asset ${name} not found`, { httpStatus: 404 });
        },
      };
      return { client, blobs: createBlobInspector(throwingCredential), allowLoopback: true };
    },
  };
}

/** What upload() writes, and its size in bytes. */
export const CSV = "id,score\n1,0.5\n";
export const CSV_BYTES = Buffer.byteLength(CSV);

export async function upload(container: ContainerClient, names: string[], content = CSV): Promise<void> {
  for (const name of names) await container.getBlockBlobClient(name).upload(content, Buffer.byteLength(content), { blobHTTPHeaders: { blobContentType: "text/csv" } });
}

/** Secrets that must never appear in anything pre-flight returns. */
export function expectNoSecrets(value: unknown): void {
  const text = JSON.stringify(value);
  for (const secret of ["sig=", devAccount.key, "AccountKey"]) expect(text).not.toContain(secret);
}
