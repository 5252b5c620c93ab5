/**
 * The per-isolate memory tier over the real Workers Cache API: repeated reads within its TTL do
 * not touch the Cache API, deletes take effect at once, nothing outlives the TTL, and what it
 * holds stays within a byte budget far below a Worker isolate's 128 MB.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HOT_TIER_DEFAULTS, withHotTier } from '../../edge/cache/hot-storage.ts';
import { workersCacheStorage, type EdgeStorage, type StoredMeta } from '../../edge/cache/storage.ts';
import { mockClock } from './clock.ts';

function counting(inner: EdgeStorage) {
  const calls = { lookup: 0 };
  const storage: EdgeStorage = { ...inner, lookup: (key) => (calls.lookup++, inner.lookup(key)) };
  return { storage, calls };
}

/** Storage that keeps nothing: whatever is found afterwards came from the memory tier. */
const forgetful: EdgeStorage = {
  lookup: async () => undefined,
  match: async () => undefined,
  put: async () => {},
  putVary: async () => {},
  delete: async () => false,
};

const KiB = 1024;
const MiB = 1024 * KiB;
const meta: StoredMeta = { policy: {} as StoredMeta['policy'], status: 200, headers: { 'content-type': 'text/plain' }, tags: [] };
const text = async (body: ReadableStream | ArrayBuffer | null) => (body ? new Response(body).text() : '');
const bytes = (n: number) => new Uint8Array(n).buffer as ArrayBuffer;
const keyOf = (i: number) => `https://edge.test/hot/${i}?q=${crypto.randomUUID()}`;

describe('hot tier', () => {
  afterEach(() => vi.restoreAllMocks());

  it('answers repeated reads from memory, each reading the whole body', async () => {
    const { storage, calls } = counting(workersCacheStorage(`hot-${crypto.randomUUID()}`));
    const hot = withHotTier(storage, { maxBytes: 64 * KiB, maxBodyBytes: 1024, ttlMs: 500 });
    const key = `https://edge.test/hot/${crypto.randomUUID()}`;
    await hot.put(key, new TextEncoder().encode('payload').buffer as ArrayBuffer, meta, 60);
    const first = await hot.match(key);
    const second = await hot.match(key);
    expect(await text(first!.body)).toBe('payload');
    expect(await text(second!.body)).toBe('payload');
    expect(calls.lookup).toBe(0);
  });

  it('forgets deleted entries at once and everything after its TTL', async () => {
    const clock = mockClock();
    const { storage, calls } = counting(workersCacheStorage(`hot-${crypto.randomUUID()}`));
    const hot = withHotTier(storage, { maxBytes: 64 * KiB, maxBodyBytes: 1024, ttlMs: 200 });
    const key = `https://edge.test/hot/${crypto.randomUUID()}`;
    await hot.put(key, new TextEncoder().encode('a').buffer as ArrayBuffer, meta, 60);
    await hot.delete(key);
    expect(await hot.match(key)).toBeUndefined();
    expect(calls.lookup).toBe(1);

    const other = `https://edge.test/hot/${crypto.randomUUID()}`;
    await hot.put(other, new TextEncoder().encode('b').buffer as ArrayBuffer, meta, 60);
    clock.advance(201);
    expect(await text((await hot.match(other))!.body)).toBe('b'); // from the Cache API again
    expect(calls.lookup).toBe(2);
  });

  it('keeps large bodies out of memory', async () => {
    const { storage, calls } = counting(workersCacheStorage(`hot-${crypto.randomUUID()}`));
    const hot = withHotTier(storage, { maxBytes: 64 * KiB, maxBodyBytes: 4, ttlMs: 5000 });
    const key = `https://edge.test/hot/${crypto.randomUUID()}`;
    await hot.put(key, new TextEncoder().encode('too large').buffer as ArrayBuffer, meta, 60);
    await hot.match(key);
    await hot.match(key);
    expect(calls.lookup).toBe(2);
  });

  it('holds at most its byte budget by default, however many distinct keys are stored', async () => {
    // Anyone can mint keys (distinct query strings); each body is just under the per-body limit.
    expect(HOT_TIER_DEFAULTS.maxBytes).toBeLessThanOrEqual(32 * MiB); // a quarter of an isolate
    const hot = withHotTier(forgetful);
    const bodyBytes = HOT_TIER_DEFAULTS.maxBodyBytes - KiB;
    const keys = Array.from({ length: 200 }, (_, i) => keyOf(i));
    for (const key of keys) await hot.put(key, bytes(bodyBytes), meta, 60);
    let held = 0;
    for (const key of keys) if (await hot.match(key)) held++;
    expect(held).toBeGreaterThan(0);
    expect(held * bodyBytes).toBeLessThanOrEqual(HOT_TIER_DEFAULTS.maxBytes);
    expect(hot.heldBytes).toBeLessThanOrEqual(HOT_TIER_DEFAULTS.maxBytes);
  });

  it('drops expired entries instead of holding them until they are evicted', async () => {
    const clock = mockClock();
    const hot = withHotTier(forgetful, { maxBytes: 4 * MiB, maxBodyBytes: 64 * KiB, ttlMs: 1000 });
    for (let i = 0; i < 10; i++) await hot.put(keyOf(i), bytes(64 * KiB), meta, 60);
    expect(hot.heldBytes).toBeGreaterThanOrEqual(10 * 64 * KiB);
    clock.advance(1001);
    await hot.put(keyOf(10), bytes(KiB), meta, 60);
    expect(hot.heldBytes).toBeLessThan(64 * KiB);
  });
});
