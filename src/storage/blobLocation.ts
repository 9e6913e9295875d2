/**
 * Where a blob lives, as the storage SDK needs it, and how each kind of URI gets there. Pure.
 * Only Azure Storage blob hosts (or, with SCORING_ALLOW_LOOPBACK, Azurite on loopback) are ever
 * addressed: the app sends its identity's storage token there, so a user-supplied host is not
 * trusted.
 */
import type { DatastoreInfo } from "../batch/types";

export interface BlobLocation {
  /** `https://<account>.blob.<suffix>` or, for Azurite, `http://127.0.0.1:<port>/<account>`. */
  accountUrl: string;
  accountName: string;
  container: string;
  /** The blob name or folder prefix inside the container ("" = the container's root). */
  path: string;
  loopback: boolean;
}

export type LocationResult = { ok: true; location: BlobLocation } | { ok: false; reason: string };

/** Public-cloud and sovereign-cloud storage suffixes. */
export const STORAGE_SUFFIXES = ["core.windows.net", "core.chinacloudapi.cn", "core.usgovcloudapi.net"];
const ACCOUNT = /^[a-z0-9]{3,24}$/;
const LOOPBACK_ORIGIN = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}$/;

const encodePath = (path: string): string => path.split("/").map(encodeURIComponent).join("/");

/** A malformed escape (`100%`) is kept as written: it names a blob, it is not an error. */
function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The blob's URL without any query (never a SAS: none is ever added). */
export function blobUrlOf(location: BlobLocation): string {
  return `${location.accountUrl}/${encodeURIComponent(location.container)}${location.path === "" ? "" : `/${encodePath(location.path)}`}`;
}

function suffixOk(suffix: string): boolean {
  return STORAGE_SUFFIXES.includes(suffix.toLowerCase());
}

/**
 * A datastore path as a blob location. ADLS Gen2 filesystems are read through the account's
 * blob endpoint (multi-protocol access); Azure Files and Gen1 have none.
 */
export function locationFromDatastore(ds: DatastoreInfo, path: string, allowLoopback: boolean): LocationResult {
  if (ds.datastoreType !== "AzureBlob" && ds.datastoreType !== "AzureDataLakeGen2") {
    return { ok: false, reason: `datastore ${ds.name} is ${ds.datastoreType}, which has no blob endpoint to check` };
  }
  const account = ds.accountName?.toLowerCase() ?? "";
  if (!ds.container) return { ok: false, reason: `datastore ${ds.name} names no container` };
  if (ds.protocol.toLowerCase() === "http") {
    if (!allowLoopback || !LOOPBACK_ORIGIN.test(ds.endpoint)) {
      return { ok: false, reason: `datastore ${ds.name} uses plain http, allowed only for loopback emulators (SCORING_ALLOW_LOOPBACK)` };
    }
    return {
      ok: true,
      location: { accountUrl: `${ds.endpoint}/${ds.accountName}`, accountName: ds.accountName ?? "", container: ds.container, path, loopback: true },
    };
  }
  if (!ACCOUNT.test(account)) return { ok: false, reason: `datastore ${ds.name} names no valid storage account` };
  if (ds.protocol.toLowerCase() !== "https" || !suffixOk(ds.endpoint)) {
    return { ok: false, reason: `datastore ${ds.name} points at ${ds.protocol}://…${ds.endpoint}, not an Azure Storage endpoint` };
  }
  return {
    ok: true,
    location: { accountUrl: `https://${account}.blob.${ds.endpoint.toLowerCase()}`, accountName: account, container: ds.container, path, loopback: false },
  };
}

/** `https://<account>.blob.<suffix>/<container>/<path>`; any other https URL is not ours to check. */
export function locationFromHttps(uri: string): LocationResult {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { ok: false, reason: "not a valid URL" };
  }
  const m = /^([a-z0-9]{3,24})\.blob\.(.+)$/.exec(url.hostname.toLowerCase());
  if (url.protocol !== "https:" || !m || !suffixOk(m[2]!) || url.port !== "") {
    return { ok: false, reason: `${url.hostname} is not an Azure Blob Storage host, so it is not checked` };
  }
  const [container, ...rest] = url.pathname.replace(/^\//, "").split("/").map(decode);
  if (!container) return { ok: false, reason: "the URL names no container" };
  return { ok: true, location: { accountUrl: `https://${m[1]}.blob.${m[2]}`, accountName: m[1]!, container, path: rest.join("/"), loopback: false } };
}

/** `abfss://<filesystem>@<account>.dfs.<suffix>/<path>`, read through the blob endpoint. */
export function locationFromAbfss(uri: string): LocationResult {
  const m = /^abfss:\/\/([^@/]+)@([a-z0-9]{3,24})\.dfs\.([a-z0-9.-]+)(?:\/(.*))?$/i.exec(uri);
  if (!m || !suffixOk(m[3]!)) return { ok: false, reason: "not an abfss URI on an Azure Storage account" };
  const account = m[2]!.toLowerCase();
  return {
    ok: true,
    location: {
      accountUrl: `https://${account}.blob.${m[3]!.toLowerCase()}`,
      accountName: account,
      container: decode(m[1]!),
      path: (m[4] ?? "").split("/").map(decode).join("/"),
      loopback: false,
    },
  };
}
