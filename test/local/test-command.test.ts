/**
 * `npm test`'s second pass (`scripts/test.ts`): origin and edge shuffled on two workers, under a
 * seed that is given (and checked) or new, so a failing order can be replayed.
 */
import { describe, expect, it } from 'vitest';
import { shuffledArgs, shuffleSeed } from '../../scripts/test.ts';

describe('the shuffled pass of npm test', () => {
  it('replays a given seed and draws a new positive one otherwise', () => {
    expect(shuffleSeed({ STRATA_TEST_SEED: '4242' })).toBe(4242);
    const drawn = new Set(Array.from({ length: 20 }, () => shuffleSeed({})));
    for (const seed of drawn) expect(Number.isInteger(seed) && seed >= 1 && seed < 2 ** 31).toBe(true);
    expect(drawn.size).toBeGreaterThan(1);
  });

  it.each(['0', '-3', '1.5', 'abc', '12345678901', ' 7'])('refuses STRATA_TEST_SEED=%j with a message', (bad) => {
    expect(() => shuffleSeed({ STRATA_TEST_SEED: bad })).toThrow(/STRATA_TEST_SEED must be a positive integer/);
  });

  it('runs origin and edge, shuffled by that seed, on two workers', () => {
    expect(shuffledArgs(99)).toEqual(['--project', 'origin', '--project', 'edge', '--sequence.shuffle', '--sequence.seed=99', '--maxWorkers=2']);
  });
});
