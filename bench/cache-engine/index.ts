/**
 * `npm run bench -- cache-engine`: this engine against the floor and its peers, on one local
 * Redis, in one run. Prints a table and writes `bench/results/cache-engine.json`.
 */
import { Redis } from 'ioredis';
import { startRedis } from '../../local/redis-processes.ts';
import { measureGetHit } from './get-hit.ts';
import { measureInvalidation } from './invalidation.ts';
import { writeRows, type Row } from '../rows.ts';
import { measureStampede } from './stampede.ts';
import { createSubjects } from './subjects.ts';

/** The table, ratios beside the figures they belong to (paired, median per round). */
function print(rows: readonly Row[]): void {
  const ratio = (row: Row, floor: string) => rows.find((r) => r.subject === row.subject && r.metric === `${row.metric}_x_${floor}`)?.value.toFixed(2) ?? '';
  console.table(
    rows
      .filter((row) => row.unit !== 'ratio')
      .map((row) => ({ ...row, '× floor': ratio(row, 'floor'), '× pipelined': ratio(row, 'floor_pipelined'), '× strata': ratio(row, 'strata') })),
  );
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
  await writeRows('cache-engine', rows);
}
