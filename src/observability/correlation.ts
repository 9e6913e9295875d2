/**
 * The caller's correlation id: `x-correlation-id` (checked: a 400 names the header when it is
 * not a plain token), else the trace id of a W3C `traceparent` (an invalid one is ignored, as
 * the W3C spec asks), else none. Carried in the run's input, logged on every line of the run,
 * echoed in the run view.
 */
export type CorrelationResult = { ok: true; correlationId: string | null } | { ok: false; field: string; message: string };

const TOKEN = /^[A-Za-z0-9._:@/+=-]{1,128}$/;
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function correlationOf(header: (name: string) => string | null): CorrelationResult {
  const given = header("x-correlation-id");
  if (given !== null && given.trim() !== "") {
    const id = given.trim();
    if (!TOKEN.test(id)) {
      return { ok: false, field: "x-correlation-id", message: "must be 1–128 characters of letters, digits and . _ : @ / + = -" };
    }
    return { ok: true, correlationId: id };
  }
  const m = TRACEPARENT.exec((header("traceparent") ?? "").trim().toLowerCase());
  // Version ff and all-zero ids are invalid (W3C Trace Context, "traceparent Header").
  if (m && m[1] !== "ff" && !/^0+$/.test(m[2]!) && !/^0+$/.test(m[3]!)) return { ok: true, correlationId: m[2]! };
  return { ok: true, correlationId: null };
}
