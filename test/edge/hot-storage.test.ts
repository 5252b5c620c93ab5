/**
 * The per-isolate memory tier over the real Workers Cache API: repeated reads within its TTL do
 * not touch the Cache API, deletes take effect at once, and nothing outlives the TTL.
 */
import { describe, expect, it } from 'vitest';
import { withHotTier } from '../../edge/cache/hot-storage.ts';
import { workersCacheStorage, type EdgeStorage, type StoredMeta } from '../../edge/cache/storage.ts';

function counting(inner: EdgeStorage) {
  const calls = { lookup: 0 };
  const storage: EdgeStorage = { ...inner, lookup: (key) => (calls.lookup++, inner.lookup(key)) };
  return { storage, calls };
}

const meta: StoredMeta = { policy: {} as StoredMeta['policy'], status: 200, headers: { 'content-type': 'text/plain' }, tags: [] };
const text = async (body: ReadableStream | ArrayBuffer | null) => (body ? new Response(body).text() : '');

describe('hot tier', () => {
  it('answers repeated reads from memory, each reading the whole body', async () => {
    const { storage, calls } = counting(workersCacheStorage(`hot-${crypto.randomUUID()}`));
    const hot = withHotTier(storage, { maxEntries: 10, maxBodyBytes: 1024, ttlMs: 500 });
    const key = `https://edge.test/hot/${crypto.randomUUID()}`;
    await hot.put(key, new TextEncoder().encode('payload').buffer as ArrayBuffer, meta, 60);
    const first = await hot.match(key);
    const second = await hot.match(key);
    expect(await text(first!.body)).toBe('payload');
    expect(await text(second!.body)).toBe('payload');
    expect(calls.lookup).toBe(0);
  });

  it('forgets deleted entries at once and everything after its TTL', async () => {
    const { storage, calls } = counting(workersCacheStorage(`hot-${crypto.randomUUID()}`));
    const hot = withHotTier(storage, { maxEntries: 10, maxBodyBytes: 1024, ttlMs: 200 });
    const key = `https://edge.test/hot/${crypto.randomUUID()}`;
    await hot.put(key, new TextEncoder().encode('a').buffer as ArrayBuffer, meta, 60);
    await hot.delete(key);
    expect(await hot.match(key)).toBeUndefined();
    expect(calls.lookup).toBe(1);

    const other = `https://edge.test/hot/${crypto.randomUUID()}`;
    await hot.put(other, new TextEncoder().encode('b').buffer as ArrayBuffer, meta, 60);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await text((await hot.match(other))!.body)).toBe('b'); // from the Cache API again
    expect(calls.lookup).toBe(2);
  });

  it('keeps large bodies out of memory', async () => {
    const { storage, calls } = counting(workersCacheStorage(`hot-${crypto.randomUUID()}`));
    const hot = withHotTier(storage, { maxEntries: 10, maxBodyBytes: 4, ttlMs: 5000 });
    const key = `https://edge.test/hot/${crypto.randomUUID()}`;
    await hot.put(key, new TextEncoder().encode('too large').buffer as ArrayBuffer, meta, 60);
    await hot.match(key);
    await hot.match(key);
    expect(calls.lookup).toBe(2);
  });
});
