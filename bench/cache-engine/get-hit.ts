/**
 * Get-hit throughput, 1 KB JSON: sequential; 200 concurrent reads of 200 different keys (a
 * server under load); and 200 concurrent reads of one hot key, where a subject that coalesces
 * concurrent reads of a key (cache-manager's `wrap`) answers most of them without Redis.
 * Subjects are interleaved: every round runs each for a short slice, in a rotating order, and
 * the median over rounds is reported, so drift on a shared machine hits every subject alike.
 * `<metric>_x_floor` is the median over rounds of a subject's figure divided by the floor's in
 * the same round: on this machine the floor alone moved by up to half between rounds of one
 * run, which moves the ratio of two medians by more than most code changes do.
 */
import { median, pairedRatio, type Row } from './rows.ts';
import type { Subject } from './subjects.ts';

const ROUNDS = 15;
const SLICE_MS = 150;
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

const IDS = Array.from({ length: CONCURRENCY }, (_, i) => `hit-${i}`);

/** Runs `batch` (which performs `width` reads) repeatedly for one slice; reads per second. */
async function opsPerSecond(batch: () => Promise<unknown>, width: number): Promise<number> {
  const started = performance.now();
  let done = 0;
  while (performance.now() - started < SLICE_MS) {
    await batch();
    done += width;
  }
  return (done * 1000) / (performance.now() - started);
}

const METRICS = ['get_hit_seq', 'get_hit_c200', 'get_hit_c200_hot_key'] as const;

/** Measures every subject; rows `get_hit_seq`, `get_hit_c200`, `get_hit_c200_hot_key` in ops/s, and their `_x_floor` ratios. */
export async function measureGetHit(subjects: readonly Subject[]): Promise<Row[]> {
  const miss = async () => {
    throw new Error('expected a hit');
  };
  for (const subject of subjects) for (const id of IDS) await subject.seed(id, PAYLOAD);
  const samples = new Map(subjects.map((s) => [s.name, new Map(METRICS.map((m) => [m, [] as number[]]))]));
  for (let round = -1; round < ROUNDS; round++) {
    const order = subjects.map((_, i) => subjects[(i + Math.max(round, 0)) % subjects.length]!);
    for (const subject of order) {
      const read = (id: string) => subject.getOrLoad(id, miss);
      const figures = [
        await opsPerSecond(() => read(IDS[0]!), 1),
        await opsPerSecond(() => Promise.all(IDS.map(read)), CONCURRENCY),
        await opsPerSecond(() => Promise.all(IDS.map(() => read(IDS[0]!))), CONCURRENCY),
      ];
      // Round -1 warms every subject up and is not recorded.
      if (round >= 0) METRICS.forEach((metric, i) => samples.get(subject.name)!.get(metric)!.push(figures[i]!));
    }
  }
  const floor = samples.get('floor');
  return subjects.flatMap((subject) =>
    METRICS.flatMap((metric) => {
      const figures = samples.get(subject.name)!.get(metric)!;
      const rows: Row[] = [{ subject: subject.name, metric, value: Math.round(median(figures)), unit: 'ops/s' }];
      const base = floor?.get(metric);
      if (base) rows.push({ subject: subject.name, metric: `${metric}_x_floor`, value: pairedRatio(figures, base), unit: 'ratio' });
      return rows;
    }),
  );
}
