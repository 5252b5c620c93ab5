/**
 * `npm run bench -- summary`: writes `bench/results/summary.md` from the results files there
 * (`render.ts`), with the machine and runs `npm run bench` recorded in `machine.json`.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Row } from '../rows.ts';
import { LINES } from './goals.ts';
import type { MachineFile } from './machine.ts';
import { renderSummary } from './render.ts';

export const RESULTS_DIR = 'bench/results';
export const MACHINE_FILE = 'machine.json';

/** Every `<name>.json` of `dir` with rows, by name. */
export async function readResults(dir = RESULTS_DIR): Promise<Map<string, Row[]>> {
  const results = new Map<string, Row[]>();
  for (const file of (await readdir(dir)).filter((name) => name.endsWith('.json') && name !== MACHINE_FILE).sort()) {
    const parsed = JSON.parse(await readFile(join(dir, file), 'utf8')) as { rows?: unknown };
    if (!Array.isArray(parsed.rows)) throw new Error(`${join(dir, file)} has no rows array`);
    results.set(file.slice(0, -'.json'.length), parsed.rows as Row[]);
  }
  return results;
}

export async function summary(): Promise<void> {
  const results = await readResults();
  const machineText = await readFile(join(RESULTS_DIR, MACHINE_FILE), 'utf8').catch(() => undefined);
  const machine = machineText ? (JSON.parse(machineText) as MachineFile) : undefined;
  const text = renderSummary(results, LINES, machine, new Date().toISOString());
  await writeFile(join(RESULTS_DIR, 'summary.md'), text);
  console.log(text);
  console.log(`wrote ${join(RESULTS_DIR, 'summary.md')}`);
}
