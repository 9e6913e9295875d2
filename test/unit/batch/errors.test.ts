import { describe, expect, it } from "vitest";
import { RestError, createHttpHeaders } from "@azure/core-rest-pipeline";
import { BatchEndpointError, parseErrorResponse, retryAfterSecondsFrom, toErrorInfo } from "../../../src/batch";

describe("parseErrorResponse", () => {
  it("reads the ARM-wrapped shape with details", () => {
    const err = parseErrorResponse(
      400,
      { "x-ms-request-id": "abc" },
      JSON.stringify({ error: { code: "UserError", message: "Bad input.", details: [{ code: "D1", message: "first" }, { code: "D2" }] } }),
    );
    expect(err).toBeInstanceOf(BatchEndpointError);
    expect(err.code).toBe("UserError");
    expect(err.message).toBe("HTTP 400 UserError: Bad input. (details: first; D2)");
    expect(err.httpStatus).toBe(400);
    expect(err.retryable).toBe(false);
    expect(err.requestId).toBe("abc");
    expect(err.retryAfterSeconds).toBeNull();
  });

  it("reads the unwrapped shape, with a context prefix", () => {
    const err = parseErrorResponse(409, createHttpHeaders(), '{"code":"Conflict","message":"Busy."}', { context: "Cancel job j" });
    expect(err.code).toBe("Conflict");
    expect(err.message).toBe("Cancel job j failed: HTTP 409 Conflict: Busy.");
  });

  it("handles non-JSON and empty bodies by status", () => {
    expect(parseErrorResponse(502, {}, "<html>Bad gateway</html>").code).toBe("BadGateway");
    expect(parseErrorResponse(502, {}, "<html>Bad gateway</html>").message).toContain("<html>Bad gateway</html>");
    expect(parseErrorResponse(404, {}, "").code).toBe("NotFound");
    expect(parseErrorResponse(404, {}, undefined).message).toContain("no error details");
    expect(parseErrorResponse(418, {}, "").code).toBe("HttpError418");
  });

  it.each([
    [400, "BadRequest", false],
    [401, "AuthorizationFailed", false],
    [403, "AuthorizationFailed", false],
    [404, "NotFound", false],
    [409, "Conflict", false],
    [408, "RequestTimeout", true],
    [429, "TooManyRequests", true],
    [500, "InternalServerError", true],
    [502, "BadGateway", true],
    [503, "ServiceUnavailable", true],
    [504, "GatewayTimeout", true],
  ])("HTTP %i → %s, retryable %s", (status, code, retryable) => {
    const err = parseErrorResponse(status, {}, "");
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(retryable);
  });

  it("keeps the service's code over the status default", () => {
    expect(parseErrorResponse(401, {}, '{"error":{"code":"InvalidAuthenticationToken","message":"expired"}}').code).toBe("InvalidAuthenticationToken");
  });

  it("never echoes SAS signatures, keys or bearer tokens from a body", () => {
    const body = JSON.stringify({
      error: {
        code: "AuthorizationPermissionMismatch",
        message: "Cannot read https://acct.blob.core.windows.net/c/in.csv?sv=2022-11-02&sig=SIGSECRET and key=KEYSECRET; Authorization: Bearer TOKENSECRET",
      },
    });
    const err = parseErrorResponse(403, {}, body);
    expect(err.message).toContain("https://acct.blob.core.windows.net/c/in.csv?[redacted]");
    for (const secret of ["SIGSECRET", "KEYSECRET", "TOKENSECRET"]) expect(err.message).not.toContain(secret);
  });

  it("reads Retry-After", () => {
    expect(parseErrorResponse(429, { "Retry-After": "7" }, "").retryAfterSeconds).toBe(7);
  });
});

describe("retryAfterSecondsFrom", () => {
  it("reads seconds, HTTP-dates and millisecond headers", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterSecondsFrom({ "retry-after": "30" }, now)).toBe(30);
    expect(retryAfterSecondsFrom({ "Retry-After": "Thu, 01 Jan 2026 00:01:30 GMT" }, now)).toBe(90);
    expect(retryAfterSecondsFrom({ "Retry-After": "Wed, 31 Dec 2025 00:00:00 GMT" }, now)).toBe(0);
    expect(retryAfterSecondsFrom({ "retry-after-ms": "1500" }, now)).toBe(2);
    expect(retryAfterSecondsFrom(createHttpHeaders({ "x-ms-retry-after-ms": "250" }), now)).toBe(1);
    expect(retryAfterSecondsFrom({}, now)).toBeNull();
    expect(retryAfterSecondsFrom({ "Retry-After": "soon" }, now)).toBeNull();
  });
});

describe("toErrorInfo", () => {
  it("flattens a BatchEndpointError", () => {
    const err = new BatchEndpointError("ServiceUnavailable", "down", {
      httpStatus: 503,
      retryable: true,
      retryAfterSeconds: 5,
      outcomeUnknown: true,
    });
    expect(toErrorInfo(err)).toEqual({
      code: "ServiceUnavailable",
      message: "down",
      httpStatus: 503,
      retryable: true,
      retryAfterSeconds: 5,
      outcomeUnknown: true,
    });
    expect(JSON.parse(JSON.stringify(err))).toEqual(toErrorInfo(err));
  });

  it("omits outcomeUnknown when false", () => {
    expect(toErrorInfo(new BatchEndpointError("NotFound", "gone"))).not.toHaveProperty("outcomeUnknown");
  });

  it("unknown errors → InternalError, retryable", () => {
    expect(toErrorInfo(new TypeError("x is undefined"))).toEqual({
      code: "InternalError",
      message: "x is undefined",
      httpStatus: null,
      retryable: true,
      retryAfterSeconds: null,
    });
    expect(toErrorInfo("weird").code).toBe("InternalError");
    expect(toErrorInfo(undefined).code).toBe("InternalError");
  });

  it("identity errors → AuthenticationFailed, not retryable", () => {
    const e = new Error("ManagedIdentityCredential: no identity");
    e.name = "CredentialUnavailableError";
    expect(toErrorInfo(e)).toMatchObject({ code: "AuthenticationFailed", retryable: false });
    const a = new Error("AADSTS700016");
    a.name = "AuthenticationError";
    expect(toErrorInfo(a)).toMatchObject({ code: "AuthenticationFailed", retryable: false });
  });

  it("transport errors → EndpointUnreachable / NetworkError / Timeout, retryable", () => {
    expect(toErrorInfo(new RestError("refused", { code: "ECONNREFUSED" }))).toMatchObject({ code: "EndpointUnreachable", retryable: true });
    expect(toErrorInfo(new RestError("reset", { code: "ECONNRESET" }))).toMatchObject({ code: "NetworkError", retryable: true });
    const abort = new Error("aborted");
    abort.name = "AbortError";
    expect(toErrorInfo(abort)).toMatchObject({ code: "Timeout", retryable: true });
  });

  it("sanitizes messages of foreign errors", () => {
    const info = toErrorInfo(new Error("GET https://x.blob.core.windows.net/c?sig=abc123 failed"));
    expect(info.message).not.toContain("abc123");
  });
});
