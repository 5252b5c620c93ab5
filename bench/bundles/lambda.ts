/**
 * The origin's Lambda bundle, built with esbuild as the CDK construct builds it
 * (`infra/constructs/origin-function/index.ts`: ESM, node24, minified, the `require` banner,
 * PGlite and pg-native external), and its module init time: a fresh Node process imports the
 * bundle and reports how long the import took — parsing, evaluation, and the top-level
 * `buildServices` (configuration, the database and Redis connections, migrations).
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** Where the bundle is written: inside the repository, so the external packages resolve. */
export const LAMBDA_OUT_DIR = 'dist/bench-lambda';

/** The built bundle. */
export interface LambdaBundle {
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** Bundles `origin/lambda.ts` as the construct does. */
export async function buildLambdaBundle(root = '.'): Promise<LambdaBundle> {
  const outdir = resolve(root, LAMBDA_OUT_DIR);
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const file = join(outdir, 'index.mjs');
  await build({
    entryPoints: [resolve(root, 'origin/lambda.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    minify: true,
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    external: ['@electric-sql/pglite', 'pg-native'],
    logLevel: 'silent',
  });
  const code = await readFile(file);
  return { file, bytes: code.byteLength, gzipBytes: gzipSync(code).byteLength };
}

// Run in the child: the time the import took, and the time since the process started.
const PROBE = `const started = performance.now(); await import(process.argv[1]); console.log(JSON.stringify({ importMs: performance.now() - started, sinceStartMs: performance.now() })); process.exit(0);`;

/** Imports `file` in a fresh Node process with `env`; returns the import's duration in ms. */
export async function measureInit(file: string, env: Record<string, string | undefined>): Promise<{ importMs: number; sinceStartMs: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', PROBE, file], { env, timeout: 120_000 });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as { importMs: number; sinceStartMs: number };
}
