/** One row of the bench's table: a figure, the baseline measured in the same run, the target and whether it is met. */
export interface Row {
  figure: string;
  value: number;
  baseline: number | null;
  ratio: number | null;
  target: string;
  pass: boolean;
}

export const round = (n: number, d = 2): number => Math.round(n * 10 ** d) / 10 ** d;

export const row = (figure: string, value: number, baseline: number | null, target: string, pass: boolean): Row => ({
  figure,
  value: round(value),
  baseline: baseline === null ? null : round(baseline),
  ratio: baseline ? round(value / baseline, 3) : null,
  target,
  pass,
});
