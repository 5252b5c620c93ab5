/**
 * `npm run bench -- lambda [runs]`: the origin Lambda's bundle and start-up.
 *
 * Builds `origin/lambda.ts` with the construct's bundler (`infra/constructs/origin-function/build.ts`:
 * ESM, node24, minified, code splitting into `index.mjs` and `chunks/`), then reports:
 *   bundle_bytes, bundle_gzip_bytes   what Lambda loads at init: `index.mjs` and the chunks it
 *                                     imports statically (`loadedAtInit`), raw and gzip (each
 *                                     file compressed alone); the files reached with `import()`
 *                                     load on first use and are not counted here
 *   bundle_init_files                 how many files that is
 *   bundle_all_bytes                  every `.mjs` file of the bundle, lazy chunks included
 *   <package> bundle_bytes            the largest contributors to what loads at init, by npm
 *                                     package (or app folder)
 *   init_ms                           module init: the median over `runs` (default 9) fresh node
 *                                     processes of the time to import the bundle, which builds the
 *                                     services at top level as on Lambda: the environment a
 *                                     deployed function has (AWS_LAMBDA_FUNCTION_NAME, EMF, the
 *                                     construct's NODE_OPTIONS: none, DATABASE_MIGRATE=false),
 *                                     against the local PostgreSQL
 *                                     (`BENCH_DATABASE_URL`, default postgres://postgres@127.0.0.1:5432/postgres;
 *                                     the bench creates a database of its own there and drops it)
 *                                     and a redis-server of its own.
 *   init_cpu_ms                       the median CPU those processes spent importing it (on a
 *                                     busy machine the wall clock stretches; this much less)
 *   first_request_ms                  then the handler's first invocation (`GET /health`), median
 *   cloudfront_sdk_load_ms            then the import of the lazy CloudFront/SSM chunk
 *                                     (`origin/cloudfront/cloudfront-sdk.ts`), median: what the first purge
 *                                     of an instance adds with `-c edge=cloudfront`
 * One unrecorded process migrates the database first. Writes `bench/results/lambda.json`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { bundleFunction, loadedAtInit, type BundleFile } from '../infra/constructs/origin-function/build.ts';
import { BUNDLE_ENTRY_FILE } from '../infra/constructs/origin-function/bundling.ts';
import { startRedisChild } from '../local/redis-server.ts';
import { median, writeRows, type Row } from './rows.ts';

const ENTRY = 'origin/lambda.ts';
/** The module the CloudFront purge path imports on first use; its chunk is timed apart. */
const LAZY_SDK = 'origin/cloudfront/cloudfront-sdk.ts';
const SUBJECT = 'origin-lambda';
const TOP_PACKAGES = 12;

/** What the bench reads from a bundle of `entry` in `outdir`. */
export interface OriginBundle {
  /** The entry and the chunks it imports statically: what Lambda loads at init. */
  readonly init: { readonly files: readonly BundleFile[]; readonly bytes: number };
  /** Every `.mjs` file, lazy chunks included. */
  readonly allBytes: number;
  /** The bytes each input contributed to the files loaded at init. */
  readonly initInputs: Record<string, number>;
  /** The chunk `import()` of each module loads, by the module's path (relative to the working directory). */
  readonly lazyChunks: Record<string, string>;
}

/** Bundles `entry` with the construct's bundler and says what loads at init and what later. */
export async function bundleOrigin(entry: string, outdir: string, extra: { nodePaths?: string[] } = {}): Promise<OriginBundle> {
  const metafile = await bundleFunction(entry, outdir, extra);
  const init = await loadedAtInit(outdir);
  const outputKey = (file: string) => relative(process.cwd(), join(outdir, file));
  const initKeys = new Set(init.files.map((file) => outputKey(file.path)));
  const initInputs: Record<string, number> = {};
  const lazyChunks: Record<string, string> = {};
  let allBytes = 0;
  for (const [key, output] of Object.entries(metafile.outputs)) {
    if (!key.endsWith('.mjs')) continue;
    allBytes += output.bytes;
    if (output.entryPoint && !key.endsWith(BUNDLE_ENTRY_FILE)) lazyChunks[output.entryPoint] = relative(outdir, key);
    if (!initKeys.has(key)) continue;
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) initInputs[input] = (initInputs[input] ?? 0) + bytesInOutput;
  }
  return { init, allBytes, initInputs, lazyChunks };
}

/** `node_modules/@scope/name/…` → `@scope/name`; app files by their top two folders. */
export function packageOf(input: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return match ? match[1]! : input.split('/').slice(0, 2).join('/');
}

/** One fresh process's figures, in milliseconds. */
interface Start {
  wall: number;
  cpu: number;
  firstRequest: number;
  sdkLoad: number;
}

/**
 * In a fresh node process with `env`: the time to import `file` (wall clock, and the process's
 * CPU meanwhile), then the handler's first `GET /health`, then the import of `sdkChunk`.
 */
function startTimes(file: string, sdkChunk: string, env: NodeJS.ProcessEnv): Promise<Start> {
  const event = {
    httpMethod: 'GET',
    path: '/health',
    resource: '/{proxy+}',
    headers: { Host: 'api.example.com' },
    multiValueHeaders: { Host: ['api.example.com'] },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: { proxy: 'health' },
    requestContext: { path: '/health', stage: 'bench', httpMethod: 'GET', requestId: 'bench', identity: { sourceIp: '127.0.0.1' } },
    body: null,
    isBase64Encoded: false,
  };
  const script = [
    `const t=performance.now();const c=process.cpuUsage();const m=await import(${JSON.stringify(`file://${file}`)});const u=process.cpuUsage(c);const ready=performance.now();`,
    `const r=await m.handler(${JSON.stringify(event)},{});if(r.statusCode!==200)throw new Error('health answered '+r.statusCode+': '+r.body);const answered=performance.now();`,
    `await import(${JSON.stringify(`file://${sdkChunk}`)});const loaded=performance.now();`,
    `console.log('START_MS '+(ready-t)+' '+(u.user+u.system)/1000+' '+(answered-ready)+' '+(loaded-answered));process.exit(0);`,
  ].join('');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = /START_MS ([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)/.exec(out);
      if (code !== 0 || !line) reject(new Error(`bundle did not start (exit ${code}): ${err || out}`));
      else resolve({ wall: Number(line[1]), cpu: Number(line[2]), firstRequest: Number(line[3]), sdkLoad: Number(line[4]) });
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
    const bundle = await bundleOrigin(ENTRY, outdir);
    const sdkChunk = bundle.lazyChunks[LAZY_SDK];
    if (!sdkChunk) throw new Error(`${LAZY_SDK} is not a chunk of its own: the CloudFront clients would load at init`);
    let gzipBytes = 0;
    for (const file of bundle.init.files) gzipBytes += gzipSync(await readFile(join(outdir, file.path))).length;
    const rows: Row[] = [
      { subject: SUBJECT, metric: 'bundle_bytes', value: bundle.init.bytes, unit: 'bytes' },
      { subject: SUBJECT, metric: 'bundle_gzip_bytes', value: gzipBytes, unit: 'bytes' },
      { subject: SUBJECT, metric: 'bundle_init_files', value: bundle.init.files.length, unit: 'files' },
      { subject: SUBJECT, metric: 'bundle_all_bytes', value: bundle.allBytes, unit: 'bytes' },
    ];
    const byPackage = new Map<string, number>();
    for (const [input, bytes] of Object.entries(bundle.initInputs)) byPackage.set(packageOf(input), (byPackage.get(packageOf(input)) ?? 0) + bytes);
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
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      DATABASE_URL: url.toString(),
      REDIS_URL: redis.url,
      CACHE_ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    };
    const file = join(outdir, BUNDLE_ENTRY_FILE);
    const sdkFile = join(outdir, sdkChunk);
    await startTimes(file, sdkFile, env); // migrates the new database; not recorded
    const times: Start[] = [];
    for (let run = 0; run < runs; run++) times.push(await startTimes(file, sdkFile, { ...env, DATABASE_MIGRATE: 'false' }));
    const walls = times.map((t) => t.wall).sort((a, b) => a - b);
    rows.push(
      { subject: SUBJECT, metric: 'init_ms', value: Math.round(median(walls)), unit: 'ms' },
      { subject: SUBJECT, metric: 'init_ms_min', value: Math.round(walls[0]!), unit: 'ms' },
      { subject: SUBJECT, metric: 'init_ms_max', value: Math.round(walls.at(-1)!), unit: 'ms' },
      // The process's own CPU: what a busy machine stretches the wall clock from.
      { subject: SUBJECT, metric: 'init_cpu_ms', value: Math.round(median(times.map((t) => t.cpu))), unit: 'ms CPU' },
      { subject: SUBJECT, metric: 'init_runs', value: runs, unit: 'processes' },
      { subject: SUBJECT, metric: 'first_request_ms', value: Math.round(median(times.map((t) => t.firstRequest))), unit: 'ms' },
      { subject: SUBJECT, metric: 'cloudfront_sdk_load_ms', value: Math.round(median(times.map((t) => t.sdkLoad))), unit: 'ms' },
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
