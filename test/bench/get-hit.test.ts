/**
 * The engine benchmark's get-hit subjects and workload (`bench/cache-engine/`) measure what
 * they claim: no subject serves a value held in process (a rewrite is read back at once), the
 * many-keys reads go through every key while a share is rewritten before each slice, and every
 * subject but the plain floor sends a tick's concurrent reads to Redis in a handful of writes to
 * its socket (auto-pipelining, or strata's batching), as the floor-pipelined does.
 */
import { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManyKeys } from '../../bench/cache-engine/get-hit.ts';
import { createSubjects, type Subject } from '../../bench/cache-engine/subjects.ts';
import { startRedis, type RedisProcess } from '../harness/redis.ts';

const miss = async (): Promise<never> => {
  throw new Error('expected a hit');
};

let redis: RedisProcess;
let subjects: Subject[];

beforeAll(async () => {
  redis = await startRedis();
  subjects = await createSubjects(redis.url);
});

afterAll(async () => {
  await Promise.allSettled(subjects.map((s) => s.close()));
  await redis.stop();
});

/**
 * How many times this process's sockets flushed while `run` ran: one per write a client made,
 * or one per corked batch of them. Counted in the client rather than as Redis's socket reads,
 * which depend on how the kernel happened to deliver the writes (under load, two writes can
 * arrive as one read or as two), so the count is the code's and not the machine's.
 */
async function socketFlushes(run: () => Promise<unknown>): Promise<number> {
  const proto = Socket.prototype as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
  const original = { _write: proto._write, _writev: proto._writev };
  let flushes = 0;
  for (const method of ['_write', '_writev'] as const) {
    proto[method] = function (this: Socket, ...args: unknown[]) {
      flushes++;
      return original[method].apply(this, args);
    };
  }
  try {
    await run();
  } finally {
    Object.assign(proto, original);
  }
  return flushes;
}

describe('get-hit benchmark', () => {
  it('every subject reads a rewritten key back at once', async () => {
    for (const subject of subjects) {
      const workload = new ManyKeys(subject, 8);
      await workload.seed();
      for (const id of workload.ids) await subject.getOrLoad(id, miss);
      const { ids, revision } = await workload.rewrite();
      expect(ids).toHaveLength(2);
      for (const id of ids) expect(await subject.getOrLoad(id, miss), subject.name).toMatchObject({ revision });
    }
  });

  it('reads every key in turn, rewrites a different quarter each time, and never the one key', async () => {
    const workload = new ManyKeys(subjects[0]!, 8);
    const read = new Set(Array.from({ length: 8 }, () => workload.nextId()));
    expect(read).toEqual(new Set(workload.ids));
    const rewritten = new Set<string>();
    for (let i = 0; i < 4; i++) for (const id of (await workload.rewrite()).ids) rewritten.add(id);
    expect(rewritten).toEqual(new Set(workload.ids));
    expect(workload.ids).not.toContain(workload.oneKey);
  });

  it('every subject but the plain floor sends 200 concurrent reads to Redis in a few socket writes', async () => {
    const writes: Record<string, number> = {};
    for (const subject of subjects) {
      const workload = new ManyKeys(subject, 200);
      await workload.seed();
      await Promise.all(workload.ids.map((id) => subject.getOrLoad(id, miss)));
      writes[subject.name] = await socketFlushes(() => Promise.all(workload.ids.map((id) => subject.getOrLoad(id, miss))));
    }
    // The plain floor is the design's naive wrapper, one write per command (200); every other
    // subject writes once or twice (strata: the first read at once, the rest together when the
    // turn ends). The bound leaves room for a background timer's write landing in the burst.
    const { floor, ...others } = writes;
    expect(floor).toBeGreaterThanOrEqual(100);
    for (const [name, count] of Object.entries(others)) expect(count, name).toBeLessThanOrEqual(5);
  });
});
