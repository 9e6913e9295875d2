import { describe, expect, it } from "vitest";
import type { CheckResult, PreflightCheck, PreflightMode } from "../../../src/runs/preflightReport";
import { preflightVerdict } from "../../../src/preflight/verdict";

const check = (target: string, result: CheckResult, code: string | null, message = `${target} ${result}`): PreflightCheck => ({
  target,
  uri: `azureml://datastores/ds/paths/${target}`,
  blobUrl: null,
  result,
  code,
  message,
});

const report = (mode: PreflightMode, ...checks: PreflightCheck[]) => ({ mode, checks });

const outputExists = check("output", "failed", "OutputAlreadyExists", "The output file exists.");
const inputEmpty = check("inputs.data", "failed", "InputEmpty", "The input folder holds no files.");
const nested = check("inputs.extra", "warning", "NestedFoldersIgnored", "Nested folders are ignored.");
const passed = check("inputs.ok", "passed", null);
const skipped = check("inputs.secret", "skipped", null, "Not checked: no permission.");

describe("preflightVerdict", () => {
  describe("strict", () => {
    it("a failed check is the run's error, as '<target>: <message>'", () => {
      expect(preflightVerdict(report("strict", passed, outputExists))).toEqual({
        error: { code: "OutputAlreadyExists", message: "output: The output file exists." },
        warnings: [],
      });
    });

    it("the first failure wins; the others are not warnings", () => {
      const verdict = preflightVerdict(report("strict", inputEmpty, outputExists));
      expect(verdict.error).toEqual({ code: "InputEmpty", message: "inputs.data: The input folder holds no files." });
      expect(verdict.warnings).toEqual([]);
    });

    it("a failure without a code is PreflightFailed", () => {
      expect(preflightVerdict(report("strict", check("output", "failed", null, "bad"))).error).toEqual({ code: "PreflightFailed", message: "output: bad" });
    });

    it("without failures there is no error; warning checks are warnings, passed and skipped are not", () => {
      expect(preflightVerdict(report("strict", passed, nested, skipped))).toEqual({
        error: null,
        warnings: [{ code: "NestedFoldersIgnored", message: "inputs.extra: Nested folders are ignored." }],
      });
    });

    it("warnings are kept next to the error", () => {
      const verdict = preflightVerdict(report("strict", nested, inputEmpty));
      expect(verdict.error?.code).toBe("InputEmpty");
      expect(verdict.warnings.map((w) => w.code)).toEqual(["NestedFoldersIgnored"]);
    });
  });

  describe("warn", () => {
    it("never sets an error: failures become warnings, in check order", () => {
      expect(preflightVerdict(report("warn", inputEmpty, passed, nested, skipped, outputExists))).toEqual({
        error: null,
        warnings: [
          { code: "InputEmpty", message: "inputs.data: The input folder holds no files." },
          { code: "NestedFoldersIgnored", message: "inputs.extra: Nested folders are ignored." },
          { code: "OutputAlreadyExists", message: "output: The output file exists." },
        ],
      });
    });

    it("a warning without a code is PreflightWarning", () => {
      expect(preflightVerdict(report("warn", check("output", "warning", null, "hm"))).warnings).toEqual([{ code: "PreflightWarning", message: "output: hm" }]);
    });
  });

  describe("off", () => {
    it("an off report (no checks) has neither error nor warnings", () => {
      expect(preflightVerdict(report("off"))).toEqual({ error: null, warnings: [] });
    });

    it("even checks recorded under off never make an error", () => {
      expect(preflightVerdict(report("off", outputExists)).error).toBeNull();
    });
  });
});
