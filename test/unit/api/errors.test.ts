import { describe, expect, it } from "vitest";
import { errorBody, idempotencyConflictBody, runAlreadyEndedBody, runNotFoundBody } from "../../../src/http/errorBodies";

describe("errorBody", () => {
  it("has the ARM error shape, details only when given", () => {
    expect(errorBody("Nope", "No.")).toEqual({ error: { code: "Nope", message: "No." } });
    expect("details" in errorBody("Nope", "No.").error).toBe(false);
    expect(errorBody("Bad", "Bad.", [{ field: "a", message: "b" }])).toEqual({
      error: { code: "Bad", message: "Bad.", details: [{ field: "a", message: "b" }] },
    });
  });

  it("named bodies", () => {
    expect(runNotFoundBody("r1").error).toEqual({ code: "RunNotFound", message: "No scoring run with id 'r1'." });
    expect(idempotencyConflictBody("key-1").error.code).toBe("IdempotencyConflict");
    expect(idempotencyConflictBody("key-1").error.message).toContain("key-1");
    expect(runAlreadyEndedBody("r1", "Succeeded").error).toEqual({
      code: "RunAlreadyEnded",
      message: "Scoring run 'r1' already ended with status Succeeded.",
    });
  });
});
