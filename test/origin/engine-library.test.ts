/**
 * The engine as a library the app builds on: it labels its measurements with the names the app
 * gives its policies, takes each entry's tenant from the target (never from the key), and
 * types a read by its loader, so callers need no casts.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { CacheEngine, definePolicy, type CacheMetrics, type CacheResult, type CacheStore } from '../../origin/cache/index.ts';
import { STORES, freshTenant } from './stores.ts';

const catalog = definePolicy({ label: 'catalog', ttlMs: 60_000, jitter: 0, staleWhileRevalidateMs: 0, staleIfErrorMs: 0, refreshAheadMs: 0, memory: false });

describe('metrics under the app’s labels', () => {
  it('reports reads, loads and store operations under the policy’s label', async () => {
    const recorded: string[] = [];
    const metrics: CacheMetrics = {
      read: (label, outcome) => void recorded.push(`read ${label} ${outcome}`),
      load: (label, ok) => void recorded.push(`load ${label} ${ok}`),
      operation: (label, operation, ok) => void recorded.push(`${operation} ${label} ${ok}`),
    };
    const [, create] = STORES[0]!;
    const store = create();
    const engine = new CacheEngine({ store, metrics });
    const tenant = freshTenant();
    const request = { key: `catalog:{${tenant}}:item-1`, tenant, policy: catalog, load: async () => ({ sku: 'item-1' }) };
    expect((await engine.getOrLoad(request)).status).toBe('miss');
    expect((await engine.getOrLoad(request)).status).toBe('hit');
    expect(recorded).toEqual(expect.arrayContaining(['read catalog miss', 'read catalog hit', 'load catalog true', 'get catalog true', 'lock catalog true']));
    expect(recorded.every((entry) => entry.split(' ')[1] === 'catalog')).toBe(true);
    await engine.close();
    await store.close();
  });
});

describe.each(STORES)('targets on %s', (_, create) => {
  let store: CacheStore;
  let engine: CacheEngine;

  beforeAll(async () => {
    store = create();
    await store.connect();
    engine = new CacheEngine({ store });
  });
  afterAll(async () => {
    await engine.close();
    await store.close();
  });

  it('take the tenant from the target, whatever the key looks like', async () => {
    const [tenant, other] = [freshTenant(), freshTenant()];
    // Keys that name no tenant: the engine must not need to read one out of them.
    const mine = { key: `catalog:${crypto.randomUUID()}`, tenant, policy: catalog, tags: ['items'] };
    const theirs = { key: `catalog:${crypto.randomUUID()}`, tenant: other, policy: catalog, tags: ['items'] };
    let loads = 0;
    const read = (target: typeof mine) => engine.getOrLoad({ ...target, load: async () => ({ loads: ++loads }) });
    expect((await read(mine)).status).toBe('miss');
    expect((await read(theirs)).status).toBe('miss');
    expect((await read(mine)).status).toBe('hit');

    expect(await engine.invalidateTags(tenant, ['items'])).toBe(true);
    expect((await read(mine)).status).toBe('miss');
    expect((await read(theirs)).status).toBe('hit');
    expect(await engine.invalidateTenant(other)).toBe(true);
    expect((await read(theirs)).status).toBe('miss');
    expect(await engine.delete(mine)).toBe(true);
    expect((await read(mine)).status).toBe('miss');
    expect(loads).toBe(5);
  });

  it('type a read by its loader', async () => {
    const tenant = freshTenant();
    const list = engine.getOrLoad({ key: `list:{${tenant}}`, tenant, policy: catalog, load: async () => ({ data: [1, 2] }) });
    const found = engine.getOrLoad({ key: `item:{${tenant}}`, tenant, policy: catalog, load: async (): Promise<{ id: string } | undefined> => undefined });
    // Checked by `npm run typecheck`: a loader that always finds gives a result that always holds a value.
    expectTypeOf(list).resolves.toEqualTypeOf<CacheResult<{ data: number[] }>>();
    expectTypeOf(found).resolves.toEqualTypeOf<CacheResult<{ id: string } | undefined>>();
    expect(await list).toEqual({ value: { data: [1, 2] }, status: 'miss' });
    expect(await found).toEqual({ value: undefined, status: 'miss' });
  });
});
