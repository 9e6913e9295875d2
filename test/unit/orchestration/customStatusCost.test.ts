import { afterEach, describe, expect, it, vi } from "vitest";
import { boundedProgress, progressOf } from "../../../src/orchestration/customStatus";
import { initialRunState } from "../../../src/orchestration/runState";
import { scoringRequest } from "../../fixtures/scoringRequest";

/** Every replayed poll sets the custom status again: a status that fits must cost one JSON text, not one per shedding step. */
describe("custom status cost", () => {
  afterEach(() => vi.restoreAllMocks());

  it("measures a status that fits once", () => {
    const progress = progressOf(initialRunState(scoringRequest(), new Date(0), "i"), "Monitoring");
    const stringify = vi.spyOn(JSON, "stringify");
    expect(boundedProgress(progress).phase).toBe("Monitoring");
    expect(stringify).toHaveBeenCalledTimes(1);
  });
});
