/**
 * Result rows, as `bench/results/<name>.json` stores them.
 */
import { mkdir, writeFile } from 'node:fs/promises';

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
  if (figures.length !== floor.length) throw new Error(`paired ratio over ${figures.length} figures and ${floor.length} floor figures`);
  return Math.round(median(figures.map((value, round) => value / floor[round]!)) * 100) / 100;
}

/** Writes `bench/results/<name>.json` in the shared row format. */
export async function writeRows(name: string, rows: readonly Row[]): Promise<void> {
  await mkdir('bench/results', { recursive: true });
  await writeFile(`bench/results/${name}.json`, `${JSON.stringify({ rows }, null, 2)}\n`);
  console.log(`wrote bench/results/${name}.json`);
}
