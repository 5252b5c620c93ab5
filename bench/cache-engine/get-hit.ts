/**
 * Get-hit throughput, 1 KB JSON, sequential and 200 concurrent. Subjects are interleaved: every
 * round runs each of them for a short slice, in a rotating order, and the median over rounds is
 * reported, so drift on a shared machine hits every subject alike.
 */
import { median, type Row } from './rows.ts';
import type { Subject } from './subjects.ts';

const ROUNDS = 7;
const SLICE_MS = 250;
const CONCURRENCY = 200;

/** About 1 KB of JSON, shaped like an API resource. */
export const PAYLOAD = {
  id: '1a000000-0000-4000-8000-000000000001',
  name: 'Website Redesign',
  status: 'active',
  memberCount: 5,
  tags: ['marketing', 'web', 'q3'],
  description: 'x'.repeat(760),
  lastModified: '2026-01-15T08:30:00Z',
};

async function opsPerSecond(run: () => Promise<unknown>, width: number): Promise<number> {
  const started = performance.now();
  let done = 0;
  while (performance.now() - started < SLICE_MS) {
    if (width === 1) await run();
    else await Promise.all(Array.from({ length: width }, run));
    done += width;
  }
  return (done * 1000) / (performance.now() - started);
}

/** Measures every subject; rows are `get_hit_seq` and `get_hit_c200` in ops/s. */
export async function measureGetHit(subjects: readonly Subject[]): Promise<Row[]> {
  const miss = async () => {
    throw new Error('expected a hit');
  };
  for (const subject of subjects) await subject.seed('hit', PAYLOAD);
  const samples = new Map<string, { seq: number[]; c200: number[] }>(subjects.map((s) => [s.name, { seq: [], c200: [] }]));
  for (const subject of subjects) await opsPerSecond(() => subject.getOrLoad('hit', miss), 1); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    const order = subjects.map((_, i) => subjects[(i + round) % subjects.length]!);
    for (const subject of order) {
      const read = () => subject.getOrLoad('hit', miss);
      samples.get(subject.name)!.seq.push(await opsPerSecond(read, 1));
      samples.get(subject.name)!.c200.push(await opsPerSecond(read, CONCURRENCY));
    }
  }
  return subjects.flatMap((subject) => {
    const { seq, c200 } = samples.get(subject.name)!;
    return [
      { subject: subject.name, metric: 'get_hit_seq', value: Math.round(median(seq)), unit: 'ops/s' },
      { subject: subject.name, metric: 'get_hit_c200', value: Math.round(median(c200)), unit: 'ops/s' },
    ];
  });
}
