/**
 * The edge as deployed: `wrangler deploy --dry-run` of the production environment, minified as
 * wrangler.toml says, stays within 64 KiB gzip — the Worker's start-up parses all of it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const LIMIT_KIB = 64;
let outdir: string;
let output: string;

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'strata-edge-bundle-'));
  const { stdout } = await promisify(execFile)(process.execPath, ['node_modules/wrangler/bin/wrangler.js', 'deploy', '--dry-run', '--env', 'production', '--outdir', outdir], {
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
  });
  output = stdout;
}, 120_000);

afterAll(async () => {
  await rm(outdir, { recursive: true, force: true });
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
