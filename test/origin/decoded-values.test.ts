/**
 * Decoded copies of recent reads (`decoded-values.ts`) on every store: a read whose stored
 * bytes are the ones decoded last time hands out that value again without decoding; any other
 * bytes, a changed version, a policy that opts out or an entry over the bound decode afresh.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourceKey } from '../../common/keys.ts';
import { CacheEngine, compressCodec, definePolicy, type CacheStore, type PayloadCodec } from '../../origin/cache/index.ts';
import { DEFAULT_POLICIES } from '../../origin/cache-policies.ts';
import { STORES, freshTenant } from './stores.ts';

const policy = definePolicy({ ...DEFAULT_POLICIES.resource, refreshAheadMs: 0, jitter: 0 });
const unexpected = async (): Promise<never> => {
  throw new Error('expected a hit');
};

/** The compression codec, counting its decodes. */
function countingCodec() {
  const inner = compressCodec({ thresholdBytes: 64 });
  const counted = { decodes: 0 };
  const codec: PayloadCodec = {
    name: inner.name,
    encode: (plain, context) => inner.encode(plain, context),
    decode: (stored, context) => {
      counted.decodes++;
      return inner.decode(stored, context);
    },
  };
  return { codec, counted };
}

describe.each(STORES)('decoded values on %s', (_, create) => {
  let store: CacheStore;
  let engine: CacheEngine;
  // Another process over the same store: its writes change the bytes this engine reads.
  let other: CacheEngine;

  beforeAll(async () => {
    store = create();
    await store.connect();
    engine = new CacheEngine({ store });
    other = new CacheEngine({ store });
  });
  afterAll(async () => {
    await engine.close();
    await other.close();
    await store.close();
  });

  it('hands out the last decoded value while the stored bytes are the same, and the new one once they change', async () => {
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    await engine.set({ key, tenant, policy }, { name: 'one' });
    const first = await engine.getOrLoad({ key, tenant, policy, load: unexpected });
    const second = await engine.getOrLoad({ key, tenant, policy, load: unexpected });
    expect(first).toEqual({ value: { name: 'one' }, status: 'hit' });
    expect(second.value).toBe(first.value);

    await other.set({ key, tenant, policy }, { name: 'two' });
    const changed = await engine.getOrLoad({ key, tenant, policy, load: unexpected });
    expect(changed).toEqual({ value: { name: 'two' }, status: 'hit' });
    expect((await engine.getOrLoad({ key, tenant, policy, load: unexpected })).value).toBe(changed.value);
  });

  it('decodes afresh after an invalidation, though the entry still holds the same bytes', async () => {
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    let loads = 0;
    const load = async () => ({ name: 'loaded', loads: ++loads });
    const target = { key, tenant, policy, tags: ['projects'], load };
    await engine.getOrLoad(target); // a miss: the loader's own object
    const before = await engine.getOrLoad(target);
    expect((await engine.getOrLoad(target)).value).toBe(before.value);
    await other.invalidateTags(tenant, ['projects']);
    const after = await engine.getOrLoad(target);
    expect(after).toEqual({ value: { name: 'loaded', loads: 2 }, status: 'miss' });
  });

  it('runs the codec once while the stored bytes are the same', async () => {
    const { codec, counted } = countingCodec();
    const compressed = definePolicy({ ...policy, codec });
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    const value = { description: 'x'.repeat(500) };
    await engine.set({ key, tenant, policy: compressed }, value);
    for (let i = 0; i < 3; i++) expect(await engine.getOrLoad({ key, tenant, policy: compressed, load: unexpected })).toEqual({ value, status: 'hit' });
    expect(counted.decodes).toBe(1);
  });

  it('keeps nothing for a policy that opts out, an engine without the copies, or an entry over the bound', async () => {
    const tenant = freshTenant();
    const key = resourceKey(tenant, 'project', 'p1');
    await engine.set({ key, tenant, policy }, { description: 'x'.repeat(500) });
    const optOut = definePolicy({ ...policy, reuseDecoded: false });
    const a = await engine.getOrLoad({ key, tenant, policy: optOut, load: unexpected });
    const b = await engine.getOrLoad({ key, tenant, policy: optOut, load: unexpected });
    expect(b).toEqual(a);
    expect(b.value).not.toBe(a.value);

    for (const decoded of [false, { maxChars: 200, maxEntries: 100 }] as const) {
      const bare = new CacheEngine({ store, decoded });
      const c = await bare.getOrLoad({ key, tenant, policy, load: unexpected });
      const d = await bare.getOrLoad({ key, tenant, policy, load: unexpected });
      expect(d).toEqual(c);
      expect(d.value).not.toBe(c.value);
      await bare.close();
    }
  });

  it('counts a compressed entry by its JSON, not its stored text, and holds at most maxEntries', async () => {
    const { codec } = countingCodec();
    const compressed = definePolicy({ ...policy, codec });
    const tenant = freshTenant();
    const [big, small, other] = ['big', 'small', 'other'].map((id) => resourceKey(tenant, 'project', id)) as [string, string, string];
    await engine.set({ key: big, tenant, policy: compressed }, { description: 'x'.repeat(5000) });
    await engine.set({ key: small, tenant, policy: compressed }, { name: 'small' });
    await engine.set({ key: other, tenant, policy: compressed }, { name: 'other' });
    const bounded = new CacheEngine({ store, decoded: { maxChars: 1000, maxEntries: 1 } });
    const read = (key: string) => bounded.getOrLoad({ key, tenant, policy: compressed, load: unexpected }).then((result) => result.value);
    // About 60 characters stored, 5000 of JSON: over the bound.
    expect(await read(big)).not.toBe(await read(big));
    // One entry at most: a read of another key evicts the first.
    const first = await read(small);
    expect(await read(small)).toBe(first);
    await read(other);
    expect(await read(small)).not.toBe(first);
    await bounded.close();
  });
});
