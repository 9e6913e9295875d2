/** Query parameters that are whole numbers: digits only (no sign, exponent, hex or spaces), within bounds. */
export function wholeNumberParam(raw: string, min: number, max: number): number | null {
  if (!/^\d{1,9}$/.test(raw)) return null;
  const value = Number(raw);
  return value >= min && value <= max ? value : null;
}
