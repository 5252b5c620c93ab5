/**
 * The per-process memory tier and the invalidation bus, with several engines ("processes")
 * over the harness's Redis: a write in one drops the value from the others' memory at once, and
 * one that misses the message serves the old value for at most the tier's TTL.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { configKey } from '../../common/keys.ts';
import { CacheEngine, createRedisBus, createRedisStore, type CacheEntryRef, type CacheStore } from '../../origin/cache/index.ts';
import { DEFAULT_POLICIES } from '../../origin/cache-policies.ts';
import { eventually } from '../harness/eventually.ts';
import { freshTenant } from './stores.ts';
import { fileRedisUrl } from '../harness/file-redis.ts';

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

  /** Reads through `engine` until it gives `expected` (a value from elsewhere: the bus, or Redis). */
  async function becomes(engine: CacheEngine, { key, tenant }: CacheEntryRef, expected: string): Promise<void> {
    const read = async () => (await engine.getOrLoad({ key, tenant, policy, load: async () => 'from-source' })).value;
    await eventually(`${key} to become ${expected}`, read, (value) => value === expected);
  }

  afterEach(() => {
    vi.useRealTimers();
  });

  it('drops a rewritten value from other processes at once; a process that missed it recovers within the TTL', async () => {
    const tenant = freshTenant();
    const key = configKey(tenant, 'app_settings');
    for (const engine of [a, deaf]) {
      await engine.getOrLoad({ key, tenant, policy, load: async () => 'v1' });
      expect(await engine.getOrLoad({ key, tenant, policy, load: async () => 'unused' })).toEqual({ value: 'v1', status: 'hit' });
    }
    // The clock stands still from here: no memory entry expires, so only the bus can change a value.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    await b.set({ key, tenant, policy }, 'v2');
    await becomes(a, { key, tenant }, 'v2');
    // No bus: the memory tier still holds v1, but never longer than its TTL.
    expect((await deaf.getOrLoad({ key, tenant, policy, load: async () => 'unused' })).value).toBe('v1');
    vi.setSystemTime(Date.now() + MEMORY.ttlMs + 1);
    // lru-cache reuses its last reading of the clock until a 1 ms timer has fired.
    await new Promise((resolve) => setTimeout(resolve, 2));
    expect((await deaf.getOrLoad({ key, tenant, policy, load: async () => 'unused' })).value).toBe('v2');
  });

  it('drops a tenant’s values from other processes on a tenant invalidation', async () => {
    const tenant = freshTenant();
    const key = configKey(tenant, 'limits');
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    await a.getOrLoad({ key, tenant, policy, load: async () => 'old' });
    await b.invalidateTenant(tenant);
    await becomes(a, { key, tenant }, 'from-source');
  });
});
