/**
 * The edge as deployed: `wrangler deploy --dry-run --env production`, minified as wrangler.toml
 * says, in a scratch directory whose wrangler.toml has the placeholders filled in (as an
 * operator does before the first deploy; the repository's build step refuses placeholders).
 * `test/infra/edge-bundle.test.ts` holds the result to its limit; the benchmarks report it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

/** The most the deployed Worker may weigh, gzip: its start-up parses all of it (docs/edge.md, "Bundle"). */
export const EDGE_BUNDLE_LIMIT_KIB = 64;

const LINKED = ['edge', 'common', 'scripts', 'node_modules', 'package.json', 'tsconfig.json'];

/** What the dry run produced. */
export interface EdgeBundle {
  /** wrangler's own "Total Upload: … KiB / gzip: … KiB". */
  readonly reportedKiB: number;
  readonly reportedGzipKiB: number;
  /** The output script, and its size through gzip (node:zlib defaults). */
  readonly scriptBytes: number;
  readonly scriptGzipBytes: number;
  /** wrangler's whole output, for a message when the report line is missing. */
  readonly output: string;
}

/** wrangler.toml with every placeholder filled in. */
export function filledIn(config: string): string {
  return config
    .replaceAll(/REPLACE_WITH_[A-Z0-9_]+/g, (name) => name.slice('REPLACE_WITH_'.length).toLowerCase().replaceAll('_', '-'))
    .replaceAll(/([a-z0-9-]+\.)*example\.com/g, 'api.strata-bundle.test');
}

/** Runs the dry run from the repository at `root` (the working directory by default). */
export async function buildEdgeBundle(root = '.'): Promise<EdgeBundle> {
  const scratch = await mkdtemp(join(tmpdir(), 'strata-edge-bundle-'));
  try {
    const outdir = join(scratch, 'dist');
    await Promise.all(LINKED.map((name) => symlink(resolve(root, name), join(scratch, name))));
    await writeFile(join(scratch, 'wrangler.toml'), filledIn(await readFile(join(root, 'wrangler.toml'), 'utf8')));
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['node_modules/wrangler/bin/wrangler.js', 'deploy', '--dry-run', '--env', 'production', '--outdir', outdir],
      {
        cwd: scratch,
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' },
      },
    );
    const reported = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(stdout);
    const script = await readFile(join(outdir, 'index.js'));
    return {
      reportedKiB: reported ? Number(reported[1]) : Number.NaN,
      reportedGzipKiB: reported ? Number(reported[2]) : Number.NaN,
      scriptBytes: script.byteLength,
      scriptGzipBytes: gzipSync(script).byteLength,
      output: stdout,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
