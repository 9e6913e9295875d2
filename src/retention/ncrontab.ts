/** The NCRONTAB grammar a Functions timer trigger takes. Pure. */

const cronFields = [
  { name: "second", min: 0, max: 59 },
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"] },
  { name: "day of week", min: 0, max: 6, names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] },
] as const;

/**
 * Why `schedule` is not a 6-field NCRONTAB expression (`{second} {minute} {hour} {day} {month}
 * {day-of-week}`, what a Functions timer trigger takes), or null when it is one. Each field is
 * `*` or a comma list of values and ranges (`n`, `n-m`), each optionally stepped (`/s`); months
 * and days of the week may be named (`Jan`, `Mon`).
 */
export function ncrontabProblem(schedule: string): string | null {
  const parts = schedule
    .trim()
    .split(/\s+/)
    .filter((p) => p !== "");
  if (parts.length !== 6) return `needs 6 fields ({second} {minute} {hour} {day} {month} {day-of-week}), got ${parts.length}`;
  for (let i = 0; i < 6; i++) {
    const field = cronFields[i]!;
    const names: readonly string[] = "names" in field ? field.names : [];
    const value = (token: string): number | null => {
      if (/^\d{1,2}$/.test(token)) return Number(token);
      const named = names.indexOf(token.toLowerCase());
      return named < 0 ? null : named + field.min;
    };
    for (const element of parts[i]!.split(",")) {
      const m = /^([^/]+)(?:\/(\d{1,2}))?$/.exec(element);
      const step = m?.[2] === undefined ? 1 : Number(m[2]);
      const range = m?.[1] === "*" ? [field.min, field.max] : m?.[1]?.split("-").map(value);
      const ok =
        m !== null &&
        step >= 1 &&
        range !== undefined &&
        range.length <= 2 &&
        range.every((v) => v !== null && v >= field.min && v <= field.max) &&
        (range.length === 1 || (range[0] as number) <= (range[1] as number));
      if (!ok)
        return `its ${field.name} field "${parts[i]}" is not valid (${field.min}-${field.max}${names.length ? " or a name" : ""}, *, ranges, lists, /steps)`;
    }
  }
  return null;
}
