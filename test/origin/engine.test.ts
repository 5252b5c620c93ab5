/**
 * Strategies of the cache engine on every store: cache-aside, write-through, SWR, stale-if-error,
 * refresh-ahead, invalidation by key, tag and tenant, batches, and in-process stampede control.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resourceKey } from '../../common/keys.ts';
import { CacheEngine, definePolicy, versionKey, type CachePolicy, type CacheStore } from '../../origin/cache/index.ts';
import { scopeKeys } from '../../origin/cache/invalidation/versions.ts';
import type { CacheMetrics } from '../../origin/cache/metrics/interface.ts';
import { DEFAULT_POLICIES } from '../../origin/cache-policies.ts';
import { STORES, freshTenant } from './stores.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const base = DEFAULT_POLICIES.resource;
const policy = (overrides: Partial<CachePolicy>) => definePolicy({ ...base, refreshAheadMs: 0, jitter: 0, ...overrides });

/** A loader over a mutable source that counts its calls. */
function source<T>(initial: T) {
  const state = { value: initial as T | undefined, calls: 0, fail: false, delayMs: 0 };
  const load = async () => {
    state.calls++;
    if (state.delayMs) await sleep(state.delayMs);
    if (state.fail) throw new Error('source down');
    return state.value;
  };
  return { state, load };
}

describe.each(STORES)('cache engine on %s', (_, create) => {
  let store: CacheStore;
  let engine: CacheEngine;
  const errors: unknown[] = [];

  const observedEngines: CacheEngine[] = [];

  beforeAll(async () => {
    store = create();
    await store.connect();
    engine = new CacheEngine({ store, onError: (error) => errors.push(error) });
  });
  afterAll(async () => {
    await Promise.all([engine, ...observedEngines].map((e) => e.close()));
    await store.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Entries age by the engine's clock (`Date.now()`): a test moves it instead of sleeping; timers stay real. */
  function fakeClock() {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    return { advance: (ms: number) => vi.setSystemTime(Date.now() + ms) };
  }

  /** An engine over the same store that reports its completed writes: `stored(n)` resolves after n more. */
  function observed() {
    let sets = 0;
    const waiting: { at: number; resolve: () => void }[] = [];
    const metrics: CacheMetrics = {
      read: () => {},
      load: () => {},
      operation: (_, operation, ok) => {
        if (operation !== 'set' || !ok) return;
        sets++;
        for (const w of waiting.filter((w) => w.at <= sets)) waiting.splice(waiting.indexOf(w), 1), w.resolve();
      },
    };
    const observedEngine = new CacheEngine({ store, metrics, onError: (error) => errors.push(error) });
    observedEngines.push(observedEngine);
    return { engine: observedEngine, stored: (n: number) => new Promise<void>((resolve) => waiting.push({ at: sets + n, resolve })) };
  }

  it('loads on a miss, then answers from the cache without calling the loader', async () => {
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    const { state, load } = source({ name: 'one' });
    expect(await engine.getOrLoad({ key, tenant, policy: base, load })).toEqual({ value: { name: 'one' }, status: 'miss' });
    expect(await engine.getOrLoad({ key, tenant, policy: base, load })).toEqual({ value: { name: 'one' }, status: 'hit' });
    expect(state.calls).toBe(1);
  });

  it('does not cache "not found"', async () => {
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'gone');
    const { state, load } = source<string | undefined>(undefined);
    await engine.getOrLoad({ key, tenant, policy: base, load });
    await engine.getOrLoad({ key, tenant, policy: base, load });
    expect(state.calls).toBe(2);
  });

  it('leaves no version keys behind for a value that does not exist, or a load that fails', async () => {
    // Otherwise each request for an unknown id or tenant would leave keys for 30 days, and anyone
    // could fill Redis with them (docs/security-testing.md, cache-key flooding).
    const tenant = freshTenant();
    const missing = { key: resourceKey(tenant, 'project', 'missing'), tenant, policy: base, tags: ['project:missing'] };
    expect(await engine.getOrLoad({ ...missing, load: async () => undefined })).toEqual({ value: undefined, status: 'miss' });
    const broken = { key: resourceKey(tenant, 'project', 'broken'), tenant, policy: base, tags: ['project:broken'] };
    await expect(engine.getOrLoad({ ...broken, load: async () => Promise.reject(new Error('source down')) })).rejects.toThrow('source down');
    const scopes = [...scopeKeys(missing), ...scopeKeys(broken)];
    expect(await store.getMany(scopes)).toEqual(scopes.map(() => undefined));
    // A value that exists still gets its versions, and keeps them.
    const found = { key: resourceKey(tenant, 'project', 'found'), tenant, policy: base, tags: ['project:found'] };
    await engine.getOrLoad({ ...found, load: async () => ({ name: 'found' }) });
    expect((await store.getMany(scopeKeys(found))).every((version) => version !== undefined)).toBe(true);
  });

  it('keeps a version that an invalidation set while a missing value was being looked for', async () => {
    const tenant = freshTenant();
    const target = { key: resourceKey(tenant, 'project', 'raced'), tenant, policy: base, tags: ['project:raced'] };
    const load = async () => {
      await engine.invalidateTags(tenant, ['project:raced']);
      return undefined;
    };
    await engine.getOrLoad({ ...target, load });
    expect(await store.get(versionKey(tenant, 'project:raced'))).toBeDefined();
  });

  it('writes through: the source first, then the cache, and reads see the new value', async () => {
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    const { state, load } = source('old');
    await engine.getOrLoad({ key, tenant, policy: base, load });
    const written = await engine.writeThrough({ key, tenant, policy: base }, async () => {
      state.value = 'new';
      return 'new';
    });
    expect(written).toBe('new');
    expect(await engine.getOrLoad({ key, tenant, policy: base, load })).toEqual({ value: 'new', status: 'hit' });
    expect(state.calls).toBe(1);
  });

  it('serves stale within stale-while-revalidate and refreshes in the background', async () => {
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    const swr = policy({ ttlMs: 300, staleWhileRevalidateMs: 5_000, staleIfErrorMs: 0 });
    const { state, load } = source('v1');
    const { engine, stored } = observed();
    const clock = fakeClock();
    await engine.getOrLoad({ key, tenant, policy: swr, load });
    state.value = 'v2';
    clock.advance(350);
    const refreshed = stored(1);
    expect(await engine.getOrLoad({ key, tenant, policy: swr, load })).toEqual({ value: 'v1', status: 'stale' });
    await refreshed; // the background reload has stored its value
    expect(await engine.getOrLoad({ key, tenant, policy: swr, load })).toEqual({ value: 'v2', status: 'hit' });
    expect(state.calls).toBe(2);
  });

  it('serves stale within stale-if-error when the source fails, and fails without an entry', async () => {
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    const sie = policy({ ttlMs: 60, staleWhileRevalidateMs: 0, staleIfErrorMs: 5_000 });
    const { state, load } = source('kept');
    const clock = fakeClock();
    await engine.getOrLoad({ key, tenant, policy: sie, load });
    state.fail = true;
    clock.advance(100);
    expect(await engine.getOrLoad({ key, tenant, policy: sie, load })).toEqual({ value: 'kept', status: 'stale_error' });
    const elsewhere = freshTenant();
    const other = resourceKey(elsewhere, 'project', 'p1');
    await expect(engine.getOrLoad({ key: other, tenant: elsewhere, policy: sie, load })).rejects.toThrow('source down');
  });

  it('refreshes ahead of expiry while still answering hits', async () => {
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    // Due for refresh 100 ms after each write.
    const ahead = policy({ ttlMs: 1000, refreshAheadMs: 900 });
    const { state, load } = source('v1');
    const { engine, stored } = observed();
    const clock = fakeClock();
    await engine.getOrLoad({ key, tenant, policy: ahead, load });
    state.value = 'v2';
    clock.advance(150);
    const refreshed = stored(1);
    expect(await engine.getOrLoad({ key, tenant, policy: ahead, load })).toEqual({ value: 'v1', status: 'hit' });
    await refreshed;
    expect(await engine.getOrLoad({ key, tenant, policy: ahead, load })).toEqual({ value: 'v2', status: 'hit' });
    expect(state.calls).toBe(2);
  });

  it('invalidates by key, by tag and by tenant', async () => {
    const tenant = freshTenant();
    const other = freshTenant();
    const list = resourceKey(tenant, 'list', 'all');
    const item = resourceKey(tenant, 'project', 'p1');
    const untagged = resourceKey(tenant, 'project', 'p2');
    const foreign = resourceKey(other, 'list', 'all');
    const { state, load } = source('x');
    const read = (key: string, tags?: string[]) =>
      engine.getOrLoad({ key, tenant: key === foreign ? other : tenant, policy: base, tags, load }).then((r) => r.status);
    for (const [key, tags] of [
      [list, ['projects']],
      [item, ['projects', 'project:p1']],
      [untagged, undefined],
      [foreign, ['projects']],
    ] as const) {
      await read(key, tags ? [...tags] : undefined);
    }
    expect(await engine.invalidateTags(tenant, ['projects'])).toBe(true);
    expect(await read(list, ['projects'])).toBe('miss');
    expect(await read(item, ['projects', 'project:p1'])).toBe('miss');
    expect(await read(untagged)).toBe('hit');
    expect(await read(foreign, ['projects'])).toBe('hit');

    expect(await engine.invalidateTenant(tenant)).toBe(true);
    expect(await read(untagged)).toBe('miss');
    expect(await read(foreign, ['projects'])).toBe('hit');

    expect(await engine.delete({ key: untagged, tenant })).toBe(true);
    expect(await read(untagged)).toBe('miss');
    expect(state.calls).toBe(8);
  });

  it('reads and writes batches across tenants, loading only the misses', async () => {
    const tenants = Array.from({ length: 12 }, () => freshTenant());
    const keys = tenants.map((tenant, i) => resourceKey(tenant, 'project', `p${i}`));
    await engine.setMany(keys.slice(0, 6).map((key, i) => ({ target: { key, tenant: tenants[i]!, policy: base }, value: `cached-${i}` })));
    const loaded: string[] = [];
    const results = await engine.getMany(
      keys.map((key, i) => ({ key, tenant: tenants[i]!, policy: base, load: async () => (loaded.push(key), `loaded-${i}`) })),
    );
    expect(results.map((r) => r.status)).toEqual([...Array(6).fill('hit'), ...Array(6).fill('miss')]);
    expect(results.map((r) => r.value)).toEqual(keys.map((_, i) => (i < 6 ? `cached-${i}` : `loaded-${i}`)));
    expect([...loaded].sort()).toEqual(keys.slice(6).sort());
  });

  it('shares one round trip among concurrent reads of a key, but never across a local write', async () => {
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    let reads = 0;
    const counting: CacheStore = { ...store, getMany: (keys) => (reads++, store.getMany(keys)) };
    const local = new CacheEngine({ store: counting });
    await local.getOrLoad({ key, tenant, policy: base, load: async () => 'old' });
    reads = 0;
    const together = await Promise.all(Array.from({ length: 100 }, () => local.getOrLoad({ key, tenant, policy: base, load: async () => 'unused' })));
    expect(reads).toBe(1);
    expect(together.every((r) => r.value === 'old' && r.status === 'hit')).toBe(true);

    const before = local.getOrLoad({ key, tenant, policy: base, load: async () => 'unused' });
    await local.set({ key, tenant, policy: base }, 'new');
    const after = await local.getOrLoad({ key, tenant, policy: base, load: async () => 'unused' });
    expect(after.value).toBe('new');
    expect(['old', 'new']).toContain((await before).value);
    await local.close();
  });

  it('never joins a load that started before an invalidation', async () => {
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let loading!: () => void;
    const loadStarted = new Promise<void>((resolve) => (loading = resolve));
    // A miss whose load read the source before the change, and is still running.
    const early = engine.getOrLoad({ key, tenant, policy: base, load: async () => (loading(), await gate, 'before the change') });
    await loadStarted;
    expect(await engine.invalidateTenant(tenant)).toBe(true);
    const late = engine.getOrLoad({ key, tenant, policy: base, load: async () => 'after the change' });
    release();
    expect((await late).value).toBe('after the change');
    expect((await early).value).toBe('before the change');
  });

  it('runs the loader once for 1000 concurrent misses of one key', async () => {
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'hot');
    const { state, load } = source('hot');
    state.delayMs = 50;
    const results = await Promise.all(Array.from({ length: 1000 }, () => engine.getOrLoad({ key, tenant, policy: base, load })));
    expect(state.calls).toBe(1);
    expect(results.every((r) => r.value === 'hot')).toBe(true);
  });
});

describe('policies', () => {
  it('spread expiry by the jitter fraction, never beyond', async () => {
    const { windowsFor } = await import('../../origin/cache/index.ts');
    const p = policy({ ttlMs: 1000, jitter: 0.2, staleWhileRevalidateMs: 100, staleIfErrorMs: 500 });
    expect(windowsFor(p, 0, () => 0)).toEqual({ freshUntil: 1000, staleUntil: 1100, errorUntil: 1500 });
    expect(windowsFor(p, 0, () => 0.999_999).freshUntil).toBe(800);
    const spread = new Set(Array.from({ length: 200 }, () => windowsFor(p, 0).freshUntil));
    expect(Math.min(...spread)).toBeGreaterThanOrEqual(800);
    expect(Math.max(...spread)).toBeLessThanOrEqual(1000);
    expect(spread.size).toBeGreaterThan(50);
  });

  it('refuse impossible settings', () => {
    expect(() => policy({ ttlMs: 0 })).toThrow(RangeError);
    expect(() => policy({ jitter: 1 })).toThrow(/jitter/);
    expect(() => policy({ ttlMs: 100, refreshAheadMs: 100 })).toThrow(/refreshAheadMs/);
  });
});
