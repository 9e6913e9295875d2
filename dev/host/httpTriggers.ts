/** HTTP triggers: route templates matched as the Functions host does, and request/response conversion. */
import { HttpRequest, HttpResponse, type HttpResponseInit } from "@azure/functions";
import type { RegisteredFunction } from "./functionsCore";

export interface RouteMatch {
  fn: RegisteredFunction;
  params: Record<string, string>;
}

interface Segment {
  literal?: string;
  param?: string;
  optional?: boolean;
}

function parseTemplate(template: string): Segment[] {
  return template
    .split("/")
    .filter((s) => s !== "")
    .map((s) => {
      const m = /^\{(\*?)([A-Za-z0-9_]+)(?::[^}?]*)?(\?)?\}$/.exec(s);
      return m ? { param: m[2], optional: m[3] === "?" } : { literal: s.toLowerCase() };
    });
}

/** A malformed escape (`%zz`) stays as written, as ASP.NET routing leaves it, instead of failing the request. */
function decodeSegment(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

function matchTemplate(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const part = parts[i];
    if (part === undefined) {
      if (seg.optional) continue;
      return undefined;
    }
    if (seg.literal !== undefined) {
      if (seg.literal !== part.toLowerCase()) return undefined;
    } else {
      params[seg.param as string] = decodeSegment(part);
    }
  }
  return parts.length <= segments.length ? params : undefined;
}

/** Picks the function whose route matches; literal segments beat parameters, as in ASP.NET routing. */
export function matchHttpRoute(functions: Iterable<RegisteredFunction>, method: string, routePath: string): RouteMatch | "methodNotAllowed" | undefined {
  const parts = routePath.split("/").filter((s) => s !== "");
  let best: { match: RouteMatch; score: number } | undefined;
  let pathMatched = false;
  for (const fn of functions) {
    if (fn.trigger.type !== "httpTrigger") continue;
    const segments = parseTemplate(fn.trigger.route ?? fn.name);
    const params = matchTemplate(segments, parts);
    if (!params) continue;
    pathMatched = true;
    const methods = (fn.trigger.methods ?? ["GET", "POST"]).map((m) => m.toUpperCase());
    if (!methods.includes(method)) continue;
    const score = segments.filter((s) => s.literal !== undefined).length * 100 - segments.length;
    if (!best || score > best.score) best = { match: { fn, params }, score };
  }
  if (best) return best.match;
  return pathMatched ? "methodNotAllowed" : undefined;
}

export function toHttpRequest(method: string, url: URL, headers: Record<string, string>, body: string, params: Record<string, string>): HttpRequest {
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = v;
  return new HttpRequest({
    method,
    url: url.toString(),
    headers,
    query,
    params,
    body: body === "" ? undefined : { string: body },
  });
}

export interface PlainResponse {
  status: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

export async function fromHandlerResult(result: unknown): Promise<PlainResponse> {
  if (result === undefined || result === null) return { status: 204, headers: [], body: Buffer.alloc(0) };
  const response = result instanceof HttpResponse ? result : new HttpResponse(result as HttpResponseInit);
  const headers: Array<[string, string]> = [];
  response.headers.forEach((value, key) => headers.push([key, value]));
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers, body };
}
