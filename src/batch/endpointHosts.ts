/**
 * Which endpoint URIs may be called (and so receive a token). Used by request validation (→ 400)
 * and by the client, before any token is acquired.
 */

import type { BatchClientSettings } from "./types";

export type EndpointCheck = { ok: true; url: URL; loopback: boolean } | { ok: false; reason: string };

/** 127.0.0.0/8, localhost and [::1]. */
export function isLoopbackHostname(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || host === "[::1]" || host === "::1") return true;
  const octets = host.split(".");
  return octets.length === 4 && octets[0] === "127" && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}

export function isLoopbackUrl(url: string | URL): boolean {
  try {
    return isLoopbackHostname((typeof url === "string" ? new URL(url) : url).hostname);
  } catch {
    return false;
  }
}

/**
 * Does `hostname` match one pattern? `*.example.com` matches any subdomain at any depth
 * (`a.example.com`, `a.b.example.com`) but not `example.com` itself; any other pattern matches
 * exactly. Case-insensitive; a trailing dot on the host is ignored. A bare `*` matches nothing.
 */
export function hostMatchesPattern(hostname: string, pattern: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  const p = pattern.trim().toLowerCase().replace(/\.$/, "");
  if (p === "" || host === "") return false;
  if (p.startsWith("*.")) {
    const suffix = p.slice(1); // ".example.com"
    return suffix.length > 1 && !suffix.includes("*") && host.endsWith(suffix) && host.length > suffix.length;
  }
  return !p.includes("*") && host === p;
}

/**
 * May this endpoint URI be called? https only; http only for loopback hosts; loopback hosts only
 * with `allowLoopback` (and then no allowlist applies); otherwise the host must match one of
 * `allowedHosts`. No userinfo. Reasons never echo the full URI (it may carry a query).
 */
export function checkEndpointUri(uri: string, config: Pick<BatchClientSettings, "allowedHosts" | "allowLoopback">): EndpointCheck {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { ok: false, reason: "The endpoint URI is not a valid absolute URL." };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return { ok: false, reason: `The endpoint URI must use https (got "${url.protocol}").` };
  }
  if (url.username !== "" || url.password !== "") {
    return { ok: false, reason: "The endpoint URI must not contain user information (user:password@)." };
  }
  const host = url.hostname;
  if (isLoopbackHostname(host)) {
    if (!config.allowLoopback) {
      return {
        ok: false,
        reason: `The endpoint host "${host}" is a loopback address; loopback endpoints need SCORING_ALLOW_LOOPBACK=true (dev and tests only).`,
      };
    }
    return { ok: true, url, loopback: true };
  }
  if (url.protocol !== "https:") {
    return { ok: false, reason: `The endpoint URI must use https (host "${host}").` };
  }
  if (!config.allowedHosts.some((pattern) => hostMatchesPattern(host, pattern))) {
    return {
      ok: false,
      reason:
        config.allowedHosts.length > 0
          ? `The endpoint host "${host}" is not allowed; allowed host patterns: ${config.allowedHosts.join(", ")} (setting SCORING_ALLOWED_HOSTS).`
          : `The endpoint host "${host}" is not allowed: no host is (SCORING_ALLOWED_HOSTS is empty, and AML_ARM_ENDPOINT's cloud names no batch endpoint hosts).`,
    };
  }
  return { ok: true, url, loopback: false };
}

/**
 * May the ARM endpoint (a trusted setting, no allowlist) be called? https, or a loopback host
 * with `allowLoopback` (then no token is sent).
 */
export function checkArmEndpoint(armEndpoint: string, config: Pick<BatchClientSettings, "allowLoopback">): EndpointCheck {
  let url: URL;
  try {
    url = new URL(armEndpoint);
  } catch {
    return { ok: false, reason: "AML_ARM_ENDPOINT is not a valid absolute URL." };
  }
  if (url.username !== "" || url.password !== "") {
    return { ok: false, reason: "AML_ARM_ENDPOINT must not contain user information." };
  }
  if (url.search !== "" || url.hash !== "") {
    return { ok: false, reason: "AML_ARM_ENDPOINT must not contain a query or fragment." };
  }
  if (isLoopbackHostname(url.hostname)) {
    if (!config.allowLoopback) {
      return { ok: false, reason: `AML_ARM_ENDPOINT host "${url.hostname}" is loopback; that needs SCORING_ALLOW_LOOPBACK=true.` };
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return { ok: false, reason: `AML_ARM_ENDPOINT must use http or https (got "${url.protocol}").` };
    }
    return { ok: true, url, loopback: true };
  }
  if (url.protocol !== "https:") {
    return { ok: false, reason: `AML_ARM_ENDPOINT must use https (host "${url.hostname}").` };
  }
  return { ok: true, url, loopback: false };
}
