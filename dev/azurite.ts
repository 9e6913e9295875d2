/**
 * Azurite's Blob service, from node_modules, in this process on loopback. In-process rather than
 * a child process: nothing is left running when the stack is killed, and Azurite's telemetry
 * (started only by its CLI entry) stays off.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** Azurite's well-known development account (public, documented; never a real secret). */
export const devAccount = {
  name: "devstoreaccount1",
  key: "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
};

export interface AzuriteBlob {
  port: number;
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  blobEndpoint: string;
  connectionString: string;
  stop(): Promise<void>;
}

interface AzuriteServer {
  start(): Promise<void>;
  close(): Promise<void>;
  getHttpServerAddress(): string;
}

export async function startAzuriteBlob(options: { port?: number; location?: string } = {}): Promise<AzuriteBlob> {
  // Azurite ships no types; these are its own Blob modules, built as its Blob CLI entry builds them.
  const BlobConfiguration = require("azurite/dist/src/blob/BlobConfiguration").default;
  const BlobServer = require("azurite/dist/src/blob/BlobServer").default;
  const temporary = options.location === undefined;
  const location = options.location ?? fs.mkdtempSync(path.join(os.tmpdir(), "azurite-"));
  fs.mkdirSync(location, { recursive: true });
  const config = new BlobConfiguration(
    "127.0.0.1",
    options.port ?? 0,
    5,
    path.join(location, "__azurite_db_blob__.json"),
    path.join(location, "__azurite_db_blob_extent__.json"),
    [{ locationId: "Default", locationPath: path.join(location, "__blobstorage__"), maxConcurrency: 10 }],
    false,
    undefined,
    false,
    undefined,
    true, // loose: accept headers Azurite does not implement
    true, // skipApiVersionCheck: newer SDKs than this Azurite build
  );
  const server: AzuriteServer = new BlobServer(config);
  await server.start();
  const port = Number(new URL(server.getHttpServerAddress()).port);
  const blobEndpoint = `http://127.0.0.1:${port}/${devAccount.name}`;
  return {
    port,
    blobEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${devAccount.name};AccountKey=${devAccount.key};BlobEndpoint=${blobEndpoint};`,
    async stop() {
      await server.close();
      if (temporary) fs.rmSync(location, { recursive: true, force: true });
    },
  };
}
