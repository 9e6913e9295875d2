/**
 * Read-only looks at Blob storage with `@azure/storage-blob`: a blob's properties, a folder's
 * top level (bounded), whether anything lies under a prefix. Azure accounts are read with the
 * app's identity (a storage-scoped token); Azurite on loopback with its public development key.
 * Failures say whether the app may not read the place (a permission or a missing container:
 * "cannot check") or the read itself failed.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { ContainerClient } from "@azure/storage-blob";
import { sanitizeText } from "../batch/sanitize";
import type { BlobLocation } from "./blobLocation";

/** Azurite's documented development account key: public, and only ever sent to loopback. */
const AZURITE_ACCOUNT_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface BlobProperties {
  sizeBytes: number | null;
  lastModified: string | null;
  contentType: string | null;
}

export interface FolderListing {
  /** Blobs directly in the folder (what a batch job reads), and the first few of their names. */
  fileCount: number;
  sampleFiles: string[];
  /** Nested folders (batch jobs do not read them). */
  folderCount: number;
  listed: number;
  /** The listing stopped at its bound. */
  truncated: boolean;
}

/** Why a place could not be read: `denied` (401/403), `missing` (no container), `failed` (anything else). */
export class BlobReadError extends Error {
  constructor(
    readonly kind: "denied" | "missing" | "failed",
    message: string,
  ) {
    super(message);
    this.name = "BlobReadError";
  }
}

export interface BlobInspector {
  /** null when the blob does not exist. */
  properties(location: BlobLocation): Promise<BlobProperties | null>;
  listFolder(location: BlobLocation, limit: number): Promise<FolderListing>;
  /** Whether any blob's name starts with `<path>/`: the path is a folder. */
  isFolder(location: BlobLocation): Promise<boolean>;
  /** Every file under the folder, nested ones included, up to `limit`: what a job wrote there. */
  listFiles(location: BlobLocation, limit: number): Promise<FileListing>;
  /**
   * At most `maxBytes` of a blob's text from `offset` (one ranged read; UTF-8); null when the blob
   * does not exist. A log is read this way, never whole.
   */
  readText(location: BlobLocation, maxBytes: number, offset?: number): Promise<BlobText | null>;
  /** The names of the folders directly under the folder, sorted, at most `limit` (a batch's itemsFrom). */
  listSubfolders?(location: BlobLocation, limit: number): Promise<{ names: string[]; truncated: boolean }>;
}

export interface BlobText {
  text: string;
  /** Where the text starts in the blob. */
  offset: number;
  /** The blob's whole size. */
  totalBytes: number;
  /** The blob goes on past what was read. */
  truncated: boolean;
}

/** The whole size from a `Content-Range: bytes 0-65535/123456` answer. */
function totalFromContentRange(contentRange: string | undefined): number | null {
  const m = contentRange ? /\/(\d+)\s*$/.exec(contentRange) : null;
  return m ? Number(m[1]) : null;
}

/** Reads at most `max` bytes of a stream, then lets the rest go. */
async function readAtMost(stream: NodeJS.ReadableStream | undefined, max: number): Promise<Buffer> {
  if (!stream) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    chunks.push(buffer.subarray(0, Math.max(0, max - size)));
    size += buffer.length;
    if (size >= max) break;
  }
  (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
  return Buffer.concat(chunks);
}

export interface FileListing {
  /** The first files (at most `sampleSize`), by name relative to the folder, with their sizes. */
  files: { name: string; sizeBytes: number | null }[];
  fileCount: number;
  totalBytes: number;
  /** The listing stopped at its bound: there are more files than counted. */
  truncated: boolean;
}

/** How many file names a listing keeps; the count and size cover every file listed. */
export const sampleSize = 20;

/**
 * The service's error code: in the SDK's `code` for a request with a body, only in
 * `details.errorCode` (the x-ms-error-code header) for a HEAD, whose answer has none.
 */
function errorCodeOf(err: unknown): string | undefined {
  const e = err as { code?: string; details?: { errorCode?: string } };
  return e.code ?? e.details?.errorCode;
}

function toReadError(err: unknown, location: BlobLocation): BlobReadError {
  const e = err as { statusCode?: number; message?: string };
  const code = errorCodeOf(err);
  const where = `${location.accountName}/${location.container}`;
  if (e.statusCode === 401 || e.statusCode === 403) {
    return new BlobReadError(
      "denied",
      `the app's identity may not read ${where} (HTTP ${e.statusCode}${code ? ` ${code}` : ""}); grant it Storage Blob Data Reader on the account`,
    );
  }
  if (e.statusCode === 404 && code === "ContainerNotFound") return new BlobReadError("missing", `container ${where} does not exist`);
  const first = sanitizeText(String(e.message || code || err).split("\n")[0] ?? "", 300);
  return new BlobReadError("failed", `reading ${where} failed${e.statusCode ? ` (HTTP ${e.statusCode})` : ""}: ${first}`);
}

const isNotFound = (err: unknown): boolean => (err as { statusCode?: number }).statusCode === 404 && errorCodeOf(err) !== "ContainerNotFound";

export function createBlobInspector(credential: TokenCredential): BlobInspector {
  // Loaded on first use: registering functions must not pay for the storage SDK (cold start).
  const sdk = () => require("@azure/storage-blob") as typeof import("@azure/storage-blob");
  const containerOf = (location: BlobLocation): ContainerClient => {
    const { ContainerClient, StorageSharedKeyCredential } = sdk();
    const url = `${location.accountUrl}/${encodeURIComponent(location.container)}`;
    const options = { retryOptions: { maxTries: 3, tryTimeoutInMs: 30_000 } };
    return location.loopback
      ? new ContainerClient(url, new StorageSharedKeyCredential(location.accountName, AZURITE_ACCOUNT_KEY), options)
      : new ContainerClient(url, credential, options);
  };
  const folderPrefix = (path: string): string => (path === "" || path.endsWith("/") ? path : `${path}/`);

  return {
    async properties(location) {
      try {
        const p = await containerOf(location).getBlobClient(location.path).getProperties();
        return { sizeBytes: p.contentLength ?? null, lastModified: p.lastModified?.toISOString() ?? null, contentType: p.contentType ?? null };
      } catch (err) {
        if (isNotFound(err)) return null;
        throw toReadError(err, location);
      }
    },
    async listFolder(location, limit) {
      const listing: FolderListing = { fileCount: 0, sampleFiles: [], folderCount: 0, listed: 0, truncated: false };
      try {
        const pages = containerOf(location)
          .listBlobsByHierarchy("/", { prefix: folderPrefix(location.path), includeMetadata: true })
          .byPage({ maxPageSize: Math.min(limit, 5000) });
        for await (const page of pages) {
          listing.folderCount += page.segment.blobPrefixes?.length ?? 0;
          for (const blob of page.segment.blobItems) {
            // ADLS Gen2 directories can show up as empty marker blobs.
            if (blob.metadata?.hdi_isfolder === "true") {
              listing.folderCount++;
              continue;
            }
            listing.fileCount++;
            if (listing.sampleFiles.length < 5) listing.sampleFiles.push(blob.name);
          }
          listing.listed = listing.fileCount + listing.folderCount;
          if (listing.listed >= limit) {
            listing.truncated = page.continuationToken !== undefined && page.continuationToken !== "";
            break;
          }
        }
      } catch (err) {
        throw toReadError(err, location);
      }
      return listing;
    },
    async listSubfolders(location, limit) {
      const prefix = folderPrefix(location.path);
      const names: string[] = [];
      try {
        const pages = containerOf(location).listBlobsByHierarchy("/", { prefix }).byPage({ maxPageSize: 5000 });
        for await (const page of pages) {
          for (const p of page.segment.blobPrefixes ?? []) names.push(p.name.slice(prefix.length).replace(/\/$/, ""));
          // Listing goes on past the limit (by pages) only to say whether it cut: the service sorts names.
          if (names.length > limit) break;
        }
      } catch (err) {
        throw toReadError(err, location);
      }
      const sorted = names.filter((n) => n !== "").sort();
      return { names: sorted.slice(0, limit), truncated: sorted.length > limit };
    },
    async listFiles(location, limit) {
      const prefix = folderPrefix(location.path);
      const listing: FileListing = { files: [], fileCount: 0, totalBytes: 0, truncated: false };
      try {
        const pages = containerOf(location)
          .listBlobsFlat({ prefix, includeMetadata: true })
          .byPage({ maxPageSize: Math.min(limit, 5000) });
        for await (const page of pages) {
          for (const blob of page.segment.blobItems) {
            if (blob.metadata?.hdi_isfolder === "true") continue;
            const size = blob.properties.contentLength ?? null;
            listing.fileCount++;
            listing.totalBytes += size ?? 0;
            if (listing.files.length < sampleSize) listing.files.push({ name: blob.name.slice(prefix.length), sizeBytes: size });
          }
          if (listing.fileCount >= limit) {
            listing.truncated = page.continuationToken !== undefined && page.continuationToken !== "";
            break;
          }
        }
      } catch (err) {
        throw toReadError(err, location);
      }
      return listing;
    },
    async readText(location, maxBytes, offset = 0) {
      const count = Math.max(1, Math.floor(maxBytes));
      const start = Math.max(0, Math.floor(offset));
      try {
        const response = await containerOf(location).getBlobClient(location.path).download(start, count);
        const body = await readAtMost(response.readableStreamBody, count);
        const totalBytes = totalFromContentRange(response.contentRange) ?? start + (response.contentLength ?? body.length);
        return { text: body.toString("utf8"), offset: start, totalBytes, truncated: start + body.length < totalBytes };
      } catch (err) {
        if (isNotFound(err)) return null;
        // A ranged read of an empty blob (or past its end) is 416 InvalidRange: nothing to read.
        if ((err as { statusCode?: number }).statusCode === 416) return { text: "", offset: start, totalBytes: start, truncated: false };
        throw toReadError(err, location);
      }
    },
    async isFolder(location) {
      try {
        const first = await containerOf(location)
          .listBlobsFlat({ prefix: folderPrefix(location.path) })
          .byPage({ maxPageSize: 1 })
          .next();
        return !first.done && first.value.segment.blobItems.length > 0;
      } catch (err) {
        throw toReadError(err, location);
      }
    },
  };
}
