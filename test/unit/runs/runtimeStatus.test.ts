import { describe, expect, it } from "vitest";
import { canceledErrorCodes, endedRuntimeStatuses, hasEnded, isLive, runStatusOf, runtimeStatusesFor } from "../../../src/runs/runtimeStatus";
import type { RunError, RunStatus } from "../../../src/runs/types";

/** Every status the Durable extension reports, and `Canceled`, which is in its enum. */
const known = ["Pending", "Running", "ContinuedAsNew", "Suspended", "Completed", "Failed", "Terminated", "Canceled"];
const error = (code: string): RunError => ({ code, message: "m" });

describe("hasEnded and isLive", () => {
  it("a run has ended once Completed, Failed, Terminated or Canceled", () => {
    expect(known.filter(hasEnded)).toEqual(["Completed", "Failed", "Terminated", "Canceled"]);
    expect([...endedRuntimeStatuses]).toEqual(known.filter(hasEnded));
  });

  it("a run is live (takes events) while Pending, Running, ContinuedAsNew or Suspended", () => {
    expect(known.filter(isLive)).toEqual(["Pending", "Running", "ContinuedAsNew", "Suspended"]);
  });

  it("every known status is exactly one of the two", () => {
    for (const s of known) expect(hasEnded(s) !== isLive(s), s).toBe(true);
  });

  it("an unknown status is neither ended nor live", () => {
    for (const s of ["Unknown", "", "completed"]) {
      expect(hasEnded(s), s).toBe(false);
      expect(isLive(s), s).toBe(false);
    }
  });
});

describe("runStatusOf", () => {
  it("Pending is Pending; Completed is Succeeded; Terminated and Canceled are Canceled", () => {
    expect(runStatusOf("Pending", null)).toBe("Pending");
    expect(runStatusOf("Completed", null)).toBe("Succeeded");
    expect(runStatusOf("Terminated", null)).toBe("Canceled");
    expect(runStatusOf("Canceled", null)).toBe("Canceled");
  });

  it("Failed is Canceled when the run ended with a cancel code (on request, or in Azure ML), Failed otherwise", () => {
    expect(canceledErrorCodes).toEqual(["RunCanceled", "JobCanceled"]);
    for (const code of canceledErrorCodes) expect(runStatusOf("Failed", error(code)), code).toBe("Canceled");
    expect(runStatusOf("Failed", error("JobFailed"))).toBe("Failed");
    expect(runStatusOf("Failed", null)).toBe("Failed");
  });

  it("Running, ContinuedAsNew, Suspended and anything unknown are Running: not over yet", () => {
    for (const s of ["Running", "ContinuedAsNew", "Suspended", "Unknown"]) expect(runStatusOf(s, null), s).toBe("Running");
  });

  it("a cancel code does not change a status that is not Failed", () => {
    expect(runStatusOf("Completed", error("RunCanceled"))).toBe("Succeeded");
    expect(runStatusOf("Running", error("JobCanceled"))).toBe("Running");
  });
});

describe("runtimeStatusesFor", () => {
  it("names, for each public status, every known runtime status that can show as it, and only those", () => {
    const errors = [null, error("JobFailed"), ...canceledErrorCodes.map(error)];
    for (const status of Object.keys(runtimeStatusesFor) as RunStatus[]) {
      const showing = known.filter((rt) => errors.some((e) => runStatusOf(rt, e) === status));
      expect([...runtimeStatusesFor[status]].sort(), status).toEqual(showing.sort());
    }
  });

  it("covers the five public statuses", () => {
    expect(Object.keys(runtimeStatusesFor)).toEqual(["Pending", "Running", "Succeeded", "Failed", "Canceled"]);
  });
});
