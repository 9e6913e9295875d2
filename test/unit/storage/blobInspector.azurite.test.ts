/**
 * The blob inspector against a real Azurite: what the storage service itself answers (paging,
 * its 404 codes, names that need escaping). The decisions made on those answers are in
 * blobInspector.test.ts, with a fake container client.
 */
import { describe, expect, it } from "vitest";
import { type BlobLocation, blobUrlOf, locationFromDatastore } from "../../../src/storage/blobLocation";
import { BlobReadError, createBlobInspector } from "../../../src/storage/blobInspector";
import { CSV_BYTES, throwingCredential, upload, useAzurite } from "../../fixtures/azurite";

const az = useAzurite();
const inspector = () => createBlobInspector(throwingCredential);

/** A location at `path` in a fresh container holding `names`. */
async function locationIn(names: string[], path: string): Promise<BlobLocation> {
  const container = await az.container();
  await upload(container, names);
  const location = locationFromDatastore(az.datastore("ds", container.containerName), path, true);
  if (!location.ok) throw new Error(location.reason);
  return location.location;
}

describe("listFolder on Azurite: the bound", () => {
  const names = (n: number) => Array.from({ length: n }, (_, i) => `in/f${i}.csv`);

  it("stops at the limit and says the listing was truncated", async () => {
    const listing = await inspector().listFolder(await locationIn(names(7), "in/"), 3);
    expect(listing.truncated).toBe(true);
    expect(listing.listed).toBeGreaterThanOrEqual(3);
    expect(listing.listed).toBeLessThan(7);
    expect(listing.sampleFiles.length).toBeLessThanOrEqual(5);
  });

  it("exactly the limit, with nothing after: not truncated", async () => {
    expect(await inspector().listFolder(await locationIn(names(3), "in/"), 3)).toMatchObject({ fileCount: 3, listed: 3, truncated: false });
  });

  it("sample file names are full blob names, percent-free", async () => {
    const location = await locationIn(["in/my file#1.csv"], "in/");
    const listing = await inspector().listFolder(location, 10);
    expect(listing.sampleFiles).toEqual(["in/my file#1.csv"]);
    expect(blobUrlOf({ ...location, path: listing.sampleFiles[0]! })).toMatch(/\/in\/my%20file%231\.csv$/);
  });
});

describe("what Azurite's answers become", () => {
  it("an existing blob: its size and content type; a missing blob in an existing container: null", async () => {
    const location = await locationIn(["out/p.csv"], "out/p.csv");
    expect(await inspector().properties(location)).toMatchObject({
      sizeBytes: CSV_BYTES,
      contentType: "text/csv",
      lastModified: expect.stringMatching(/^20\d\d-/),
    });
    expect(await inspector().properties({ ...location, path: "out/none.csv" })).toBeNull();
  });

  it("a container that does not exist: listing it, or looking for a folder in it, is a BlobReadError of kind missing", async () => {
    const location = { ...(await locationIn([], "out/")), container: "no-such-container" };
    for (const read of [() => inspector().listFolder(location, 10), () => inspector().isFolder(location)]) {
      const err = await read().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BlobReadError);
      expect(err).toMatchObject({ kind: "missing", message: expect.stringContaining("no-such-container does not exist") });
    }
  });

  it("properties() of a blob in a container that does not exist is a BlobReadError of kind missing, not null", async () => {
    const location = { ...(await locationIn([], "out/")), container: "no-such-container", path: "out/p.csv" };
    const err = await inspector()
      .properties(location)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BlobReadError);
    expect(err).toMatchObject({ kind: "missing", message: expect.stringContaining("no-such-container does not exist") });
  });

  it("isFolder: true when blobs lie under the path, false for a file or nothing", async () => {
    const location = await locationIn(["out/run1/part-0.csv", "out/p.csv"], "out/run1");
    expect(await inspector().isFolder(location)).toBe(true);
    expect(await inspector().isFolder({ ...location, path: "out/p.csv" })).toBe(false);
    expect(await inspector().isFolder({ ...location, path: "out/none" })).toBe(false);
  });
});
