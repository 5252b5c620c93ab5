/**
 * The statistics every benchmark shares (`bench/rounds.ts`): the same rounds for every subject
 * in rotated or shuffled orders, and ratios paired per round. Clocks are injected: nothing here
 * depends on how fast this machine is.
 */
import { describe, expect, it } from 'vitest';
import { interleave, summarise, takeTurns, timed, type Samples } from '../../bench/rounds.ts';

describe('interleave', () => {
  it('runs every subject once per phase per round, rotating the order, and drops the warm-up round', async () => {
    const calls: string[] = [];
    const subjects = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
    const samples = await interleave(subjects, {
      rounds: 3,
      phases: ['x', 'y'],
      measure: async (subject, phase, round) => {
        calls.push(`${round}${phase}${subject.name}`);
        return { [phase]: round };
      },
    });
    expect(calls.slice(0, 6)).toEqual(['-1xc', '-1xa', '-1xb', '-1yc', '-1ya', '-1yb']);
    expect(calls.slice(6, 12)).toEqual(['0xa', '0xb', '0xc', '0ya', '0yb', '0yc']);
    expect(calls.slice(12, 15)).toEqual(['1xb', '1xc', '1xa']);
    for (const name of ['a', 'b', 'c'])
      expect(samples.get(name)).toEqual(
        new Map([
          ['x', [0, 1, 2]],
          ['y', [0, 1, 2]],
        ]),
      );
  });
});

describe('takeTurns', () => {
  it('measures each subject on its own turns only, in a new order each pass', async () => {
    let clock = 0;
    let cpu = 0;
    const calls: number[] = [];
    const costs = [1, 2, 4];
    const batches = costs.map((ms, i) => async () => {
      calls.push(i);
      clock += ms;
      cpu += ms * 500;
    });
    const figures = await takeTurns(batches, { width: 10, batchesPerTurn: 5, sliceMs: 200, seed: 7, now: () => clock, cpu: () => cpu });
    expect(figures).toEqual({ opsPerSecond: [10_000, 5_000, 2_500], cpuMicrosPerOp: [50, 100, 200] });
    const turns = calls.filter((_, call) => call % 5 === 0);
    expect(calls).toEqual(turns.flatMap((i) => [i, i, i, i, i]));
    const passes = Array.from({ length: turns.length / 3 }, (_, p) => turns.slice(p * 3, p * 3 + 3).join(''));
    for (const pass of passes) expect([...pass].sort().join('')).toBe('012');
    expect(new Set(passes).size).toBeGreaterThan(1);
  });
});

describe('timed', () => {
  it('records the wall time of each call and passes its result through', async () => {
    let clock = 0;
    const into: number[] = [];
    const costs = [3, 1, 2];
    let call = 0;
    const read = timed(
      async () => {
        const cost = costs[call++]!;
        clock += cost;
        return cost * 10;
      },
      into,
      () => clock,
    );
    expect([await read(), await read(), await read()]).toEqual([30, 10, 20]);
    expect(into).toEqual([3, 1, 2]);
  });

  it('records nothing for a call that fails', async () => {
    const into: number[] = [];
    const read = timed(
      () => Promise.reject(new Error('down')),
      into,
      () => 0,
    );
    await expect(read()).rejects.toThrow('down');
    expect(into).toEqual([]);
  });
});

describe('summarise', () => {
  it('pairs each round with the floor of the same round', () => {
    const samples: Samples = new Map([
      ['floor', new Map([['ops', [100, 200, 400]]])],
      ['fast-floor', new Map([['ops', [200, 400, 800]]])],
      [
        'subject',
        new Map([
          ['ops', [90, 180, 360]],
          ['p99', [3, 1, 2]],
        ]),
      ],
    ]);
    const rows = summarise(samples, { unitOf: (m) => (m === 'ops' ? 'ops/s' : 'ms'), floors: ['floor', 'fast-floor'], ratioMetrics: ['ops'] });
    expect(rows.filter((r) => r.subject === 'subject')).toEqual([
      { subject: 'subject', metric: 'ops', value: 180, unit: 'ops/s' },
      { subject: 'subject', metric: 'ops_x_floor', value: 0.9, unit: 'ratio' },
      { subject: 'subject', metric: 'ops_x_fast_floor', value: 0.45, unit: 'ratio' },
      { subject: 'subject', metric: 'p99', value: 2, unit: 'ms' },
    ]);
  });
});
