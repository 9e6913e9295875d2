import { describe, expect, it } from "vitest";
import { correlationOf } from "../../../src/observability/correlation";

describe("correlationOf", () => {
  const headers = (h: Record<string, string>) => (name: string) => h[name] ?? null;
  it("x-correlation-id wins and is kept as sent", () => {
    expect(correlationOf(headers({ "x-correlation-id": "adf-run:9f1c", traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" }))).toEqual({
      ok: true,
      correlationId: "adf-run:9f1c",
    });
  });
  it("a malformed x-correlation-id names the header", () => {
    expect(correlationOf(headers({ "x-correlation-id": "has space" }))).toMatchObject({ ok: false, field: "x-correlation-id" });
    expect(correlationOf(headers({ "x-correlation-id": "x".repeat(129) }))).toMatchObject({ ok: false });
  });
  it("a W3C traceparent gives its trace id; an invalid one is ignored", () => {
    expect(correlationOf(headers({ traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" }))).toEqual({
      ok: true,
      correlationId: "4bf92f3577b34da6a3ce929d0e0e4736",
    });
    expect(correlationOf(headers({ traceparent: "00-00000000000000000000000000000000-00f067aa0ba902b7-01" }))).toEqual({ ok: true, correlationId: null });
    expect(correlationOf(headers({ traceparent: "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" }))).toEqual({ ok: true, correlationId: null });
    expect(correlationOf(headers({ traceparent: "garbage" }))).toEqual({ ok: true, correlationId: null });
    expect(correlationOf(headers({}))).toEqual({ ok: true, correlationId: null });
  });
});
