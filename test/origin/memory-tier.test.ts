/**
 * The per-process memory tier and the invalidation bus, with several engines ("processes")
 * over the harness's Redis: a write in one drops the value from the others' memory at once, and
 * one that misses the message serves the old value for at most the tier's TTL.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configKey } from '../../common/keys.ts';
import { CacheEngine, createRedisBus, createRedisStore, type CacheEntryRef, type CacheStore } from '../../origin/cache/index.ts';
import { DEFAULT_POLICIES } from '../../origin/cache-policies.ts';
import { freshTenant } from './stores.ts';
import { fileRedisUrl } from '../harness/file-redis.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const policy = DEFAULT_POLICIES.config; // memory: true
const MEMORY = { maxEntries: 100, ttlMs: 1000 };

describe('memory tier with the invalidation bus', () => {
  const stores: CacheStore[] = [];
  const engines: CacheEngine[] = [];

  async function process_(withBus: boolean): Promise<CacheEngine> {
    const url = fileRedisUrl();
    const store = createRedisStore({ url, commandTimeoutMs: 1000, connectTimeoutMs: 1000 });
    await store.connect();
    const bus = withBus ? createRedisBus(new Redis(url, { protocol: 2 }), new Redis(url, { protocol: 2 })) : undefined;
    const engine = new CacheEngine({ store, memory: MEMORY, ...(bus ? { bus } : {}) });
    await engine.start();
    stores.push(store);
    engines.push(engine);
    return engine;
  }

  let a: CacheEngine;
  let b: CacheEngine;
  let deaf: CacheEngine;
  beforeAll(async () => {
    [a, b, deaf] = await Promise.all([process_(true), process_(true), process_(false)]);
  });
  afterAll(async () => {
    await Promise.all(engines.map((e) => e.close()));
    await Promise.all(stores.map((s) => s.close()));
  });

  async function waitForValue(engine: CacheEngine, { key, tenant }: CacheEntryRef, expected: string, withinMs: number): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < withinMs) {
      const { value } = await engine.getOrLoad({ key, tenant, policy, load: async () => 'from-source' });
      if (value === expected) return Date.now() - started;
      await sleep(10);
    }
    throw new Error(`${key} did not become ${expected} within ${withinMs} ms`);
  }

  it('drops a rewritten value from other processes at once; a process that missed it recovers within the TTL', async () => {
    const tenant = freshTenant();
    const key = configKey(tenant, 'app_settings');
    for (const engine of [a, deaf]) {
      await engine.getOrLoad({ key, tenant, policy, load: async () => 'v1' });
      expect(await engine.getOrLoad({ key, tenant, policy, load: async () => 'unused' })).toEqual({ value: 'v1', status: 'hit' });
    }
    await b.set({ key, tenant, policy }, 'v2');
    expect(await waitForValue(a, { key, tenant }, 'v2', 500)).toBeLessThan(500);
    // No bus: the memory tier still holds v1, but never longer than its TTL.
    expect((await deaf.getOrLoad({ key, tenant, policy, load: async () => 'unused' })).value).toBe('v1');
    expect(await waitForValue(deaf, { key, tenant }, 'v2', MEMORY.ttlMs + 200)).toBeLessThanOrEqual(MEMORY.ttlMs + 200);
  });

  it('drops a tenant’s values from other processes on a tenant invalidation', async () => {
    const tenant = freshTenant();
    const key = configKey(tenant, 'limits');
    await a.getOrLoad({ key, tenant, policy, load: async () => 'old' });
    await b.invalidateTenant(tenant);
    expect(await waitForValue(a, { key, tenant }, 'from-source', 500)).toBeLessThan(500);
  });
});
