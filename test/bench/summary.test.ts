/**
 * `bench/results/summary.md` is rendered from rows alone (`bench/summary/render.ts`): each goal
 * with its figure, verdict and peers, "not run" for what is missing, and the machine's record.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Row } from '../../bench/rows.ts';
import { LINES, type Line } from '../../bench/summary/goals.ts';
import { readResults } from '../../bench/summary/index.ts';
import { lookup, meets, renderSummary, type Results } from '../../bench/summary/render.ts';
import { withRun } from '../../bench/summary/machine.ts';

const row = (subject: string, metric: string, value: number, unit = 'ratio'): Row => ({ subject, metric, value, unit });

const lines: Line[] = [
  {
    area: 'workload',
    what: 'user hit ratio',
    figure: { file: 'workload', subject: 'type:user', metric: 'redis_hit_ratio' },
    unit: 'ratio',
    goal: { op: '≥', value: 0.85 },
    peers: [{ label: 'edge', ref: { file: 'workload', subject: 'type:user', metric: 'edge_hit_ratio' } }],
  },
  {
    area: 'workload',
    what: 'api hit ratio',
    figure: { file: 'workload', subject: 'type:api', metric: 'redis_hit_ratio' },
    unit: 'ratio',
    goal: { op: '≥', value: 0.7 },
  },
  {
    area: 'edge',
    what: 'purge p99',
    figure: { file: 'purge-latency', subject: 'strata', metric: 'write_to_fresh_p99_ms' },
    unit: 'ms',
    goal: { op: '≤', value: 1000 },
  },
  {
    area: 'engine',
    what: 'hit × floor | sequential',
    figure: { file: 'cache-engine', subject: 'strata', metric: 'get_hit_seq_x_floor' },
    unit: 'ratio',
    peers: [{ label: 'bentocache', ref: { file: 'cache-engine', subject: 'bentocache', metric: 'get_hit_seq_x_floor' } }],
  },
];

describe('renderSummary', () => {
  const results: Results = new Map([
    ['workload', [row('type:user', 'redis_hit_ratio', 0.91), row('type:user', 'edge_hit_ratio', 0.5), row('type:api', 'redis_hit_ratio', 0.64)]],
    ['cache-engine', [row('strata', 'get_hit_seq_x_floor', 0.81), row('bentocache', 'get_hit_seq_x_floor', 0.55)]],
  ]);

  it('puts each goal beside its figure, verdict and peers, and counts the goals met', () => {
    const text = renderSummary(results, lines, undefined, '2026-12-03T08:00:00Z');
    expect(text).toContain('| user hit ratio | ≥ 0.85 | 0.91 | yes | edge: 0.5 |');
    expect(text.startsWith('# Benchmark summary\n')).toBe(true);
    expect(text).toContain('| api hit ratio | ≥ 0.7 | 0.64 | **no** | — |');
    expect(text).toContain('| hit × floor \\| sequential | — | 0.81 |  | bentocache: 0.55 |');
    expect(text).toContain('Goals met: 1 of 2 measured.');
    expect(text.indexOf('## workload')).toBeLessThan(text.indexOf('## edge'));
  });

  it('says "not run" for a missing file and that the machine was not recorded', () => {
    const text = renderSummary(results, lines, undefined, 'now');
    expect(text).toContain('| purge p99 | ≤ 1000 | not run |  | — |');
    expect(text).toContain('No `bench/results/machine.json`');
  });

  it('describes the machine and every run with its load', () => {
    const machine = {
      machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 23.5, os: 'Linux 6', node: 'v24.21.0' },
      runs: [
        { name: 'workload', startedAt: '2026-12-03T08:00:00', seconds: 312.4, ok: true, loadBefore: 3.5, loadAfter: 9.25 },
        { name: 'edge', startedAt: '2026-12-03T08:06:00', seconds: 5, ok: false, loadBefore: 9.25, loadAfter: 9 },
      ],
    };
    const text = renderSummary(results, lines, machine, 'now');
    expect(text).toContain('2 × Test CPU, 23.5 GiB, Linux 6, Node v24.21.0.');
    expect(text).toContain('| workload | 2026-12-03T08:00:00 | 312 s | 3.5 → 9.25 | ok |');
    expect(text).toContain('| edge | 2026-12-03T08:06:00 | 5 s | 9.25 → 9 | **failed** |');
    expect(text).toContain('Not from this run (left by earlier runs, machine and load not recorded here): `cache-engine.json`.');
  });

  it('names a run by its arguments and says how a record was made', () => {
    const machine = {
      machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 23.5, os: 'Linux 6', node: 'v24.21.0' },
      runs: [{ name: 'lambda', args: ['15'], startedAt: '2026-12-03T08:00:00', seconds: 60, ok: true, loadBefore: 13, loadAfter: 14, note: 'from its log' }],
    };
    expect(renderSummary(results, lines, machine, 'now')).toContain('| lambda 15 | 2026-12-03T08:00:00 | 60 s | 13 → 14 | ok (from its log) |');
  });
});

describe('recording a run', () => {
  it('puts a benchmark run on its own in place of the record of the run that wrote its file before', () => {
    const run = (name: string, startedAt: string) => ({ name, startedAt, seconds: 1, ok: true, loadBefore: 1, loadAfter: 1 });
    const full = [run('edge', 'T1'), run('workload', 'T2'), run('bundles', 'T3')];
    expect(withRun(full, run('workload', 'T4')).map((r) => `${r.name}@${r.startedAt}`)).toEqual(['edge@T1', 'bundles@T3', 'workload@T4']);
    expect(withRun([], run('edge', 'T5'))).toEqual([run('edge', 'T5')]);
  });
});

describe('the pieces', () => {
  it('looks figures up by file, subject and metric, and judges each kind of goal', () => {
    const results: Results = new Map([['a', [row('s', 'm', 3), row('s', 'nan', Number.NaN)]]]);
    expect(lookup(results, { file: 'a', subject: 's', metric: 'm' })).toBe(3);
    expect(lookup(results, { file: 'a', subject: 's', metric: 'nan' })).toBeUndefined();
    expect(lookup(results, { file: 'b', subject: 's', metric: 'm' })).toBeUndefined();
    expect(meets({ op: '≥', value: 0.95 }, 0.95)).toBe(true);
    expect(meets({ op: '≥', value: 0.95 }, 0.949)).toBe(false);
    expect(meets({ op: '≤', value: 1000 }, 1001)).toBe(false);
    expect(meets({ op: '=', value: 0 }, 0)).toBe(true);
  });

  it('has a line for each of the design hit-ratio targets', () => {
    const goals = LINES.filter((line) => line.figure.metric === 'redis_hit_ratio' && line.goal).map((line) => [line.figure.subject, line.goal!.value]);
    expect(goals).toEqual([
      ['type:session', 0.95],
      ['type:config', 0.9],
      ['type:user', 0.85],
      ['type:api', 0.7],
    ]);
  });

  it('reads every results file with rows, skips the machine record, and refuses a file without rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strata-summary-'));
    try {
      await writeFile(join(dir, 'workload.json'), JSON.stringify({ rows: [row('workload', 'throughput', 12, 'req/s')] }));
      await writeFile(join(dir, 'machine.json'), JSON.stringify({ machine: {}, runs: [] }));
      await writeFile(join(dir, 'summary.md'), '# old');
      expect([...(await readResults(dir)).keys()]).toEqual(['workload']);
      await writeFile(join(dir, 'broken.json'), JSON.stringify({ figures: [] }));
      await expect(readResults(dir)).rejects.toThrow(/broken.json has no rows/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
