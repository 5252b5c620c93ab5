/**
 * `npm test` (`scripts/test.ts`): every project shuffled on two workers, under a seed that is
 * given (and checked), drawn from the commit, or new, so a failing order can be replayed.
 */
import { describe, expect, it } from 'vitest';
import { seedOfCommit, testArgs, testSeed } from '../../scripts/test.ts';

const COMMIT = 'f31c16c0a1b2c3d4e5f60718293a4b5c6d7e8f90';

describe('npm test', () => {
  it('replays a given seed before anything else', () => {
    expect(testSeed({ STRATA_TEST_SEED: '4242' }, () => COMMIT)).toEqual({ seed: 4242, from: 'STRATA_TEST_SEED' });
  });

  it.each(['0', '-3', '1.5', 'abc', '12345678901', ' 7', '2147483647'])('refuses STRATA_TEST_SEED=%j with a message', (bad) => {
    expect(() => testSeed({ STRATA_TEST_SEED: bad }, () => COMMIT)).toThrow(/STRATA_TEST_SEED must be a positive integer/);
  });

  it('draws the seed from the commit: the same commit runs the same order, another commit another', () => {
    const first = testSeed({}, () => COMMIT);
    expect(first).toEqual({ seed: seedOfCommit(COMMIT), from: 'commit f31c16c0a1b2' });
    expect(testSeed({ STRATA_TEST_SEED: '' }, () => COMMIT).seed).toBe(first.seed);
    expect(seedOfCommit('00000001ffff')).toBe(2);
    expect(seedOfCommit('ffffffff')).toBe(1 + (0xffffffff % 2_147_483_646));
    const seeds = new Set(['a1', 'b2', 'c3', 'd4', 'e5'].map((head) => seedOfCommit(`${head}${COMMIT.slice(2)}`)));
    expect(seeds.size).toBe(5);
    expect(() => seedOfCommit('not-a-hash')).toThrow(/not a commit hash/);
  });

  it('draws a new positive seed where there is no commit', () => {
    const drawn = new Set(Array.from({ length: 20 }, () => testSeed({}, () => undefined)));
    for (const { seed, from } of drawn) {
      expect(Number.isInteger(seed) && seed >= 1 && seed < 2 ** 31).toBe(true);
      expect(from).toMatch(/chance/);
    }
    expect(new Set([...drawn].map(({ seed }) => seed)).size).toBeGreaterThan(1);
  });

  it('runs every project shuffled by that seed on two workers, with the caller arguments after', () => {
    expect(testArgs(99)).toEqual(['run', '--sequence.shuffle', '--sequence.seed=99', '--maxWorkers=2']);
    expect(testArgs(7, ['--project', 'edge'])).toEqual(['run', '--sequence.shuffle', '--sequence.seed=7', '--maxWorkers=2', '--project', 'edge']);
  });
});
