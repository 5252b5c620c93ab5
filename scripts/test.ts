/**
 * `npm run test:shuffled`: the projects most prone to shared state (origin, edge) with two workers
 * and a shuffled order of files and tests, so a test that leans on another's leftovers or on
 * running alone fails here rather than by luck. The shuffle's seed is printed;
 * `STRATA_TEST_SEED=<seed> npm run test:shuffled` replays that order.
 * `npm run test:shuffled -- <vitest arguments>` runs vitest once with them, nothing else.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// vitest's command line (its `bin`), next to its package.json: the package exports no other path to it.
const vitest = join(dirname(fileURLToPath(import.meta.resolve('vitest/package.json'))), 'vitest.mjs');
export const SHUFFLED_PROJECTS = ['origin', 'edge'];
export const SHUFFLED_WORKERS = 2;

function run(args: string[]): number {
  const result = spawnSync(process.execPath, [vitest, 'run', ...args], { stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

/** The seed of the shuffled pass: `STRATA_TEST_SEED` when set (a positive integer), else a new one. */
export function shuffleSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.STRATA_TEST_SEED;
  if (given === undefined || given === '') return 1 + Math.floor(Math.random() * 2_147_483_646);
  if (!/^[1-9][0-9]{0,9}$/.test(given)) throw new Error(`STRATA_TEST_SEED must be a positive integer, not ${JSON.stringify(given)}`);
  return Number(given);
}

/** The arguments of the shuffled pass. */
export function shuffledArgs(seed: number): string[] {
  return [...SHUFFLED_PROJECTS.flatMap((name) => ['--project', name]), '--sequence.shuffle', `--sequence.seed=${seed}`, `--maxWorkers=${SHUFFLED_WORKERS}`];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const extra = process.argv.slice(2);
  if (extra.length > 0) process.exit(run(extra));
  const seed = shuffleSeed();
  console.log(
    `${SHUFFLED_PROJECTS.join(' and ')} in a shuffled order on ${SHUFFLED_WORKERS} workers, seed ${seed} (replay: STRATA_TEST_SEED=${seed} npm run test:shuffled)\n`,
  );
  process.exit(run(shuffledArgs(seed)));
}
