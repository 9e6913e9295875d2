import { describe, expect, it } from "vitest";
import { ncrontabProblem } from "../../../src/retention/ncrontab";

describe("ncrontabProblem", () => {
  it("accepts values in range, *, ranges, lists, steps, month and day names; a wrong field is named", () => {
    for (const ok of ["0 17 3 * * *", "*/10 * * * * *", "0 0 0 1 1 0", "59 59 23 31 12 6", "0 0,30 8-18/2 * Jan-Mar mon,wed,FRI", "0 5/15 * * * *"]) {
      expect(ncrontabProblem(ok), ok).toBeNull();
    }
    const cases: Array<[string, RegExp]> = [
      ["60 * * * * *", /second field "60"/],
      ["0 60 * * * *", /minute field/],
      ["0 0 24 * * *", /hour field/],
      ["0 0 0 0 * *", /day field "0"/],
      ["0 0 0 * 13 *", /month field/],
      ["0 0 0 * * 7", /day of week field/],
      ["0 0 0 * * Funday", /day of week field/],
      ["0 0 9-5 * * *", /hour field "9-5"/],
      ["0 */0 * * * *", /minute field/],
      ["0 0 * * *", /got 5/],
      ["0 0 0 * * * *", /got 7/],
      ["0 0 ? * * *", /hour field/],
      ["", /got 0/],
    ];
    for (const [expr, problem] of cases) expect(ncrontabProblem(expr), expr).toMatch(problem);
  });
});
