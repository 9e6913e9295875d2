/**
 * Names in Azure ML resource paths, and the batch endpoint a scoring URI names. Pure, with no SDK
 * behind it: the HTTP routes use it when the app loads, before any client exists.
 */
import { isLoopbackHostname } from "./endpointHosts";

/** Endpoint, deployment and component names: what Azure ML allows, and nothing that could change the path. */
export const ARM_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;

/**
 * The batch endpoint a scoring URI names: the first DNS label of its host
 * (`https://<endpoint>.<region>.inference.ml.azure.com/jobs`). A loopback URI (dev and tests, only
 * with SCORING_ALLOW_LOOPBACK) has no name in its host, so there it is the path segment before
 * `/jobs` (`http://127.0.0.1:<port>/…/<endpoint>/jobs`). Null when there is none. The caller
 * compares the endpoint's own `scoringUri` with the URI before trusting the name.
 */
export function batchEndpointNameOf(scoringUri: string): string | null {
  let url: URL;
  try {
    url = new URL(scoringUri);
  } catch {
    return null;
  }
  const name = isLoopbackHostname(url.hostname)
    ? url.pathname
        .split("/")
        .filter((s) => s !== "")
        .at(-2)
    : url.hostname.includes(".")
      ? url.hostname.split(".")[0]
      : undefined;
  return name !== undefined && ARM_NAME.test(name) ? name : null;
}
