/**
 * What stands between Data Factory and the app in Azure, for the runner's `fetch`: the Functions
 * host's key check (the dev host, like `func start`, accepts calls without a key) and injected
 * transient faults.
 */

export interface AppGate {
  fetch: typeof fetch;
  /** Answers the next `count` requests matching `when` with 503; `afterForwarding` lets the app process them first (a lost answer). */
  failNext(count: number, when: (method: string, url: URL) => boolean, opts?: { afterForwarding?: boolean }): void;
}

/**
 * authLevel "function" routes answer 401 unless the request carries the key, as the
 * `x-functions-key` header or the `code` query parameter.
 */
export function appGate(appBaseUrl: string, functionKey: string): AppGate {
  const appOrigin = new URL(appBaseUrl).origin;
  const faults: Array<{ left: number; when: (method: string, url: URL) => boolean; afterForwarding: boolean }> = [];
  const unavailable = () => new Response(JSON.stringify({ error: { code: "ServiceUnavailable", message: "injected" } }), { status: 503 });
  const gated: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.origin !== appOrigin || !url.pathname.startsWith("/api/")) return fetch(input, init);
    const given = new Headers(init?.headers).get("x-functions-key") ?? url.searchParams.get("code");
    if (given !== functionKey) return new Response("", { status: 401 });
    const method = (init?.method ?? "GET").toUpperCase();
    const fault = faults.find((f) => f.left > 0 && f.when(method, url));
    if (fault) fault.left -= 1;
    if (fault && !fault.afterForwarding) return unavailable();
    const res = await fetch(input, init);
    if (!fault) return res;
    await res.arrayBuffer();
    return unavailable();
  };
  return {
    fetch: gated,
    failNext(count, when, opts = {}) {
      faults.push({ left: count, when, afterForwarding: opts.afterForwarding ?? false });
    },
  };
}
