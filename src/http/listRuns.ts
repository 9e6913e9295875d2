/** GET /api/scoring-runs?status=&endpoint=&createdAfter=&createdBefore=&top=&continuationToken=: runs, newest first, in pages. */
import { type ErrorDetail, invalidRequestBody } from "./errorBodies";
import { toRunView } from "../runs/runView";
import { runtimeStatusesFor } from "../runs/runtimeStatus";
import type { RunStatus, RunView } from "../runs/types";
import type { RunsClient } from "../runs/durableRuns";
import type { ApiRequest, ApiResponse } from "./types";
import { wholeNumberParam } from "./queryParams";
import { type RunFilter, readRunFilter, runMatches } from "./runFilter";

const runStatuses = Object.keys(runtimeStatusesFor) as RunStatus[];

interface Cursor {
  c: string; // createdAt of the last run on the previous page
  i: string; // its id
}

const newestFirst = (a: RunView, b: RunView) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);
const after = (v: RunView, cur: Cursor) => newestFirst(v, { createdAt: cur.c, id: cur.i } as RunView) > 0;

export async function listScoringRuns(req: ApiRequest, runs: RunsClient): Promise<ApiResponse> {
  const details: ErrorDetail[] = [];
  const statusParam = req.query.get("status");
  const wanted = statusParam ? statusParam.split(",").map((s) => s.trim()) : undefined;
  const unknown = wanted?.filter((s) => !runStatuses.includes(s as RunStatus)) ?? [];
  if (unknown.length > 0) details.push({ field: "status", message: `unknown status ${unknown.join(", ")}; use ${runStatuses.join(", ")}.` });
  const topParam = req.query.get("top");
  const top = topParam === null ? 50 : (wholeNumberParam(topParam, 1, 100) ?? 0);
  if (top === 0) details.push({ field: "top", message: "must be a whole number from 1 to 100." });
  const filter: RunFilter = readRunFilter(req.query, details);
  const cursor = decodeCursor(req.query.get("continuationToken"));
  if (cursor === "invalid") details.push({ field: "continuationToken", message: "is not a token this API returned." });
  if (details.length > 0) return { status: 400, body: invalidRequestBody(details) };

  const runtime = wanted ? [...new Set(wanted.flatMap((s) => runtimeStatusesFor[s as RunStatus]))] : undefined;
  const views = (await runs.list(runtime))
    .map(toRunView)
    .filter((v) => (!wanted || wanted.includes(v.status)) && runMatches(v, filter))
    .sort(newestFirst);
  const start = cursor && cursor !== "invalid" ? views.filter((v) => after(v, cursor)) : views;
  const page = start.slice(0, top);
  const last = page[page.length - 1];
  const more = start.length > top;
  return {
    status: 200,
    headers: { "Content-Type": "application/json" },
    body: { value: page, continuationToken: more && last ? encodeCursor({ c: last.createdAt, i: last.id }) : null },
  };
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

function decodeCursor(token: string | null): Cursor | "invalid" | undefined {
  if (token === null || token === "") return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Partial<Cursor>;
    if (typeof parsed.c === "string" && typeof parsed.i === "string") return { c: parsed.c, i: parsed.i };
  } catch {
    // fall through
  }
  return "invalid";
}
