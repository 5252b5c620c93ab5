/**
 * `npm run bench -- cache-engine`: this engine against the floor and its peers, on one local
 * Redis, in one run. Prints a table and writes `bench/results/cache-engine.json`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { startRedis } from '../../test/harness/redis.ts';
import { measureGetHit } from './get-hit.ts';
import { measureInvalidation } from './invalidation.ts';
import type { Row } from './rows.ts';
import { measureStampede } from './stampede.ts';
import { createSubjects } from './subjects.ts';

/** The table, ratios beside the figures they belong to (× floor: paired, median per round). */
function print(rows: readonly Row[]): void {
  const ratio = (row: Row) => rows.find((r) => r.subject === row.subject && r.metric === `${row.metric}_x_floor`)?.value;
  console.table(rows.filter((row) => row.unit !== 'ratio').map((row) => ({ ...row, '× floor': ratio(row)?.toFixed(2) ?? '' })));
}

export async function cacheEngine(): Promise<void> {
  const redis = await startRedis();
  const observer = new Redis(redis.url, { protocol: 2 });
  const subjects = await createSubjects(redis.url);
  const rows: Row[] = [];
  try {
    rows.push(...(await measureGetHit(subjects)));
    rows.push(...(await measureStampede(subjects, observer)));
  } finally {
    await Promise.allSettled(subjects.map((s) => s.close()));
    observer.disconnect();
    await redis.stop();
  }
  rows.push(...(await measureInvalidation()));
  print(rows);
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/cache-engine.json', `${JSON.stringify({ rows }, null, 2)}\n`);
  console.log('wrote bench/results/cache-engine.json');
}
