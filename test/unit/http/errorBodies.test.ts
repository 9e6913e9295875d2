import { describe, expect, it } from "vitest";
import { errorBody, idempotencyConflictBody, invalidRequestBody, runAlreadyEndedBody, runNotFoundBody } from "../../../src/http/errorBodies";

describe("error bodies (the ARM error shape)", () => {
  it("has the ARM error shape, details only when given", () => {
    expect(errorBody("Nope", "No.")).toEqual({ error: { code: "Nope", message: "No." } });
    expect("details" in errorBody("Nope", "No.").error).toBe(false);
    expect(errorBody("Bad", "Bad.", [{ field: "a", message: "b" }])).toEqual({
      error: { code: "Bad", message: "Bad.", details: [{ field: "a", message: "b" }] },
    });
  });

  it("RunNotFound, IdempotencyConflict and RunAlreadyEnded name the run (and the status it ended with)", () => {
    expect(runNotFoundBody("r1").error).toEqual({ code: "RunNotFound", message: "No scoring run with id 'r1'." });
    expect(idempotencyConflictBody("key-1").error.code).toBe("IdempotencyConflict");
    expect(idempotencyConflictBody("key-1").error.message).toContain("key-1");
    expect(runAlreadyEndedBody("r1", "Succeeded").error).toEqual({
      code: "RunAlreadyEnded",
      message: "Scoring run 'r1' already ended with status Succeeded.",
    });
  });

  it("InvalidRequest counts the problems and names the first field in its message; all are in details", () => {
    const one = invalidRequestBody([{ field: "top", message: "must be a whole number from 1 to 100." }]);
    expect(one.error.message).toBe("1 problem with the request: top: must be a whole number from 1 to 100.");
    const three = invalidRequestBody([
      { field: "", message: "a" },
      { field: "b", message: "b" },
      { field: "c", message: "c" },
    ]);
    expect(three.error).toMatchObject({ code: "InvalidRequest", message: "3 problems with the request: body: a (and 2 more, see details)" });
    expect(three.error.details).toHaveLength(3);
  });
});
