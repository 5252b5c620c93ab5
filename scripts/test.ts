/**
 * `npm test`: every vitest project once, files and tests in a shuffled order, two files at a
 * time, so a test that leans on another's leftovers, on running alone or on running in vitest's
 * default order fails here rather than passing by luck.
 *
 * The seed: `STRATA_TEST_SEED` when set; else one drawn from the checked-out commit, so CI and a
 * fresh clone of the same commit (`git rev-parse HEAD`) run the same order and a
 * new commit runs a new one; else (no git) a random one. It is printed first;
 * `STRATA_TEST_SEED=<seed> npm test` replays that order. `npm test -- <vitest arguments>` adds
 * them (`npm test -- --project edge`, a file's path) to the same shuffled run.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// vitest's command line (its `bin`), next to its package.json: the package exports no other path to it.
const vitest = join(dirname(fileURLToPath(import.meta.resolve('vitest/package.json'))), 'vitest.mjs');
export const TEST_WORKERS = 2;
const MAX_SEED = 2_147_483_646;

/** The seed a commit's hash gives: its first 8 hex digits, folded into 1…2³¹−2. */
export function seedOfCommit(commit: string): number {
  if (!/^[0-9a-f]{8,}$/.test(commit)) throw new Error(`not a commit hash: ${JSON.stringify(commit)}`);
  return 1 + (Number.parseInt(commit.slice(0, 8), 16) % MAX_SEED);
}

function headCommit(): string | undefined {
  const result = spawnSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const commit = result.status === 0 ? result.stdout.trim() : '';
  return /^[0-9a-f]{40}$/.test(commit) ? commit : undefined;
}

/** The run's seed and where it came from: `STRATA_TEST_SEED` (a positive integer), the commit, or chance. */
export function testSeed(env: NodeJS.ProcessEnv = process.env, commit: () => string | undefined = headCommit): { seed: number; from: string } {
  const given = env.STRATA_TEST_SEED;
  if (given !== undefined && given !== '') {
    if (!/^[1-9][0-9]{0,9}$/.test(given) || Number(given) > MAX_SEED) {
      throw new Error(`STRATA_TEST_SEED must be a positive integer up to ${MAX_SEED}, not ${JSON.stringify(given)}`);
    }
    return { seed: Number(given), from: 'STRATA_TEST_SEED' };
  }
  const hash = commit();
  if (hash) return { seed: seedOfCommit(hash), from: `commit ${hash.slice(0, 12)}` };
  return { seed: 1 + Math.floor(Math.random() * MAX_SEED), from: 'chance (no git commit here)' };
}

/** vitest's arguments for one shuffled run under `seed`, with the caller's own after them. */
export function testArgs(seed: number, extra: readonly string[] = []): string[] {
  return ['run', '--sequence.shuffle', `--sequence.seed=${seed}`, `--maxWorkers=${TEST_WORKERS}`, ...extra];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { seed, from } = testSeed();
  console.log(`tests in a shuffled order on ${TEST_WORKERS} workers, seed ${seed} (from ${from}; replay: STRATA_TEST_SEED=${seed} npm test)\n`);
  const result = spawnSync(process.execPath, [vitest, ...testArgs(seed, process.argv.slice(2))], { stdio: 'inherit' });
  if (result.error) throw result.error;
  process.exit(result.status ?? 1);
}
