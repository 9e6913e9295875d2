/**
 * The console's pages live in the URL's fragment (`#/runs?status=Failed`, `#/runs/<id>`,
 * `#/batches/<id>`): the server serves one page, and a link to a run can be shared. A fragment holds
 * filters and ids only, never a key. Pure.
 */
import type { RunStatus } from "./types";

export const runStatuses: readonly RunStatus[] = ["Pending", "Running", "Succeeded", "Failed", "Canceled"];

/** How far back the list looks: the `since` filter's choices. */
export const sinceChoices = { "": "any time", "1h": "the last hour", "24h": "the last 24 hours", "7d": "the last 7 days", "30d": "the last 30 days" } as const;
export type Since = keyof typeof sinceChoices;
const sinceMs: Record<Exclude<Since, "">, number> = { "1h": 3_600_000, "24h": 86_400_000, "7d": 604_800_000, "30d": 2_592_000_000 };

export interface RunFilter {
  statuses: RunStatus[];
  endpoint: string;
  since: Since;
}

export type Route =
  { page: "runs"; filter: RunFilter; token: string | null } | { page: "run"; id: string } | { page: "batch"; id: string; token: string | null };

export const emptyFilter: RunFilter = { statuses: [], endpoint: "", since: "" };

export function parseRoute(hash: string): Route {
  const [path = "", queryText = ""] = hash.replace(/^#/, "").split("?", 2);
  const query = new URLSearchParams(queryText);
  const parts = path.split("/").filter((p) => p !== "");
  if (parts[0] === "runs" && parts.length === 2) return { page: "run", id: decodeURIComponent(parts[1]!) };
  if (parts[0] === "batches" && parts.length === 2) return { page: "batch", id: decodeURIComponent(parts[1]!), token: query.get("page") };
  const statuses = (query.get("status") ?? "").split(",").filter((s): s is RunStatus => (runStatuses as readonly string[]).includes(s));
  const since = query.get("since") ?? "";
  return {
    page: "runs",
    filter: { statuses, endpoint: query.get("endpoint") ?? "", since: since in sinceChoices ? (since as Since) : "" },
    token: query.get("page"),
  };
}

export function formatRoute(route: Route): string {
  switch (route.page) {
    case "run":
      return `#/runs/${encodeURIComponent(route.id)}`;
    case "batch":
      return `#/batches/${encodeURIComponent(route.id)}${route.token ? `?${new URLSearchParams({ page: route.token })}` : ""}`;
    case "runs": {
      const query = new URLSearchParams();
      if (route.filter.statuses.length > 0) query.set("status", route.filter.statuses.join(","));
      if (route.filter.endpoint !== "") query.set("endpoint", route.filter.endpoint);
      if (route.filter.since !== "") query.set("since", route.filter.since);
      if (route.token) query.set("page", route.token);
      const text = query.toString();
      return `#/runs${text ? `?${text}` : ""}`;
    }
  }
}

/** The list API's query for a filter, a page and a size; `since` counts back from `nowMs`. */
export function listQuery(filter: RunFilter, token: string | null, top: number, nowMs: number): string {
  const query = new URLSearchParams({ top: String(top) });
  if (filter.statuses.length > 0) query.set("status", filter.statuses.join(","));
  if (filter.endpoint.trim() !== "") query.set("endpoint", filter.endpoint.trim());
  if (filter.since !== "") query.set("createdAfter", new Date(nowMs - sinceMs[filter.since]).toISOString());
  if (token) query.set("continuationToken", token);
  return query.toString();
}
