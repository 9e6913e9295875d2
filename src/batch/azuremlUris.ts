/**
 * Azure ML input/output URIs: what a scoring run may read and write. Pure string checks,
 * no I/O (whether the datastore exists or the output is free is the pre-flight's business).
 *
 * Inputs: datastore paths (short and workspace-qualified long form), data assets
 * (`azureml:<name>:<version>`, `azureml:<name>@latest`), any `https://` URL without a SAS
 * token or credentials, and `abfss://<fs>@<account>.dfs.<suffix>/<path>`. Rejected: `http://`
 * (not encrypted), `wasb(s)://` (legacy driver syntax: use the https blob URL or a datastore),
 * every other scheme. Output: only the short datastore form, naming a file.
 */

export type InputUriKind = "datastore" | "data_asset" | "data_asset_id" | "https" | "abfss";

export type UriCheck<T extends object> = ({ ok: true } & T) | { ok: false; reason: string };

export interface DatastoreUri {
  datastore: string;
  /** The path after `/paths/`, as written (may be empty or end with `/` for folders). */
  path: string;
  /** Set for the long form `azureml://subscriptions/<s>/resourcegroups/<rg>/workspaces/<ws>/datastores/...`. */
  workspace: { subscriptionId: string; resourceGroup: string; workspace: string } | null;
}

const SHORT_DATASTORE = /^azureml:\/\/datastores\/([^/]+)\/paths\/(.*)$/i;
const LONG_DATASTORE = /^azureml:\/\/subscriptions\/([^/]+)\/resourcegroups\/([^/]+)\/workspaces\/([^/]+)\/datastores\/([^/]+)\/paths\/(.*)$/i;
const DATASTORE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,254}$/;
const DATA_ASSET = /^azureml:([A-Za-z0-9_][A-Za-z0-9_.-]{0,254})(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,99})|@(latest))$/i;
const DATA_ASSET_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.MachineLearningServices\/workspaces\/([^/]+)\/data\/([A-Za-z0-9_][A-Za-z0-9_.-]{0,254})\/versions\/([A-Za-z0-9_][A-Za-z0-9_.-]{0,99})$/i;
const ABFSS = /^abfss:\/\/([^@/]+)@([a-z0-9]{3,24})\.dfs\.([a-z0-9.-]+)(?::\d+)?(\/.*)?$/i;
/** Whitespace and control characters: never valid in a URI we pass on. */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
export const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f]/;
/** A SAS signature anywhere in a query string. */
/** A SAS signature anywhere after the path: in the query or fragment, `&` or `;` separated, percent-encoded or not. */
const SAS_SIGNATURE = /(^|[?&;#])sig=/i;

function carriesSas(uri: string): boolean {
  const tail = uri.slice(Math.max(0, Math.min(...["?", "#", ";"].map((c) => (uri.includes(c) ? uri.indexOf(c) : uri.length)))));
  let decoded = tail;
  try {
    decoded = decodeURIComponent(tail);
  } catch {
    // keep the raw text: a malformed escape is checked as written
  }
  return SAS_SIGNATURE.test(tail) || SAS_SIGNATURE.test(decoded);
}

export const ACCEPTED_INPUT_FORMS =
  "azureml://datastores/<datastore>/paths/<path>, azureml:<asset>:<version>, azureml:<asset>@latest, " +
  "a data asset's ARM id (/subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<ws>/data/<asset>/versions/<v>), " +
  "https://<account>.blob.core.windows.net/<container>/<path> or abfss://<filesystem>@<account>.dfs.core.windows.net/<path>";

export const OUTPUT_FORM = "azureml://datastores/<datastore>/paths/<file>";
export const OUTPUT_FOLDER_FORM = "azureml://datastores/<datastore>/paths/<folder>/";

/**
 * Splits an Azure ML datastore URI (short or long form) into datastore and path; null when the
 * string is not one (wrong prefix, bad datastore name, whitespace).
 */
export function parseDatastoreUri(uri: string): DatastoreUri | null {
  if (WHITESPACE_OR_CONTROL.test(uri)) return null;
  const short = SHORT_DATASTORE.exec(uri);
  if (short) {
    const datastore = short[1]!;
    return DATASTORE_NAME.test(datastore) ? { datastore, path: short[2]!, workspace: null } : null;
  }
  const long = LONG_DATASTORE.exec(uri);
  if (long) {
    const datastore = long[4]!;
    if (!DATASTORE_NAME.test(datastore)) return null;
    return {
      datastore,
      path: long[5]!,
      workspace: { subscriptionId: long[1]!, resourceGroup: long[2]!, workspace: long[3]! },
    };
  }
  return null;
}

/** A data asset named the short way: `azureml:<name>:<version>`, or `azureml:<name>@latest` (version null). */
export function parseDataAssetReference(uri: string): { name: string; version: string | null } | null {
  const m = DATA_ASSET.exec(uri);
  return m ? { name: m[1]!, version: m[2] ?? null } : null;
}

/** A data asset version's ARM id: what the batch invoke takes for a data asset input. */
export function parseDataAssetId(
  uri: string,
): { workspace: { subscriptionId: string; resourceGroup: string; workspace: string }; name: string; version: string } | null {
  const m = DATA_ASSET_ID.exec(uri);
  return m ? { workspace: { subscriptionId: m[1]!, resourceGroup: m[2]!, workspace: m[3]! }, name: m[4]!, version: m[5]! } : null;
}

/**
 * The ARM id of a data asset version in a workspace. Azure ML takes data assets at invoke only as
 * ARM ids; the SDK turns `azureml:<name>:<version>` into this on the client
 * (docs/azure-behaviour.md#data-assets).
 */
export function dataAssetId(workspaceId: string, name: string, version: string): string {
  return `${workspaceId.replace(/\/+$/, "")}/data/${name}/versions/${version}`;
}

/**
 * Whether two output URIs name the same place: datastore names compare without case (ARM names
 * do), paths exactly after decoding; anything else as written.
 */
export function sameDatastoreLocation(a: string, b: string): boolean {
  const pa = parseDatastoreUri(a);
  const pb = parseDatastoreUri(b);
  if (!pa || !pb) return a === b;
  const path = (p: string) => {
    try {
      return decodeURIComponent(p).replace(/^\/+/, "");
    } catch {
      return p.replace(/^\/+/, "");
    }
  };
  return pa.datastore.toLowerCase() === pb.datastore.toLowerCase() && path(pa.path) === path(pb.path);
}

/** Problems with a datastore path's segments: empty (`a//b`, leading `/`) or `.`/`..`. */
function pathSegmentProblem(path: string, allowTrailingSlash: boolean): string | null {
  const body = allowTrailingSlash && path.endsWith("/") ? path.slice(0, -1) : path;
  if (body === "") return null;
  for (const segment of body.split("/")) {
    if (segment === "") return "must not contain empty path segments ('//' or a leading '/')";
    if (segment === "." || segment === "..") return "must not contain '.' or '..' path segments";
  }
  return null;
}

function commonProblem(uri: string): string | null {
  if (uri === "") return "must not be empty";
  if (WHITESPACE_OR_CONTROL.test(uri)) return "must not contain whitespace or control characters";
  if (carriesSas(uri)) {
    return (
      "must not carry a SAS token (sig=...): run state is never allowed to hold secrets; " +
      "grant the workspace identity access to the data or use a datastore path"
    );
  }
  return null;
}

/** Which kind of Azure ML input a URI is, or why it cannot be one. */
export function classifyInputUri(uri: string): UriCheck<{ kind: InputUriKind }> {
  const common = commonProblem(uri);
  if (common) return { ok: false, reason: common };
  const lower = uri.toLowerCase();

  if (lower.startsWith("azureml://")) {
    if (!lower.startsWith("azureml://datastores/") && !lower.startsWith("azureml://subscriptions/")) {
      return { ok: false, reason: `is not a supported azureml:// URI; use one of ${ACCEPTED_INPUT_FORMS}` };
    }
    const parsed = parseDatastoreUri(uri);
    if (!parsed) {
      return {
        ok: false,
        reason: "is not a valid datastore URI; expected azureml://datastores/<datastore>/paths/<path> " + "(datastore names use letters, digits, '_' and '-')",
      };
    }
    const segments = pathSegmentProblem(parsed.path, true);
    if (segments) return { ok: false, reason: segments };
    return { ok: true, kind: "datastore" };
  }

  if (lower.startsWith("azureml:")) {
    if (!DATA_ASSET.test(uri)) {
      return {
        ok: false,
        reason: "is not a valid data asset reference; expected azureml:<name>:<version> or azureml:<name>@latest",
      };
    }
    return { ok: true, kind: "data_asset" };
  }

  if (uri.startsWith("/subscriptions/") || uri.startsWith("/Subscriptions/")) {
    if (!DATA_ASSET_ID.test(uri)) {
      return {
        ok: false,
        reason:
          "is not a data asset ARM id; expected /subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.MachineLearningServices/workspaces/<ws>/data/<name>/versions/<version>",
      };
    }
    return { ok: true, kind: "data_asset_id" };
  }

  if (lower.startsWith("https://")) {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return { ok: false, reason: "is not a valid https URL" };
    }
    if (url.hostname === "") return { ok: false, reason: "is not a valid https URL (no host)" };
    if (url.username !== "" || url.password !== "") {
      return { ok: false, reason: "must not carry credentials (user:password@): run state never holds secrets" };
    }
    return { ok: true, kind: "https" };
  }

  if (lower.startsWith("abfss://")) {
    const m = ABFSS.exec(uri);
    if (!m) {
      return {
        ok: false,
        reason: "is not a valid abfss URI; expected abfss://<filesystem>@<account>.dfs.core.windows.net/<path>",
      };
    }
    return { ok: true, kind: "abfss" };
  }

  if (lower.startsWith("http://")) {
    return { ok: false, reason: `must use https, not http; accepted forms: ${ACCEPTED_INPUT_FORMS}` };
  }
  if (lower.startsWith("wasbs://") || lower.startsWith("wasb://")) {
    return {
      ok: false,
      reason:
        "wasb(s):// URIs are not accepted; use https://<account>.blob.core.windows.net/<container>/<path> " +
        "or azureml://datastores/<datastore>/paths/<path>",
    };
  }
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri);
  if (scheme) {
    return { ok: false, reason: `uses the unsupported scheme '${scheme[1]}:'; accepted forms: ${ACCEPTED_INPUT_FORMS}` };
  }
  return { ok: false, reason: `is not a URI; accepted forms: ${ACCEPTED_INPUT_FORMS}` };
}

/**
 * The output URI: `azureml://datastores/<ds>/paths/<file>` naming a file (Azure ML writes a
 * UriFile output there), or with `folder`, `.../paths/<folder>/` (a UriFolder output). Empty
 * paths, a file where a folder is wanted (or the reverse) and other URI kinds are refused.
 */
export function checkOutputUri(uri: string, kind: "file" | "folder" = "file"): UriCheck<{ datastore: string; path: string }> {
  if (kind === "folder") return checkOutputFolderUri(uri);
  const common = commonProblem(uri);
  if (common) return { ok: false, reason: common };
  const parsed = parseDatastoreUri(uri);
  if (!parsed) {
    return { ok: false, reason: `must be an Azure ML datastore path ${OUTPUT_FORM}` };
  }
  if (parsed.workspace) {
    return {
      ok: false,
      reason: `must use the short datastore form ${OUTPUT_FORM} (the job writes to its own workspace)`,
    };
  }
  if (parsed.path === "") {
    return { ok: false, reason: `must name a file after /paths/, e.g. azureml://datastores/${parsed.datastore}/paths/predictions.csv` };
  }
  if (parsed.path.endsWith("/")) {
    return {
      ok: false,
      reason: "names a folder (ends with '/'), but the output's type is uri_file: name a file (e.g. .../paths/scores/predictions.csv) or set type uri_folder",
    };
  }
  const segments = pathSegmentProblem(parsed.path, false);
  if (segments) return { ok: false, reason: segments };
  return { ok: true, datastore: parsed.datastore, path: parsed.path };
}

function checkOutputFolderUri(uri: string): UriCheck<{ datastore: string; path: string }> {
  const common = commonProblem(uri);
  if (common) return { ok: false, reason: common };
  const parsed = parseDatastoreUri(uri);
  if (!parsed) return { ok: false, reason: `must be an Azure ML datastore folder path ${OUTPUT_FOLDER_FORM}` };
  if (parsed.workspace) {
    return { ok: false, reason: `must use the short datastore form ${OUTPUT_FOLDER_FORM} (the job writes to its own workspace)` };
  }
  if (parsed.path === "" || parsed.path === "/") {
    return { ok: false, reason: `must name a folder after /paths/, e.g. azureml://datastores/${parsed.datastore}/paths/scores/` };
  }
  const segments = pathSegmentProblem(parsed.path, true);
  if (segments) return { ok: false, reason: segments };
  return { ok: true, datastore: parsed.datastore, path: parsed.path.endsWith("/") ? parsed.path : `${parsed.path}/` };
}
