/** Fault injection: a FIFO of scripted failures, and the ARM error bodies they answer with. */
import type { Fault, FaultKind, FaultStatus, Route } from "./types";

/** ARM-style codes per status, so clients see what the real front ends send. */
const CODES: Record<FaultStatus, string> = {
  400: "BadRequest",
  401: "InvalidAuthenticationToken",
  403: "AuthorizationFailed",
  404: "NotFound",
  408: "RequestTimeout",
  429: "TooManyRequests",
  500: "InternalServerError",
  503: "ServiceUnavailable",
};

export function codeForStatus(status: number): string {
  return CODES[status as FaultStatus] ?? "Error";
}

/** ARM error body; `unwrapped` drops the `error` envelope (Azure ML sometimes answers that way). */
export function armError(code: string, message: string, unwrapped = false): unknown {
  return unwrapped ? { code, message } : { error: { code, message } };
}

interface ActiveFault {
  fault: Fault;
  remaining: number;
}

export class FaultQueue {
  private active: ActiveFault[] = [];

  add(fault: Fault): void {
    if (!Number.isInteger(fault.times) || fault.times < 1) throw new Error("fault.times must be an integer >= 1");
    this.active.push({ fault: { ...fault, match: { ...fault.match } }, remaining: fault.times });
  }

  clear(): void {
    this.active = [];
  }

  get pending(): number {
    return this.active.reduce((n, a) => n + a.remaining, 0);
  }

  /** The first fault (in the order injected) matching this request; consumes one of its `times`. */
  take(route: Route, method: string): FaultKind | null {
    const index = this.active.findIndex((a) => matches(a.fault, route, method));
    if (index < 0) return null;
    const entry = this.active[index]!;
    entry.remaining -= 1;
    if (entry.remaining === 0) this.active.splice(index, 1);
    return entry.fault.kind;
  }
}

function matches(fault: Fault, route: Route, method: string): boolean {
  if (fault.match.route !== "any" && fault.match.route !== route) return false;
  return fault.match.method === undefined || fault.match.method.toUpperCase() === method.toUpperCase();
}
