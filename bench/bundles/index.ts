/**
 * `npm run bench -- bundles`: the deployed sizes and the Lambda's start-up. The edge Worker
 * through `wrangler deploy --dry-run` (gzip, as wrangler reports it); the origin Lambda bundled
 * as the CDK construct bundles it, and its module init time, the median of `runs` (default 5)
 * fresh processes, against a `redis-server` of its own and PostgreSQL at `DATABASE_URL` when
 * set, else PGlite in memory (which then boots and migrates inside the import, a cost a
 * deployed Lambda does not pay). Writes `bench/results/bundles.json`.
 */
import { startRedisChild } from '../../local/redis-server.ts';
import { median, writeRows, type Row } from '../rows.ts';
import { buildEdgeBundle, EDGE_BUNDLE_LIMIT_KIB } from './edge.ts';
import { buildLambdaBundle, measureInit } from './lambda.ts';

const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

export async function bundles(runsArg?: string): Promise<void> {
  const runs = Number(runsArg ?? 5);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a positive integer, got ${runsArg}`);
  const rows: Row[] = [];
  const edge = await buildEdgeBundle();
  if (Number.isNaN(edge.reportedGzipKiB)) throw new Error(`wrangler's dry run did not report a size:\n${edge.output}`);
  rows.push(
    { subject: 'edge', metric: 'bundle_kib', value: edge.reportedKiB, unit: 'KiB' },
    { subject: 'edge', metric: 'bundle_gzip_kib', value: edge.reportedGzipKiB, unit: 'KiB' },
    { subject: 'edge', metric: 'bundle_gzip_limit_kib', value: EDGE_BUNDLE_LIMIT_KIB, unit: 'KiB' },
  );
  const lambda = await buildLambdaBundle();
  rows.push(
    { subject: 'lambda', metric: 'bundle_kib', value: kib(lambda.bytes), unit: 'KiB' },
    { subject: 'lambda', metric: 'bundle_gzip_kib', value: kib(lambda.gzipBytes), unit: 'KiB' },
  );
  const redis = await startRedisChild();
  try {
    const database = process.env.DATABASE_URL;
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      REDIS_URL: redis.url,
      ...(database ? { DATABASE_URL: database } : { PGLITE_DIR: 'memory://' }),
      // Keep the probe's stdout to its one JSON line.
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    };
    const samples: number[] = [];
    for (let run = 0; run < runs; run++) samples.push((await measureInit(lambda.file, env)).importMs);
    const subject = database ? 'lambda (PostgreSQL at DATABASE_URL)' : 'lambda (PGlite in memory)';
    rows.push(
      { subject, metric: 'module_init_ms', value: Math.round(median(samples)), unit: 'ms' },
      { subject, metric: 'module_init_min_ms', value: Math.round(Math.min(...samples)), unit: 'ms' },
      { subject, metric: 'module_init_max_ms', value: Math.round(Math.max(...samples)), unit: 'ms' },
    );
  } finally {
    await redis.stop();
  }
  console.table(rows);
  await writeRows('bundles', rows);
}
