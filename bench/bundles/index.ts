/**
 * `npm run bench -- bundles`: the deployed sizes and the Lambda's start-up. The edge Worker
 * through `wrangler deploy --dry-run` (gzip, as wrangler reports it); the origin Lambda bundled
 * as the CDK construct bundles it, and its module init time, the median of `runs` (default 5)
 * fresh processes, against a `redis-server` of its own and, when `DATABASE_URL` is set, a scratch
 * database on that PostgreSQL server, migrated by a first import that is not counted, then
 * opened as deployed (`DATABASE_MIGRATE=false`: the migrations are only checked). Without
 * `DATABASE_URL`, PGlite in memory, which boots and migrates inside every import: a cost a
 * deployed Lambda never pays, reported under its own subject. Writes `bench/results/bundles.json`.
 */
import pg from 'pg';
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
  const scratch = process.env.DATABASE_URL ? await scratchDatabase(process.env.DATABASE_URL) : undefined;
  try {
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      REDIS_URL: redis.url,
      ...(scratch ? { DATABASE_URL: scratch.url } : { PGLITE_DIR: 'memory://' }),
      // Keep the probe's stdout to its one JSON line.
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    };
    if (scratch) await measureInit(lambda.file, env);
    const samples: number[] = [];
    for (let run = 0; run < runs; run++) samples.push((await measureInit(lambda.file, scratch ? { ...env, DATABASE_MIGRATE: 'false' } : env)).importMs);
    const subject = scratch ? 'lambda (PostgreSQL at DATABASE_URL)' : 'lambda (PGlite in memory)';
    rows.push(
      { subject, metric: 'module_init_ms', value: Math.round(median(samples)), unit: 'ms' },
      { subject, metric: 'module_init_min_ms', value: Math.round(Math.min(...samples)), unit: 'ms' },
      { subject, metric: 'module_init_max_ms', value: Math.round(Math.max(...samples)), unit: 'ms' },
    );
  } finally {
    await redis.stop();
    await scratch?.drop();
  }
  console.table(rows);
  await writeRows('bundles', rows);
}

/** A new, empty database on the server of `url`, and a way to drop it. */
async function scratchDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `strata_bench_init_${process.pid}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const scratch = new URL(url);
  scratch.pathname = `/${name}`;
  return {
    url: scratch.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
