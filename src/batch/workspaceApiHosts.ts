/**
 * Which hosts may serve a workspace's regional API (Run History) and its discovery document, per
 * cloud. The workspace tells where its API is (ARM Workspaces Get `properties.discoveryUrl`, then
 * the discovery document's `api`), and the app sends its ARM token there: so the answer is trusted
 * only on Azure ML's own hosts of the ARM endpoint's cloud — `<region>.api.azureml.ms` in public
 * Azure, `<region>.api.ml.azure.us` in US Government, `<region>.api.ml.azure.cn` in China — or, with
 * SCORING_ALLOW_LOOPBACK, on loopback (no token is sent there) (docs/azure-behaviour.md#batch-job-logs).
 * Any other cloud has no known hosts: its logs are not read.
 */
import { hostMatchesPattern, isLoopbackHostname, type EndpointCheck } from "./endpointHosts";
import type { BatchClientSettings } from "./types";

interface WorkspaceApiHosts {
  /** Hosts of the regional API: they receive the ARM token. */
  api: string[];
  /** Hosts a discovery document may be fetched from (no token is sent). */
  discovery: string[];
}

const knownClouds: Record<string, WorkspaceApiHosts> = {
  // Learn's REST how-to shows both a `*.api.azureml.ms` and an older `*.experiments.azureml.net` discovery URL.
  "management.azure.com": { api: ["*.api.azureml.ms"], discovery: ["*.api.azureml.ms", "*.experiments.azureml.net"] },
  "management.usgovcloudapi.net": { api: ["*.api.ml.azure.us"], discovery: ["*.api.ml.azure.us"] },
  "management.chinacloudapi.cn": { api: ["*.api.ml.azure.cn"], discovery: ["*.api.ml.azure.cn"] },
};

/** The workspace API hosts of the ARM endpoint's cloud; null when the cloud is not known. */
export function workspaceApiHostsOf(armEndpoint: string): WorkspaceApiHosts | null {
  try {
    return knownClouds[new URL(armEndpoint).hostname.toLowerCase()] ?? null;
  } catch {
    return null;
  }
}

/**
 * May this workspace API (or discovery) URL be called? https on one of the cloud's hosts, or a
 * loopback URL with `allowLoopback`. No userinfo, query or fragment.
 */
export function checkWorkspaceApiUrl(
  url: string,
  config: Pick<BatchClientSettings, "armEndpoint" | "allowLoopback">,
  purpose: keyof WorkspaceApiHosts,
): EndpointCheck {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: `the workspace's ${purpose} URL is not a valid absolute URL` };
  }
  if (parsed.username !== "" || parsed.password !== "" || parsed.search !== "" || parsed.hash !== "") {
    return { ok: false, reason: `the workspace's ${purpose} URL carries user information, a query or a fragment` };
  }
  const host = parsed.hostname;
  if (isLoopbackHostname(host)) {
    if (!config.allowLoopback) return { ok: false, reason: `the workspace's ${purpose} host "${host}" is loopback, allowed only with SCORING_ALLOW_LOOPBACK` };
    return parsed.protocol === "http:" || parsed.protocol === "https:"
      ? { ok: true, url: parsed, loopback: true }
      : { ok: false, reason: `the workspace's ${purpose} URL must use http or https` };
  }
  if (parsed.protocol !== "https:") return { ok: false, reason: `the workspace's ${purpose} URL must use https (host "${host}")` };
  const hosts = workspaceApiHostsOf(config.armEndpoint);
  if (!hosts) return { ok: false, reason: `no Azure ML API host is known for the cloud of AML_ARM_ENDPOINT, so "${host}" is not called` };
  if (!hosts[purpose].some((pattern) => hostMatchesPattern(host, pattern))) {
    return { ok: false, reason: `the workspace's ${purpose} host "${host}" is not an Azure ML host of this cloud (${hosts[purpose].join(", ")})` };
  }
  return { ok: true, url: parsed, loopback: false };
}
