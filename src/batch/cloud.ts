/**
 * Which token audiences and endpoint hosts belong to the cloud an ARM endpoint is in. Azure ML's
 * data plane (the batch invoke) and ARM take tokens for different audiences, and both differ per
 * sovereign cloud: management.azure.com pairs with ml.azure.com, management.usgovcloudapi.net
 * with ml.azure.us and management.chinacloudapi.cn with ml.azure.cn, and ARM is asked for
 * `<resource manager>/.default` (docs/azure-behaviour.md#token-audiences-per-cloud).
 * For any other cloud no Azure ML audience is guessed: the setting must name it.
 */
export interface CloudAudiences {
  /** ARM's token audience (scope = audience + `/.default`). */
  armAudience: string;
  /** Azure ML's data-plane audience, null when the cloud is not known. */
  mlAudience: string | null;
  /** The batch endpoints' host pattern in this cloud, null when not known. */
  inferenceHosts: string | null;
}

const knownClouds: Record<string, { ml: string; inference: string }> = {
  "management.azure.com": { ml: "https://ml.azure.com", inference: "*.inference.ml.azure.com" },
  "management.usgovcloudapi.net": { ml: "https://ml.azure.us", inference: "*.inference.ml.azure.us" },
  "management.chinacloudapi.cn": { ml: "https://ml.azure.cn", inference: "*.inference.ml.azure.cn" },
};

export function cloudOf(armEndpoint: string): CloudAudiences {
  let url: URL;
  try {
    url = new URL(armEndpoint);
  } catch {
    return { armAudience: armEndpoint, mlAudience: null, inferenceHosts: null };
  }
  const known = knownClouds[url.hostname.toLowerCase()];
  return { armAudience: `${url.protocol}//${url.hostname.toLowerCase()}`, mlAudience: known?.ml ?? null, inferenceHosts: known?.inference ?? null };
}

/** A token scope for an audience. */
export function scopeOf(audience: string): string {
  return `${audience.replace(/\/+$/, "")}/.default`;
}
