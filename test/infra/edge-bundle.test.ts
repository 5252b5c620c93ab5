/**
 * The edge as deployed: `wrangler deploy --dry-run` of the production environment, minified as
 * wrangler.toml says, stays within 64 KiB gzip — the Worker's start-up parses all of it.
 *
 * The repository's production environment holds placeholders, which its build step refuses
 * (scripts/check-edge-env.ts). The test does what an operator does first: it fills them in, in a
 * copy of wrangler.toml inside a scratch directory that links the sources, and deploys that.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const LIMIT_KIB = 64;
const LINKED = ['edge', 'common', 'scripts', 'node_modules', 'package.json', 'tsconfig.json'];
let scratch: string;
let outdir: string;
let output: string;

/** wrangler.toml with every placeholder filled in, as an operator does before the first deploy. */
function filledIn(config: string): string {
  return config
    .replaceAll(/REPLACE_WITH_[A-Z0-9_]+/g, (name) => name.slice('REPLACE_WITH_'.length).toLowerCase().replaceAll('_', '-'))
    .replaceAll(/([a-z0-9-]+\.)*example\.com/g, 'api.strata-bundle.test');
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'strata-edge-bundle-'));
  outdir = join(scratch, 'dist');
  await Promise.all(LINKED.map((name) => symlink(resolve(name), join(scratch, name))));
  await writeFile(join(scratch, 'wrangler.toml'), filledIn(await readFile('wrangler.toml', 'utf8')));
  const { stdout } = await promisify(execFile)(process.execPath, ['node_modules/wrangler/bin/wrangler.js', 'deploy', '--dry-run', '--env', 'production', '--outdir', outdir], {
    cwd: scratch,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
  });
  output = stdout;
}, 120_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('the deployed edge bundle', () => {
  it(`is at most ${LIMIT_KIB} KiB gzip, as wrangler reports it and as its output file compresses`, async () => {
    const reported = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
    expect(reported, output).not.toBeNull();
    expect(Number(reported![2])).toBeLessThanOrEqual(LIMIT_KIB);
    const script = await readFile(join(outdir, 'index.js'));
    expect(gzipSync(script).byteLength).toBeLessThanOrEqual(LIMIT_KIB * 1024);
  });
});
