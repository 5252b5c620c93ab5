/**
 * Result rows, as `bench/results/<name>.json` stores them.
 */

/** One measured figure. */
export interface Row {
  subject: string;
  metric: string;
  value: number;
  unit: string;
}

/** The middle value (upper middle for even counts). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** The median over rounds of `figures[round] / floor[round]`, to two decimals. */
export function pairedRatio(figures: readonly number[], floor: readonly number[]): number {
  return Math.round(median(figures.map((value, round) => value / floor[round]!)) * 100) / 100;
}
