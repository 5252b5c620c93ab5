/**
 * `npm run bench -- lambda [runs]`: the origin Lambda's bundle and start-up.
 *
 * Builds `origin/lambda.ts` with esbuild and the options the CDK construct bundles it with
 * (`infra/constructs/origin-function/bundling.ts`: ESM, node24, minified, source map, the same
 * banner and externals), then reports:
 *   bundle_bytes, bundle_gzip_bytes   the size of `index.mjs` (what Lambda loads), raw and gzip
 *   <package> bundle_bytes            the largest contributors, by npm package (or app folder)
 *   init_ms                           module init: the median over `runs` (default 9) fresh node
 *                                     processes of the time to import the bundle, which builds the
 *                                     services at top level as on Lambda: the environment a
 *                                     deployed function has (AWS_LAMBDA_FUNCTION_NAME, EMF, source
 *                                     maps, DATABASE_MIGRATE=false), against the local PostgreSQL
 *                                     (`BENCH_DATABASE_URL`, default postgres://postgres@127.0.0.1:5432/postgres;
 *                                     the bench creates a database of its own there and drops it)
 *                                     and a redis-server of its own.
 *   init_cpu_ms                       the median CPU those processes spent importing it (on a
 *                                     busy machine the wall clock stretches; this much less)
 * One unrecorded process migrates the database first. Writes `bench/results/lambda.json`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import pg from 'pg';
import { BUNDLE_BANNER, BUNDLE_EXTERNALS, BUNDLE_TARGET } from '../infra/constructs/origin-function/bundling.ts';
import { startRedisChild } from '../local/redis-server.ts';
import { median, writeRows, type Row } from './rows.ts';

const ENTRY = 'origin/lambda.ts';
const SUBJECT = 'origin-lambda';
const TOP_PACKAGES = 12;

/** Bundles `entry` as the construct does; the output file and the bytes each input contributed. */
export async function bundleOrigin(
  entry: string,
  outdir: string,
  extra: { nodePaths?: string[] } = {},
): Promise<{ file: string; inputs: Record<string, number> }> {
  const file = join(outdir, 'index.mjs');
  const result = await build({
    ...(extra.nodePaths ? { nodePaths: extra.nodePaths } : {}),
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    minify: true,
    sourcemap: true,
    banner: { js: BUNDLE_BANNER },
    external: [...BUNDLE_EXTERNALS],
    outfile: file,
    metafile: true,
    // Failures are thrown with their messages; nothing is printed.
    logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs).find((o) => o.entryPoint !== undefined);
  if (!output) throw new Error('esbuild wrote no entry output');
  return { file, inputs: Object.fromEntries(Object.entries(output.inputs).map(([path, { bytesInOutput }]) => [path, bytesInOutput])) };
}

/** `node_modules/@scope/name/…` → `@scope/name`; app files by their top two folders. */
export function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match ? match[1]! : input.split('/').slice(0, 2).join('/');
}

/** Milliseconds to import `file` in a fresh node process with `env`: wall clock, and the process's CPU meanwhile. */
function initTime(file: string, env: NodeJS.ProcessEnv): Promise<{ wall: number; cpu: number }> {
  const script = `const t=performance.now();const c=process.cpuUsage();await import(${JSON.stringify(`file://${file}`)});const u=process.cpuUsage(c);console.log('INIT_MS '+(performance.now()-t)+' '+(u.user+u.system)/1000);process.exit(0);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = /INIT_MS ([\d.]+) ([\d.]+)/.exec(out);
      if (code !== 0 || !line) reject(new Error(`bundle did not start (exit ${code}): ${err || out}`));
      else resolve({ wall: Number(line[1]), cpu: Number(line[2]) });
    });
  });
}

export async function lambda(runsArg?: string): Promise<void> {
  const runs = runsArg ? Number(runsArg) : 9;
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`runs must be a positive integer, got ${runsArg}`);
  const outdir = await mkdtemp(join(tmpdir(), 'strata-lambda-'));
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = `strata_bench_lambda_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const redis = await startRedisChild();
  try {
    const { file, inputs } = await bundleOrigin(ENTRY, outdir);
    const code = await readFile(file);
    const rows: Row[] = [
      { subject: SUBJECT, metric: 'bundle_bytes', value: code.length, unit: 'bytes' },
      { subject: SUBJECT, metric: 'bundle_gzip_bytes', value: gzipSync(code).length, unit: 'bytes' },
    ];
    const byPackage = new Map<string, number>();
    for (const [input, bytes] of Object.entries(inputs)) byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + bytes);
    for (const [name, bytes] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, TOP_PACKAGES)) {
      rows.push({ subject: `${SUBJECT}/${name}`, metric: 'bundle_bytes', value: bytes, unit: 'bytes' });
    }

    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      AWS_LAMBDA_FUNCTION_NAME: 'strata-bench-origin',
      AWS_REGION: 'us-east-1',
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      DATABASE_URL: url.toString(),
      REDIS_URL: redis.url,
      CACHE_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    };
    await initTime(file, env); // migrates the new database; not recorded
    const times: { wall: number; cpu: number }[] = [];
    for (let run = 0; run < runs; run++) times.push(await initTime(file, { ...env, DATABASE_MIGRATE: 'false' }));
    const walls = times.map((t) => t.wall).sort((a, b) => a - b);
    rows.push(
      { subject: SUBJECT, metric: 'init_ms', value: Math.round(median(walls)), unit: 'ms' },
      { subject: SUBJECT, metric: 'init_ms_min', value: Math.round(walls[0]!), unit: 'ms' },
      { subject: SUBJECT, metric: 'init_ms_max', value: Math.round(walls.at(-1)!), unit: 'ms' },
      // The process's own CPU: what a busy machine stretches the wall clock from.
      { subject: SUBJECT, metric: 'init_cpu_ms', value: Math.round(median(times.map((t) => t.cpu))), unit: 'ms CPU' },
      { subject: SUBJECT, metric: 'init_runs', value: runs, unit: 'processes' },
    );
    console.log(`\nlambda: ${ENTRY} bundled as the construct bundles it; module init over ${runs} fresh processes`);
    console.table(rows);
    await writeRows('lambda', rows);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => {});
    await admin.end();
    await redis.stop();
    await rm(outdir, { recursive: true, force: true });
  }
}
