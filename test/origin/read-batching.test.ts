/**
 * A lone read goes at once as a GET; reads issued while others are in flight travel as one MGET
 * per turn of the event loop. Counted by the server itself (INFO commandstats) on a
 * `redis-server` of this file's own, so no other suite's commands mix in.
 * Cluster mode gets the same check for correctness: one tick's reads span slots and nodes.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRedisClusterStore, createRedisStore, type CacheStore } from '../../origin/cache/index.ts';
import { commandsDuring } from '../harness/command-stats.ts';
import { startRedis, type RedisProcess } from '../harness/redis.ts';
import { clusterNodes } from './stores.ts';

const timeouts = { commandTimeoutMs: 1000, connectTimeoutMs: 2000 };
const key = (tenant: string, name: string) => `resource:{${tenant}}:test:${name}`;

describe('batched reads on one redis-server', () => {
  let redis: RedisProcess;
  let store: CacheStore;
  let observer: Redis;

  beforeAll(async () => {
    redis = await startRedis();
    store = createRedisStore({ url: redis.url, ...timeouts });
    await store.connect();
    observer = new Redis(redis.url, { protocol: 2 });
  });
  afterAll(async () => {
    observer?.disconnect();
    await store?.close();
    await redis?.stop();
  });

  it('sends one MGET for a tick of concurrent reads, each answered with its own value', async () => {
    const keys = Array.from({ length: 100 }, (_, i) => key(`t${i % 7}`, `k${i}`));
    await store.setMany(keys.filter((_, i) => i % 3 !== 0).map((k) => ({ key: k, value: `value of ${k}`, ttlMs: 60_000 })));
    // Single reads, batch reads and a repeated key, all started in the same tick.
    const { result, calls } = await commandsDuring(observer, () => {
      const single = keys.map((k) => store.get(k));
      const batch = store.getMany([keys[1]!, keys[0]!, keys[1]!]);
      return Promise.all([Promise.all(single), batch]);
    });
    const [values, batch] = result;
    expect(values).toEqual(keys.map((k, i) => (i % 3 !== 0 ? `value of ${k}` : undefined)));
    expect(batch).toEqual([`value of ${keys[1]}`, undefined, `value of ${keys[1]}`]);
    // The first read found nothing in flight and went at once; the rest waited and went together.
    expect(calls('get')).toBe(1);
    expect(calls('mget')).toBe(1);
  });

  it('sends a read at once as a GET when nothing else is in flight', async () => {
    await store.set(key('alone', 'a'), 'a', 60_000);
    const { calls } = await commandsDuring(observer, async () => {
      for (let i = 0; i < 5; i++) expect(await store.get(key('alone', 'a'))).toBe('a');
    });
    expect(calls('get')).toBe(5);
    expect(calls('mget')).toBe(0);
  });

  it('batches reads started by different callbacks of one loop turn, as concurrent requests are', async () => {
    const keys = [key('turn', 'a'), key('turn', 'b'), key('turn', 'c')];
    await store.setMany(keys.map((k) => ({ key: k, value: k, ttlMs: 60_000 })));
    // Each read starts in its own macrotask, like request handlers woken by separate sockets.
    const { result: values, calls } = await commandsDuring(observer, () =>
      Promise.all(keys.map((k) => new Promise<string | undefined>((resolve, reject) => setImmediate(() => store.get(k).then(resolve, reject))))),
    );
    expect(values).toEqual(keys);
    expect(calls('get')).toBe(1);
    expect(calls('mget')).toBe(1);
  });

  it('fails every read of a batch when the server dies, and reads again once it is back', async () => {
    await store.set(key('down', 'a'), 'kept', 60_000);
    await redis.kill();
    const reads = await Promise.allSettled([store.get(key('down', 'a')), store.getMany([key('down', 'b'), key('up', 'c')])]);
    expect(reads.map((r) => r.status)).toEqual(['rejected', 'rejected']);

    await redis.restart();
    // The client reconnects in the background (backoff ≤ 1 s); the restarted server is empty.
    let value: string | undefined;
    for (let attempt = 0; attempt < 100 && value === undefined; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      value = await store
        .set(key('down', 'a'), 'back', 60_000)
        .then(() => store.get(key('down', 'a')))
        .catch(() => undefined);
    }
    expect(value).toBe('back');

    // Nothing the failure left behind holds reads back: a lone read goes out at once again.
    const { result: back, calls } = await commandsDuring(observer, () => store.get(key('down', 'a')));
    expect(back).toBe('back');
    expect(calls('get')).toBe(1);
    expect(calls('mget')).toBe(0);
  });

  it('reads several keys with nothing in flight as one MGET', async () => {
    const keys = [key('many', 'a'), key('many', 'b'), key('many', 'c')];
    await store.setMany(keys.map((k) => ({ key: k, value: k, ttlMs: 60_000 })));
    const { result: values, calls } = await commandsDuring(observer, () => store.getMany(keys));
    expect(values).toEqual(keys);
    expect(calls('mget')).toBe(1);
    expect(calls('get')).toBe(0);
  });
});

describe('batched reads on the cluster', () => {
  let store: CacheStore;

  beforeAll(async () => {
    store = createRedisClusterStore({ nodes: clusterNodes(inject('redisClusterNodes')), ...timeouts });
    await store.connect();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('answers a tick of reads spanning every node with each key’s own value', async () => {
    const run = crypto.randomUUID().slice(0, 8);
    const keys = Array.from({ length: 120 }, (_, i) => key(`b${run}-${i % 40}`, `k${i}`));
    await store.setMany(keys.filter((_, i) => i % 2 === 0).map((k) => ({ key: k, value: k, ttlMs: 60_000 })));
    const values = await Promise.all([...keys.map((k) => store.get(k)), store.getMany([...keys].reverse())]);
    expect(values.slice(0, keys.length)).toEqual(keys.map((k, i) => (i % 2 === 0 ? k : undefined)));
    expect(values.at(-1)).toEqual([...keys].reverse().map((k) => (keys.indexOf(k) % 2 === 0 ? k : undefined)));
  });
});
