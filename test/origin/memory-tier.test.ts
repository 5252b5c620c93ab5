/**
 * The per-process memory tier and the invalidation bus, with several engines ("processes")
 * over the harness's Redis: a write in one drops the value from the others' memory at once, and
 * one that misses the message serves the old value for at most the tier's TTL.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { configKey } from '../../common/keys.ts';
import { createRedisBus } from '../../origin/cache/bus.ts';
import { CacheEngine } from '../../origin/cache/engine.ts';
import type { CacheStore } from '../../origin/cache/interface.ts';
import { DEFAULT_POLICIES } from '../../origin/cache/policy.ts';
import { createRedisStore } from '../../origin/cache/redis.ts';
import { freshTenant } from './stores.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const policy = DEFAULT_POLICIES.config; // memory: true
const MEMORY = { maxEntries: 100, ttlMs: 1000 };

describe('memory tier with the invalidation bus', () => {
  const stores: CacheStore[] = [];
  const engines: CacheEngine[] = [];

  async function process_(withBus: boolean): Promise<CacheEngine> {
    const url = inject('redisUrl');
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

  async function waitForValue(engine: CacheEngine, key: string, expected: string, withinMs: number): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < withinMs) {
      const { value } = await engine.getOrLoad({ key, policy, load: async () => 'from-source' });
      if (value === expected) return Date.now() - started;
      await sleep(10);
    }
    throw new Error(`${key} did not become ${expected} within ${withinMs} ms`);
  }

  it('drops a rewritten value from other processes at once; a process that missed it recovers within the TTL', async () => {
    const key = configKey(freshTenant(), 'app_settings');
    for (const engine of [a, deaf]) {
      await engine.getOrLoad({ key, policy, load: async () => 'v1' });
      expect(await engine.getOrLoad({ key, policy, load: async () => 'unused' })).toEqual({ value: 'v1', status: 'hit' });
    }
    await b.set({ key, policy }, 'v2');
    expect(await waitForValue(a, key, 'v2', 500)).toBeLessThan(500);
    // No bus: the memory tier still holds v1, but never longer than its TTL.
    expect((await deaf.getOrLoad({ key, policy, load: async () => 'unused' })).value).toBe('v1');
    expect(await waitForValue(deaf, key, 'v2', MEMORY.ttlMs + 200)).toBeLessThanOrEqual(MEMORY.ttlMs + 200);
  });

  it('drops a tenant’s values from other processes on a tenant invalidation', async () => {
    const tenant = freshTenant();
    const key = configKey(tenant, 'limits');
    await a.getOrLoad({ key, policy, load: async () => 'old' });
    await b.invalidateTenant(tenant);
    expect(await waitForValue(a, key, 'from-source', 500)).toBeLessThan(500);
  });
});
