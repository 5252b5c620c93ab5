/**
 * Get-hit throughput, 1 KB JSON. In each of 15 rounds every subject takes turns of a few
 * milliseconds (`takeTurns` in `../rounds.ts`) until each has read for 150 ms, per metric:
 *   get_hit_seq            sequential reads of 2 000 keys in turn, a quarter of them rewritten
 *                          through the subject's own API before each slice
 *   get_hit_c200           the same keys, 200 concurrent reads of distinct keys at a time
 *   get_hit_seq_one_key    sequential reads of one key that never changes: the best case of a
 *                          subject that keeps what it decoded (strata's decoded copies skip the
 *                          `JSON.parse` every other subject pays), reported apart as that
 *   get_hit_c200_hot_key   200 concurrent reads of that one key: subjects that join concurrent
 *                          reads of a key (strata, cache-manager's `wrap`) answer most without Redis
 * Ratios are paired per round against both floors (`floor`, `floor-pipelined`).
 */
import { record, summarise, takeTurns, type Samples } from '../rounds.ts';
import type { Row } from '../rows.ts';
import type { Subject } from './subjects.ts';

const ROUNDS = 15;
const SLICE_MS = 150;
const CONCURRENCY = 200;
const KEYS = 2000;
/** One key in `REWRITE_EVERY` is rewritten before each slice of the many-keys reads. */
const REWRITE_EVERY = 4;

/** About 1 KB of JSON, shaped like an API resource. */
export const PAYLOAD = {
  id: '1a000000-0000-4000-8000-000000000001',
  name: 'Website Redesign',
  status: 'active',
  memberCount: 5,
  tags: ['marketing', 'web', 'q3'],
  description: 'x'.repeat(760),
  lastModified: '2026-01-15T08:30:00Z',
  revision: 0,
};

const miss = async () => {
  throw new Error('expected a hit');
};

/** The many-keys workload of one subject: keys read in turn, a share rewritten per slice. */
export class ManyKeys {
  readonly ids: readonly string[];
  /** The key of the one-key reads, never rewritten. */
  readonly oneKey = 'one-key';
  #cursor = 0;
  #revision = 0;

  readonly subject: Subject;

  constructor(subject: Subject, keys = KEYS) {
    this.subject = subject;
    this.ids = Array.from({ length: keys }, (_, i) => `many-${i}`);
  }

  /** Writes every key once, through the subject's own API. */
  async seed(): Promise<void> {
    for (const id of [this.oneKey, ...this.ids]) await this.subject.seed(id, PAYLOAD);
  }

  /** Rewrites the next share of the keys with a new revision; returns what it wrote. */
  async rewrite(): Promise<{ ids: string[]; revision: number }> {
    const revision = ++this.#revision;
    const ids = this.ids.filter((_, i) => i % REWRITE_EVERY === revision % REWRITE_EVERY);
    for (const id of ids) await this.subject.seed(id, { ...PAYLOAD, revision });
    return { ids, revision };
  }

  /** The next key in turn. */
  nextId(): string {
    const id = this.ids[this.#cursor]!;
    this.#cursor = (this.#cursor + 1) % this.ids.length;
    return id;
  }
}

const PHASES = ['get_hit_seq', 'get_hit_c200', 'get_hit_seq_one_key', 'get_hit_c200_hot_key'] as const;
type Phase = (typeof PHASES)[number];

/** The batch `phase` runs for `workload`'s subject: one read, or 200 concurrent ones. */
function batchOf(workload: ManyKeys, phase: Phase): () => Promise<unknown> {
  const read = (id: string) => workload.subject.getOrLoad(id, miss);
  const hot = workload.oneKey;
  switch (phase) {
    case 'get_hit_seq':
      return () => read(workload.nextId());
    case 'get_hit_c200':
      return () => Promise.all(Array.from({ length: CONCURRENCY }, () => read(workload.nextId())));
    case 'get_hit_seq_one_key':
      return () => read(hot);
    case 'get_hit_c200_hot_key':
      return () => Promise.all(Array.from({ length: CONCURRENCY }, () => read(hot)));
  }
}

/**
 * Measures every subject; rows per metric in ops/s and, as `<metric>_cpu_us`, this process's
 * CPU per read, each with `_x_floor` and `_x_floor_pipelined` ratios.
 */
export async function measureGetHit(subjects: readonly Subject[]): Promise<Row[]> {
  const workloads = subjects.map((subject) => new ManyKeys(subject));
  for (const workload of workloads) await workload.seed();
  const samples: Samples = new Map();
  // Round -1 warms every subject up and is not recorded.
  for (let round = -1; round < ROUNDS; round++) {
    for (const phase of PHASES) {
      if (phase === 'get_hit_seq' || phase === 'get_hit_c200') for (const workload of workloads) await workload.rewrite();
      const concurrent = phase === 'get_hit_c200' || phase === 'get_hit_c200_hot_key';
      const figures = await takeTurns(
        workloads.map((workload) => batchOf(workload, phase)),
        { width: concurrent ? CONCURRENCY : 1, batchesPerTurn: concurrent ? 1 : 32, sliceMs: SLICE_MS, seed: round + 2 },
      );
      if (round < 0) continue;
      workloads.forEach((workload, i) => {
        record(samples, workload.subject.name, phase, figures.opsPerSecond[i]!);
        record(samples, workload.subject.name, `${phase}_cpu_us`, figures.cpuMicrosPerOp[i]!);
      });
    }
  }
  return summarise(samples, {
    unitOf: (metric) => (metric.endsWith('_cpu_us') ? 'µs CPU/op' : 'ops/s'),
    floors: ['floor', 'floor-pipelined'],
    ratioMetrics: [...PHASES, ...PHASES.map((phase) => `${phase}_cpu_us`)],
    decimals: (metric) => (metric.endsWith('_cpu_us') ? 2 : 0),
  });
}
