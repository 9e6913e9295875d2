/**
 * The blob inspector's decisions, with the storage SDK's ContainerClient faked (no network, no
 * Azurite): which client it builds for a location, how each answer and error becomes a result.
 * The inspector loads the SDK with require() and builds its own clients, so the fake replaces the
 * three ContainerClient methods it calls, on the class that require() returns.
 * What the real service answers is in blobInspector.azurite.test.ts.
 */
import type { TokenCredential } from "@azure/core-auth";
import { RestError } from "@azure/core-rest-pipeline";
import type * as StorageBlob from "@azure/storage-blob";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BlobReadError, createBlobInspector } from "../../../src/storage/blobInspector";
import type { BlobLocation } from "../../../src/storage/blobLocation";

const sdk = require("@azure/storage-blob") as typeof StorageBlob;

const appCredential: TokenCredential = {
  getToken: async () => {
    throw new Error("the fake container client never asks for a token");
  },
};

const azure: BlobLocation = { accountUrl: "https://acct1.blob.core.windows.net", accountName: "acct1", container: "data", path: "out/p.csv", loopback: false };
const azurite: BlobLocation = {
  accountUrl: "http://127.0.0.1:10000/devstoreaccount1",
  accountName: "devstoreaccount1",
  container: "data",
  path: "in/",
  loopback: true,
};

type Item = { name: string; metadata?: Record<string, string> };
type Page = { blobItems?: Item[]; blobPrefixes?: string[]; continuationToken?: string };

/** What the fake container answers: blob properties by name, listing pages, or an error for every call. */
interface Script {
  blobs?: Record<string, Partial<StorageBlob.BlobGetPropertiesResponse>>;
  pages?: Page[];
  error?: unknown;
}

interface Seen {
  /** The container URL and credential of each client a method was called on. */
  clients: Array<{ url: string; credential: unknown }>;
  properties: string[];
  hierarchy: Array<{ delimiter: string; prefix: string | undefined; maxPageSize: number | undefined }>;
  flat: Array<{ prefix: string | undefined; maxPageSize: number | undefined }>;
  pagesRead: number;
}

function fakeContainer(script: Script): Seen {
  const seen: Seen = { clients: [], properties: [], hierarchy: [], flat: [], pagesRead: 0 };
  const proto = sdk.ContainerClient.prototype;
  const note = (client: StorageBlob.ContainerClient) => seen.clients.push({ url: client.url, credential: client.credential });
  const pages = (maxPageSize: number | undefined) => ({
    async *[Symbol.asyncIterator]() {
      for (const page of script.pages ?? [{}]) {
        seen.pagesRead++;
        if (script.error) throw script.error;
        expect((page.blobItems?.length ?? 0) + (page.blobPrefixes?.length ?? 0)).toBeLessThanOrEqual(maxPageSize ?? Infinity);
        yield {
          segment: { blobItems: page.blobItems ?? [], blobPrefixes: (page.blobPrefixes ?? []).map((name) => ({ name })) },
          continuationToken: page.continuationToken,
        };
      }
    },
  });
  vi.spyOn(proto, "getBlobClient").mockImplementation(function (this: StorageBlob.ContainerClient, name: string) {
    note(this);
    return {
      getProperties: async () => {
        seen.properties.push(name);
        if (script.error) throw script.error;
        const found = script.blobs?.[name];
        if (!found) throw headError(404, "BlobNotFound");
        return found;
      },
    } as unknown as StorageBlob.BlobClient;
  });
  vi.spyOn(proto, "listBlobsByHierarchy").mockImplementation(function (
    this: StorageBlob.ContainerClient,
    delimiter: string,
    options?: StorageBlob.ContainerListBlobsOptions,
  ) {
    note(this);
    return {
      byPage: (settings?: { maxPageSize?: number }) => {
        seen.hierarchy.push({ delimiter, prefix: options?.prefix, maxPageSize: settings?.maxPageSize });
        return pages(settings?.maxPageSize);
      },
    } as never;
  });
  vi.spyOn(proto, "listBlobsFlat").mockImplementation(function (this: StorageBlob.ContainerClient, options?: StorageBlob.ContainerListBlobsOptions) {
    note(this);
    return {
      byPage: (settings?: { maxPageSize?: number }) => {
        seen.flat.push({ prefix: options?.prefix, maxPageSize: settings?.maxPageSize });
        return pages(settings?.maxPageSize)[Symbol.asyncIterator]();
      },
    } as never;
  });
  return seen;
}

/** An error as the SDK throws it for a HEAD (getProperties): no body, so no message or code; x-ms-error-code in details. */
function headError(statusCode: number, errorCode?: string): RestError {
  const err = new RestError("", { statusCode });
  if (errorCode) err.details = { errorCode };
  return err;
}
/** An error as the SDK throws it for a listing: the service's XML error body gives code and message. */
const listError = (statusCode: number, code: string, message: string) => new RestError(message, { statusCode, code });

const inspector = () => createBlobInspector(appCredential);
const files = (...names: string[]): Item[] => names.map((name) => ({ name }));
const readError = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a BlobReadError");
    },
    (e: unknown) => e as BlobReadError,
  );

afterEach(() => {
  vi.restoreAllMocks();
});

describe("which container client is used", () => {
  it("an Azure account: the container's URL, read with the app's credential", async () => {
    const seen = fakeContainer({ blobs: { "out/p.csv": {} } });
    await inspector().properties(azure);
    expect(seen.clients).toEqual([{ url: "https://acct1.blob.core.windows.net/data", credential: appCredential }]);
  });

  it("Azurite on loopback: its development account key, never the app's credential", async () => {
    const seen = fakeContainer({});
    await inspector().listFolder(azurite, 10);
    expect(seen.clients).toHaveLength(1);
    expect(seen.clients[0]!.url).toBe("http://127.0.0.1:10000/devstoreaccount1/data");
    expect(seen.clients[0]!.credential).toBeInstanceOf(sdk.StorageSharedKeyCredential);
    expect(seen.clients[0]!.credential).toMatchObject({ accountName: "devstoreaccount1" });
  });

  it("a container name is escaped into the URL", async () => {
    const seen = fakeContainer({});
    await inspector().isFolder({ ...azure, container: "my data" });
    expect(seen.clients[0]!.url).toBe("https://acct1.blob.core.windows.net/my%20data");
  });
});

describe("properties", () => {
  it("an existing blob: its size, last-modified time (ISO) and content type", async () => {
    fakeContainer({ blobs: { "out/p.csv": { contentLength: 15, lastModified: new Date("2026-03-01T10:00:00Z"), contentType: "text/csv" } } });
    expect(await inspector().properties(azure)).toEqual({ sizeBytes: 15, lastModified: "2026-03-01T10:00:00.000Z", contentType: "text/csv" });
  });

  it("what the service leaves out is null", async () => {
    fakeContainer({ blobs: { "out/p.csv": {} } });
    expect(await inspector().properties(azure)).toEqual({ sizeBytes: null, lastModified: null, contentType: null });
  });

  it("a blob that does not exist (404 BlobNotFound) is null", async () => {
    const seen = fakeContainer({});
    expect(await inspector().properties(azure)).toBeNull();
    expect(seen.properties).toEqual(["out/p.csv"]);
    fakeContainer({ error: headError(404) });
    expect(await inspector().properties(azure)).toBeNull();
  });

  // A HEAD answer has no body: the SDK leaves RestError.code undefined and puts x-ms-error-code in details.errorCode.
  it("a blob in a container that does not exist (HEAD 404, x-ms-error-code ContainerNotFound) is a BlobReadError of kind missing, not null", async () => {
    fakeContainer({ error: headError(404, "ContainerNotFound") });
    const err = await readError(inspector().properties(azure));
    expect(err).toBeInstanceOf(BlobReadError);
    expect(err).toMatchObject({ kind: "missing", message: expect.stringContaining("does not exist") });
  });

  it("a HEAD refused with only x-ms-error-code names that code", async () => {
    fakeContainer({ error: headError(403, "AuthorizationPermissionMismatch") });
    expect(await readError(inspector().properties(azure))).toMatchObject({
      kind: "denied",
      message: expect.stringContaining("AuthorizationPermissionMismatch"),
    });
    fakeContainer({ error: headError(500, "InternalError") });
    expect(await readError(inspector().properties(azure))).toMatchObject({ kind: "failed", message: expect.stringMatching(/HTTP 500\): InternalError$/) });
  });

  it("403 is kind denied, naming the status and the role to grant", async () => {
    fakeContainer({ error: headError(403, "AuthorizationPermissionMismatch") });
    const err = await readError(inspector().properties(azure));
    expect(err).toBeInstanceOf(BlobReadError);
    expect(err).toMatchObject({ kind: "denied", name: "BlobReadError" });
    expect(err.message).toMatch(/^the app's identity may not read acct1\/data \(HTTP 403[ )].*; grant it Storage Blob Data Reader on the account$/);
  });

  it("401 is kind denied too", async () => {
    fakeContainer({ error: headError(401) });
    expect(await readError(inspector().properties(azure))).toMatchObject({ kind: "denied", message: expect.stringContaining("(HTTP 401") });
  });

  it("a network error (no status) is kind failed, with its message", async () => {
    fakeContainer({ error: new RestError("getaddrinfo ENOTFOUND acct1.blob.core.windows.net", { code: "ENOTFOUND" }) });
    expect(await readError(inspector().properties(azure))).toMatchObject({
      kind: "failed",
      message: "reading acct1/data failed: getaddrinfo ENOTFOUND acct1.blob.core.windows.net",
    });
  });
});

describe("listFolder", () => {
  it("lists the folder's top level only: a prefix ending in '/', '/' as delimiter, pages of at most the limit", async () => {
    const seen = fakeContainer({ pages: [{ blobItems: files("in/a.csv") }] });
    await inspector().listFolder({ ...azure, path: "in" }, 10);
    await inspector().listFolder({ ...azure, path: "in/" }, 10_000);
    await inspector().listFolder({ ...azure, path: "" }, 10);
    expect(seen.hierarchy).toEqual([
      { delimiter: "/", prefix: "in/", maxPageSize: 10 },
      { delimiter: "/", prefix: "in/", maxPageSize: 5000 },
      { delimiter: "/", prefix: "", maxPageSize: 10 },
    ]);
  });

  it("counts files and nested folders; samples the first five file names", async () => {
    fakeContainer({
      pages: [
        { blobItems: files("in/1.csv", "in/2.csv", "in/3.csv", "in/4.csv"), blobPrefixes: ["in/sub/"], continuationToken: "t1" },
        { blobItems: files("in/5.csv", "in/6.csv", "in/7.csv") },
      ],
    });
    expect(await inspector().listFolder({ ...azure, path: "in/" }, 100)).toEqual({
      fileCount: 7,
      folderCount: 1,
      listed: 8,
      truncated: false,
      sampleFiles: ["in/1.csv", "in/2.csv", "in/3.csv", "in/4.csv", "in/5.csv"],
    });
  });

  it("an ADLS Gen2 directory marker blob (hdi_isfolder) is a folder, not a file", async () => {
    fakeContainer({ pages: [{ blobItems: [{ name: "in/a.csv" }, { name: "in/dir", metadata: { hdi_isfolder: "true" } }] }] });
    expect(await inspector().listFolder({ ...azure, path: "in/" }, 100)).toMatchObject({ fileCount: 1, folderCount: 1, sampleFiles: ["in/a.csv"] });
  });

  it("stops reading pages at the limit: truncated when the service has more", async () => {
    const seen = fakeContainer({
      pages: [
        { blobItems: files("in/1", "in/2"), continuationToken: "t1" },
        { blobItems: files("in/3", "in/4"), continuationToken: "t2" },
        { blobItems: files("in/5") },
      ],
    });
    expect(await inspector().listFolder({ ...azure, path: "in/" }, 2)).toMatchObject({ fileCount: 2, listed: 2, truncated: true });
    expect(seen.pagesRead).toBe(1);
  });

  it("reaching the limit on the last page is not truncated (no continuation token, or an empty one)", async () => {
    fakeContainer({
      pages: [
        { blobItems: files("in/1"), continuationToken: "t1" },
        { blobItems: files("in/2"), continuationToken: "" },
      ],
    });
    expect(await inspector().listFolder({ ...azure, path: "in/" }, 2)).toMatchObject({ fileCount: 2, listed: 2, truncated: false });
    fakeContainer({ pages: [{ blobItems: files("in/1", "in/2") }] });
    expect(await inspector().listFolder({ ...azure, path: "in/" }, 2)).toMatchObject({ listed: 2, truncated: false });
  });

  it("an empty folder: nothing listed", async () => {
    fakeContainer({ pages: [{}] });
    expect(await inspector().listFolder({ ...azure, path: "in/" }, 10)).toEqual({ fileCount: 0, sampleFiles: [], folderCount: 0, listed: 0, truncated: false });
  });

  it("403 is kind denied, naming the status, the service's code and the role to grant", async () => {
    fakeContainer({
      error: listError(403, "AuthorizationPermissionMismatch", "This request is not authorized to perform this operation using this permission."),
    });
    const err = await readError(inspector().listFolder(azure, 10));
    expect(err).toBeInstanceOf(BlobReadError);
    expect(err).toMatchObject({
      kind: "denied",
      message: "the app's identity may not read acct1/data (HTTP 403 AuthorizationPermissionMismatch); grant it Storage Blob Data Reader on the account",
    });
  });

  it("404 ContainerNotFound is kind missing", async () => {
    fakeContainer({ error: listError(404, "ContainerNotFound", "The specified container does not exist.") });
    expect(await readError(inspector().listFolder(azure, 10))).toMatchObject({ kind: "missing", message: "container acct1/data does not exist" });
  });

  it("anything else (another 404, a 503) is kind failed: the status and the first line of the message, secrets removed", async () => {
    fakeContainer({ error: listError(404, "ResourceNotFound", "The specified resource does not exist.") });
    expect(await readError(inspector().listFolder(azure, 10))).toMatchObject({
      kind: "failed",
      message: "reading acct1/data failed (HTTP 404): The specified resource does not exist.",
    });
    fakeContainer({
      error: listError(503, "ServerBusy", "Server busy at https://acct1.blob.core.windows.net/data?restype=container&sig=SECRETSIG\nRequestId:1\nTime:2026"),
    });
    const err = await readError(inspector().listFolder(azure, 10));
    expect(err).toMatchObject({
      kind: "failed",
      message: "reading acct1/data failed (HTTP 503): Server busy at https://acct1.blob.core.windows.net/data?[redacted]",
    });
    expect(err.message).not.toContain("SECRETSIG");
  });
});

describe("isFolder", () => {
  it("asks for one blob under '<path>/'", async () => {
    const seen = fakeContainer({ pages: [{ blobItems: files("out/p.csv/part-0") }] });
    expect(await inspector().isFolder(azure)).toBe(true);
    expect(seen.flat).toEqual([{ prefix: "out/p.csv/", maxPageSize: 1 }]);
  });

  it("nothing under the path: not a folder", async () => {
    fakeContainer({ pages: [{}] });
    expect(await inspector().isFolder(azure)).toBe(false);
    fakeContainer({ pages: [] });
    expect(await inspector().isFolder(azure)).toBe(false);
  });

  it("errors are mapped as for listFolder: 403 denied, ContainerNotFound missing", async () => {
    fakeContainer({ error: listError(403, "AuthorizationFailure", "denied") });
    expect(await readError(inspector().isFolder(azure))).toMatchObject({ kind: "denied" });
    fakeContainer({ error: listError(404, "ContainerNotFound", "no container") });
    expect(await readError(inspector().isFolder(azure))).toMatchObject({ kind: "missing" });
  });
});
