/**
 * The contract every cache store passes: memory, Redis standalone and Redis Cluster, the last
 * two against the harness's real `redis-server` processes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore, type CacheStore } from '../../origin/cache/index.ts';
import { STORES } from './stores.ts';

describe.each(STORES)('cache store contract: %s', (_, create) => {
  let store: CacheStore;
  const key = (name: string) => `resource:{t-${crypto.randomUUID().slice(0, 8)}}:test:${name}`;

  beforeAll(async () => {
    store = create();
    await store.connect();
  });
  afterAll(async () => {
    await store.close();
  });

  describe('inspection (operators)', () => {
    it('tells the time to live left: absent, expiring, never', async () => {
      const inspection = store.inspection!;
      const k = key('ttl');
      expect(await inspection.ttl(k)).toBeUndefined();
      await store.set(k, 'v', 60_000);
      const left = await inspection.ttl(k);
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThanOrEqual(60_000);
      const forever = key('forever');
      await store.setIfAbsent(forever, 'v');
      expect(await inspection.ttl(forever)).toBe(Infinity);
    });

    it('finds keys by pattern and counts them by prefix across slots', async () => {
      const prefix = `inspect-${crypto.randomUUID().slice(0, 8)}:`;
      const keys = Array.from({ length: 25 }, (_, i) => `${prefix}{t-${i}}:k`);
      await store.setMany(keys.map((k) => ({ key: k, value: 'v', ttlMs: 60_000 })));
      const found = await store.inspection!.scan(`${prefix}\\{t-1\\}:*`, 1_000_000);
      expect(found).toEqual({ keys: [`${prefix}{t-1}:k`], complete: true });
      const census = await store.inspection!.census([prefix, `${prefix}{t-2`], 1_000_000);
      expect(census.complete).toBe(true);
      // The longest matching prefix wins: t-2 and t-20..t-24 are counted apart.
      expect(census.counts[`${prefix}{t-2`]).toBe(6);
      expect(census.counts[prefix]).toBe(19);
      expect(census.totalKeys).toBeGreaterThanOrEqual(25);
      // The harness's cluster is shared with the files running beside this one: its key count can
      // move between the SCAN and the count. Standalone and memory stores are this file's own.
      if (store.name === 'redis-cluster') expect(census.scannedKeys).toBeGreaterThanOrEqual(25);
      else expect(census.scannedKeys).toBe(census.totalKeys);
      expect(census.nodes).toBe(store.name === 'redis-cluster' ? 3 : 1);
      if (store.name !== 'memory') expect(census.usedMemoryBytes).toBeGreaterThan(0);
      // Past its budget a census says it is a sample (Redis counts budgets in SCAN steps of 1000).
      if (store.name === 'memory') expect(await store.inspection!.census([prefix], 10)).toMatchObject({ complete: false, scannedKeys: 10 });
    });
  });

  it('answers a ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });

  it('returns undefined for an absent key', async () => {
    expect(await store.get(key('absent'))).toBeUndefined();
  });

  it('stores, replaces and deletes values', async () => {
    const k = key('value');
    await store.set(k, 'one', 60_000);
    expect(await store.get(k)).toBe('one');
    await store.set(k, 'two ☃', 60_000);
    expect(await store.get(k)).toBe('two ☃');
    await store.delete(k);
    expect(await store.get(k)).toBeUndefined();
  });

  it('deletes several keys, of different tenants, at once', async () => {
    const keys = [key('a'), key('b'), key('c')];
    await Promise.all(keys.map((k) => store.set(k, 'x', 60_000)));
    await store.delete(...keys, key('never-set'));
    expect(await Promise.all(keys.map((k) => store.get(k)))).toEqual([undefined, undefined, undefined]);
  });

  it('reads and writes batches whose keys span tenants (cluster slots), in order', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => key(`batch-${i}`));
    await store.setMany(keys.filter((_, i) => i % 2 === 0).map((k, i) => ({ key: k, value: `v${i * 2}`, ttlMs: 60_000 })));
    const values = await store.getMany(keys);
    expect(values).toEqual(keys.map((_, i) => (i % 2 === 0 ? `v${i}` : undefined)));
    expect(await store.getMany([])).toEqual([]);
  });

  it('sets only when absent and deletes only while the value still matches', async () => {
    const k = key('lock');
    expect(await store.setIfAbsent(k, 'owner-a', 60_000)).toBe(true);
    expect(await store.setIfAbsent(k, 'owner-b', 60_000)).toBe(false);
    expect(await store.deleteIfEquals(k, 'owner-b')).toBe(false);
    expect(await store.get(k)).toBe('owner-a');
    expect(await store.deleteIfEquals(k, 'owner-a')).toBe(true);
    expect(await store.get(k)).toBeUndefined();
    expect(await store.setIfAbsent(k, 'forever')).toBe(true);
    expect(await store.get(k)).toBe('forever');
  });

  it('replaces a value only while the key exists', async () => {
    const k = key('replace');
    expect(await store.replace(k, 'nothing there', 60_000)).toBe(false);
    expect(await store.get(k)).toBeUndefined();
    await store.set(k, 'one', 60_000);
    expect(await store.replace(k, 'two', 60_000)).toBe(true);
    expect(await store.get(k)).toBe('two');
  });

  it('keeps index sets and moves expiry', async () => {
    const k = key('set');
    await store.addToSet(k, 'a', 60_000);
    await store.addToSet(k, 'b', 60_000);
    await store.addToSet(k, 'a', 60_000);
    expect((await store.setMembers(k)).sort()).toEqual(['a', 'b']);
    await store.removeFromSet(k, 'a');
    expect(await store.setMembers(k)).toEqual(['b']);
    expect(await store.setMembers(key('no-set'))).toEqual([]);
    expect(await store.expire(k, 50)).toBe(true);
    expect(await store.expire(key('absent'), 50)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await store.setMembers(k)).toEqual([]);
  });

  it('reports how many replicas acknowledged a write', async () => {
    const k = key('replicated');
    await store.set(k, 'x', 60_000);
    const acknowledged = await store.waitForReplicas(k, 1, 300);
    // The harness's cluster has one replica per master; standalone and memory have none.
    expect(acknowledged).toBe(store.name === 'redis-cluster' ? 1 : 0);
  });

  it('expires entries after their time to live', async () => {
    const k = key('ttl');
    await store.set(k, 'short', 50);
    expect(await store.get(k)).toBe('short');
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await store.get(k)).toBeUndefined();
  });
});

describe('memory store bounds', () => {
  it('evicts the least recently used entry beyond its size', async () => {
    const store = createMemoryStore({ maxEntries: 2 });
    await store.set('a', '1', 60_000);
    await store.set('b', '2', 60_000);
    await store.get('a');
    await store.set('c', '3', 60_000);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBe('1');
    expect(await store.get('c')).toBe('3');
  });

  it('never reports more time to live than an entry was given, however busy the process', async () => {
    const store = createMemoryStore({ maxEntries: 10 });
    await store.set('a', '1', 60_000);
    // One task, no timer in between: a read takes the clock, the process stays busy, then a write.
    const read = store.get('a');
    const busyUntil = Date.now() + 20;
    while (Date.now() < busyUntil);
    const written = store.set('b', '2', 60_000);
    await Promise.all([read, written]);
    expect(await store.inspection!.ttl('b')).toBeLessThanOrEqual(60_000);
  });
});
